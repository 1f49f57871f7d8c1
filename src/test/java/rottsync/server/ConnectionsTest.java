package rottsync.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ConnectionsTest {
    @Test
    void closeReasonsFitInAControlFrame() {
        assertThat(Connections.fitCloseReason("short")).isEqualTo("short");
        String longAscii = "x".repeat(500);
        assertThat(Connections.fitCloseReason(longAscii).getBytes(StandardCharsets.UTF_8).length)
                .isLessThanOrEqualTo(123);
        String longMultiByte = "ü".repeat(200);
        String fitted = Connections.fitCloseReason(longMultiByte);
        assertThat(fitted.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(123);
        assertThat(fitted).doesNotContain("\uFFFD");
    }
}
