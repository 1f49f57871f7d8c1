package rottsync.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.websockets.next.BasicWebSocketConnector;
import io.vertx.core.buffer.Buffer;
import jakarta.inject.Inject;
import java.net.URI;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import rottsync.protocol.WireCodec;
import rottsync.protocol.WireMessage;

/** The endpoint inside Quarkus: a real WebSocket, real CBOR, the production wiring. */
@QuarkusTest
class SyncEndpointTest {
    @TestHTTPResource("/")
    URI root;

    @Inject
    BasicWebSocketConnector connector;

    @Inject
    ServerStorage storage;

    @Test
    void joinGetsAPeerMessageWithTheStorageIdOfTheDataDir() throws Exception {
        WireCodec codec = new WireCodec();
        LinkedBlockingQueue<byte[]> inbox = new LinkedBlockingQueue<>();
        var connection = connector.baseUri(root).path("/")
                .onBinaryMessage((c, buffer) -> inbox.add(buffer.getBytes()))
                .connectAndAwait();
        try {
            connection.sendBinaryAndAwait(Buffer.buffer(codec.encode(new WireMessage.Join("quarkus-test",
                    new WireMessage.PeerMetadata("client-storage", false), List.of("1")))));
            byte[] reply = inbox.poll(10, TimeUnit.SECONDS);
            assertThat(reply).isNotNull();
            WireMessage.Peer peer = (WireMessage.Peer) codec.decode(reply);
            assertThat(peer.targetId()).isEqualTo("quarkus-test");
            assertThat(peer.peerMetadata().storageId()).isEqualTo(storage.storageId());
            assertThat(peer.peerMetadata().isEphemeral()).isFalse();
        } finally {
            connection.closeAndAwait();
        }
    }
}
