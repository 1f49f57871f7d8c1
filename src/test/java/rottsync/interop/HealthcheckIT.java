package rottsync.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar quarkus-run.jar healthcheck}, the command compose and Kubernetes healthchecks run, against
 * the real packaged server on its management port.
 */
class HealthcheckIT {
    @TempDir
    Path dataDir;

    @Test
    void exitsZeroWhileTheServerIsReadyAndOneOnceItIsGone() throws Exception {
        int managementPort = ServerProcess.freePort();
        Map<String, String> env = Map.of("MANAGEMENT_PORT", String.valueOf(managementPort));
        try (ServerProcess server = ServerProcess.rottSync(dataDir, "healthcheck", env).start()) {
            Run up = awaitExitZero(env, Duration.ofSeconds(30));
            assertThat(up.out.strip()).isEqualTo("UP: http://127.0.0.1:" + managementPort + "/q/health/ready");
            System.out.printf("healthcheck against a ready server: exit 0 in %d ms%n", up.millis);

            server.stop();
            Run down = Run.of(env, "healthcheck");
            assertThat(down.code).isEqualTo(1);
            assertThat(down.err.strip()).startsWith("NOT READY: nothing answers at http://127.0.0.1:" + managementPort)
                    .doesNotContain("\n");
        }
    }

    @Test
    void helpFromThePackagedJar() throws Exception {
        Run help = Run.of(Map.of(), "healthcheck", "--help");
        assertThat(help.code).isZero();
        assertThat(help.out).contains("GET http://127.0.0.1:$MANAGEMENT_PORT/q/health/ready");
    }

    private static Run awaitExitZero(Map<String, String> env, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Run last;
        do {
            last = Run.of(env, "healthcheck", "--timeout", "2");
            if (last.code == 0) {
                return last;
            }
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("healthcheck never passed; last: exit " + last.code + " " + last.err);
    }

    private record Run(int code, String out, String err, long millis) {
        static Run of(Map<String, String> env, String... args) throws Exception {
            String jar = System.getProperty("rott.app.jar", "target/quarkus-app/quarkus-run.jar");
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> command = new java.util.ArrayList<>(List.of(java, "-jar", jar));
            command.addAll(List.of(args));
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().remove("MANAGEMENT_PORT");
            builder.environment().remove("MANAGEMENT_HOST");
            builder.environment().putAll(env);
            long start = System.nanoTime();
            Process process = builder.start();
            byte[] out = process.getInputStream().readAllBytes();
            byte[] err = process.getErrorStream().readAllBytes();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("healthcheck did not exit within 30 s");
            }
            return new Run(process.exitValue(), new String(out, StandardCharsets.UTF_8),
                    new String(err, StandardCharsets.UTF_8), (System.nanoTime() - start) / 1_000_000);
        }
    }
}
