package rottsync.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the packaged server writes to its log: one start line, bad input rate-limited, JSON on request. */
class LogsIT {
    @TempDir
    Path dataDir;

    @Test
    void oneStartLineNamesTheUrlTheDataDirectoryAndThePorts() throws Exception {
        try (ServerProcess server = ServerProcess.rottSync(dataDir, "logs-start").start()) {
            Http.poll(server.managementUrl("/q/health/ready"), Duration.ofSeconds(20), r -> r.status() == 200);
            List<String> start = server.logSinceStart().lines().filter(l -> l.contains("rott-sync ready:")).toList();
            assertThat(start).singleElement().asString()
                    .contains("clients connect to ws://127.0.0.1:" + server.port())
                    .contains("status page http://127.0.0.1:" + server.port() + "/")
                    .contains("health and metrics on port " + server.managementUrl("").replaceAll(".*:", ""))
                    .contains("data dir " + dataDir.toAbsolutePath());
        }
    }

    @Test
    void badInputIsLoggedOneLineEachButAtMostTenAMinutePerKind() throws Exception {
        try (ServerProcess server = ServerProcess.rottSync(dataDir, "logs-rate-limit").start()) {
            for (int i = 0; i < 25; i++) {
                try (RawPeer peer = RawPeer.connect(server.url())) {
                    byte[] garbage = new byte[32];
                    new Random(i).nextBytes(garbage);
                    garbage[0] = (byte) 0xff;
                    peer.sendBytes(garbage);
                    peer.awaitClose();
                }
            }
            Http.pollMetrics(server, Duration.ofSeconds(20),
                    m -> Http.value(m, "rott_rejected_frames_total{reason=\"malformed-frame\"}") == 25);
            List<String> lines = server.logSinceStart().lines().filter(l -> l.contains("[malformed-frame] from 127.0.0.1"))
                    .toList();
            assertThat(lines).hasSize(10);
        }
    }

    @Test
    void logJsonWritesOneJsonObjectPerLine() throws Exception {
        try (ServerProcess server = ServerProcess.rottSync(dataDir, "logs-json", Map.of("LOG_JSON", "true")).start()) {
            Http.poll(server.managementUrl("/q/health/ready"), Duration.ofSeconds(20), r -> r.status() == 200);
            List<String> lines = server.logSinceStart().lines().filter(l -> !l.isBlank()).toList();
            assertThat(lines).isNotEmpty();
            boolean sawStart = false;
            for (String line : lines) {
                JsonNode entry = NodeClient.parse(line);
                assertThat(entry.has("timestamp") && entry.has("level") && entry.has("message")).as(line).isTrue();
                sawStart |= entry.get("message").asText().startsWith("rott-sync ready: clients connect to ws://");
            }
            assertThat(sawStart).isTrue();
        }
    }
}
