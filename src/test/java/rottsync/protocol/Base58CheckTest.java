package rottsync.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Base58CheckTest {
    private static final String KNOWN_ID = "4NMNnkMhL8jXrdJ9jamS58PAVdXu";
    private static final byte[] KNOWN_PAYLOAD = HexFormat.of().parseHex("f1c29c8474c84adeb800be47627d33bf");

    @Test
    void decodesKnownDocumentIdToSixteenBytes() throws Exception {
        assertThat(Base58Check.decode(KNOWN_ID)).hasSize(16).isEqualTo(KNOWN_PAYLOAD);
    }

    @Test
    void encodesKnownPayloadLikeBs58check() {
        assertThat(Base58Check.encode(KNOWN_PAYLOAD)).isEqualTo(KNOWN_ID);
        assertThat(Base58Check.encode(new byte[] {0, 0, 1, 2, 3})).isEqualTo("113DV4HkAet");
    }

    @Test
    void keepsLeadingZeroBytesAsLeadingOnes() throws Exception {
        assertThat(Base58Check.decode("113DV4HkAet")).containsExactly(0, 0, 1, 2, 3);
    }

    @Test
    void roundTripsRandomPayloadsIncludingLeadingZeros() throws Exception {
        Random random = new Random(7);
        for (int i = 0; i < 500; i++) {
            byte[] payload = new byte[random.nextInt(40)];
            random.nextBytes(payload);
            int zeros = Math.min(payload.length, random.nextInt(4));
            for (int z = 0; z < zeros; z++) {
                payload[z] = 0;
            }

            String text = Base58Check.encode(payload);

            assertThat(text).startsWith("1".repeat(zeros));
            assertThat(Base58Check.decode(text)).isEqualTo(payload);
        }
    }

    @Test
    void roundTripsAllZeroPayloads() throws Exception {
        for (int length = 0; length < 20; length++) {
            byte[] payload = new byte[length];
            assertThat(Base58Check.decode(Base58Check.encode(payload))).isEqualTo(payload);
        }
    }

    @Test
    void detectsEverySingleCharacterChange() {
        for (int i = 0; i < KNOWN_ID.length(); i++) {
            char replacement = KNOWN_ID.charAt(i) == 'z' ? 'y' : 'z';
            String corrupted = KNOWN_ID.substring(0, i) + replacement + KNOWN_ID.substring(i + 1);
            assertThatThrownBy(() -> Base58Check.decode(corrupted))
                    .as(corrupted)
                    .isInstanceOf(MalformedMessageException.class)
                    .hasMessageContaining("checksum");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "0", "O", "I", "l", "4NMN+kMh", "4NMNé", "4NMN kMh", "111", "2"})
    void rejectsTextThatIsNotBase58Check(String text) {
        assertThatThrownBy(() -> Base58Check.decode(text)).isInstanceOf(MalformedMessageException.class);
    }
}
