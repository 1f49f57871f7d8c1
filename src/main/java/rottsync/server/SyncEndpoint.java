package rottsync.server;

import io.quarkus.websockets.next.OnBinaryMessage;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnError;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnPongMessage;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.common.annotation.NonBlocking;
import io.vertx.core.buffer.Buffer;
import org.jboss.logging.Logger;

/**
 * The WebSocket that automerge-repo's WebSocketClientAdapter connects to. Only forwards events. Every
 * callback runs on the connection's event loop ({@code @NonBlocking}): none of them waits (document work
 * goes to the lanes), so a hop to a worker thread per frame would only cost a wake-up and a context switch.
 */
@WebSocket(path = "/")
public class SyncEndpoint {
    private static final Logger LOG = Logger.getLogger(SyncEndpoint.class);

    private final SyncDriver driver;

    SyncEndpoint(SyncDriver driver) {
        this.driver = driver;
    }

    @OnOpen
    @NonBlocking
    void onOpen(WebSocketConnection connection) {
        driver.opened(connection);
    }

    @OnBinaryMessage
    @NonBlocking
    void onBinary(WebSocketConnection connection, Buffer frame) {
        driver.binary(connection, frame);
    }

    @OnTextMessage
    @NonBlocking
    void onText(WebSocketConnection connection, String text) {
        driver.text(connection);
    }

    @OnPongMessage
    @NonBlocking
    void onPong(WebSocketConnection connection, Buffer data) {
        driver.pong(connection);
    }

    @OnClose
    @NonBlocking
    void onClose(WebSocketConnection connection) {
        driver.closed(connection);
    }

    @OnError
    void onError(WebSocketConnection connection, Throwable failure) {
        if (isMessageTooBig(failure)) {
            driver.tooBig(connection, failure.getMessage());
        } else {
            LOG.debugf("connection %s: %s", connection.id(), failure.toString());
        }
    }

    /** Vert.x reports a message over the size limit as a failure on the connection and keeps it open. */
    static boolean isMessageTooBig(Throwable failure) {
        return failure instanceof IllegalStateException && String.valueOf(failure.getMessage()).contains("max message size");
    }
}
