package rottsync.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The guides' commands are the ones the other packaging tests check: every path they name exists, every
 * `helm install` renders and passes the Kubernetes policy, every `kubectl apply -f` names manifests that
 * parse, every compose command names a tested compose file and one of its services, every health check
 * runs the jar where the image or the installer puts it, and every setting they mention is in an
 * .env example.
 */
class DocsCommandsTest {
    static final List<String> GUIDES = List.of("docs/raspberry-pi.md", "docs/synology.md", "docs/kubernetes.md",
            "docs/vpn.md", "docs/troubleshooting.md", "README.md", "tailscale/README.md",
            "deploy/helm/rott-sync/README.md");
    /** Names that look like paths: a Kubernetes resource (kubectl exec deploy/rott-sync), an image. */
    static final Set<String> NOT_PATHS = Set.of("deploy/rott-sync", "tailscale/tailscale");

    record Line(String doc, String text) {}

    /** The command lines of ```sh blocks, comments cut off, continuation lines joined. */
    static List<Line> shellLines() throws IOException {
        List<Line> lines = new ArrayList<>();
        for (String doc : GUIDES) {
            boolean inside = false;
            StringBuilder pending = new StringBuilder();
            for (String raw : Packaging.read(doc).split("\n")) {
                String line = raw.strip();
                if (line.startsWith("```")) {
                    inside = !inside && line.equals("```sh");
                    continue;
                }
                if (!inside || line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                int comment = line.indexOf(" #");
                if (comment >= 0) {
                    line = line.substring(0, comment).strip();
                }
                if (line.endsWith("\\")) {
                    pending.append(line, 0, line.length() - 1).append(' ');
                    continue;
                }
                lines.add(new Line(doc, pending + line));
                pending.setLength(0);
            }
        }
        return lines;
    }

    static List<String> tokens(String line) {
        List<String> tokens = new ArrayList<>();
        Matcher m = Pattern.compile("\"([^\"]*)\"|'([^']*)'|(\\S+)").matcher(line);
        while (m.find()) {
            tokens.add(m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3));
        }
        return tokens;
    }

    @Test
    void everyRepositoryPathTheGuidesNameExists() throws IOException {
        Pattern path = Pattern.compile("(?<![\\w/.<-])((?:compose|deploy|tailscale|docs|src|test-client|\\.github)/[\\w./-]*[\\w-])");
        List<String> checked = new ArrayList<>();
        for (String doc : GUIDES) {
            String text = Packaging.read(doc);
            Matcher m = path.matcher(text);
            while (m.find()) {
                String found = m.group(1);
                if (NOT_PATHS.contains(found) || (m.end() < text.length() && text.charAt(m.end()) == '*')) {
                    continue;
                }
                assertThat(Packaging.root().resolve(found)).as(doc + " names " + found).exists();
                checked.add(found);
            }
        }
        assertThat(checked).hasSizeGreaterThan(30);
    }

    @Test
    void markdownLinksPointAtFiles() throws IOException {
        Pattern link = Pattern.compile("\\]\\((?!https?:|#)([^)#\\s]+)\\)");
        for (String doc : GUIDES) {
            Matcher m = link.matcher(Packaging.read(doc));
            while (m.find()) {
                Path target = Packaging.file(doc).getParent().resolve(m.group(1)).normalize();
                assertThat(target).as(doc + " links " + m.group(1)).exists();
            }
        }
    }

    @Test
    void everyHelmInstallRendersAndPassesThePolicy() throws Exception {
        int rendered = 0;
        for (Line line : shellLines()) {
            List<String> tokens = tokens(line.text());
            if (tokens.size() < 2 || !tokens.get(0).equals("helm") || !tokens.get(1).equals("install")) {
                continue;
            }
            assertThat(tokens).as(line.text()).contains("deploy/helm/rott-sync");
            Map<String, String> values = new LinkedHashMap<>();
            for (int i = 0; i < tokens.size(); i++) {
                if (tokens.get(i).equals("--set")) {
                    String pair = tokens.get(++i);
                    values.put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
                }
            }
            for (String key : values.keySet()) {
                assertThat(valuesHasKey(key)).as(line.doc() + ": --set " + key + " is a documented value").isTrue();
            }
            List<HasMetadata> objects = HelmChartTest.render(values);
            KubernetesPolicy.check(KubernetesPolicy.single(objects, Deployment.class));
            rendered++;
        }
        assertThat(rendered).as("helm install commands in the guides").isGreaterThanOrEqualTo(6);
    }

    private static boolean valuesHasKey(String dotted) throws IOException {
        JsonNode node = Packaging.yaml(Packaging.file("deploy/helm/rott-sync/values.yaml"));
        String[] parts = dotted.split("\\.");
        for (int i = 0; i < parts.length; i++) {
            if (node.isObject() && node.has(parts[i])) {
                node = node.get(parts[i]);
            } else {
                // A free-form map (env, podAnnotations, resources.limits): any key below it is fine.
                return node.isObject() && i > 0 && (node.isEmpty() || Set.of("limits", "requests").contains(parts[i - 1]));
            }
        }
        return true;
    }

