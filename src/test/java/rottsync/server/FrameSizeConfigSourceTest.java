package rottsync.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FrameSizeConfigSourceTest {
    @Test
    void theFrameCapIsTwiceTheMessageLimit() {
        assertThat(FrameSizeConfigSource.frameCap(null)).isEqualTo(String.valueOf(128L * 1024 * 1024));
        assertThat(FrameSizeConfigSource.frameCap("1048576")).isEqualTo("2097152");
        assertThat(FrameSizeConfigSource.frameCap(" 1000 ")).isEqualTo("2000");
    }

    @Test
    void itNeverOverflowsAndLeavesBadValuesToTheEnvironmentCheck() {
        assertThat(FrameSizeConfigSource.frameCap(String.valueOf(Integer.MAX_VALUE)))
                .isEqualTo(String.valueOf(Integer.MAX_VALUE));
        assertThat(FrameSizeConfigSource.frameCap("lots")).isNull();
        assertThat(FrameSizeConfigSource.frameCap("0")).isNull();
    }
}
