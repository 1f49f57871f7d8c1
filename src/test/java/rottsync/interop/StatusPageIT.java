package rottsync.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page at {@code http://host:PORT/} in a real headless Chromium: it loads from the server
 * alone, shows the server's numbers, updates them without a reload when a client connects, fits a phone
 * screen, and the WebSocket on the same path keeps working.
 */
class StatusPageIT {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dataDir;

    @Test
    void thePageShowsTheServerAndFollowsItLive() throws Exception {
        try (ServerProcess server = ServerProcess.rottSync(dataDir, "status-page",
                        Map.of("ROTT_OPS_STATS_INTERVAL", "1s")).start();
                HeadlessChromium chromium = HeadlessChromium.launch()) {
            JsonNode status = NodeClient.parse(Http.get(server.httpUrl("/status.json")).body());

            chromium.navigate(server.httpUrl("/"));
            assertThat(chromium.evaluate("document.title").asText()).isEqualTo("rott-sync");
            assertThat(text(chromium, "clientUrl")).isEqualTo("ws://127.0.0.1:" + server.port());
            assertThat(text(chromium, "version")).isEqualTo(status.get("version").asText()).isNotEqualTo("dev");
            assertThat(text(chromium, "lastBackup")).isEqualTo("off (BACKUP_DIR is not set)");
            awaitText(chromium, "documentsStored", "0"); // "counting…" until the first count of the data directory
            assertThat(text(chromium, "storageSize")).matches("\\d+(\\.\\d)? (B|KiB|MiB)");
            assertThat(text(chromium, "uptime")).matches("\\d+ s|\\d+ min \\d+ s");
            assertThat(chromium.evaluate("document.body.innerText").asText())
                    .contains("Connected peers").contains("Documents stored").contains("Documents in memory")
                    .contains("Storage size").contains("Last backup").contains("Uptime").contains("Version");
            assertThat(text(chromium, "connectedPeers")).isEqualTo("0");
            assertThat(text(chromium, "documentsInMemory")).isEqualTo("0");

            // The numbers follow the server without a reload (the page refreshes them every few seconds).
            NodeClient.run("create", "--server", server.url(), "--count", "2");
            awaitText(chromium, "documentsStored", "2");
            awaitText(chromium, "documentsInMemory", "2");
            try (RawPeer peer = RawPeer.joined(server.url())) {
                awaitText(chromium, "connectedPeers", "1");
            }
            awaitText(chromium, "connectedPeers", "0");
            assertThat(chromium.evaluate("location.href").asText()).as("never reloaded").isEqualTo(server.httpUrl("/"));
        }
    }

    @Test
    void thePageIsSelfContainedAndFitsAPhone() throws Exception {
        try (ServerProcess server = ServerProcess.rottSync(dataDir, "status-page-phone").start();
                HeadlessChromium chromium = HeadlessChromium.launch()) {
            Http.Response raw = Http.get(server.httpUrl("/"));
            assertThat(raw.status()).isEqualTo(200);
            assertThat(raw.body()).doesNotContainPattern("(src|href)\\s*=").contains("name=\"viewport\"");
            assertThat(raw.body().length()).as("small").isLessThan(16 * 1024);

            chromium.emulatePhone(390, 844);
            chromium.navigate(server.httpUrl("/"));
            chromium.waitUntil("performance.getEntriesByType('resource').length > 0", WAIT); // the first refresh
            JsonNode resources = chromium.evaluate("performance.getEntriesByType('resource').map(e => e.name)");
            resources.forEach(r -> assertThat(r.asText()).startsWith(server.httpUrl("/")));
            assertThat(chromium.evaluate("document.querySelectorAll('link, img, iframe, script[src]').length").asInt())
                    .isZero();
            assertThat(chromium.evaluate("window.innerWidth").asInt()).isEqualTo(390);
            assertThat(chromium.evaluate("document.documentElement.scrollWidth").asInt())
                    .as("no sideways scrolling on a phone").isLessThanOrEqualTo(390);
            assertThat(chromium.evaluate("document.getElementById('url').getBoundingClientRect().right").asDouble())
                    .isLessThanOrEqualTo(390);
            assertThat(chromium.evaluate("parseFloat(getComputedStyle(document.body).fontSize)").asDouble())
                    .isGreaterThanOrEqualTo(16);
            chromium.screenshot(Path.of("target", "it-logs", "status-page-phone.png"));

            // The WebSocket endpoint on the same path is untouched by the page's route.
            try (RawPeer peer = RawPeer.joined(server.url())) {
                assertThat(peer.peerId).isNotBlank();
            }
        }
    }

    private static String text(HeadlessChromium chromium, String key) throws Exception {
        return chromium.evaluate("document.querySelector('[data-k=\"" + key + "\"]').textContent").asText();
    }

    private static void awaitText(HeadlessChromium chromium, String key, String expected) throws Exception {
        chromium.waitUntil("document.querySelector('[data-k=\"" + key + "\"]').textContent === '" + expected + "'",
                WAIT);
    }
}
