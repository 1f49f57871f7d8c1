package rottsync.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvironmentCheckTest {
    @Test
    void anUnsetEnvironmentIsFine() {
        assertThat(EnvironmentCheck.problems(Map.of())).isEmpty();
    }

    @Test
    void validValuesPass() {
        assertThat(EnvironmentCheck.problems(Map.of("PORT", "3030", "HOST", "127.0.0.1", "DATA_DIR", "/data",
                "MAX_MESSAGE_SIZE", "1048576", "IDLE_TIMEOUT", "30s", "KEEPALIVE_INTERVAL", "PT5S"))).isEmpty();
    }

    @Test
    void eachInvalidValueIsNamedWithItsVariable() {
        assertThat(EnvironmentCheck.problems(Map.of("PORT", "abc"))).singleElement().asString()
                .startsWith("Invalid PORT='abc'");
        assertThat(EnvironmentCheck.problems(Map.of("PORT", "70000"))).singleElement().asString()
                .contains("PORT");
        assertThat(EnvironmentCheck.problems(Map.of("HOST", ""))).singleElement().asString().contains("HOST");
        assertThat(EnvironmentCheck.problems(Map.of("DATA_DIR", " "))).singleElement().asString()
                .contains("DATA_DIR");
        assertThat(EnvironmentCheck.problems(Map.of("MAX_MESSAGE_SIZE", "-1"))).singleElement().asString()
                .contains("MAX_MESSAGE_SIZE");
        assertThat(EnvironmentCheck.problems(Map.of("IDLE_TIMEOUT", "soon"))).singleElement().asString()
                .contains("IDLE_TIMEOUT");
    }
}
