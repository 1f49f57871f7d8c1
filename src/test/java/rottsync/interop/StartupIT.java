package rottsync.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.automerge.Document;
import org.automerge.ObjectId;
import org.automerge.SyncState;
import org.automerge.Transaction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rottsync.protocol.DocumentId;
import rottsync.protocol.WireCodec;
import rottsync.protocol.WireMessage;

/** Start-up configuration errors and the keepalive, against the packaged jar. */
class StartupIT {
    @TempDir
    Path dir;

    @Test
    void anInvalidVariableStopsTheServerWithAMessageNamingIt() throws Exception {
        Process p = jar(Map.of("PORT", "not-a-port", "DATA_DIR", dir.toString()));
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(output).contains("Invalid PORT='not-a-port'");
    }

    @Test
    void anUnusableDataDirStopsTheServerWithAMessageNamingIt() throws Exception {
        Path notADirectory = Files.writeString(dir.resolve("plain-file"), "x");
        Process p = jar(Map.of("PORT", String.valueOf(ServerProcess.freePort()),
                "MANAGEMENT_PORT", String.valueOf(ServerProcess.freePort()),
                "DATA_DIR", notADirectory.resolve("data").toString()));
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).isNotZero();
        assertThat(output).contains("DATA_DIR=" + notADirectory.resolve("data")).contains("did not start");
    }

    @Test
    void aPeerThatStopsAnsweringPingsIsDropped() throws Exception {
        try (ServerProcess server = ServerProcess.rottSync(dir.resolve("data"), "keepalive",
                Map.of("KEEPALIVE_INTERVAL", "1s")).start();
                Socket socket = new Socket("127.0.0.1", server.port())) {
            // A hand-made upgrade: this client never answers pings, unlike every WebSocket library.
            String key = Base64.getEncoder().encodeToString("0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
            OutputStream out = socket.getOutputStream();
            out.write(("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            socket.setSoTimeout(15_000);
            InputStream in = socket.getInputStream();
            long started = System.nanoTime();
            int pings = 0;
            byte[] buffer = new byte[4096];
            int n;
            while ((n = in.read(buffer)) > 0) {
                String chunk = new String(buffer, 0, n, StandardCharsets.ISO_8859_1);
                pings += chunk.chars().filter(c -> c == 0x89).count();
            }
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
            assertThat(pings).as("server pinged").isPositive();
            // Dropped after two silent intervals; the socket then closes when the close handshake times out.
            assertThat(seconds).as("socket closed by the server").isLessThan(20);
            assertThat(server.logText()).contains("no answer to pings");
        }
    }

    /**
     * A client working through a backlog of our replies answers pings late (automerge-repo handles frames
     * in order), but it is alive: as long as frames keep leaving for it, it is not dropped. Once the traffic
     * stops and it still does not answer, it is.
     */
    @Test
    void aPeerThatIsReceivingTrafficIsNotDroppedForALatePong() throws Exception {
        DocumentId id = DocumentId.random();
        Document doc = new Document();
        try (ServerProcess server = ServerProcess.rottSync(dir.resolve("data"), "keepalive-busy",
                Map.of("KEEPALIVE_INTERVAL", "1s")).start();
                RawPeer writer = RawPeer.joined(server.url());
                HandMadeSocket reader = new HandMadeSocket("127.0.0.1", server.port())) {
            write(doc, 0);
            writer.upload(id, doc);
            reader.join("busy-reader");
            Document empty = new Document();
            reader.sendBinary(new WireCodec().encode(new WireMessage.Request("busy-reader", "server", id,
                    empty.generateSyncMessage(new SyncState()).orElseThrow())));
            AtomicInteger syncFrames = new AtomicInteger();
            CompletableFuture<Long> closedAt = CompletableFuture.supplyAsync(() -> {
                try {
                    for (HandMadeSocket.Frame f = reader.readFrame(); f != null; f = reader.readFrame()) {
                        if (f.opcode() == 0x2) {
                            syncFrames.incrementAndGet();
                        } else if (f.opcode() == 0x8) {
                            break;
                        }
                    }
                } catch (IOException e) {
                    // the server closed the socket
                }
                return System.nanoTime();
            });
            // Five ping intervals of changes that the server relays to the reader, which never answers.
            long writingUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            for (int i = 1; System.nanoTime() < writingUntil; i++) {
                write(doc, i);
                writer.upload(id, doc);
                Thread.sleep(100);
            }
            long stoppedWriting = System.nanoTime();
            assertThat(closedAt).as("still connected while receiving").isNotDone();
            assertThat(syncFrames.get()).as("sync messages relayed to the reader").isGreaterThan(5);
            long closed = closedAt.get(15, TimeUnit.SECONDS);
            assertThat(TimeUnit.NANOSECONDS.toMillis(closed - stoppedWriting)).as("dropped once traffic stopped")
                    .isBetween(1000L, 10_000L);
            assertThat(server.logText()).contains("no answer to pings and no traffic");
        }
    }

    private static void write(Document doc, int n) {
        try (Transaction tx = doc.startTransaction()) {
            tx.set(ObjectId.ROOT, "n", n);
            tx.commit();
        }
    }

    private static Process jar(Map<String, String> env) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                System.getProperty("rott.app.jar", "target/quarkus-app/quarkus-run.jar")));
        builder.environment().putAll(env);
        builder.redirectErrorStream(true);
        return builder.start();
    }
}
