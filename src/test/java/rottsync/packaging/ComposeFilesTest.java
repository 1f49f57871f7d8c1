package rottsync.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static rottsync.packaging.Packaging.JSON;
import static rottsync.packaging.Packaging.file;
import static rottsync.packaging.Packaging.read;
import static rottsync.packaging.Packaging.yaml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The compose stacks in compose/: valid against the Compose Specification (and the July 2023 schema,
 * about Compose 2.20, for the Synology project), accepted by docker-compose where it is installed, and
 * shaped as the guides promise (published on one address, tailnet-only through the sidecar, pinned images).
 */
class ComposeFilesTest {
    static final String LAN = "compose/compose.yaml";
    static final String TAILSCALE = "compose/compose.tailscale.yaml";
    static final String SYNOLOGY = "compose/synology/compose.yaml";
    static final List<String> ALL = List.of(LAN, TAILSCALE, SYNOLOGY);
    static final List<String> HEALTHCHECK =
            List.of("CMD", "java", "-XX:TieredStopAtLevel=1", "-jar", "/home/jboss/quarkus-run.jar", "healthcheck");

    private static final Schema CURRENT = schema("compose-spec.json");
    private static final Schema JULY_2023 = schema("compose-spec-2023-07.json");

    @TempDir
    Path temp;

