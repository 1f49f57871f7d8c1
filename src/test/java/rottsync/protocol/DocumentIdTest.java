package rottsync.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class DocumentIdTest {
    private static final String KNOWN_ID = "4NMNnkMhL8jXrdJ9jamS58PAVdXu";

    @Test
    void parsesKnownId() throws Exception {
        DocumentId id = DocumentId.parse(KNOWN_ID);

        assertThat(id.value()).isEqualTo(KNOWN_ID);
        assertThat(id.toString()).isEqualTo(KNOWN_ID);
        assertThat(id.url()).isEqualTo("automerge:" + KNOWN_ID);
    }

    @Test
    void rawBytesNameTheSameDocumentAsTheirText() throws Exception {
        byte[] payload = HexFormat.of().parseHex("f1c29c8474c84adeb800be47627d33bf");

        assertThat(DocumentId.fromBytes(payload)).isEqualTo(DocumentId.parse(KNOWN_ID));
    }

    @Test
    void randomIdsParseAndHoldVersion4Uuids() throws Exception {
        Set<DocumentId> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            DocumentId id = DocumentId.random();
            byte[] payload = Base58Check.decode(id.value());

            assertThat(DocumentId.parse(id.value())).isEqualTo(id);
            assertThat(payload).hasSize(16);
            assertThat(payload[6] & 0xf0).isEqualTo(0x40);
            assertThat(payload[8] & 0xc0).isEqualTo(0x80);
            seen.add(id);
        }
        assertThat(seen).hasSize(200);
    }

    @Test
    void acceptsNonUuidPayloadLengthsLikeAutomergeRepo() throws Exception {
        for (int length : new int[] {1, 8, 32, DocumentId.MAX_PAYLOAD_BYTES}) {
            String text = Base58Check.encode(new byte[length]);
            assertThat(DocumentId.parse(text).value()).isEqualTo(text);
        }
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"4NMNnkMhL8jXrdJ9jamS58PAVdXv", "4NMNnkMhL8jXrdJ9jamS58PAVd0u", "4N", "11"})
    void rejectsInvalidText(String text) {
        assertThatThrownBy(() -> DocumentId.parse(text)).isInstanceOf(MalformedMessageException.class);
    }

    @Test
    void rejectsEmptyAndOversizedPayloads() {
        String empty = Base58Check.encode(new byte[0]);
        String oversized = Base58Check.encode(new byte[DocumentId.MAX_PAYLOAD_BYTES + 1]);
        String overlong = "2".repeat(200);

        assertThatThrownBy(() -> DocumentId.parse(empty)).isInstanceOf(MalformedMessageException.class);
        assertThatThrownBy(() -> DocumentId.parse(oversized)).isInstanceOf(MalformedMessageException.class);
        assertThatThrownBy(() -> DocumentId.parse(overlong)).isInstanceOf(MalformedMessageException.class);
        assertThatThrownBy(() -> DocumentId.fromBytes(new byte[0])).isInstanceOf(MalformedMessageException.class);
        assertThatThrownBy(() -> DocumentId.fromBytes(new byte[DocumentId.MAX_PAYLOAD_BYTES + 1]))
                .isInstanceOf(MalformedMessageException.class);
    }
}
