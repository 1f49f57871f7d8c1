package rottsync.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.rbac.Role;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * deploy/helm/rott-sync with real Helm (helm-java runs the Helm library in-process, offline):
 * {@code helm lint}, and {@code helm template} for each option, checked as typed Kubernetes objects
 * against the same policy as the plain manifests.
 */
class HelmChartTest {
    static final Path CHART = Packaging.file("deploy/helm/rott-sync");

    @Test
    void helmLintPasses() {
        LintResult lint = new Helm(CHART).lint().strict().call();
        System.out.println("helm lint --strict: " + String.join("; ", lint.getMessages()));
        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
    }

    @Test
    void defaultsRenderOneWriterWithAClaimAndAClusterIpService() throws Exception {
        List<HasMetadata> objects = render(Map.of());
        Deployment deployment = KubernetesPolicy.single(objects, Deployment.class);
        KubernetesPolicy.check(deployment);
        assertThat(KubernetesPolicy.relay(deployment).getImage()).isEqualTo("ghcr.io/rottsync/rott-sync:0.1.0");
        PersistentVolumeClaim claim = KubernetesPolicy.single(objects, PersistentVolumeClaim.class);
        assertThat(KubernetesPolicy.dataClaim(deployment)).contains(claim.getMetadata().getName());
        assertThat(claim.getMetadata().getAnnotations()).containsEntry("helm.sh/resource-policy", "keep");
        assertThat(claim.getSpec().getStorageClassName()).as("the cluster's default class").isNull();
        Service service = KubernetesPolicy.single(objects, Service.class);
        assertThat(service.getSpec().getType()).isEqualTo("ClusterIP");
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(service.getSpec().getSelector());
        assertThat(KubernetesPolicy.ofKind(objects, Ingress.class)).isEmpty();
        assertThat(deployment.getSpec().getTemplate().getSpec().getAutomountServiceAccountToken()).isFalse();
    }

    @Test
    void nodePortServiceForTheLan() throws Exception {
        Service service = KubernetesPolicy.single(render(Map.of("service.type", "NodePort")), Service.class);
        assertThat(service.getSpec().getPorts()).singleElement()
                .satisfies(p -> assertThat(p.getNodePort()).isEqualTo(30030));
    }

    @Test
    void ingressRoutesTheHostToTheService() throws Exception {
        List<HasMetadata> objects = render(Map.of("ingress.enabled", "true", "ingress.host", "sync.home.lan",
                "ingress.className", "traefik"));
        Ingress ingress = KubernetesPolicy.single(objects, Ingress.class);
        assertThat(ingress.getSpec().getIngressClassName()).isEqualTo("traefik");
        assertThat(ingress.getSpec().getRules()).singleElement().satisfies(rule -> {
            assertThat(rule.getHost()).isEqualTo("sync.home.lan");
            assertThat(rule.getHttp().getPaths().get(0).getBackend().getService().getName())
                    .isEqualTo(KubernetesPolicy.single(objects, Service.class).getMetadata().getName());
        });
    }

    @Test
    void anExistingClaimReplacesTheChartsOwn() throws Exception {
        List<HasMetadata> objects = render(Map.of("persistence.existingClaim", "restored-data"));
        assertThat(KubernetesPolicy.ofKind(objects, PersistentVolumeClaim.class)).isEmpty();
        assertThat(KubernetesPolicy.dataClaim(KubernetesPolicy.single(objects, Deployment.class))).contains("restored-data");
    }

    @Test
    void storageClassSizeAndExtraEnvironmentAreApplied() throws Exception {
        List<HasMetadata> objects = render(Map.of("persistence.storageClass", "local-path", "persistence.size", "5Gi",
                "env.IDLE_TIMEOUT", "120s", "resources.limits.memory", "1Gi"));
        PersistentVolumeClaim claim = KubernetesPolicy.single(objects, PersistentVolumeClaim.class);
        assertThat(claim.getSpec().getStorageClassName()).isEqualTo("local-path");
        assertThat(claim.getSpec().getResources().getRequests().get("storage").toString()).isEqualTo("5Gi");
        Container relay = KubernetesPolicy.relay(KubernetesPolicy.single(objects, Deployment.class));
        assertThat(relay.getEnv()).anyMatch(e -> e.getName().equals("IDLE_TIMEOUT") && e.getValue().equals("120s"));
        assertThat(relay.getResources().getLimits().get("memory").toString()).isEqualTo("1Gi");
    }

