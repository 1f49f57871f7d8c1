package rottsync.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drop-in both ways with the official server (@automerge/automerge-repo-sync-server 0.2.8 from npm):
 * each serves, unchanged, the documents the other wrote to the same DATA_DIR.
 */
class OfficialServerCompatibilityIT {
    @TempDir
    Path dataDir;
    @TempDir
    Path scratch;

    @Test
    void rottSyncServesADataDirWrittenByTheOfficialServer() throws Exception {
        Path expected = scratch.resolve("official.json");
        String storageId;
        try (ServerProcess official = ServerProcess.officialServer(dataDir, "official-writes").start()) {
            NodeClient.writeJson(expected, NodeClient.run("create", "--server", official.url(), "--count", "5",
                    "--changes", "4", "--text-bytes", "3000"));
            // The official server saves 100 ms after a change and does not flush on exit.
            Thread.sleep(1000);
            official.stop();
        }
        storageId = Files.readString(dataDir.resolve("st/orage-adapter-id")).trim();
        try (ServerProcess rott = ServerProcess.rottSync(dataDir, "rott-reads-official").start()) {
            JsonNode fetched = NodeClient.run("fetch", "--server", rott.url(), "--expect-heads-file",
                    expected.toString());
            assertThat(fetched.get("docs").size()).isEqualTo(5);
            assertThat(rott.logText()).contains("storage id " + storageId);
        }
    }

    @Test
    void theOfficialServerServesADataDirWrittenByRottSync() throws Exception {
        Path expected = scratch.resolve("rott.json");
        try (ServerProcess rott = ServerProcess.rottSync(dataDir, "rott-writes").start()) {
            // A large first upload is compacted into a snapshot; later edits add incremental chunks.
            JsonNode big = NodeClient.run("create", "--server", rott.url(), "--text-bytes", "100000");
            String bigUrl = big.get("docs").get(0).get("url").asText();
            NodeClient.run("edit", "--server", rott.url(), "--url", bigUrl, "--set", "first=edit");
            JsonNode edited = NodeClient.run("edit", "--server", rott.url(), "--url", bigUrl, "--set", "second=edit");
            JsonNode small = NodeClient.run("create", "--server", rott.url(), "--count", "4", "--changes", "3");
            ArrayNode docs = JsonNodeFactory.instance.arrayNode();
            docs.add(JsonNodeFactory.instance.objectNode().put("url", bigUrl).set("heads", edited.get("heads")));
            small.get("docs").forEach(docs::add);
            NodeClient.writeJson(expected, JsonNodeFactory.instance.objectNode().set("docs", docs));
            rott.stop();
        }
        try (Stream<Path> files = Files.walk(dataDir)) {
            assertThat(files.map(Path::toString)).anyMatch(p -> p.contains("/snapshot/"))
                    .anyMatch(p -> p.contains("/incremental/"));
        }
        try (ServerProcess official = ServerProcess.officialServer(dataDir, "official-reads-rott").start()) {
            JsonNode fetched = NodeClient.run("fetch", "--server", official.url(), "--expect-heads-file",
                    expected.toString());
            assertThat(fetched.get("docs").size()).isEqualTo(5);
        }
    }
}
