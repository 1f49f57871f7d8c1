package rottsync.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Health on the management port of the packaged server: live, started and ready with their data; readiness
 * follows a data directory that turns read-only and back, and a disk that fills up past the floor and back.
 * As root (CI), the server runs as uid 65534 (setpriv) so that file permissions apply to it.
 */
class HealthIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private Path base;
    private ServerProcess server;

    @AfterEach
    void cleanUp() throws Exception {
        if (server != null) {
            server.close();
        }
        if (base != null) {
            Files.walk(base).sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                p.toFile().setWritable(true);
                p.toFile().delete();
            });
        }
    }

    @Test
    void liveStartedAndReadyReportTheirDataOnTheManagementPortOnly() throws Exception {
        Path data = dataDir("health");
        server = ServerProcess.rottSync(data, "health", serverEnv()).start();

        // The document count appears once the background count of the data directory has finished.
        JsonNode ready = json(Http.poll(server.managementUrl("/q/health/ready"), WAIT,
                r -> r.status() == 200 && check(json(r), "storage").at("/data/documentsStored").isNumber()));
        JsonNode storage = check(ready, "storage");
        assertThat(storage.get("status").asText()).isEqualTo("UP");
        assertThat(storage.at("/data/dataDir").asText()).isEqualTo(data.toAbsolutePath().toString());
        assertThat(storage.at("/data/writable").asBoolean()).isTrue();
        assertThat(storage.at("/data/freeBytes").asLong()).isPositive();
        assertThat(storage.at("/data/minFreeBytes").asLong()).isEqualTo(100L * 1024 * 1024);
        assertThat(storage.at("/data/documentsStored").isNumber()).isTrue();
        assertThat(check(ready, "connections").at("/data/shuttingDown").asBoolean()).isFalse();

        Http.Response live = Http.get(server.managementUrl("/q/health/live"));
        assertThat(live.status()).isEqualTo(200);
        JsonNode loops = check(json(live), "event-loops");
        assertThat(loops.at("/data/eventLoops").asInt()).isPositive();
        assertThat(loops.at("/data/stuckEventLoops").asInt()).isZero();

        Http.Response started = Http.get(server.managementUrl("/q/health/started"));
        assertThat(started.status()).isEqualTo(200);
        assertThat(check(json(started), "started").at("/data/storageId").asText()).isNotBlank();

        NodeClient.run("create", "--server", server.url(), "--count", "2");
        Http.poll(server.managementUrl("/q/health/ready"), WAIT,
                r -> check(json(r), "storage").at("/data/documentsStored").asLong() == 2);

        assertThat(Http.get(server.httpUrl("/q/health")).status()).as("no health on the client port").isEqualTo(404);
        assertThat(Http.get(server.httpUrl("/q/health/ready")).status()).isEqualTo(404);
    }

    @Test
    void readinessGoesDownWhileTheDataDirectoryIsReadOnlyAndUpWhenFixed() throws Exception {
        Path data = dataDir("readonly");
        server = ServerProcess.rottSync(data, "health-readonly", serverEnv()).start();
        Http.poll(server.managementUrl("/q/health/ready"), WAIT, r -> r.status() == 200);

        writable(data, false);
        Http.Response down = Http.poll(server.managementUrl("/q/health/ready"), WAIT, r -> r.status() == 503);
        JsonNode storage = check(json(down), "storage");
        assertThat(storage.get("status").asText()).isEqualTo("DOWN");
        assertThat(storage.at("/data/writable").asBoolean()).isFalse();
        assertThat(storage.at("/data/problem").asText()).contains("cannot write");
        assertThat(Http.get(server.managementUrl("/q/health/live")).status()).as("still live").isEqualTo(200);

        writable(data, true);
        Http.Response up = Http.poll(server.managementUrl("/q/health/ready"), WAIT, r -> r.status() == 200);
        assertThat(check(json(up), "storage").at("/data/writable").asBoolean()).isTrue();
        assertThat(server.logSinceStart()).containsOnlyOnce("readiness DOWN: cannot write in " + data.toAbsolutePath())
                .containsOnlyOnce("readiness UP again");
    }

    @Test
    void readinessGoesDownWhileFreeDiskIsBelowTheFloorAndUpWhenFixed() throws Exception {
        Path data = dataDir("diskfull");
        long usable = Files.getFileStore(base).getUsableSpace();
        long margin = Math.max(64L << 20, Math.min(1L << 30, usable / 8));
        Map<String, String> env = serverEnv();
        env.put("MIN_FREE_DISK", String.valueOf(usable - margin));
        server = ServerProcess.rottSync(data, "health-diskfull", env).start();
        Http.poll(server.managementUrl("/q/health/ready"), WAIT, r -> r.status() == 200);

        Path filler = base.resolve("filler.bin");
        fill(filler, 3 * margin);
        Http.Response down = Http.poll(server.managementUrl("/q/health/ready"), WAIT, r -> r.status() == 503);
        JsonNode storage = check(json(down), "storage");
        assertThat(storage.at("/data/problem").asText()).contains("below MIN_FREE_DISK");
        assertThat(storage.at("/data/freeBytes").asLong()).isLessThan(storage.at("/data/minFreeBytes").asLong());

        Files.delete(filler);
        Http.poll(server.managementUrl("/q/health/ready"), WAIT, r -> r.status() == 200);
    }

    /** A data directory the server can own: under target/, handed to uid 65534 when the tests run as root. */
    private Path dataDir(String name) throws IOException {
        base = Files.createTempDirectory(Path.of("target").toAbsolutePath(), name + "-");
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path data = Files.createDirectory(base.resolve("data"));
        if (isRoot()) {
            Files.setAttribute(data, "unix:uid", 65534);
            Files.setAttribute(data, "unix:gid", 65534);
        }
        return data;
    }

    private static Map<String, String> serverEnv() throws IOException {
        Map<String, String> env = new HashMap<>();
        if (isRoot()) {
            env.put(ServerProcess.RUN_AS_UID, "65534");
        }
        return env;
    }

    static boolean isRoot() throws IOException {
        return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0;
    }

    /** Read-only means the whole store: the data directory and its temp directory. */
    private static void writable(Path data, boolean writable) throws IOException {
        String mode = writable ? "rwxr-xr-x" : "r-xr-xr-x";
        Files.setPosixFilePermissions(data.resolve(".tmp"), PosixFilePermissions.fromString(mode));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString(mode));
    }

    /** Really allocates {@code bytes} on the file system (fallocate, else writing zeros). */
    private static void fill(Path file, long bytes) throws Exception {
        Process p = new ProcessBuilder("fallocate", "-l", String.valueOf(bytes), file.toString())
                .redirectErrorStream(true).start();
        if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) {
            return;
        }
        try (RandomAccessFile out = new RandomAccessFile(file.toFile(), "rw")) {
            byte[] zeros = new byte[1 << 20];
            for (long written = 0; written < bytes; written += zeros.length) {
                out.write(zeros);
            }
            out.getFD().sync();
        }
    }

    static JsonNode json(Http.Response r) {
        try {
            return NodeClient.parse(r.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + r.body(), e);
        }
    }

    static JsonNode check(JsonNode health, String name) {
        for (JsonNode c : health.get("checks")) {
            if (c.get("name").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no check named " + name + " in " + health);
    }
}
