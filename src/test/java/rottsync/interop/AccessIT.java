package rottsync.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rottsync.protocol.DocumentId;
import rottsync.protocol.WireCodec;
import rottsync.protocol.WireMessage;

/**
 * Allowed networks, the token and every per-peer limit over real sockets; each misbehaving client is
 * refused while a real automerge-repo client keeps syncing.
 */
class AccessIT {
    @TempDir
    Path dir;

    @Test
    void addressesOutsideTheAllowedNetworksGet403BeforeAnyProtocolWork() throws Exception {
        try (ServerProcess server = ServerProcess.rottSync(dir, "access-networks",
                Map.of("ALLOWED_NETWORKS", "10.0.0.0/8")).start()) {
            HttpResponse<String> page = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(403);
            JsonNode probe = NodeClient.run("probe", "--server", server.url(), "--timeout", "5000");
            assertThat(probe.get("status").asInt()).isEqualTo(403);
            assertThat(server.logText()).contains("refused connection from 127.0.0.1")
                    .contains("not in ALLOWED_NETWORKS");
        }
    }

    @Test
    void withATokenSetOnlyClientsThatPresentItGetIn() throws Exception {
        String token = "correct-horse-battery";
        try (ServerProcess server = ServerProcess.rottSync(dir, "access-token", Map.of("AUTH_TOKEN", token))
                .start()) {
            assertThat(status(server.url())).isEqualTo(401);
            assertThat(status(server.url() + "/?token=wrong")).isEqualTo(401);
            assertThat(NodeClient.run("probe", "--server", server.url(), "--bearer", "wrong")
                    .get("status").asInt()).isEqualTo(401);
            assertThat(status(server.url() + "/?token=" + token)).isEqualTo(101);
            assertThat(NodeClient.run("probe", "--server", server.url(), "--bearer", token)
                    .get("status").asInt()).isEqualTo(101);

            JsonNode relay = NodeClient.run("relay", "--server", server.url() + "/?token=" + token);
            assertThat(relay.get("convergedHeads").size()).isPositive();
            assertThat(server.logText()).contains("token required").doesNotContain(token);
        }
    }

    @Test
    void eachLimitStopsOnlyTheMisbehavingPeer() throws Exception {
        try (ServerProcess server = ServerProcess.rottSync(dir, "access-limits", Map.of(
                "JOIN_TIMEOUT", "1s", "KEEPALIVE_INTERVAL", "1s", "MESSAGE_RATE", "20", "MESSAGE_BURST", "200",
                "MAX_DOCUMENTS_PER_CONNECTION", "50", "MAX_CONNECTIONS_PER_ADDRESS", "3",
                "MAX_PENDING_BYTES", "1048576")).start()) {
            Process relay = NodeClient.spawn(dir.resolve("relay.json"), "relay", "--server", server.url());

            try (HandMadeSocket silent = new HandMadeSocket("127.0.0.2", server.port())) {
                assertThat(silent.awaitCloseCode()).as("no join in time").isEqualTo(1008);
            }

            try (RawPeer flooder = RawPeer.joined(server.url())) {
                DocumentId doc = DocumentId.random();
                for (int i = 1; i <= 400; i++) {
                    flooder.send(new WireMessage.Ephemeral(flooder.peerId, "server", doc, new byte[] {(byte) 0xa0},
                            "s", i));
                }
                assertThat(flooder.awaitClose().code()).as("rate limit").isEqualTo(1008);
            }

            try (RawPeer hoarder = RawPeer.joined(server.url())) {
                for (int i = 0; i < 51; i++) {
                    hoarder.send(new WireMessage.DocUnavailable(hoarder.peerId, "server", DocumentId.random()));
                }
                assertThat(hoarder.errorBeforeClose()).get().extracting(WireMessage.Error::message).asString()
                        .contains("MAX_DOCUMENTS_PER_CONNECTION");
            }

            List<HandMadeSocket> sockets = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    HandMadeSocket socket = new HandMadeSocket("127.0.0.3", server.port());
                    sockets.add(socket);
                    socket.join("same-address-" + i);
                }
                try (HandMadeSocket fourth = new HandMadeSocket("127.0.0.3", server.port())) {
                    assertThat(fourth.awaitCloseCode()).as("per-address cap").isEqualTo(1013);
                }
            } finally {
                for (HandMadeSocket s : sockets) {
                    s.close();
                }
            }

