package rottsync.interop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real npm automerge-repo client (test-client/client.mjs). Each command prints one JSON line
 * and exits 0, or explains itself on stderr and exits 1.
 */
final class NodeClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Result(int exitCode, JsonNode json, String stdout, String stderr) {
        boolean ok() {
            return exitCode == 0;
        }
    }

    static Path clientDir() {
        return Path.of(System.getProperty("rott.test.client", "test-client")).toAbsolutePath();
    }

    /** Runs a command that must succeed and returns its JSON result. */
    static JsonNode run(String... args) throws Exception {
        Result result = attempt(args);
        if (!result.ok()) {
            throw new AssertionError("client " + String.join(" ", args) + " failed (exit " + result.exitCode()
                    + "):\n" + result.stderr());
        }
        return result.json();
    }

    static Result attempt(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("node", "client.mjs"));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("client-out", ".json");
        Path err = Files.createTempFile("client-err", ".txt");
        try {
            Process process = new ProcessBuilder(command).directory(clientDir().toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!process.waitFor(180, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("client " + String.join(" ", args) + " did not exit within 180 s");
            }
            String stdout = Files.readString(out, StandardCharsets.UTF_8).trim();
            String stderr = Files.readString(err, StandardCharsets.UTF_8);
            JsonNode json = null;
            if (!stdout.isEmpty()) {
                String last = stdout.substring(stdout.lastIndexOf('\n') + 1);
                json = JSON.readTree(last);
            }
            return new Result(process.exitValue(), json, stdout, stderr);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Starts a long-running client command (such as watch) in the background. */
    static Process spawn(Path stdout, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("node", "client.mjs"));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).directory(clientDir().toFile())
                .redirectOutput(stdout.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    interface Step {
        void run() throws Exception;
    }

    /**
     * Keeps a client connected and watching {@code url} until {@code key} has {@code value}, runs
     * {@code meanwhile}, and fails unless the watcher saw the value within 60 s.
     */
    static void watchWhile(String server, String url, String key, String value, Path out, Step meanwhile)
            throws Exception {
        Process watcher = spawn(out, "watch", "--server", server, "--url", url, "--key", key, "--value", value,
                "--timeout", "60000");
        try {
            meanwhile.run();
            if (!watcher.waitFor(60, TimeUnit.SECONDS)) {
                throw new AssertionError("the watcher did not see " + key + "=" + value + " within 60 s");
            }
            if (watcher.exitValue() != 0) {
                throw new AssertionError("the watcher failed (exit " + watcher.exitValue() + ")");
            }
            if (!Files.readString(out).contains(url)) {
                throw new AssertionError("the watcher reported no result for " + url);
            }
        } finally {
            watcher.destroyForcibly();
        }
    }

    static JsonNode parse(String json) throws IOException {
        return JSON.readTree(json);
    }

    static void writeJson(Path file, JsonNode node) throws IOException {
        Files.writeString(file, JSON.writeValueAsString(node));
    }
}
