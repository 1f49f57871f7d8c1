package rottsync.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Typed Kubernetes objects (fabric8 kubernetes-model) from YAML, and the rules every rott-sync
 * workload must follow, for the raw manifests and the Helm chart alike.
 */
final class KubernetesPolicy {
    /**
     * Unknown fields fail the conversion, so a misspelt key in a manifest fails the test (the model
     * classes would otherwise keep them in their "additionalProperties").
     */
    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .setAnnotationIntrospector(new JacksonAnnotationIntrospector() {
                @Override
                public Boolean hasAnySetter(Annotated annotated) {
                    return Boolean.FALSE;
                }
            });
    private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.ofEntries(
            Map.entry("Namespace", io.fabric8.kubernetes.api.model.Namespace.class),
            Map.entry("PersistentVolumeClaim", PersistentVolumeClaim.class),
            Map.entry("Deployment", Deployment.class),
            Map.entry("Service", io.fabric8.kubernetes.api.model.Service.class),
            Map.entry("Ingress", io.fabric8.kubernetes.api.model.networking.v1.Ingress.class),
            Map.entry("Secret", io.fabric8.kubernetes.api.model.Secret.class),
            Map.entry("ConfigMap", io.fabric8.kubernetes.api.model.ConfigMap.class),
            Map.entry("ServiceAccount", io.fabric8.kubernetes.api.model.ServiceAccount.class),
            Map.entry("Role", io.fabric8.kubernetes.api.model.rbac.Role.class),
            Map.entry("RoleBinding", io.fabric8.kubernetes.api.model.rbac.RoleBinding.class));

    private KubernetesPolicy() {}

    static List<HasMetadata> objects(String yaml) throws IOException {
        List<HasMetadata> objects = new ArrayList<>();
        for (JsonNode document : Packaging.yamlDocuments(yaml)) {
            String kind = document.path("kind").asText();
            Class<? extends HasMetadata> type = KINDS.get(kind);
            if (type == null) {
                throw new AssertionError("unexpected kind " + kind + " in\n" + document);
            }
            objects.add(STRICT.treeToValue(document, type));
        }
        return objects;
    }

    static <T extends HasMetadata> List<T> ofKind(List<HasMetadata> objects, Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    static <T extends HasMetadata> T single(List<HasMetadata> objects, Class<T> type) {
        List<T> found = ofKind(objects, type);
        assertThat(found).as("exactly one " + type.getSimpleName()).hasSize(1);
        return found.get(0);
    }

    static Container relay(Deployment deployment) {
        return deployment.getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(c -> c.getName().equals("rott-sync")).findFirst()
                .orElseThrow(() -> new AssertionError("no rott-sync container"));
    }

    /** The rules: one writer, probes on the management port, non-root, read-only root, no latest tag. */
    static void check(Deployment deployment) {
        var spec = deployment.getSpec();
        assertThat(spec.getReplicas()).as("one writer").isEqualTo(1);
        assertThat(spec.getStrategy().getType()).as("no overlap during updates").isEqualTo("Recreate");
        assertThat(spec.getSelector().getMatchLabels()).isNotEmpty();
        assertThat(spec.getTemplate().getMetadata().getLabels()).containsAllEntriesOf(spec.getSelector().getMatchLabels());
        PodSpec pod = spec.getTemplate().getSpec();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(185L);
        assertThat(pod.getSecurityContext().getFsGroup()).as("data volume writable for the image's uid").isEqualTo(185L);
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");

        for (Container container : pod.getContainers()) {
            assertThat(container.getImage()).as(container.getName() + " image")
                    .matches("[^:@\\s]+:[^:@\\s]+").doesNotEndWith(":latest");
            var security = container.getSecurityContext();
            assertThat(security.getAllowPrivilegeEscalation()).isFalse();
            assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
            assertThat(security.getCapabilities().getAdd()).isNullOrEmpty();
            assertThat(security.getPrivileged()).isNotEqualTo(Boolean.TRUE);
            assertThat(Optional.ofNullable(security.getRunAsUser()).orElse(185L)).isNotZero();
        }

        Container relay = relay(deployment);
        assertThat(relay.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        int management = port(relay, "management");
        assertThat(management).isEqualTo(9000);
        assertThat(port(relay, "ws")).isEqualTo(3030);
        checkProbe(relay, relay.getStartupProbe(), "/q/health/started", management);
        checkProbe(relay, relay.getReadinessProbe(), "/q/health/ready", management);
        checkProbe(relay, relay.getLivenessProbe(), "/q/health/live", management);

        Map<String, Volume> volumes = new java.util.HashMap<>();
        pod.getVolumes().forEach(v -> volumes.put(v.getName(), v));
        VolumeMount tmp = mount(relay, "/tmp");
        assertThat(volumes.get(tmp.getName()).getEmptyDir()).as("/tmp is an emptyDir").isNotNull();
        VolumeMount data = mount(relay, "/data");
        assertThat(volumes).containsKey(data.getName());
        assertThat(relay.getEnv()).anyMatch(e -> e.getName().equals("DATA_DIR") && e.getValue().equals("/data"));

        var resources = relay.getResources();
        assertThat(resources.getRequests()).containsEntry("memory", new Quantity("128Mi"))
                .containsEntry("cpu", new Quantity("100m"));
        assertThat(resources.getLimits()).containsEntry("memory", new Quantity("512Mi")).doesNotContainKey("cpu");
    }

    private static void checkProbe(Container container, Probe probe, String path, int port) {
        assertThat(probe).as(path + " probe").isNotNull();
        assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
        IntOrString target = probe.getHttpGet().getPort();
        int resolved = target.getStrVal() != null ? port(container, target.getStrVal()) : target.getIntVal();
        assertThat(resolved).as(path + " on the management port").isEqualTo(port);
    }

    static int port(Container container, String name) {
        return container.getPorts().stream().filter(p -> name.equals(p.getName())).map(ContainerPort::getContainerPort)
                .findFirst().orElseThrow(() -> new AssertionError("no port named " + name));
    }

    private static VolumeMount mount(Container container, String path) {
        return container.getVolumeMounts().stream().filter(m -> m.getMountPath().equals(path)).findFirst()
                .orElseThrow(() -> new AssertionError("nothing mounted at " + path));
    }

    /** The claim the Deployment mounts at /data, or empty for an emptyDir. */
    static Optional<String> dataClaim(Deployment deployment) {
        String volume = mount(relay(deployment), "/data").getName();
        return deployment.getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(v -> v.getName().equals(volume)).findFirst()
                .map(Volume::getPersistentVolumeClaim).map(c -> c.getClaimName());
    }
}
