package rottsync.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client on another host: a network namespace this test creates, joined to the machine by a veth pair
 * on a private /30. The server listens only on the host side of that pair. Needs root (CI runs as root);
 * elsewhere the test is skipped with the reason.
 */
class NetworkNamespaceIT {
    private final String namespace = "rott-it-" + ProcessHandle.current().pid();
    private final String hostSide = "rh" + ProcessHandle.current().pid() % 100000;
    private final String hostAddress = "10.213.77.1";
    private final String clientAddress = "10.213.77.2";

    @TempDir
    Path dir;

    @BeforeEach
    void createNamespace() throws Exception {
        boolean created = sh("ip", "netns", "add", namespace) == 0;
        assumeTrue(created, "cannot create network namespaces here (needs root and iproute2)");
        String nsSide = hostSide + "n";
        check("ip", "link", "add", hostSide, "type", "veth", "peer", "name", nsSide);
        check("ip", "link", "set", nsSide, "netns", namespace);
        check("ip", "addr", "add", hostAddress + "/30", "dev", hostSide);
        check("ip", "link", "set", hostSide, "up");
        check("ip", "netns", "exec", namespace, "ip", "addr", "add", clientAddress + "/30", "dev", nsSide);
        check("ip", "netns", "exec", namespace, "ip", "link", "set", nsSide, "up");
        check("ip", "netns", "exec", namespace, "ip", "link", "set", "lo", "up");
    }

    @AfterEach
    void removeNamespace() throws Exception {
        sh("ip", "link", "del", hostSide);
        sh("ip", "netns", "del", namespace);
    }

    @Test
    void aLanClientIsAllowedByDefault() throws Exception {
        try (ServerProcess server = ServerProcess.rottSync(dir, "netns-default", Map.of("HOST", hostAddress))
                .start()) {
            JsonNode relay = clientInNamespace("relay", "--server", server.url());
            assertThat(relay.get("convergedHeads").size()).isPositive();
        }
    }

    @Test
    void aClientOutsideTheAllowedNetworksIsRefused() throws Exception {
        try (ServerProcess server = ServerProcess.rottSync(dir, "netns-refused",
                Map.of("HOST", hostAddress, "ALLOWED_NETWORKS", hostAddress + "/32")).start()) {
            JsonNode probe = clientInNamespace("probe", "--server", server.url(), "--timeout", "5000");
            assertThat(probe.get("status").asInt()).isEqualTo(403);
            assertThat(server.logText()).contains("refused connection from " + clientAddress);
        }
    }

    private JsonNode clientInNamespace(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace, "node", "client.mjs"));
        command.addAll(List.of(args));
        Path out = dir.resolve("client-" + System.nanoTime() + ".json");
        Process p = new ProcessBuilder(command).directory(NodeClient.clientDir().toFile())
                .redirectOutput(out.toFile()).redirectError(dir.resolve("client.err").toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        String text = java.nio.file.Files.readString(out).trim();
        return NodeClient.parse(text.substring(text.lastIndexOf('\n') + 1));
    }

    private static int sh(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }

    private static void check(String... command) throws Exception {
        assertThat(sh(command)).as(String.join(" ", command)).isZero();
    }
}
