package rottsync.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Keeps the benchmark (bench/run.mjs) from rotting: runs its smoke mode (a few documents, every phase,
 * all three servers) against the packaged jar and checks that it finished and printed its table. It
 * asserts nothing about speed: performance claims live in the benchmark's own output
 * (docs/benchmarks.md), not in timed tests.
 */
class BenchmarkSmokeIT {
    private static final List<String> PHASES = List.of("roundtrip", "push", "coldfetch", "big", "concurrent", "memory");

    @Test
    void smokeRunOfTheBenchmarkCompletesAgainstAllThreeServers() throws Exception {
        Path root = NodeClient.clientDir().getParent();
        Path out = root.resolve("target/bench-smoke");
        Path stdout = Files.createTempFile("bench-stdout", ".txt");
        Path stderr = root.resolve("target/bench-smoke.log");
        Files.createDirectories(out);
        ProcessBuilder builder = new ProcessBuilder("node", "bench/run.mjs", "--smoke", "--out", out.toString())
                .directory(root.toFile())
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile());
        builder.environment().put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Process process = builder.start();
        if (!process.waitFor(6, TimeUnit.MINUTES)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("the benchmark smoke run did not finish within 6 minutes; see " + stderr);
        }
        String table = Files.readString(stdout, StandardCharsets.UTF_8);
        System.out.println(table);
        assertThat(process.exitValue())
                .as("bench/run.mjs --smoke exit code; its log is %s", stderr)
                .isZero();
        assertThat(table).contains("| workload |", "Targets");

        JsonNode results = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        for (String server : List.of("rott", "s256", "official")) {
            for (String phase : PHASES) {
                assertThat(results.path("servers").path(server).has(phase))
                        .as("%s ran the %s phase", server, phase).isTrue();
            }
        }
        assertThat(results.path("directFloor").path("p50").asDouble()).isPositive();
        assertThat(results.path("automergeFloor").path("floorS").asDouble()).isPositive();
        Files.deleteIfExists(stdout);
    }
}
