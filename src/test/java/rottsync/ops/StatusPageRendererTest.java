package rottsync.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The page's content and formatting; the page in a real browser is StatusPageIT. */
class StatusPageRendererTest {
    static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

    static StatusSnapshot snapshot(ScheduledBackups.Outcome last, boolean enabled, boolean stopping) {
        return new StatusSnapshot("1.2.3", NOW.minus(Duration.ofHours(26)), Duration.ofHours(26).plusMinutes(5), 3, 4,
                2, 42, 5 * 1024 * 1024 + 300_000, 20L << 30, 100L << 20, stopping, enabled, "/backups",
                Duration.ofHours(24), last, enabled ? NOW.plus(Duration.ofHours(3)) : null,
                "allowed networks 192.168.0.0/16; token off");
    }

    @Test
    void htmlCarriesEveryValueWithoutExternalAssets() {
        String html = StatusPageRenderer.html(snapshot(null, false, false), "ws://nas.local:3030", NOW);

        assertThat(html).contains("<dd data-k=\"connectedPeers\">3</dd>").contains("<dd data-k=\"documentsStored\">42</dd>")
                .contains("<dd data-k=\"documentsInMemory\">2</dd>").contains("<dd data-k=\"storageSize\">5.3 MiB</dd>")
                .contains("<dd data-k=\"diskFree\">20 GiB</dd>").contains("<dd data-k=\"uptime\">1 d 2 h</dd>")
                .contains("<dd data-k=\"version\">1.2.3</dd>").contains(">ws://nas.local:3030</code>")
                .contains("off (BACKUP_DIR is not set)").contains("<meta name=\"viewport\"")
                .contains("<dd data-k=\"access\">allowed networks 192.168.0.0/16; token off</dd>");
        assertThat(html).doesNotContainPattern("(src|href)\\s*=").doesNotContain("http://").doesNotContain("//cdn");
    }

    @Test
    void beforeTheFirstCountOfTheDataDirectoryTheStoreSaysCountingNotZero() throws Exception {
        StatusSnapshot full = snapshot(null, false, false);
        StatusSnapshot uncounted = new StatusSnapshot(full.version(), full.startedAt(), full.uptime(),
                full.connectedPeers(), full.connections(), full.documentsInMemory(), -1, -1, -1,
                full.minFreeBytes(), false, false, null, full.backupInterval(), null, null, full.access());

        assertThat(StatusPageRenderer.html(uncounted, "ws://nas.local:3030", NOW))
                .contains("<dd data-k=\"documentsStored\">counting…</dd>")
                .contains("<dd data-k=\"storageSize\">counting…</dd>")
                .contains("<dd data-k=\"diskFree\">unknown</dd>");
        JsonNode json = new ObjectMapper().readTree(StatusPageRenderer.json(uncounted, "ws://nas.local:3030", NOW));
        assertThat(json.get("documentsStored").isNull()).isTrue();
        assertThat(json.get("storageBytes").isNull()).isTrue();
        assertThat(json.at("/display/documentsStored").asText()).isEqualTo("counting…");
    }

    @Test
    void lastBackupSaysWhenHowItWentAndWhatIsNext() {
        assertThat(StatusPageRenderer.lastBackup(snapshot(null, true, false), NOW))
                .isEqualTo("none yet; next at 2026-11-25 15:00:00 UTC");
        ScheduledBackups.Outcome ok = new ScheduledBackups.Outcome(NOW.minus(Duration.ofMinutes(90)), true, "/b/x.tar.gz",
                42, 1000, Duration.ofSeconds(3), null);
        assertThat(StatusPageRenderer.lastBackup(snapshot(ok, true, false), NOW))
                .isEqualTo("2026-11-25 10:30:00 UTC (1 h 30 min ago): ok, 42 documents");
        ScheduledBackups.Outcome failed = new ScheduledBackups.Outcome(NOW.minusSeconds(5), false, null, 0, 0,
                Duration.ZERO, "java.nio.file.AccessDeniedException: /backups");
        assertThat(StatusPageRenderer.lastBackup(snapshot(failed, true, false), NOW))
                .endsWith("(5 s ago): FAILED: java.nio.file.AccessDeniedException: /backups");
    }

    @Test
    void jsonHasRawValuesAndTheDisplayStrings() throws Exception {
        JsonNode json = new ObjectMapper().readTree(StatusPageRenderer.json(snapshot(null, false, true),
                "wss://sync.example:443", NOW));
        assertThat(json.get("connectedPeers").asInt()).isEqualTo(3);
        assertThat(json.get("documentsStored").asLong()).isEqualTo(42);
        assertThat(json.get("shuttingDown").asBoolean()).isTrue();
        assertThat(json.at("/backup/enabled").asBoolean()).isFalse();
        assertThat(json.at("/display/state").asText()).isEqualTo("shutting down");
        assertThat(json.at("/display/clientUrl").asText()).isEqualTo("wss://sync.example:443");
    }

    @Test
    void valuesAreEscaped() {
        assertThat(StatusPageRenderer.escape("<script>\"&'")).isEqualTo("&lt;script&gt;&quot;&amp;&#39;");
        assertThat(StatusPageRenderer.html(snapshot(null, false, false), "ws://<b>", NOW)).contains("ws://&lt;b&gt;")
                .doesNotContain("ws://<b>");
    }

    @Test
    void sizesAndDurationsReadNaturally() {
        assertThat(StatusPageRenderer.bytes(0)).isEqualTo("0 B");
        assertThat(StatusPageRenderer.bytes(1536)).isEqualTo("1.5 KiB");
        assertThat(StatusPageRenderer.bytes(300L << 20)).isEqualTo("300 MiB");
        assertThat(StatusPageRenderer.duration(Duration.ofSeconds(59))).isEqualTo("59 s");
        assertThat(StatusPageRenderer.duration(Duration.ofSeconds(125))).isEqualTo("2 min 5 s");
        assertThat(StatusPageRenderer.duration(Duration.ofMinutes(185))).isEqualTo("3 h 5 min");
    }
}
