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
        assertThat(EnvironmentCheck.problems(Map.of("ALLOWED_NETWORKS", "any", "TRUSTED_PROXIES", "172.17.0.1/32",
                "MAX_PENDING_BYTES", "1048576", "AUTH_TOKEN", "s3cret"))).isEmpty();
        assertThat(EnvironmentCheck.problems(Map.of("ALLOWED_NETWORKS", "192.168.1.0/24, fd00::/8"))).isEmpty();
        assertThat(EnvironmentCheck.problems(Map.of("MAX_DOCUMENTS_IN_MEMORY", "50",
                "MAX_DOCUMENT_BYTES_IN_MEMORY", "4M"))).isEmpty();
        assertThat(EnvironmentCheck.problems(Map.of("MAX_DOCUMENT_BYTES_IN_MEMORY", "1048576"))).isEmpty();
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
        assertThat(EnvironmentCheck.problems(Map.of("ALLOWED_NETWORKS", "10.0.0.0/33"))).singleElement().asString()
                .contains("ALLOWED_NETWORKS");
        assertThat(EnvironmentCheck.problems(Map.of("TRUSTED_PROXIES", "proxy.lan"))).singleElement().asString()
                .contains("TRUSTED_PROXIES");
        assertThat(EnvironmentCheck.problems(Map.of("MESSAGE_RATE", "0"))).singleElement().asString()
                .contains("MESSAGE_RATE");
        assertThat(EnvironmentCheck.problems(Map.of("MAX_DOCUMENT_BYTES_IN_MEMORY", "0"))).singleElement().asString()
                .contains("MAX_DOCUMENT_BYTES_IN_MEMORY");
        assertThat(EnvironmentCheck.problems(Map.of("MAX_DOCUMENT_BYTES_IN_MEMORY", "16 MB"))).singleElement()
                .asString().contains("MAX_DOCUMENT_BYTES_IN_MEMORY");
        assertThat(EnvironmentCheck.problems(Map.of("AUTH_TOKEN", "a", "AUTH_TOKEN_FILE", "/run/secrets/t")))
                .singleElement().asString().contains("AUTH_TOKEN_FILE");
    }
}