            assertThat(relay.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(relay.exitValue()).as("the well-behaved client kept syncing").isZero();
            assertThat(server.logText()).contains("[join-timeout]").contains("[rate-limit]")
                    .contains("[too-many-documents]").contains("MAX_CONNECTIONS_PER_ADDRESS");
        }
    }

    @Test
    void theOverallConnectionCapRefusesTheNextConnectionUntilOneCloses() throws Exception {
        try (ServerProcess server = ServerProcess.rottSync(dir, "access-max-connections",
                Map.of("MAX_CONNECTIONS", "4")).start()) {
            List<HandMadeSocket> sockets = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    HandMadeSocket socket = new HandMadeSocket("127.0.0.5", server.port());
                    sockets.add(socket);
                    socket.join("holder-" + i);
                }
                try (HandMadeSocket fifth = new HandMadeSocket("127.0.0.6", server.port())) {
                    assertThat(fifth.awaitCloseCode()).isEqualTo(1013);
                }
            } finally {
                for (HandMadeSocket s : sockets) {
                    s.close();
                }
            }
            Thread.sleep(500);
            JsonNode relay = NodeClient.run("relay", "--server", server.url());
            assertThat(relay.get("convergedHeads").size()).isPositive();
            assertThat(server.logText()).contains("MAX_CONNECTIONS=4");
        }
    }

    @Test
    void aClientThatStopsReadingIsDroppedInsteadOfBufferedWithoutBound() throws Exception {
        try (ServerProcess server = ServerProcess.rottSync(dir, "access-slow-reader", Map.of(
                "MAX_PENDING_BYTES", "1048576", "MESSAGE_BURST", "5000")).start()) {
            DocumentId doc = DocumentId.random();
            WireCodec codec = new WireCodec();
            try (HandMadeSocket sloth = new HandMadeSocket("127.0.0.4", server.port());
                    RawPeer talker = RawPeer.joined(server.url())) {
                sloth.sendBinary(codec.encode(new WireMessage.Join("sloth", new WireMessage.PeerMetadata(null, true),
                        List.of("1"))));
                sloth.sendBinary(codec.encode(new WireMessage.Request("sloth", "server", doc,
                        new org.automerge.Document().generateSyncMessage(new org.automerge.SyncState()).orElseThrow())));
                Thread.sleep(500);
                byte[] payload = new byte[200_000];
                payload[0] = (byte) 0x40;
                for (int i = 1; i <= 200 && !server.logText().contains("[slow-reader]"); i++) {
                    talker.send(new WireMessage.Ephemeral(talker.peerId, "server", doc, cborBytes(payload), "s", i));
                }
                assertThat(server.logText()).contains("[slow-reader]");
                JsonNode relay = NodeClient.run("relay", "--server", server.url());
                assertThat(relay.get("convergedHeads").size()).isPositive();
            }
        }
    }

    @Test
    void manyConcurrentWellBehavedClientsSyncWithoutErrors() throws Exception {
        try (ServerProcess server = ServerProcess.rottSync(dir, "access-soak").start()) {
            JsonNode soak = NodeClient.run("soak", "--server", server.url(), "--clients", "60", "--count", "3",
                    "--timeout", "120000");
            assertThat(soak.get("documents").asInt()).isEqualTo(180);
            assertThat(server.logText()).doesNotContain("WARN").doesNotContain("ERROR");
        }
    }

    /** A CBOR byte string wrapping {@code raw}: valid CBOR for the ephemeral data field. */
    private static byte[] cborBytes(byte[] raw) {
        byte[] out = new byte[raw.length + 5];
        out[0] = 0x5a;
        out[1] = (byte) (raw.length >>> 24);
        out[2] = (byte) (raw.length >>> 16);
        out[3] = (byte) (raw.length >>> 8);
        out[4] = (byte) raw.length;
        System.arraycopy(raw, 0, out, 5, raw.length);
        return out;
    }

    private static int status(String url) throws Exception {
        try {
            RawPeer.connect(url).close();
            return 101;
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof java.net.http.WebSocketHandshakeException handshake) {
                return handshake.getResponse().statusCode();
            }
            throw e;
        }
    }
}
