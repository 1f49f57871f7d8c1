package rottsync.packaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/** Shared helpers for the packaging checks: the repository's files, YAML, and running real tools. */
final class Packaging {
    static final YAMLMapper YAML = new YAMLMapper();
    static final ObjectMapper JSON = JsonMapper.builder().build();

    private Packaging() {}

    /** The repository root (Maven runs tests in the project directory). */
    static Path root() {
        return Path.of("").toAbsolutePath();
    }

    static Path file(String relative) {
        Path path = root().resolve(relative);
        if (!Files.exists(path)) {
            throw new AssertionError("missing " + relative);
        }
        return path;
    }

    static String read(String relative) throws IOException {
        return Files.readString(file(relative), StandardCharsets.UTF_8);
    }

    static JsonNode yaml(Path path) throws IOException {
        return YAML.readTree(path.toFile());
    }

    /** Every document of a multi-document YAML text, skipping empty ones. */
    static List<JsonNode> yamlDocuments(String text) throws IOException {
        List<JsonNode> documents = new ArrayList<>();
        try (var parser = new YAMLFactory().createParser(text)) {
            var iterator = YAML.readValues(parser, JsonNode.class);
            while (iterator.hasNext()) {
                JsonNode node = iterator.next();
                if (node != null && !node.isNull() && !node.isMissingNode() && node.size() > 0) {
                    documents.add(node);
                }
            }
        }
        return documents;
    }

    /** src/main/resources/application.properties, as the build reads it. */
    static Properties applicationProperties() throws IOException {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file("src/main/resources/application.properties"))) {
            properties.load(in);
        }
        return properties;
    }

    static boolean onPath(String tool) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    record Exec(int code, String output) {}

    /** Runs a real tool; stdout and stderr together. */
    static Exec exec(Path dir, Map<String, String> env, Duration timeout, String... command)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish in " + timeout);
        }
        return new Exec(process.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
