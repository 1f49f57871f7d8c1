package rottsync.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/systemd/install.sh with the packaged application, staged under DESTDIR (no user, no systemctl):
 * the files land where the unit expects them, and the installed application starts and passes its own
 * healthcheck.
 */
class SystemdInstallIT {
    @TempDir
    Path dest;

    @Test
    void installsTheApplicationWhereTheUnitRunsIt() throws Exception {
        Path app = Path.of(System.getProperty("rott.app.jar", "target/quarkus-app/quarkus-run.jar")).getParent();
        var install = Packaging.exec(Packaging.root(), Map.of("DESTDIR", dest.toString()), Duration.ofSeconds(120),
                "sh", "deploy/systemd/install.sh", app.toString());
        assertThat(install.code()).as(install.output()).isZero();
        assertThat(install.output()).contains("staged rott-sync under " + dest);

        Path jar = dest.resolve("opt/rott-sync/quarkus-app/quarkus-run.jar");
        assertThat(jar).isRegularFile();
        assertThat(dest.resolve("var/lib/rott-sync")).isDirectory();
        assertThat(dest.resolve("etc/rott-sync/rott-sync.env")).hasSameTextualContentAs(Packaging.file("deploy/systemd/rott-sync.env"));
        Path unit = dest.resolve("etc/systemd/system/rott-sync.service");
        String execStart = SystemdUnitTest.section(Files.readString(unit), "Service").get("ExecStart").get(0);
        String javaInUnit = execStart.substring(0, execStart.indexOf(' '));
        assertThat(Path.of(javaInUnit)).as("the unit's java exists on this machine").isExecutable();
        if (Packaging.onPath("systemd-analyze")) {
            assertThat(SystemdUnitTest.verify(unit)).as("systemd-analyze verify of the installed unit").isEmpty();
        }

        // A second run keeps the settings a user changed.
        Files.writeString(dest.resolve("etc/rott-sync/rott-sync.env"), "PORT=4040\n");
        var again = Packaging.exec(Packaging.root(), Map.of("DESTDIR", dest.toString()), Duration.ofSeconds(120),
                "sh", "deploy/systemd/install.sh", app.toString());
        assertThat(again.code()).isZero();
        assertThat(dest.resolve("etc/rott-sync/rott-sync.env")).hasContent("PORT=4040");

        // The installed application runs as the unit runs it (JAVA_OPTS, DATA_DIR) and checks itself.
        int port = freePort();
        int management = freePort();
        Path data = dest.resolve("var/lib/rott-sync");
        Map<String, String> env = Map.of("PORT", String.valueOf(port), "HOST", "127.0.0.1",
                "MANAGEMENT_PORT", String.valueOf(management), "DATA_DIR", data.toString());
        List<String> command = List.of(javaInUnit, "-XX:MaxRAMPercentage=25", "-XX:+UseSerialGC",
                "-XX:+ExitOnOutOfMemoryError", "-jar", jar.toString());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dest.resolve("server.log").toFile());
        builder.environment().putAll(env);
        Process server = builder.start();
        try {
            Packaging.Exec health = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline) {
                health = Packaging.exec(dest, env, Duration.ofSeconds(30), javaInUnit, "-jar", jar.toString(),
                        "healthcheck", "--timeout", "2");
                if (health.code() == 0 || !server.isAlive()) {
                    break;
                }
                Thread.sleep(300);
            }
            assertThat(health).isNotNull();
            assertThat(health.code()).as(health.output() + Files.readString(dest.resolve("server.log"))).isZero();
            assertThat(data.resolve("st/orage-adapter-id")).isRegularFile();
        } finally {
            server.destroy();
            server.waitFor();
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
