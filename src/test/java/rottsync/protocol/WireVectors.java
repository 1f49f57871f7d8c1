package rottsync.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;

/** Golden frames from the JS client's cbor-x encoder (see src/test/resources/wire/README.md). */
final class WireVectors {
    static final List<String> ALL = List.of("join-storageless", "join-with-storage", "join-unsupported-version",
            "sync", "request", "doc-unavailable", "ephemeral", "remote-heads-changed", "remote-subscription-change");
    static final List<String> HANDLED = ALL.subList(0, 7);

    private static final ObjectMapper CBOR = new ObjectMapper(new CBORFactory());

    private WireVectors() {}

    static byte[] load(String name) {
        try (InputStream in = WireVectors.class.getResourceAsStream("/wire/" + name + ".hex")) {
            if (in == null) {
                throw new IllegalArgumentException("no golden vector " + name);
            }
            return HexFormat.of().parseHex(new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] cbor(Object value) {
        try {
            return CBOR.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> cborMap(byte[] frame) {
        try {
            return CBOR.readValue(frame, Map.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex);
    }

    static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] p : parts) {
            length += p.length;
        }
        byte[] out = new byte[length];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
