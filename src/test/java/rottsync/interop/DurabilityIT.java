package rottsync.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the server acknowledged survives a clean restart and a kill -9. */
class DurabilityIT {
    @TempDir
    Path dataDir;
    @TempDir
    Path scratch;

    @Test
    void documentsSurviveACleanRestart() throws Exception {
        Path expected = scratch.resolve("created.json");
        try (ServerProcess server = ServerProcess.rottSync(dataDir, "restart-1").start()) {
            NodeClient.writeJson(expected, NodeClient.run("create", "--server", server.url(), "--count", "20",
                    "--changes", "5"));
            server.stop();
        }
        try (ServerProcess server = ServerProcess.rottSync(dataDir, "restart-2").start()) {
            JsonNode fetched = NodeClient.run("fetch", "--server", server.url(), "--expect-heads-file",
                    expected.toString());
            assertThat(fetched.get("docs").size()).isEqualTo(20);
        }
    }

    @Test
    void everyAcknowledgedChangeSurvivesKillMinusNine() throws Exception {
        Path expected = scratch.resolve("edited.json");
        try (ServerProcess server = ServerProcess.rottSync(dataDir, "kill-1").start()) {
            JsonNode created = NodeClient.run("create", "--server", server.url(), "--count", "10",
                    "--changes", "40");
            NodeClient.writeJson(expected, created);
            server.kill();
        }
        try (ServerProcess server = ServerProcess.rottSync(dataDir, "kill-2").start()) {
            JsonNode fetched = NodeClient.run("fetch", "--server", server.url(), "--expect-heads-file",
                    expected.toString());
            assertThat(fetched.get("docs").size()).isEqualTo(10);
            fetched.get("docs").forEach(doc -> assertThat(doc.get("title").asText()).startsWith("doc-"));
        }
    }
}