    @Test
    void withoutPersistenceTheDataIsAnEmptyDir() throws Exception {
        List<HasMetadata> objects = render(Map.of("persistence.enabled", "false"));
        assertThat(KubernetesPolicy.ofKind(objects, PersistentVolumeClaim.class)).isEmpty();
        assertThat(KubernetesPolicy.dataClaim(KubernetesPolicy.single(objects, Deployment.class))).isEmpty();
    }

    @Test
    void theTailscaleSidecarJoinsThePodWithItsServeConfig() throws Exception {
        List<HasMetadata> objects = render(Map.of("tailscale.enabled", "true", "tailscale.existingSecret", "ts-key",
                "tailscale.serve", "tcp"));
        Deployment deployment = KubernetesPolicy.single(objects, Deployment.class);
        KubernetesPolicy.check(deployment);
        Container sidecar = deployment.getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(c -> c.getName().equals("tailscale")).findFirst().orElseThrow();
        assertThat(sidecar.getImage()).matches("tailscale/tailscale:v\\d+\\.\\d+\\.\\d+");
        Map<String, String> env = new LinkedHashMap<>();
        sidecar.getEnv().forEach(e -> env.put(e.getName(), e.getValue()));
        assertThat(env).containsEntry("TS_USERSPACE", "true").containsEntry("TS_SERVE_CONFIG", "/config/serve.json");
        assertThat(sidecar.getEnv()).anyMatch(e -> e.getName().equals("TS_AUTHKEY")
                && e.getValueFrom().getSecretKeyRef().getName().equals("ts-key"));
        assertThat(KubernetesPolicy.ofKind(objects, Secret.class)).as("the existing secret is used").isEmpty();
        ConfigMap serve = KubernetesPolicy.single(objects, ConfigMap.class);
        assertThat(Packaging.JSON.readTree(serve.getData().get("serve.json")))
                .isEqualTo(Packaging.JSON.readTree(Packaging.file("tailscale/serve-tcp.json").toFile()));
        Role role = KubernetesPolicy.single(objects, Role.class);
        assertThat(role.getRules()).anyMatch(r -> r.getResourceNames() != null
                && r.getResourceNames().contains(env.get("TS_KUBE_SECRET")));
        assertThat(deployment.getSpec().getTemplate().getSpec().getServiceAccountName()).endsWith("-tailscale");
    }

    @Test
    void anAuthKeyValueBecomesASecret() throws Exception {
        List<HasMetadata> objects = render(Map.of("tailscale.enabled", "true", "tailscale.authKey", "tskey-auth-test"));
        Secret secret = KubernetesPolicy.single(objects, Secret.class);
        assertThat(secret.getStringData()).containsEntry("TS_AUTHKEY", "tskey-auth-test");
        ConfigMap serve = KubernetesPolicy.single(objects, ConfigMap.class);
        assertThat(Packaging.JSON.readTree(serve.getData().get("serve.json")))
                .isEqualTo(Packaging.JSON.readTree(Packaging.file("tailscale/serve.json").toFile()));
    }

    @Test
    void mistakesFailTheRender() {
        assertThatThrownBy(() -> render(Map.of("image.tag", "latest"))).hasMessageContaining("not latest");
        assertThatThrownBy(() -> render(Map.of("tailscale.enabled", "true"))).hasMessageContaining("TS_AUTHKEY");
    }

    @Test
    void theChartsServeFilesAreTheTailscaleFolders() {
        for (String serve : List.of("serve.json", "serve-tcp.json")) {
            assertThat(CHART.resolve("files").resolve(serve)).hasSameTextualContentAs(Packaging.file("tailscale/" + serve));
        }
    }

    static List<HasMetadata> render(Map<String, String> values) throws Exception {
        TemplateCommand template = new Helm(CHART).template().withName("rott-sync").withNamespace("rott-sync");
        values.forEach(template::set);
        return KubernetesPolicy.objects(template.call());
    }
}
