package rottsync.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real automerge-repo clients (npm 2.5.6, and the 1.x client of the official server package) against the packaged jar. */
class RelayInteropIT {
    @TempDir
    static Path dataDir;
    @TempDir
    static Path scratch;

    static ServerProcess server;

    @BeforeAll
    static void start() throws Exception {
        server = ServerProcess.rottSync(dataDir, "relay").start();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    @Test
    void twoClientsRelayChangesAndMergeConcurrentEdits() throws Exception {
        JsonNode result = NodeClient.run("relay", "--server", server.url());
        assertThat(result.get("keys")).extracting(JsonNode::asText)
                .contains("fromB", "concurrentA", "concurrentB");
        assertThat(result.get("convergedHeads").size()).isPositive();
    }

    @Test
    void clientsMayConnectOnAnyPathAsWithTheOfficialServer() throws Exception {
        JsonNode result = NodeClient.run("relay", "--server", server.url() + "/sync/some/path");
        assertThat(result.get("convergedHeads").size()).isPositive();
    }

    @Test
    void legacyOneDotXClientsRelayToo() throws Exception {
        JsonNode result = NodeClient.run("relay", "--server", server.url(), "--client", "v1");
        assertThat(result.get("convergedHeads").size()).isPositive();
    }

    @Test
    void oneDotXAndTwoDotXClientsShareDocuments() throws Exception {
        JsonNode created = NodeClient.run("create", "--server", server.url(), "--client", "v1", "--changes", "3");
        Path expected = scratch.resolve("v1-created.json");
        NodeClient.writeJson(expected, created);
        JsonNode fetched = NodeClient.run("fetch", "--server", server.url(), "--expect-heads-file", expected.toString());
        assertThat(fetched.get("docs").get(0).get("heads")).isEqualTo(created.get("docs").get(0).get("heads"));
    }

    @Test
    void unknownDocumentIsReportedUnavailableInsteadOfHanging() throws Exception {
        JsonNode result = NodeClient.run("expect-unavailable", "--server", server.url(), "--timeout", "10000");
        assertThat(result.get("unavailableAfterMs").asLong()).isLessThan(10_000);
        String id = result.get("url").asText().substring("automerge:".length());
        assertThat(dataDir.resolve(id.substring(0, 2)).resolve(id.substring(2)))
                .as("nothing stored for an unknown document").doesNotExist();
    }

    @Test
    void ephemeralMessagesReachTheOtherPeer() throws Exception {
        JsonNode result = NodeClient.run("ephemeral", "--server", server.url());
        assertThat(result.get("received").size()).isEqualTo(2);
    }

    @Test
    void offlineDevicesCatchUpAndPushTheirOwnOfflineEdits() throws Exception {
        Path deviceA = scratch.resolve("device-a");
        Path deviceB = scratch.resolve("device-b");
        JsonNode created = NodeClient.run("create", "--server", server.url(), "--storage", deviceA.toString());
        String url = created.get("docs").get(0).get("url").asText();
        NodeClient.run("sync", "--server", server.url(), "--storage", deviceB.toString(), "--url", url);

        NodeClient.run("edit", "--server", server.url(), "--storage", deviceA.toString(), "--url", url,
                "--set", "whileBWasAway=hello");
        NodeClient.run("edit", "--server", server.url(), "--storage", deviceB.toString(), "--url", url,
                "--offline", "--set", "writtenOffline=yes");
        JsonNode synced = NodeClient.run("sync", "--server", server.url(), "--storage", deviceB.toString(),
                "--url", url);
        assertThat(synced.toString()).contains("whileBWasAway").contains("writtenOffline");

        JsonNode fetched = NodeClient.run("fetch", "--server", server.url(), "--url", url);
        assertThat(fetched.get("docs").get(0).get("keys")).extracting(JsonNode::asText)
                .contains("whileBWasAway", "writtenOffline");
    }

    @Test
    void hundredsOfDocumentsSync() throws Exception {
        JsonNode result = NodeClient.run("many", "--server", server.url(), "--count", "300");
        assertThat(result.get("count").asInt()).isEqualTo(300);
    }

    @Test
    void aMultiMegabyteDocumentSyncs() throws Exception {
        // A 2 MB string is two million text operations for automerge-java 0.0.7 (see docs/benchmarks.md).
        JsonNode result = NodeClient.run("big", "--server", server.url(), "--mb", "2", "--timeout", "120000");
        assertThat(result.get("bytes").asLong()).isGreaterThanOrEqualTo(2L * 1024 * 1024);
    }

    @Test
    void aConnectedClientSeesChangesAfterTheServerRestarts() throws Exception {
        JsonNode created = NodeClient.run("create", "--server", server.url());
        String url = created.get("docs").get(0).get("url").asText();
        NodeClient.watchWhile(server.url(), url, "after", "restart", scratch.resolve("watch.json"), () -> {
            Thread.sleep(1500);
            server.stop();
            server = ServerProcess.rottSync(dataDir, "relay-restarted").startOnPort(server.port());
            NodeClient.run("edit", "--server", server.url(), "--url", url, "--set", "after=restart");
        });
    }
}
