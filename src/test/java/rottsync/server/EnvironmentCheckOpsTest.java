package rottsync.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The operations variables (docs/operations.md) are checked at start like the others. */
class EnvironmentCheckOpsTest {
    @Test
    void validOperationsValuesPass() {
        assertThat(EnvironmentCheck.problems(Map.of("MANAGEMENT_PORT", "9000", "MIN_FREE_DISK", "500M",
                "BACKUP_DIR", "/backups", "BACKUP_INTERVAL", "6h", "BACKUP_KEEP", "14", "SHUTDOWN_DELAY", "0s",
                "SHUTDOWN_TIMEOUT", "8s", "LOG_JSON", "true"))).isEmpty();
        assertThat(EnvironmentCheck.problems(Map.of("MIN_FREE_DISK", "1073741824", "LOG_JSON", "FALSE"))).isEmpty();
    }

    @Test
    void backupsMustLiveOutsideTheDataDirectory() {
        assertThat(EnvironmentCheck.problems(Map.of("DATA_DIR", "/srv/rott", "BACKUP_DIR", "/srv/rott/backups")))
                .singleElement().asString().startsWith("Invalid BACKUP_DIR='/srv/rott/backups': must be outside DATA_DIR");
        assertThat(EnvironmentCheck.problems(Map.of("DATA_DIR", "/srv/rott/data", "BACKUP_DIR", "/srv/rott")))
                .singleElement().asString().contains("BACKUP_DIR");
        assertThat(EnvironmentCheck.problems(Map.of("DATA_DIR", "/srv/rott/data", "BACKUP_DIR", "/srv/rott/backups")))
                .isEmpty();
        assertThat(EnvironmentCheck.problems(Map.of("BACKUP_DIR", "data/backups"))).as("DATA_DIR defaults to ./data")
                .singleElement().asString().contains("BACKUP_DIR");
    }

    @Test
    void eachInvalidOperationsValueIsNamed() {
        Map<String, String> bad = Map.of("MIN_FREE_DISK", "lots", "BACKUP_INTERVAL", "0s", "BACKUP_KEEP", "0",
                "SHUTDOWN_DELAY", "later", "SHUTDOWN_TIMEOUT", "-5s", "LOG_JSON", "yes", "BACKUP_DIR", " ");
        assertThat(EnvironmentCheck.problems(bad)).hasSize(bad.size()).allSatisfy(p -> assertThat(p).startsWith("Invalid "));
        bad.keySet().forEach(name -> assertThat(EnvironmentCheck.problems(Map.of(name, bad.get(name))))
                .singleElement().asString().startsWith("Invalid " + name + "="));
    }
}
