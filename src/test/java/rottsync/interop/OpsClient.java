package rottsync.interop;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs test-client/ops-client.mjs (long-running writers that record what the server acknowledged). */
final class OpsClient {
    private OpsClient() {}

    static JsonNode run(String... args) throws Exception {
        Path out = Files.createTempFile("ops-client-out", ".json");
        Path err = Files.createTempFile("ops-client-err", ".txt");
        try {
            Process p = start(out, err, args);
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("ops-client " + String.join(" ", args) + " did not exit within 180 s");
            }
            String stdout = Files.readString(out, StandardCharsets.UTF_8).trim();
            if (p.exitValue() != 0) {
                throw new AssertionError("ops-client " + String.join(" ", args) + " failed (exit " + p.exitValue()
                        + "):\n" + Files.readString(err, StandardCharsets.UTF_8));
            }
            return NodeClient.parse(stdout.substring(stdout.lastIndexOf('\n') + 1));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Starts a command in the background; stdout and stderr go to the given files. */
    static Process start(Path stdout, Path stderr, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("node", "ops-client.mjs"));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).directory(NodeClient.clientDir().toFile())
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
    }

    /** Lines in a JSON-lines file written by the client (0 while it does not exist). */
    static long lines(Path file) throws IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        try (var lines = Files.lines(file)) {
            return lines.filter(l -> !l.isBlank()).count();
        }
    }
}
