package rottsync.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** deploy/kubernetes/: the plain manifests docs/kubernetes.md applies with kubectl, as typed objects. */
class KubernetesManifestsTest {
    static List<HasMetadata> core;
    static List<HasMetadata> optional;

    @BeforeAll
    static void load() throws Exception {
        core = load(Packaging.file("deploy/kubernetes"));
        optional = load(Packaging.file("deploy/kubernetes/optional"));
    }

    private static List<HasMetadata> load(Path dir) throws Exception {
        List<HasMetadata> objects = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                objects.addAll(KubernetesPolicy.objects(Files.readString(file)));
            }
        }
        return objects;
    }

    @Test
    void theDeploymentFollowsThePolicy() {
        KubernetesPolicy.check(KubernetesPolicy.single(core, Deployment.class));
    }

    @Test
    void thePolicyRejectsWhatItForbids() throws Exception {
        String deployment = Packaging.read("deploy/kubernetes/20-deployment.yaml");
        for (String[] change : new String[][] {
                {"type: Recreate", "type: RollingUpdate"},
                {"readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false"},
                {"rott-sync:0.1.0", "rott-sync:latest"},
                {"port: management\n            periodSeconds: 10", "port: ws\n            periodSeconds: 10"},
                {"runAsNonRoot: true", "runAsNonRoot: false"},
                {"drop: [ALL]", "drop: [NET_RAW]"}}) {
            assertThat(deployment).contains(change[0]);
            Deployment changed = KubernetesPolicy.single(
                    KubernetesPolicy.objects(deployment.replace(change[0], change[1])), Deployment.class);
            assertThatThrownBy(() -> KubernetesPolicy.check(changed)).as(change[1]).isInstanceOf(AssertionError.class);
        }
        assertThatThrownBy(() -> KubernetesPolicy.objects(deployment.replace("livenessProbe:", "livenesProbe:")))
                .as("a misspelt key").hasMessageContaining("livenesProbe");
    }

    @Test
    void kubectlApplyOfTheFolderCreatesTheNamespaceFirst() throws Exception {
        // kubectl apply -f <folder> reads the files in name order; the namespace must exist before the rest.
        try (Stream<Path> files = Files.list(Packaging.file("deploy/kubernetes"))) {
            List<Path> yaml = files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
            assertThat(KubernetesPolicy.objects(Files.readString(yaml.get(0))))
                    .singleElement().isInstanceOf(Namespace.class);
        }
    }

    @Test
    void everythingLivesInTheRottSyncNamespace() {
        Namespace namespace = KubernetesPolicy.single(core, Namespace.class);
        assertThat(namespace.getMetadata().getName()).isEqualTo("rott-sync");
        assertThat(namespace.getMetadata().getLabels()).containsEntry("pod-security.kubernetes.io/enforce", "restricted");
        Stream.concat(core.stream(), optional.stream()).filter(o -> !(o instanceof Namespace))
                .forEach(o -> assertThat(o.getMetadata().getNamespace()).as(o.getKind()).isEqualTo("rott-sync"));
    }

    @Test
    void theDeploymentMountsTheClaimThatIsDefined() {
        Deployment deployment = KubernetesPolicy.single(core, Deployment.class);
        PersistentVolumeClaim claim = KubernetesPolicy.single(core, PersistentVolumeClaim.class);
        assertThat(KubernetesPolicy.dataClaim(deployment)).contains(claim.getMetadata().getName());
        assertThat(claim.getSpec().getAccessModes()).containsExactly("ReadWriteOnce");
    }

    @Test
    void servicesSelectThePodAndTargetItsNamedPorts() {
        Deployment deployment = KubernetesPolicy.single(core, Deployment.class);
        var podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
        List<Service> services = new ArrayList<>(KubernetesPolicy.ofKind(core, Service.class));
        services.addAll(KubernetesPolicy.ofKind(optional, Service.class));
        assertThat(services).extracting(s -> s.getSpec().getType()).containsExactlyInAnyOrder("ClusterIP", "NodePort");
        for (Service service : services) {
            assertThat(podLabels).containsAllEntriesOf(service.getSpec().getSelector());
            for (ServicePort port : service.getSpec().getPorts()) {
                KubernetesPolicy.port(KubernetesPolicy.relay(deployment), port.getTargetPort().getStrVal());
            }
        }
        Service nodePort = services.stream().filter(s -> s.getSpec().getType().equals("NodePort")).findFirst().orElseThrow();
        assertThat(nodePort.getSpec().getPorts()).singleElement()
                .satisfies(p -> assertThat(p.getNodePort()).isEqualTo(30030))
                .satisfies(p -> assertThat(p.getTargetPort().getStrVal()).isEqualTo("ws"));
    }

    @Test
    void theOptionalIngressRoutesToTheWebSocketPort() {
        Ingress ingress = KubernetesPolicy.single(optional, Ingress.class);
        var backend = ingress.getSpec().getRules().get(0).getHttp().getPaths().get(0).getBackend().getService();
        assertThat(backend.getName()).isEqualTo(KubernetesPolicy.single(core, Service.class).getMetadata().getName());
        assertThat(backend.getPort().getName()).isEqualTo("ws");
        assertThat(ingress.getMetadata().getAnnotations()).containsKey("nginx.ingress.kubernetes.io/proxy-read-timeout");
    }
}
