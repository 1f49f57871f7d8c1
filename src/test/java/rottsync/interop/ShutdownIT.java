package rottsync.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.automerge.Document;
import org.automerge.ObjectId;
import org.automerge.Transaction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rottsync.protocol.DocumentId;

/**
 * SIGTERM on the packaged server: readiness goes DOWN, new connections are refused, open sockets close with
 * 1001, pending writes finish, the process exits well inside a container's grace period (docker stop waits
 * 10 s), and every change the server acknowledged is there after a restart.
 */
class ShutdownIT {
    /** docker stop's default grace period; Kubernetes gives 30 s. */
    private static final Duration GRACE = Duration.ofSeconds(10);

    @TempDir
    Path dataDir;
    @TempDir
    Path scratch;

    @Test
    void aClientKeepsWritingThroughSigtermAndEveryAcknowledgedChangeSurvives() throws Exception {
        Path acks = scratch.resolve("acks.jsonl");
        Path states = scratch.resolve("states.jsonl");
        ServerProcess server = ServerProcess.rottSync(dataDir, "shutdown-writer").start();
        Path writerErr = Path.of("target", "it-logs", "shutdown-writer-client.log");
        Process writer = OpsClient.start(scratch.resolve("writer.out"), writerErr, "keep-writing",
                "--server", server.url(), "--docs", "3", "--interval", "10", "--duration", "60000",
                "--acks-file", acks.toString(), "--states-file", states.toString());
        try {
            waitFor(() -> OpsClient.lines(acks) >= 60, Duration.ofSeconds(60), "the writer to get 60 acknowledgements");

            long writtenBefore = OpsClient.lines(states);
            long signalled = System.nanoTime();
            server.terminate();
            assertThat(server.awaitExit(GRACE)).as("exited within %s of SIGTERM", GRACE).isTrue();
            Duration took = Duration.ofNanos(System.nanoTime() - signalled);
            assertThat(OpsClient.lines(states)).as("the writer kept writing while the server shut down; see %s",
                    writerErr).isGreaterThan(writtenBefore);
            // The writer must not re-upload anything: what counts is only what the stopped server had on disk.
            writer.destroyForcibly().waitFor();
            String log = server.logSinceStart();
            assertThat(log).contains("shutting down: readiness is DOWN").containsPattern(
                    "stopped: closed \\d+ connection\\(s\\) with 1001; all document work and writes finished");
            assertThat(took).isLessThan(Duration.ofSeconds(5));
        } finally {
            writer.destroyForcibly();
            server.close();
        }

        try (ServerProcess restarted = ServerProcess.rottSync(dataDir, "shutdown-writer-restarted").start()) {
            JsonNode checked = OpsClient.run("check-acked", "--server", restarted.url(), "--acks-file", acks.toString());
            assertThat(checked.get("checked").asInt()).isEqualTo(3);
            checked.get("docs").forEach(d -> {
                assertThat(d.get("ackedN").asInt()).isPositive();
                assertThat(d.get("serverN").asInt()).isGreaterThanOrEqualTo(d.get("ackedN").asInt());
            });
        }
    }

    @Test
    void duringTheShutdownDelayReadinessIsDownNewConnectionsAreRefusedAndOpenOnesStillSync() throws Exception {
        ServerProcess server = ServerProcess.rottSync(dataDir, "shutdown-delay", Map.of("SHUTDOWN_DELAY", "3s"))
                .start();
        DocumentId id = DocumentId.random();
        Document doc = new Document();
        try (Transaction tx = doc.startTransaction()) {
            tx.set(ObjectId.ROOT, "written", "during the shutdown delay");
            tx.commit();
        }
        try (RawPeer open = RawPeer.joined(server.url())) {
            Http.poll(server.managementUrl("/q/health/ready"), Duration.ofSeconds(10), r -> r.status() == 200);
            long signalled = System.nanoTime();
            server.terminate();

            // Quarkus's own "Graceful Shutdown" check and ours ("connections") go DOWN within moments of each other.
            Http.Response down = Http.poll(server.managementUrl("/q/health/ready"), Duration.ofSeconds(2),
                    r -> r.status() == 503 && HealthIT.check(HealthIT.json(r), "connections").at("/data/shuttingDown")
                            .asBoolean());
            assertThat(HealthIT.check(HealthIT.json(down), "connections").get("status").asText()).isEqualTo("DOWN");
            assertThatThrownBy(() -> RawPeer.connect(server.url()))
                    .as("a new WebSocket is refused with 503")
                    .hasStackTraceContaining("status code 503");

            open.upload(id, doc);

            RawPeer.Closed closed = open.awaitClose();
            assertThat(closed.code()).isEqualTo(1001);
            assertThat(closed.reason()).isEqualTo("server shutting down");
            assertThat(server.awaitExit(GRACE)).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - signalled)).isLessThan(Duration.ofSeconds(3 + 5));
        } finally {
            server.close();
        }
        assertThat(server.logSinceStart()).contains("[connection-refused]");

        try (ServerProcess restarted = ServerProcess.rottSync(dataDir, "shutdown-delay-restarted").start();
                RawPeer reader = RawPeer.joined(restarted.url())) {
            Document copy = reader.fetch(id);
            assertThat(copy.getHeads()).isEqualTo(doc.getHeads());
        }
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    static void waitFor(Condition condition, Duration timeout, String what) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    static String read(Path file) throws Exception {
        return Files.exists(file) ? Files.readString(file) : "";
    }
}
