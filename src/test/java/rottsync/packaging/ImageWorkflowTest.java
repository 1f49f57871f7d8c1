package rottsync.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The image's build settings live in application.properties; the publishing workflow and the local
 * image script (deploy/image/build-and-run.sh) add only where to push and, locally, a base image made
 * from Debian packages (nothing can be pulled here).
 */
class ImageWorkflowTest {
    static final String WORKFLOW = ".github/workflows/image.yml";
    static final String SCRIPT = "deploy/image/build-and-run.sh";

    @Test
    void applicationPropertiesDescribeAMultiArchNonRootImage() throws Exception {
        Properties p = Packaging.applicationProperties();
        assertThat(p.getProperty("quarkus.jib.platforms").split(",")).containsExactlyInAnyOrder("linux/amd64", "linux/arm64");
        assertThat(p.getProperty("quarkus.jib.base-jvm-image"))
                .as("pinned by release tag and digest").matches("eclipse-temurin:17\\.[0-9._]+-jre-\\w+@sha256:[0-9a-f]{64}");
        assertThat(p.getProperty("quarkus.jib.user")).isEqualTo("185:0");
        assertThat(p.getProperty("quarkus.jib.ports")).isEqualTo("3030,9000");
        assertThat(p.getProperty("quarkus.jib.environment-variables.PORT")).isEqualTo("3030");
        assertThat(p.getProperty("quarkus.jib.environment-variables.DATA_DIR")).isEqualTo("/data");
        assertThat(p.getProperty("quarkus.jib.environment-variables.MANAGEMENT_PORT")).isEqualTo("9000");
        assertThat(p.getProperty("quarkus.jib.environment-variables.JAVA_TOOL_OPTIONS")).contains("-XX:MaxRAMPercentage=");
        assertThat(p.stringPropertyNames()).contains(
                "quarkus.container-image.labels.\"org.opencontainers.image.title\"",
                "quarkus.container-image.labels.\"org.opencontainers.image.version\"");
    }

    @Test
    void theWorkflowIsValidYamlThatTestsThenPushesBothArchitectures() throws Exception {
        JsonNode workflow = Packaging.yaml(Packaging.file(WORKFLOW));
        assertThat(workflow.get("on").get("push").get("tags")).extracting(JsonNode::asText).contains("v*");
        assertThat(workflow.get("permissions").get("packages").asText()).isEqualTo("write");
        JsonNode steps = workflow.get("jobs").get("image").get("steps");
        List<String> runs = new ArrayList<>();
        for (JsonNode step : steps) {
            if (step.has("uses")) {
                assertThat(step.get("uses").asText()).as("actions pinned to a major version").matches("[\\w-]+/[\\w-]+@v\\d+");
            }
            runs.add(step.path("run").asText());
        }
        int test = indexOf(runs, "./mvnw -B verify");
        int push = indexOf(runs, "-Dquarkus.container-image.push=true");
        assertThat(test).as("tests run first").isNotNegative().isLessThan(push);
        String build = runs.get(push);
        assertThat(build).contains("-Dquarkus.container-image.build=true", "-Dquarkus.container-image.registry=",
                "-Dquarkus.container-image.group=", "-Dquarkus.container-image.tag=");
        assertThat(build).as("platforms and base image come from application.properties")
                .doesNotContain("quarkus.jib.platforms").doesNotContain("quarkus.jib.base-jvm-image");
        JsonNode env = steps.get(push).get("env");
        assertThat(env.get("QUARKUS_CONTAINER_IMAGE_PASSWORD").asText()).isEqualTo("${{ secrets.GITHUB_TOKEN }}");
        assertThat(String.join("\n", runs)).contains("grep -q 'linux/amd64' pushed.txt && grep -q 'linux/arm64' pushed.txt");
    }

    @Test
    void theLocalScriptUsesTheSamePropertiesAndOverridesOnlyTheBaseImage() throws Exception {
        String script = Packaging.read(SCRIPT);
        List<String> overrides = new ArrayList<>();
        Matcher m = Pattern.compile("-D(quarkus\\.[\\w.-]+)=").matcher(script);
        while (m.find()) {
            overrides.add(m.group(1));
        }
        assertThat(overrides).as("platforms, user, env, labels: all from application.properties")
                .containsExactlyInAnyOrder("quarkus.container-image.build", "quarkus.container-image.push",
                        "quarkus.container-image.registry", "quarkus.container-image.insecure",
                        "quarkus.container-image.tag", "quarkus.jib.base-jvm-image");
        assertThat(script).contains("-Dquarkus.jib.base-jvm-image=\"$BASE_REF\"", "make_rootfs amd64", "make_rootfs arm64",
                "check-image-config.mjs\" \"$WORK\" amd64 arm64");
    }

    private static int indexOf(List<String> runs, String text) {
        for (int i = 0; i < runs.size(); i++) {
            if (runs.get(i).contains(text)) {
                return i;
            }
        }
        return -1;
    }
}
