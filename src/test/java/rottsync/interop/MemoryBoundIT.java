package rottsync.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With a tiny in-memory cap and idle timeout, documents constantly leave memory and come back, also
 * while their peers stay connected; clients must not notice anything but speed.
 */
class MemoryBoundIT {
    @TempDir
    Path dir;

    @Test
    void syncStaysCorrectWhileDocumentsAreEvictedUnderTheCap() throws Exception {
        try (ServerProcess server = withLoggedEvictions("memory-bound",
                Map.of("MAX_DOCUMENTS_IN_MEMORY", "5", "IDLE_TIMEOUT", "2s"))) {
            pushAndFetch(server, 150);

            JsonNode created = NodeClient.run("create", "--server", server.url());
            String url = created.get("docs").get(0).get("url").asText();
            NodeClient.watchWhile(server.url(), url, "late", "change", dir.resolve("watch.json"), () -> {
                // The watcher stays connected but quiet while its document idles out of memory.
                Thread.sleep(6000);
                NodeClient.run("edit", "--server", server.url(), "--url", url, "--set", "late=change");
            });
            assertThat(evictions(server)).as("documents left memory under the cap").isGreaterThan(140);
            JsonNode relay = NodeClient.run("relay", "--server", server.url());
            assertThat(relay.get("keys")).extracting(JsonNode::asText).contains("concurrentA", "concurrentB");
        }
    }

    @Test
    void documentsLeaveMemoryWhenTheirStoredSizeTogetherPassesTheSizeCap() throws Exception {
        try (ServerProcess server = withLoggedEvictions("memory-size-cap",
                Map.of("MAX_DOCUMENTS_IN_MEMORY", "1000", "MAX_DOCUMENT_BYTES_IN_MEMORY", "4K"))) {
            pushAndFetch(server, 60);
            assertThat(evictions(server)).as("the count cap is far away, so only the size cap sent them out")
                    .isGreaterThan(30);
            JsonNode status = NodeClient.parse(Http.get(server.httpUrl("/status.json")).body());
            assertThat(status.get("documentsInMemory").asInt()).as("a few hundred bytes each under a 4 KiB cap")
                    .isBetween(1, 25);
        }
    }

    /** The server logs each document leaving memory (at DEBUG), which the tests count. */
    private ServerProcess withLoggedEvictions(String name, Map<String, String> caps) throws Exception {
        Map<String, String> env = new java.util.HashMap<>(caps);
        env.put("QUARKUS_LOG_CATEGORY__ROTTSYNC_SERVER__LEVEL", "DEBUG");
        return ServerProcess.rottSync(dir, name, env).start();
    }

    /** One real client pushes {@code count} new documents, a second one fetches them all. */
    private static void pushAndFetch(ServerProcess server, int count) throws Exception {
        JsonNode many = NodeClient.run("many", "--server", server.url(), "--count", String.valueOf(count),
                "--timeout", "120000");
        assertThat(many.get("count").asInt()).isEqualTo(count);
    }

    private static long evictions(ServerProcess server) throws Exception {
        return server.logText().lines().filter(l -> l.contains("left memory")).count();
    }
}
