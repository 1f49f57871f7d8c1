package rottsync.protocol;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.util.ByteBufferBackedInputStream;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import rottsync.protocol.WireMessage.DocUnavailable;
import rottsync.protocol.WireMessage.Ephemeral;
import rottsync.protocol.WireMessage.Join;
import rottsync.protocol.WireMessage.Leave;
import rottsync.protocol.WireMessage.Peer;
import rottsync.protocol.WireMessage.PeerMetadata;
import rottsync.protocol.WireMessage.Request;
import rottsync.protocol.WireMessage.Sync;

/**
 * CBOR bytes to {@link WireMessage}s and back.
 *
 * <p>Decoding is as tolerant as the cbor-x output of the JS client requires: any map length form,
 * CBOR {@code undefined} read as "absent", and numbers as integers or float64. Encoding writes
 * definite-length maps and leaves absent optional fields out, which every CBOR decoder reads.
 */
public final class WireCodec {
    private static final int MAX_NESTING_DEPTH = 32;
    private static final List<String> IGNORED_TYPES = List.of("remote-subscription-change", "remote-heads-changed");

    private final CBORFactory factory;
    private final ObjectMapper reader;

    public WireCodec() {
        factory = CBORFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build())
                .build();
        reader = new ObjectMapper(factory).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    public WireMessage decode(byte[] frame) throws MalformedMessageException {
        return decode(ByteBuffer.wrap(frame));
    }

    /**
     * Reads the frame where it lies (a socket's buffer, heap or direct): the only copy made is of each byte
     * string the message carries, since Automerge takes its sync data as an array.
     */
    public WireMessage decode(ByteBuffer frame) throws MalformedMessageException {
        Object root;
        try {
            root = frame.hasArray()
                    ? reader.readValue(frame.array(), frame.arrayOffset() + frame.position(), frame.remaining(),
                            Object.class)
                    : reader.readValue(new ByteBufferBackedInputStream(frame.duplicate()), Object.class);
        } catch (IOException | RuntimeException e) {
            throw new MalformedMessageException("frame is not valid CBOR", e);
        }
        if (!(root instanceof Map<?, ?> map)) {
            throw new MalformedMessageException("frame is not a CBOR map");
        }
        Fields fields = new Fields(map);
        String type = fields.requiredString("type");
        switch (type) {
            case "join":
                return new Join(fields.requiredString("senderId"), fields.metadata("peerMetadata"),
                        fields.optionalStringList("supportedProtocolVersions"));
            case "peer":
                return new Peer(fields.requiredString("senderId"), fields.metadata("peerMetadata"),
                        fields.requiredString("selectedProtocolVersion"), fields.requiredString("targetId"));
            case "leave":
                return new Leave(fields.requiredString("senderId"));
            case "error":
                return new WireMessage.Error(fields.requiredString("senderId"), fields.optionalString("message"),
                        fields.optionalString("targetId"));
            case "sync":
                return new Sync(fields.requiredString("senderId"), fields.requiredString("targetId"),
                        fields.documentId(), fields.requiredBytes("data"));
            case "request":
                return new Request(fields.requiredString("senderId"), fields.requiredString("targetId"),
                        fields.documentId(), fields.requiredBytes("data"));
            case "doc-unavailable":
                return new DocUnavailable(fields.requiredString("senderId"), fields.requiredString("targetId"),
                        fields.documentId());
            case "ephemeral":
                return new Ephemeral(fields.requiredString("senderId"), fields.requiredString("targetId"),
                        fields.documentId(), fields.requiredBytes("data"), fields.requiredString("sessionId"),
                        fields.requiredCount("count"));
            default:
                if (IGNORED_TYPES.contains(type)) {
                    return new WireMessage.Ignored(fields.requiredString("senderId"), type);
                }
                throw new MalformedMessageException("unknown message type '" + abbreviate(type) + "'");
        }
    }

    public byte[] encode(WireMessage message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(estimateSize(message));
        try (CBORGenerator gen = (CBORGenerator) factory.createGenerator(out)) {
            if (message instanceof Join m) {
                gen.writeStartObject(m, 4);
                type(gen, "join");
                gen.writeStringField("senderId", m.senderId());
                metadata(gen, m.peerMetadata());
                gen.writeFieldName("supportedProtocolVersions");
                gen.writeStartArray(m.supportedProtocolVersions(), m.supportedProtocolVersions().size());
                for (String v : m.supportedProtocolVersions()) {
                    gen.writeString(v);
                }
                gen.writeEndArray();
            } else if (message instanceof Peer m) {
                gen.writeStartObject(m, 5);
                type(gen, "peer");
                gen.writeStringField("senderId", m.senderId());
                metadata(gen, m.peerMetadata());
                gen.writeStringField("selectedProtocolVersion", m.selectedProtocolVersion());
                gen.writeStringField("targetId", m.targetId());
            } else if (message instanceof Leave m) {
                gen.writeStartObject(m, 2);
                type(gen, "leave");
                gen.writeStringField("senderId", m.senderId());
            } else if (message instanceof WireMessage.Error m) {
                gen.writeStartObject(m, m.targetId() == null ? 3 : 4);
                type(gen, "error");
                gen.writeStringField("senderId", m.senderId());
                gen.writeStringField("message", m.message());
                if (m.targetId() != null) {
                    gen.writeStringField("targetId", m.targetId());
                }
            } else if (message instanceof Sync m) {
                documentMessage(gen, m, "sync", 5);
                gen.writeFieldName("data");
                gen.writeBinary(m.data());
            } else if (message instanceof Request m) {
                documentMessage(gen, m, "request", 5);
                gen.writeFieldName("data");
                gen.writeBinary(m.data());
            } else if (message instanceof DocUnavailable m) {
                documentMessage(gen, m, "doc-unavailable", 4);
            } else if (message instanceof Ephemeral m) {
                documentMessage(gen, m, "ephemeral", 7);
                gen.writeFieldName("data");
                gen.writeBinary(m.data());
                gen.writeStringField("sessionId", m.sessionId());
                gen.writeFieldName("count");
                // As cbor-x does: a uint64 would reach JS as a BigInt, a float64 as the number it was.
                if (m.count() > 0xFFFFFFFFL) {
                    gen.writeNumber((double) m.count());
                } else {
                    gen.writeNumber(m.count());
                }
            } else {
                throw new IllegalArgumentException("not a message this server sends: " + message);
            }
            gen.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing CBOR to memory failed", e);
        }
        return out.toByteArray();
    }