    private static Schema schema(String name) {
        try (InputStream in = ComposeFilesTest.class.getResourceAsStream("/compose-spec/" + name)) {
            JsonNode tree = JSON.readTree(in);
            // The July 2023 file still carries draft-04 "id" keywords, which its own 2019-09 dialect
            // rejects: the top-level one is the schema's "$id", the others only repeat JSON pointers.
            dropDraft4Ids(tree, true);
            String text = JSON.writeValueAsString(tree);
            SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7);
            return registry.getSchema(SchemaLocation.of("classpath:compose-spec/" + name), text, InputFormat.JSON);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void dropDraft4Ids(JsonNode node, boolean top) {
        if (node instanceof ObjectNode object) {
            JsonNode id = object.remove("id");
            if (top && id != null && id.isTextual()) {
                object.set("$id", id);
            } else if (id != null && !id.isTextual()) {
                object.set("id", id); // a property that happens to be called "id"
            }
            object.forEach(child -> dropDraft4Ids(child, false));
        } else if (node instanceof ArrayNode array) {
            array.forEach(child -> dropDraft4Ids(child, false));
        }
    }

    private static List<String> errors(Schema schema, String yamlText) {
        return schema.validate(yamlText, InputFormat.YAML).stream().map(Error::toString).toList();
    }

    @ParameterizedTest
    @ValueSource(strings = {LAN, TAILSCALE, SYNOLOGY})
    void validAgainstTheCurrentComposeSpecification(String compose) throws IOException {
        assertThat(errors(CURRENT, read(compose))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {LAN, TAILSCALE, SYNOLOGY})
    void validAgainstTheJuly2023SchemaThatSynologyShips(String compose) throws IOException {
        assertThat(errors(JULY_2023, read(compose))).isEmpty();
    }

    @Test
    void theJuly2023SchemaRejectsWhatSynologysComposeCannotRead() throws IOException {
        ObjectNode synology = (ObjectNode) yaml(file(SYNOLOGY));
        ObjectNode mapFormEnvFile = synology.deepCopy();
        ArrayNode envFiles = ((ObjectNode) mapFormEnvFile.get("services").get("rott-sync")).putArray("env_file");
        envFiles.addObject().put("path", "rott-sync.env").put("required", false);
        String mapForm = Packaging.YAML.writeValueAsString(mapFormEnvFile);
        assertThat(errors(CURRENT, mapForm)).isEmpty();
        assertThat(errors(JULY_2023, mapForm)).isNotEmpty();

        ObjectNode inlineConfig = synology.deepCopy();
        inlineConfig.putObject("configs").putObject("serve").put("content", "{}");
        String inline = Packaging.YAML.writeValueAsString(inlineConfig);
        assertThat(errors(CURRENT, inline)).isEmpty();
        assertThat(errors(JULY_2023, inline)).isNotEmpty();
    }

    @Test
    void theSchemasAreTheProjectsSharedCopies() throws IOException {
        // The project keeps the compose-spec schemas beside the repository; the test copies must match.
        Path shared = Packaging.root().resolveSibling("shared").resolve("schemas");
        Assumptions.assumeTrue(Files.isDirectory(shared), "no ../shared/schemas beside this checkout");
        for (String name : List.of("compose-spec.json", "compose-spec-2023-07.json")) {
            assertThat(Packaging.file("src/test/resources/compose-spec/" + name)).hasSameBinaryContentAs(shared.resolve(name));
        }
    }

    @Test
    void bothSchemasCatchATypo() throws IOException {
        ObjectNode lan = (ObjectNode) yaml(file(LAN));
        ((ObjectNode) lan.get("services").get("rott-sync")).put("restarts", "always");
        String typo = Packaging.YAML.writeValueAsString(lan);
        assertThat(errors(CURRENT, typo)).anyMatch(e -> e.contains("restarts"));
        assertThat(errors(JULY_2023, typo)).anyMatch(e -> e.contains("restarts"));
    }

    @Test
    void synologyProjectStaysWithinCompose220() throws IOException {
        JsonNode compose = yaml(file(SYNOLOGY));
        assertThat(compose.has("configs")).as("no top-level configs").isFalse();
        compose.get("services").forEach(service -> {
            JsonNode envFile = service.path("env_file");
            if (!envFile.isMissingNode()) {
                assertThat(envFile.isArray()).as("env_file in list form").isTrue();
                envFile.forEach(entry -> assertThat(entry.isTextual()).as("env_file entries are paths").isTrue());
            }
            assertThat(service.has("configs")).isFalse();
        });
        JsonNode relay = compose.get("services").get("rott-sync");
        assertThat(relay.get("user").asText()).isEqualTo("${RS_USER:-1026:100}");
        assertThat(relay.get("volumes")).extracting(JsonNode::asText).containsExactly("./data:/data");
        // Every file the project needs is in the folder the guide copies (or has an .example to copy).
        Path dir = file(SYNOLOGY).getParent();
        for (JsonNode service : compose.get("services")) {
            for (JsonNode envFile : service.path("env_file")) {
                Path path = dir.resolve(envFile.asText());
                assertThat(Files.exists(path) || Files.exists(Path.of(path + ".example")))
                        .as(envFile.asText() + " or its .example exists").isTrue();
            }
        }
        for (String serve : List.of("serve.json", "serve-tcp.json")) {
            assertThat(dir.resolve("tailscale").resolve(serve)).as("the project's copy of tailscale/" + serve)
                    .hasSameTextualContentAs(file("tailscale/" + serve));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {LAN, TAILSCALE, SYNOLOGY})
    void theRelayRestartsKeepsItsDataAndChecksItsOwnHealth(String compose) throws IOException {
        JsonNode relay = yaml(file(compose)).get("services").get("rott-sync");
        assertThat(relay.get("restart").asText()).isEqualTo("unless-stopped");
        assertThat(relay.get("healthcheck").get("test")).extracting(JsonNode::asText).containsExactlyElementsOf(HEALTHCHECK);
        assertThat(relay.get("volumes")).extracting(JsonNode::asText).anyMatch(v -> v.endsWith(":/data"));
        assertThat(relay.get("mem_limit").asText()).isEqualTo("${RS_MEM_LIMIT:-512m}");
        assertThat(relay.get("read_only").asBoolean()).isTrue();
        // Docker mounts a tmpfs noexec unless told otherwise; the native library must be mapped from /tmp.
        assertThat(relay.get("tmpfs")).extracting(JsonNode::asText).singleElement().asString()
                .startsWith("/tmp:exec,");
    }

    @Test
    void theHealthcheckAndTheOwnershipFixMatchTheImage() throws IOException {
        var properties = Packaging.applicationProperties();
        assertThat(properties.getProperty("quarkus.jib.user")).isEqualTo("185:0");
        // The image keeps Quarkus's default working directory, where Jib puts quarkus-run.jar.
        assertThat(properties.getProperty("quarkus.jib.working-directory", "/home/jboss")).isEqualTo("/home/jboss");
        for (String compose : List.of(LAN, TAILSCALE)) {
            JsonNode fix = yaml(file(compose)).get("services").get("data-permissions");
            assertThat(fix.get("entrypoint")).extracting(JsonNode::asText)
                    .containsExactly("chown", "-R", properties.getProperty("quarkus.jib.user"), "/data");
            assertThat(fix.get("user").asText()).isEqualTo("0:0");
            JsonNode dependsOn = yaml(file(compose)).get("services").get("rott-sync").get("depends_on");
            assertThat(dependsOn.get("data-permissions").get("condition").asText())
                    .isEqualTo("service_completed_successfully");
        }
    }

    @Test
    void theLanStackIsPublishedOnOneChosenAddressOnly() throws IOException {
        JsonNode relay = yaml(file(LAN)).get("services").get("rott-sync");
        assertThat(relay.get("ports")).hasSize(1);
        assertThat(relay.get("ports").get(0).asText())
                .startsWith("${RS_BIND_ADDRESS:?").endsWith(":${RS_PORT:-3030}:3030");
    }

    @Test
    void theTailscaleStackReachesTheRelayOnlyThroughTheSidecar() throws IOException {
        JsonNode services = yaml(file(TAILSCALE)).get("services");
        JsonNode relay = services.get("rott-sync");
        assertThat(relay.get("network_mode").asText()).isEqualTo("service:tailscale");
        assertThat(relay.has("ports")).as("the relay publishes no port").isFalse();
        assertThat(relay.get("environment").get("HOST").asText()).isEqualTo("127.0.0.1");
        assertThat(relay.get("environment").get("MANAGEMENT_HOST").asText()).isEqualTo("127.0.0.1");
        JsonNode tailscale = services.get("tailscale");
        assertThat(tailscale.has("ports")).as("nor does the sidecar").isFalse();
        assertThat(tailscale.get("environment").get("TS_AUTHKEY").asText()).startsWith("${TS_AUTHKEY:?");
        checkSidecar(TAILSCALE, tailscale);
    }

    @Test
    void theSynologySidecarPublishesTheLanPortAndKeepsTheKeyInAnEnvFile() throws IOException {
        JsonNode services = yaml(file(SYNOLOGY)).get("services");
        JsonNode tailscale = services.get("tailscale");
        assertThat(tailscale.get("ports")).extracting(JsonNode::asText)
                .singleElement().asString().startsWith("${RS_BIND_ADDRESS:?").endsWith(":3030:3030");
        assertThat(tailscale.get("environment").has("TS_AUTHKEY")).isFalse();
        assertThat(read("compose/synology/tailscale.env.example")).contains("TS_AUTHKEY=");
        assertThat(services.get("rott-sync").get("network_mode").asText()).isEqualTo("service:tailscale");
        assertThat(services.get("rott-sync").has("ports")).isFalse();
        checkSidecar(SYNOLOGY, tailscale);
    }

    /** Userspace mode, persistent state, a serve config that exists in the mounted folder, pinned image. */
    private static void checkSidecar(String compose, JsonNode tailscale) {
        JsonNode env = tailscale.get("environment");
        assertThat(tailscale.get("image").asText()).matches("tailscale/tailscale:v\\d+\\.\\d+\\.\\d+");
        assertThat(env.get("TS_USERSPACE").asText()).isEqualTo("true");
        assertThat(env.get("TS_AUTH_ONCE").asText()).isEqualTo("true");
        assertThat(tailscale.has("cap_add")).as("userspace mode needs no NET_ADMIN").isFalse();
        assertThat(tailscale.has("devices")).as("nor /dev/net/tun").isFalse();
        List<String> volumes = new ArrayList<>();
        tailscale.get("volumes").forEach(v -> volumes.add(v.asText()));
        String stateDir = env.get("TS_STATE_DIR").asText();
        assertThat(volumes).as("state persists").anyMatch(v -> v.endsWith(":" + stateDir));
        String configMount = volumes.stream().filter(v -> v.contains(":/config")).findFirst().orElseThrow();
        Path configDir = file(compose).getParent().resolve(configMount.substring(0, configMount.indexOf(':'))).normalize();
        assertThat(env.get("TS_SERVE_CONFIG").asText()).isEqualTo("/config/${TS_SERVE_FILE:-serve.json}");
        for (String serve : List.of("serve.json", "serve-tcp.json")) {
            assertThat(configDir.resolve(serve)).as(compose + " mounts a folder with " + serve).exists();
        }
        assertThat(tailscale.get("healthcheck").get("test").toString()).contains("http://127.0.0.1:9002/healthz");
        assertThat(env.get("TS_LOCAL_ADDR_PORT").asText()).isEqualTo("127.0.0.1:9002");
    }

    @ParameterizedTest
    @ValueSource(strings = {LAN, TAILSCALE, SYNOLOGY})
    void imagesArePinnedReleasesNeverLatest(String compose) throws IOException {
        for (JsonNode service : yaml(file(compose)).get("services")) {
            String image = service.get("image").asText();
            Matcher withDefault = Pattern.compile("\\$\\{[A-Z_]+:-(.+)}").matcher(image);
            String effective = withDefault.matches() ? withDefault.group(1) : image;
            assertThat(effective).as(compose + " image").matches("[^:@\\s]+:[^:@\\s]+").doesNotEndWith(":latest");
        }
        // The .env examples name the same release.
        assertThat(read("compose/.env.example")).contains("RS_IMAGE=ghcr.io/rottsync/rott-sync:0.1.0");
        assertThat(read("compose/synology/.env.example")).contains("RS_IMAGE=ghcr.io/rottsync/rott-sync:0.1.0");
    }

    @Test
    void everyVariableTheStacksUseIsInTheirEnvExample() throws IOException {
        Set<String> compose = variables(read(LAN) + read(TAILSCALE));
        assertThat(envKeys(read("compose/.env.example"))).containsAll(compose);
        Set<String> synology = variables(read(SYNOLOGY));
        assertThat(envKeys(read("compose/synology/.env.example"))).containsAll(synology);
    }

    @Test
    void serveConfigsProxyToTheRelayOverTlsAndKeepFunnelOff() throws IOException {
        JsonNode https = JSON.readTree(file("tailscale/serve.json").toFile());
        JsonNode tcp = JSON.readTree(file("tailscale/serve-tcp.json").toFile());
        Set<String> serveConfigKeys = Set.of("TCP", "Web", "AllowFunnel", "Services", "Foreground");
        Set<String> tcpHandlerKeys = Set.of("HTTPS", "HTTP", "TCPForward", "TerminateTLS");
        for (JsonNode config : List.of(https, tcp)) {
            config.fieldNames().forEachRemaining(k -> assertThat(serveConfigKeys).as("ServeConfig field").contains(k));
            config.get("TCP").forEach(handler -> handler.fieldNames()
                    .forEachRemaining(k -> assertThat(tcpHandlerKeys).as("TCPPortHandler field").contains(k)));
            assertThat(config.get("TCP").has("443")).isTrue();
            assertThat(config.get("AllowFunnel").get("${TS_CERT_DOMAIN}:443").asBoolean(true)).as("Funnel off").isFalse();
        }
        assertThat(https.get("TCP").get("443").get("HTTPS").asBoolean()).isTrue();
        assertThat(https.get("Web").get("${TS_CERT_DOMAIN}:443").get("Handlers").get("/").get("Proxy").asText())
                .isEqualTo("http://127.0.0.1:3030");
        assertThat(tcp.get("TCP").get("443").get("TCPForward").asText()).isEqualTo("127.0.0.1:3030");
        assertThat(tcp.get("TCP").get("443").get("TerminateTLS").asText()).isEqualTo("${TS_CERT_DOMAIN}");
    }

    @ParameterizedTest
    @ValueSource(strings = {LAN, TAILSCALE, SYNOLOGY})
    void dockerComposeAcceptsTheFile(String compose) throws Exception {
        Assumptions.assumeTrue(Packaging.onPath("docker-compose"),
                "docker-compose is not installed here (.ci/run installs it): `docker-compose config -q` not run");
        Path project = projectCopy(compose);
        var result = Packaging.exec(project, Map.of(), Duration.ofSeconds(60),
                "docker-compose", "--env-file", ".env.example", "-f", Path.of(compose).getFileName().toString(),
                "config", "-q");
        assertThat(result.output()).isEmpty();
        assertThat(result.code()).isZero();
    }

    @Test
    void dockerComposeRefusesTheLanStackUntilAnAddressIsChosen() throws Exception {
        Assumptions.assumeTrue(Packaging.onPath("docker-compose"),
                "docker-compose is not installed here (.ci/run installs it): `docker-compose config` not run");
        Path project = projectCopy(LAN);
        Files.writeString(project.resolve("empty.env"), "");
        var result = Packaging.exec(project, Map.of(), Duration.ofSeconds(60),
                "docker-compose", "--env-file", "empty.env", "-f", "compose.yaml", "config", "-q");
        assertThat(result.code()).isNotZero();
        assertThat(result.output()).contains("set RS_BIND_ADDRESS in .env");
    }

    /** The compose file's folder as a user has it, with .example files copied where the guide says. */
    private Path projectCopy(String compose) throws IOException {
        Path source = file(compose).getParent();
        Path copy = temp.resolve("project");
        try (Stream<Path> files = Files.walk(source)) {
            for (Path path : files.toList()) {
                Path target = copy.resolve(source.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(path, target);
                }
            }
        }
        Path tailscale = temp.resolve("tailscale");
        Files.createDirectories(tailscale);
        for (String serve : List.of("serve.json", "serve-tcp.json")) {
            Files.copy(file("tailscale/" + serve), tailscale.resolve(serve));
        }
        if (Files.exists(copy.resolve("tailscale.env.example"))) {
            Files.copy(copy.resolve("tailscale.env.example"), copy.resolve("tailscale.env"));
        }
        return copy;
    }

    private static Set<String> variables(String text) {
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("\\$\\{([A-Z_][A-Z0-9_]*)").matcher(text);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    private static Set<String> envKeys(String text) {
        Set<String> keys = new TreeSet<>();
        for (String line : text.split("\n")) {
            String trimmed = line.strip();
            if (trimmed.startsWith("#") && trimmed.contains("=")) {
                trimmed = trimmed.substring(1).strip();
            }
            if (trimmed.matches("[A-Z_][A-Z0-9_]*=.*")) {
                keys.add(trimmed.substring(0, trimmed.indexOf('=')));
            }
        }
        return keys;
    }
}