    @Test
    void everyKubectlApplyNamesManifestsThatParse() throws Exception {
        int applied = 0;
        for (Line line : shellLines()) {
            List<String> tokens = tokens(line.text());
            int f = tokens.indexOf("-f");
            if (!line.text().startsWith("kubectl apply") || f < 0) {
                continue;
            }
            Path target = Packaging.file(tokens.get(f + 1));
            List<Path> files = new ArrayList<>();
            if (Files.isDirectory(target)) {
                try (Stream<Path> list = Files.list(target)) {
                    list.filter(p -> p.toString().endsWith(".yaml")).forEach(files::add);
                }
            } else {
                files.add(target);
            }
            assertThat(files).isNotEmpty();
            for (Path file : files) {
                assertThat(KubernetesPolicy.objects(Files.readString(file))).isNotEmpty();
            }
            applied++;
        }
        assertThat(applied).isGreaterThanOrEqualTo(3);
    }

    @Test
    void everyComposeCommandNamesATestedFileAndItsServices() throws Exception {
        int checked = 0;
        for (Line line : shellLines()) {
            List<String> tokens = tokens(line.text());
            int start = tokens.indexOf("compose");
            if (start > 0 && tokens.get(start - 1).equals("docker")) {
                start++;
            } else if (tokens.contains("docker-compose")) {
                start = tokens.indexOf("docker-compose") + 1;
            } else {
                continue;
            }
            String file = "compose.yaml";
            List<String> rest = tokens.subList(start, tokens.size());
            if (rest.size() > 1 && rest.get(0).equals("-f")) {
                file = rest.get(1);
                rest = rest.subList(2, rest.size());
            }
            String compose = "compose/" + file;
            assertThat(ComposeFilesTest.ALL).as(line.doc() + ": " + line.text()).contains(compose);
            JsonNode services = Packaging.yaml(Packaging.file(compose)).get("services");
            if (!rest.isEmpty() && Set.of("exec", "logs").contains(rest.get(0)) && rest.size() > 1
                    && !rest.get(1).startsWith("-")) {
                assertThat(services.has(rest.get(1))).as(line.text() + ": service " + rest.get(1)).isTrue();
            }
            checked++;
        }
        assertThat(checked).isGreaterThanOrEqualTo(8);
    }

    @Test
    void everyHealthcheckRunsTheJarWhereItIsInstalled() throws Exception {
        Set<String> jars = Set.of(ComposeFilesTest.HEALTHCHECK.get(4), "/opt/rott-sync/quarkus-app/quarkus-run.jar");
        assertThat(Packaging.read("deploy/systemd/rott-sync.service")).contains("/opt/rott-sync/quarkus-app/quarkus-run.jar");
        int checked = 0;
        for (Line line : shellLines()) {
            List<String> tokens = tokens(line.text());
            if (!tokens.contains("healthcheck")) {
                continue;
            }
            int jar = tokens.indexOf("-jar");
            assertThat(jar).as(line.text()).isPositive();
            assertThat(jars).as(line.doc() + ": " + line.text()).contains(tokens.get(jar + 1));
            assertThat(tokens.get(jar + 2)).isEqualTo("healthcheck");
            checked++;
        }
        assertThat(checked).isGreaterThanOrEqualTo(6);
    }

    @Test
    void theInstallScriptCommandsMatchTheScript() throws Exception {
        Path script = Packaging.file("deploy/systemd/install.sh");
        assertThat(Files.isExecutable(script)).isTrue();
        long uses = shellLines().stream().filter(l -> l.text().startsWith("sudo deploy/systemd/install.sh")).count();
        assertThat(uses).isGreaterThanOrEqualTo(1);
        shellLines().stream().filter(l -> l.text().startsWith("sudo deploy/systemd/install.sh"))
                .forEach(l -> assertThat(tokens(l.text())).endsWith("target/quarkus-app"));
    }

    @Test
    void everySettingTheGuidesMentionIsInAnEnvExample() throws IOException {
        Set<String> known = new TreeSet<>();
        for (String example : List.of("compose/.env.example", "compose/synology/.env.example",
                "compose/synology/tailscale.env.example")) {
            Arrays.stream(Packaging.read(example).split("\n")).map(String::strip)
                    .map(l -> l.startsWith("#") ? l.substring(1).strip() : l)
                    .filter(l -> l.matches("[A-Z_]+=.*")).forEach(l -> known.add(l.substring(0, l.indexOf('='))));
        }
        Set<String> mentioned = new TreeSet<>();
        for (String doc : GUIDES) {
            Matcher m = Pattern.compile("\\b((?:RS|TS)_[A-Z_]+)").matcher(Packaging.read(doc));
            while (m.find()) {
                mentioned.add(m.group(1));
            }
        }
        // Set by the stacks themselves, not by users: shown in the guides to explain them.
        mentioned.removeAll(Set.of("TS_CERT_DOMAIN", "TS_STATE_DIR", "TS_USERSPACE", "TS_AUTH_ONCE",
                "TS_SERVE_CONFIG", "TS_KUBE_SECRET", "TS_LOCAL_ADDR_PORT", "TS_ENABLE_HEALTH_CHECK"));
        assertThat(known).containsAll(mentioned);
        assertThat(mentioned).contains("RS_BIND_ADDRESS", "TS_AUTHKEY", "RS_USER", "TS_SERVE_FILE");
    }
}
