package rottsync.interop;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.automerge.ChangeHash;
import org.automerge.Document;
import org.automerge.SyncState;
import rottsync.protocol.DocumentId;
import rottsync.protocol.MalformedMessageException;
import rottsync.protocol.WireCodec;
import rottsync.protocol.WireMessage;

/**
 * A hand-driven peer over a real WebSocket (the JDK's client): sends exactly the frames a test wants,
 * good or bad, and records what the server sends back and how it closes.
 */
final class RawPeer implements AutoCloseable {
    record Closed(int code, String reason) {}

    private static final WireCodec CODEC = new WireCodec();

    private final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private final CompletableFuture<Closed> closed = new CompletableFuture<>();
    private final WebSocket socket;
    final String peerId;

    private RawPeer(String url, String peerId) throws Exception {
        this.peerId = peerId;
        this.socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .buildAsync(URI.create(url), new Listener()).get(10, TimeUnit.SECONDS);
    }

    static RawPeer connect(String url) throws Exception {
        return new RawPeer(url, "raw-" + System.nanoTime());
    }

    /** Connects and joins under a chosen peer id, e.g. to act as the same device on a second socket. */
    static RawPeer joinedAs(String url, String peerId) throws Exception {
        RawPeer peer = new RawPeer(url, peerId);
        peer.send(new WireMessage.Join(peerId, new WireMessage.PeerMetadata(null, true), List.of("1")));
        if (!(peer.next() instanceof WireMessage.Peer)) {
            throw new AssertionError("expected peer");
        }
        return peer;
    }

    /** Connects and completes the join/peer handshake. */
    static RawPeer joined(String url) throws Exception {
        RawPeer peer = connect(url);
        peer.send(new WireMessage.Join(peer.peerId, new WireMessage.PeerMetadata(null, true), List.of("1")));
        WireMessage reply = peer.next();
        if (!(reply instanceof WireMessage.Peer)) {
            throw new AssertionError("expected peer, got " + reply);
        }
        return peer;
    }

    void send(WireMessage message) {
        sendBytes(CODEC.encode(message));
    }

    void sendBytes(byte[] frame) {
        socket.sendBinary(ByteBuffer.wrap(frame), true).join();
    }

    void sendText(String text) {
        socket.sendText(text, true).join();
    }

    void abort() {
        socket.abort();
    }

    /** The next decoded message from the server, failing after 10 s. */
    WireMessage next() throws Exception {
        Object item = inbox.poll(10, TimeUnit.SECONDS);
        if (item == null) {
            throw new AssertionError("no message from the server within 10 s");
        }
        if (item instanceof Closed c) {
            throw new AssertionError("connection closed instead: " + c);
        }
        return CODEC.decode((byte[]) item);
    }

    /** Messages until the server closes the connection, then the close. */
    Closed awaitClose() throws Exception {
        return closed.get(15, TimeUnit.SECONDS);
    }

    Optional<WireMessage.Error> errorBeforeClose() throws Exception {
        awaitClose();
        for (Object item : inbox) {
            if (item instanceof byte[] bytes) {
                try {
                    if (CODEC.decode(bytes) instanceof WireMessage.Error e) {
                        return Optional.of(e);
                    }
                } catch (MalformedMessageException ignored) {
                    // not ours to judge here
                }
            }
        }
        return Optional.empty();
    }

    /** Asks for a document the way a client without it does, and returns it synced to the server's heads. */
    Document fetch(DocumentId id) throws Exception {
        Document doc = new Document();
        SyncState state = new SyncState();
        send(new WireMessage.Request(peerId, "server", id, doc.generateSyncMessage(state).orElseThrow()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            WireMessage reply = next();
            if (reply instanceof WireMessage.DocUnavailable) {
                throw new AssertionError("server says " + id + " is unavailable");
            }
            if (reply instanceof WireMessage.Sync sync) {
                doc.receiveSyncMessage(state, sync.data());
                Optional<byte[]> answer = doc.generateSyncMessage(state);
                if (answer.isEmpty() && doc.getHeads().length > 0) {
                    return doc;
                }
                answer.ifPresent(bytes -> send(new WireMessage.Sync(peerId, "server", id, bytes)));
                if (doc.getHeads().length > 0 && state.isInSync(doc)) {
                    return doc;
                }
            }
        }
        throw new AssertionError("document " + id + " did not arrive within 10 s");
    }

    /** Uploads a document and waits until the server's sync reply shows it has every change. */
    void upload(DocumentId id, Document doc) throws Exception {
        SyncState state = new SyncState();
        send(new WireMessage.Sync(peerId, "server", id, doc.generateSyncMessage(state).orElseThrow()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            WireMessage reply = next();
            if (reply instanceof WireMessage.Sync sync) {
                doc.receiveSyncMessage(state, sync.data());
                Optional<byte[]> answer = doc.generateSyncMessage(state);
                answer.ifPresent(bytes -> send(new WireMessage.Sync(peerId, "server", id, bytes)));
                if (answer.isEmpty() && state.isInSync(doc)) {
                    return;
                }
            }
        }
        throw new AssertionError("upload of " + id + " not acknowledged within 10 s");
    }

    static ChangeHash[] heads(Document doc) {
        return doc.getHeads();
    }

    @Override
    public void close() {
        socket.abort();
    }

    private final class Listener implements WebSocket.Listener {
        private final ByteBuffer[] partial = {ByteBuffer.allocate(0)};

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            ByteBuffer joined = ByteBuffer.allocate(partial[0].remaining() + data.remaining());
            joined.put(partial[0]).put(data).flip();
            if (last) {
                byte[] bytes = new byte[joined.remaining()];
                joined.get(bytes);
                inbox.add(bytes);
                partial[0] = ByteBuffer.allocate(0);
            } else {
                partial[0] = joined;
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            Closed c = new Closed(statusCode, reason);
            closed.complete(c);
            inbox.add(c);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            Closed c = new Closed(-1, String.valueOf(error));
            closed.complete(c);
            inbox.add(c);
        }
    }
}
