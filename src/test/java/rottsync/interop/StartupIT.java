package rottsync.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    private static Process jar(Map<String, String> env) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                System.getProperty("rott.app.jar", "target/quarkus-app/quarkus-run.jar")));
        builder.environment().putAll(env);
        builder.redirectErrorStream(true);
        return builder.start();
    }
}