    private static int estimateSize(WireMessage message) {
        if (message instanceof Sync m) {
            return m.data().length + 160;
        }
        if (message instanceof Ephemeral m) {
            return m.data().length + 200;
        }
        return 160;
    }

    private static void type(CBORGenerator gen, String type) throws IOException {
        gen.writeStringField("type", type);
    }

    private static void documentMessage(CBORGenerator gen, WireMessage.DocumentMessage m, String type, int fields)
            throws IOException {
        gen.writeStartObject(m, fields);
        type(gen, type);
        gen.writeStringField("senderId", m.senderId());
        gen.writeStringField("targetId", m.targetId());
        gen.writeStringField("documentId", m.documentId().value());
    }

    private static void metadata(CBORGenerator gen, PeerMetadata metadata) throws IOException {
        gen.writeFieldName("peerMetadata");
        gen.writeStartObject(metadata, metadata.storageId() == null ? 1 : 2);
        if (metadata.storageId() != null) {
            gen.writeStringField("storageId", metadata.storageId());
        }
        gen.writeBooleanField("isEphemeral", metadata.isEphemeral());
        gen.writeEndObject();
    }

    static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }

    /** Typed access to a decoded map that names the offending field in every failure. */
    private record Fields(Map<?, ?> map) {
        String requiredString(String name) throws MalformedMessageException {
            Object v = map.get(name);
            if (v instanceof String s) {
                return s;
            }
            throw problem(name, v, "a string");
        }

        String optionalString(String name) throws MalformedMessageException {
            Object v = map.get(name);
            if (v == null || v instanceof String) {
                return (String) v;
            }
            throw problem(name, v, "a string");
        }

        byte[] requiredBytes(String name) throws MalformedMessageException {
            Object v = map.get(name);
            if (v instanceof byte[] b) {
                return b;
            }
            throw problem(name, v, "a byte string");
        }

        long requiredCount(String name) throws MalformedMessageException {
            Object v = map.get(name);
            // cbor-x writes integers of 2^32 and above as float64.
            if (v instanceof Number n) {
                double d = n.doubleValue();
                if (d >= 0 && d <= 9.007199254740991E15 && d == Math.rint(d)) {
                    return n.longValue();
                }
            }
            throw problem(name, v, "a non-negative integer");
        }

        List<String> optionalStringList(String name) throws MalformedMessageException {
            Object v = map.get(name);
            if (v == null) {
                return null;
            }
            if (v instanceof List<?> list) {
                List<String> out = new ArrayList<>(list.size());
                for (Object item : list) {
                    if (!(item instanceof String s)) {
                        throw problem(name, v, "a list of strings");
                    }
                    out.add(s);
                }
                return out;
            }
            throw problem(name, v, "a list of strings");
        }

        PeerMetadata metadata(String name) throws MalformedMessageException {
            Object v = map.get(name);
            if (v == null) {
                return new PeerMetadata(null, false);
            }
            if (!(v instanceof Map<?, ?> m)) {
                throw problem(name, v, "a map");
            }
            Fields inner = new Fields(m);
            Object ephemeral = m.get("isEphemeral");
            if (ephemeral != null && !(ephemeral instanceof Boolean)) {
                throw problem(name + ".isEphemeral", ephemeral, "a boolean");
            }
            return new PeerMetadata(inner.optionalString("storageId"), Boolean.TRUE.equals(ephemeral));
        }

        DocumentId documentId() throws MalformedMessageException {
            Object v = map.get("documentId");
            if (v instanceof String s) {
                return DocumentId.parse(s);
            }
            if (v instanceof byte[] b) {
                return DocumentId.fromBytes(b);
            }
            throw problem("documentId", v, "a string");
        }

        private static MalformedMessageException problem(String name, Object value, String expected) {
            return new MalformedMessageException(value == null
                    ? "missing field '" + name + "'"
                    : "field '" + name + "' must be " + expected);
        }
    }
}
