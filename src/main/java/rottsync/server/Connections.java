package rottsync.server;

import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;
import rottsync.access.RateBudget;
import rottsync.sync.ConnectionId;

/**
 * The open WebSocket connections, by the core's {@link ConnectionId}, with their last sign of life: a frame
 * from the peer, or a frame of ours that left for it. The second counts because a client working through a
 * backlog of our replies answers pings only after it (automerge-repo handles frames in order), yet it is
 * alive; a peer that is really gone stops taking our frames, so sends stop completing and it still times out.
 */
final class Connections {
    private static final Logger LOG = Logger.getLogger(Connections.class);

    record Entry(ConnectionId id, WebSocketConnection socket, String clientAddress, long openedAtMillis,
            AtomicLong lastSeenMillis, RateBudget budget, AtomicLong pendingBytes) {
        /** A sign of life at this moment; signs arrive from several threads, the latest wins. */
        void alive(long nowMillis) {
            lastSeenMillis.accumulateAndGet(nowMillis, Math::max);
        }
    }

    private final AtomicLong nextId = new AtomicLong(1);
    private final Map<String, Entry> bySocketId = new ConcurrentHashMap<>();
    private final Map<ConnectionId, Entry> byId = new ConcurrentHashMap<>();

    Entry register(WebSocketConnection socket, String clientAddress, RateBudget budget, long nowMillis) {
        Entry entry = new Entry(new ConnectionId(nextId.getAndIncrement()), socket, clientAddress, nowMillis,
                new AtomicLong(nowMillis), budget, new AtomicLong());
        bySocketId.put(socket.id(), entry);
        byId.put(entry.id(), entry);
        return entry;
    }

    Optional<Entry> of(WebSocketConnection socket) {
        return Optional.ofNullable(bySocketId.get(socket.id()));
    }

    Optional<Entry> remove(WebSocketConnection socket) {
        Entry entry = bySocketId.remove(socket.id());
        if (entry != null) {
            byId.remove(entry.id());
        }
        return Optional.ofNullable(entry);
    }

    Iterable<Entry> all() {
        return byId.values();
    }

    int size() {
        return byId.size();
    }

    enum SendResult { SENT, GONE, TOO_SLOW }

    /**
     * Sends without waiting; a message to a connection that has gone is dropped, as the official server does.
     * A client that does not read cannot make the server buffer without bound: once {@code maxPendingBytes}
     * are queued for it, further sends are refused and the caller drops it. A single message always goes.
     */
    SendResult send(ConnectionId to, byte[] frame, long maxPendingBytes) {
        Entry entry = byId.get(to);
        if (entry == null || entry.socket().isClosed()) {
            return SendResult.GONE;
        }
        long pending = entry.pendingBytes().addAndGet(frame.length);
        if (pending > frame.length && pending > maxPendingBytes) {
            entry.pendingBytes().addAndGet(-frame.length);
            return SendResult.TOO_SLOW;
        }
        // Wrapped, not copied: Buffer.buffer(byte[]) would copy a multi-megabyte document once more.
        entry.socket().sendBinary(Buffer.buffer(Unpooled.wrappedBuffer(frame))).subscribe().with(
                ignored -> {
                    entry.pendingBytes().addAndGet(-frame.length);
                    entry.alive(System.currentTimeMillis());
                },
                failure -> {
                    entry.pendingBytes().addAndGet(-frame.length);
                    LOG.debugf("send to %s failed: %s", to, failure.getMessage());
                });
        return SendResult.SENT;
    }

    Optional<Entry> of(ConnectionId id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** A close frame carries at most 123 bytes of reason (RFC 6455 §5.5); clients reject longer ones. */
    static String fitCloseReason(String reason) {
        byte[] utf8 = reason.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (utf8.length <= 123) {
            return reason;
        }
        String cut = new String(utf8, 0, 120, java.nio.charset.StandardCharsets.UTF_8);
        // A multi-byte character cut in half decodes to U+FFFD; drop it.
        return cut.replace("\uFFFD", "") + "...";
    }

    void close(ConnectionId id, int code, String reason) {
        Entry entry = byId.get(id);
        if (entry == null || entry.socket().isClosed()) {
            return;
        }
        entry.socket().close(new CloseReason(code, fitCloseReason(reason))).subscribe().with(
                ignored -> { },
                failure -> LOG.debugf("close of %s failed: %s", id, failure.getMessage()));
    }
}
