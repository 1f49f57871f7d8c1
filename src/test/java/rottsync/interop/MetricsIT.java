package rottsync.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static rottsync.interop.Http.value;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Prometheus meters on the management port, scraped before and after real client traffic. */
class MetricsIT {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    static Path dataDir;
    static ServerProcess server;

    @BeforeAll
    static void start() throws Exception {
        server = ServerProcess.rottSync(dataDir, "metrics", Map.of("IDLE_TIMEOUT", "2s")).start();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    @Test
    void messagesBytesLatencyStorageAndEvictionsMoveWithRealClientTraffic() throws Exception {
        Map<String, Double> before = Http.metrics(server);

        NodeClient.run("create", "--server", server.url(), "--count", "3", "--changes", "3");

        Map<String, Double> after = Http.pollMetrics(server, WAIT, m -> value(m, "rott_documents_stored") == 3);
        assertThat(delta(before, after, "rott_messages_received_total{type=\"join\"}")).isGreaterThanOrEqualTo(2);
        assertThat(delta(before, after, "rott_messages_sent_total{type=\"peer\"}"))
                .isEqualTo(delta(before, after, "rott_messages_received_total{type=\"join\"}"));
        assertThat(delta(before, after, "rott_messages_received_total{type=\"sync\"}")).isPositive();
        assertThat(delta(before, after, "rott_messages_received_total{type=\"request\"}")).isGreaterThanOrEqualTo(3);
        assertThat(delta(before, after, "rott_messages_sent_total{type=\"sync\"}")).isPositive();
        assertThat(delta(before, after, "rott_received_bytes_total")).isPositive();
        assertThat(delta(before, after, "rott_sent_bytes_total")).isPositive();
        assertThat(delta(before, after, "rott_sync_handling_seconds_count")).isPositive();
        assertThat(value(after, "rott_sync_handling_seconds_bucket{le=\"+Inf\"}"))
                .isEqualTo(value(after, "rott_sync_handling_seconds_count"));
        assertThat(delta(before, after, "rott_storage_write_seconds_count")).isGreaterThanOrEqualTo(3);
        assertThat(delta(before, after, "rott_storage_fsync_seconds_count"))
                .isGreaterThanOrEqualTo(delta(before, after, "rott_storage_write_seconds_count"));
        assertThat(delta(before, after, "rott_storage_written_bytes_total")).isPositive();
        assertThat(delta(before, after, "rott_document_loads_total")).isEqualTo(3);
        assertThat(value(after, "rott_storage_size_bytes")).isPositive();
        assertThat(value(after, "rott_disk_free_bytes")).isPositive();

        // IDLE_TIMEOUT=2s: the three documents leave memory and are counted as evictions.
        Map<String, Double> idle = Http.pollMetrics(server, WAIT, m -> value(m, "rott_documents_in_memory") == 0
                && delta(before, m, "rott_evictions_total") == 3);
        assertThat(value(idle, "rott_documents_stored")).isEqualTo(3);
    }

    @Test
    void connectedPeersFollowConnections() throws Exception {
        Http.pollMetrics(server, WAIT, m -> value(m, "rott_connected_peers") == 0);
        try (RawPeer one = RawPeer.joined(server.url()); RawPeer two = RawPeer.joined(server.url())) {
            Http.pollMetrics(server, WAIT, m -> value(m, "rott_connected_peers") == 2
                    && value(m, "rott_connections_open") == 2);
        }
        Http.pollMetrics(server, WAIT, m -> value(m, "rott_connected_peers") == 0
                && value(m, "rott_connections_open") == 0);
    }

    @Test
    void rejectedFramesAreCountedByReason() throws Exception {
        Map<String, Double> before = Http.metrics(server);
        try (RawPeer peer = RawPeer.connect(server.url())) {
            byte[] garbage = new byte[64];
            new Random(7).nextBytes(garbage);
            garbage[0] = (byte) 0xff;
            peer.sendBytes(garbage);
            peer.awaitClose();
        }
        try (RawPeer peer = RawPeer.connect(server.url())) {
            peer.sendText("hello");
            peer.awaitClose();
        }
        Map<String, Double> after = Http.pollMetrics(server, WAIT,
                m -> delta(before, m, "rott_rejected_frames_total{reason=\"malformed-frame\"}") == 1
                        && delta(before, m, "rott_rejected_frames_total{reason=\"text-frame\"}") == 1);
        assertThat(value(after, "rott_storage_errors_total{kind=\"storage-write\"}")).isZero();
    }

    @Test
    void metricsAreOnTheManagementPortOnly() throws Exception {
        assertThat(Http.get(server.managementUrl("/q/metrics")).body()).contains("# TYPE rott_connected_peers gauge");
        assertThat(Http.get(server.httpUrl("/q/metrics")).status()).isEqualTo(404);
    }

    private static double delta(Map<String, Double> before, Map<String, Double> after, String key) {
        return value(after, key) - value(before, key);
    }
}
