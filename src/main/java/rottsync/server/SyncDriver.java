package rottsync.server;

import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.websockets.next.WebSocketConnection;
import io.vertx.core.buffer.Buffer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import io.quarkus.websockets.next.CloseReason;
import rottsync.access.RateBudget;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;
import rottsync.protocol.MalformedMessageException;
import rottsync.protocol.WireCodec;
import rottsync.protocol.WireMessage;
import rottsync.protocol.DocumentId;
import rottsync.storage.GroupCommit;
import rottsync.storage.StorageKey;
import rottsync.sync.CloseCodes;
import rottsync.sync.ConnectionId;
import rottsync.sync.DocumentInput;
import rottsync.sync.DocumentSynchronizer;
import rottsync.sync.Effects;
import rottsync.sync.Hub;
import rottsync.sync.StorageTask;

/**
 * Drives the sans-IO core: turns socket events into {@link Hub} calls, runs each document's inputs on
 * its lane, performs the {@link Effects} (frames out, closes, storage) and feeds storage results back.
 */
@ApplicationScoped
public class SyncDriver {
    private static final Logger LOG = Logger.getLogger(SyncDriver.class);

    private final WireCodec codec = new WireCodec();
    private final Connections connections = new Connections();
    private final ServerStorage storage;
    private final RottConfig config;
    private final Hub hub;
    private final DocumentLanes lanes;
    private final ExecutorService documentThreads;
    private final ScheduledExecutorService timer;
    private final ProblemLog problemLog = new ProblemLog();
    private final ServerEvents events;
    private final AccessControl access;
    private volatile boolean shuttingDown;
    private volatile boolean quiet;
    private boolean drained;
    /**
     * Before closing, the server stops sending for this long. automerge-repo 2.5.6 breaks a document handle
     * ("Attempting to change an outdated document") when it must answer a sync message on a socket that
     * is already closing; a quiet moment lets clients answer everything they got before the close arrives.
     */
    static final long QUIET_BEFORE_CLOSE_MILLIS = 300;

    SyncDriver(ServerStorage storage, RottConfig config, Instance<ServerEvents> listeners, AccessControl access) {
        this.storage = storage;
        this.config = config;
        this.access = access;
        this.events = listeners.isResolvable() ? listeners.get() : new ServerEvents() { };
        int threads = config.documentThreads() > 0
                ? config.documentThreads()
                : Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
        this.documentThreads = Executors.newFixedThreadPool(threads, named("rott-document"));
        this.timer = Executors.newSingleThreadScheduledExecutor(named("rott-timer"));
        String peerId = config.peerId().orElseGet(() -> "storage-server-" + hostname());
        long idleMillis = config.idleTimeout().toMillis();
        this.lanes = new DocumentLanes(documentThreads,
                id -> new DocumentSynchronizer(id, peerId, idleMillis), this::work,
                config.maxDocumentsInMemory(), config.maxDocumentBytesInMemory().asLongValue());
        this.hub = new Hub(peerId, storage.storageId(), lanes::submit, config.maxDocumentsPerConnection());
    }

    void start(@Observes StartupEvent event) {
        long keepalive = config.keepaliveInterval().toMillis();
        timer.scheduleAtFixedRate(this::keepalive, keepalive, keepalive, TimeUnit.MILLISECONDS);
        long sweep = Math.max(1000, Math.min(config.idleTimeout().toMillis() / 2, 10_000));
        timer.scheduleAtFixedRate(this::sweep, sweep, sweep, TimeUnit.MILLISECONDS);
    }

    /**
     * Idle documents leave memory on the tick; documents that grew past the size cap since they loaded (or
     * were too busy to leave then) leave once their peers are in sync.
     */
    private void sweep() {
        lanes.broadcast(new DocumentInput.Tick());
        lanes.enforceLoadedCaps();
    }

    /**
     * A shutdown (SIGTERM) begins, before Quarkus stops the HTTP server: readiness goes DOWN and new
     * connections are refused at once; connected clients keep syncing through {@code SHUTDOWN_DELAY}; then
     * every socket closes with 1001 (going away) so clients reconnect, and each document finishes the work
     * it has, so every change received is written and fsynced.
     */
    void shutdownStarted(@Observes ShutdownDelayInitiatedEvent event) {
        shuttingDown = true;
        long delay = config.shutdownDelay().toMillis();
        LOG.infof("shutting down: readiness is DOWN and new connections are refused; %d connection(s) open%s",
                connections.size(), delay > 0 ? ", closing them in " + config.shutdownDelay() : "");
        if (delay > 0) {
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        drain();
    }

    /**
     * Waits until no lane has work and no chunk is being written. A finished write feeds its lane before it
     * counts as completed, and a lane submits a write while it is busy, so an unchanged count of submitted
     * writes around an idle check means nothing was in between.
     */
    private boolean awaitDocumentWork(long deadlineNanos) throws InterruptedException {
        GroupCommit commit = storage.commit();
        while (true) {
            long submitted = commit.submitted();
            if (commit.completed() == submitted && lanes.awaitIdle(deadlineNanos) && commit.submitted() == submitted) {
                return true;
            }
            if (System.nanoTime() - deadlineNanos >= 0) {
                return false;
            }
            Thread.sleep(10);
        }
    }

    /** The last step of a shutdown; drains here if the shutdown did not announce itself first. */
    void stop(@Observes ShutdownEvent event) {
        shuttingDown = true;
        drain();
        documentThreads.shutdown();
    }

    private synchronized void drain() {
        if (drained) {
            return;
        }
        drained = true;
        long started = System.nanoTime();
        timer.shutdownNow();
        int open = connections.size();
        quiet = true;
        if (open > 0) {
            try {
                Thread.sleep(QUIET_BEFORE_CLOSE_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Connections.Entry entry : connections.all()) {
            connections.close(entry.id(), CloseCodes.GOING_AWAY, "server shutting down");
        }
        // One last tick retries writes that failed earlier (e.g. a full disk that has room again).
        lanes.broadcast(new DocumentInput.Tick());
        boolean idle = false;
        try {
            idle = awaitDocumentWork(started + config.shutdownTimeout().toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        if (idle) {
            LOG.infof("stopped: closed %d connection(s) with 1001; all document work and writes finished in %d ms",
                    open, millis);
        } else {
            LOG.warnf("stopping after SHUTDOWN_TIMEOUT=%s with document work still running; changes not yet"
                    + " acknowledged to clients may be lost (clients still have them and resend)",
                    config.shutdownTimeout());
        }
    }

    /** A connection turned away before it reached the endpoint (e.g. an upgrade during shutdown): log and count it. */
    public void refuse(String address, String reason) {
        problemLog.refused(address, reason);
        events.connectionRefused(reason.replace(' ', '-'));
    }

    /** True from the first signal of a shutdown on: readiness is DOWN and new connections are refused. */
    public boolean isShuttingDown() {
        return shuttingDown;
    }

    public Hub hub() {
        return hub;
    }

    public int connectionCount() {
        return connections.size();
    }

    public int documentsInMemory() {
        return (int) lanes.loadedCount();
    }

    void opened(WebSocketConnection socket) {
        if (shuttingDown) {
            refuse(socket.handshakeRequest().remoteAddress(), "server shutting down");
            socket.close(new CloseReason(CloseCodes.GOING_AWAY, "server shutting down"))
                    .subscribe().with(ok -> { }, failure -> { });
            return;
        }
        long now = System.currentTimeMillis();
        String client = access.clientAddress(hostOf(socket.handshakeRequest().remoteAddress()),
                socket.handshakeRequest().header("X-Forwarded-For"));
        Optional<String> full = access.limits().tryOpen(client);
        if (full.isPresent()) {
            problemLog.refused(client, full.get());
            events.connectionRefused("connection-limit");
            socket.close(new CloseReason(CloseCodes.TRY_AGAIN_LATER, full.get())).subscribe().with(x -> { }, x -> { });
            return;
        }
        Connections.Entry entry = connections.register(socket, client,
                new RateBudget(config.messageRate(), config.messageBurst(), now), now);
        hub.opened(entry.id(), client);
        events.connectionOpened();
    }

    /** "127.0.0.1:5000", "[::1]:5000" or "0:0:0:0:0:0:0:1:5000" to the address part. */
    static String hostOf(String remoteAddress) {
        int colon = remoteAddress.lastIndexOf(':');
        String host = colon > 0 ? remoteAddress.substring(0, colon) : remoteAddress;
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    void binary(WebSocketConnection socket, Buffer frame) {
        connections.of(socket).ifPresent(entry -> {
            long now = System.currentTimeMillis();
            entry.alive(now);
            if (!entry.budget().tryTake(now)) {
                perform(hub.malformed(entry.id(), "rate-limit", "more messages than MESSAGE_RATE allows",
                        CloseCodes.POLICY_VIOLATION));
                return;
            }
            Effects fx;
            try {
                WireMessage message = codec.decode(view(frame));
                events.frameReceived(message.type(), frame.length());
                fx = hub.received(entry.id(), message);
            } catch (MalformedMessageException e) {
                fx = hub.malformed(entry.id(), "malformed-frame", e.getMessage(), CloseCodes.PROTOCOL_ERROR);
            }
            perform(fx);
        });
    }

    /**
     * The frame's bytes without a copy: Vert.x's {@code getByteBuf()} is a slice of the same memory (it is
     * deprecated only in favour of an internal type), where {@code getBytes()} would copy every frame once more.
     */
    @SuppressWarnings("deprecation")
    private static ByteBuffer view(Buffer frame) {
        return frame.getByteBuf().nioBuffer();
    }

    void text(WebSocketConnection socket) {
        connections.of(socket).ifPresent(entry -> perform(hub.malformed(entry.id(), "text-frame",
                "text frames are not part of the protocol; send binary CBOR", CloseCodes.UNSUPPORTED_DATA)));
    }

    void tooBig(WebSocketConnection socket, String detail) {
        connections.of(socket).ifPresent(entry -> perform(hub.malformed(entry.id(), "message-too-big",
                "message too big: the limit is MAX_MESSAGE_SIZE (" + detail + ")", CloseCodes.MESSAGE_TOO_BIG)));
    }

    void pong(WebSocketConnection socket) {
        connections.of(socket).ifPresent(entry -> entry.alive(System.currentTimeMillis()));
    }

    void closed(WebSocketConnection socket) {
        connections.remove(socket).ifPresent(this::forget);
    }

    /** The connection is gone for the core, whether the socket closed or we dropped it. */
    private void forget(Connections.Entry entry) {
        hub.closed(entry.id());
        access.limits().closed(entry.clientAddress());
        events.connectionClosed();
    }

    /** Drops a connection at once: close frame sent, the core told, no further sends. */
    private void drop(Connections.Entry entry, int code, String reason) {
        connections.close(entry.id(), code, reason);
        if (connections.remove(entry.socket()).isPresent()) {
            forget(entry);
        }
    }

    /** Runs on the document's lane: one input, then the storage work it asks for, to completion. */
    private void work(DocumentSynchronizer synchronizer, DocumentInput first) {
        ArrayDeque<DocumentInput> inputs = new ArrayDeque<>();
        inputs.add(first);
        while (!inputs.isEmpty()) {
            Effects fx;
            long started = System.nanoTime();
            boolean wasLoaded = synchronizer.isLoaded();
            try {
                fx = synchronizer.handle(inputs.poll(), System.currentTimeMillis());
            } catch (RuntimeException e) {
                LOG.errorf(e, "document %s: unexpected failure; its peers keep their data and may retry",
                        synchronizer.id());
                continue;
            }
            if (wasLoaded != synchronizer.isLoaded()) {
                if (wasLoaded) {
                    LOG.debugf("document %s left memory", synchronizer.id());
                    events.documentUnloaded();
                } else {
                    events.documentLoaded();
                }
            }
            perform(fx);
            events.documentInputHandled(System.nanoTime() - started);
            for (StorageTask task : fx.storageTasks()) {
                if (task instanceof StorageTask.LoadChunks load) {
                    inputs.add(load(load));
                } else {
                    commit(synchronizer.id(), (StorageTask.WriteChunk) task);
                }
            }
        }
    }

    private DocumentInput load(StorageTask.LoadChunks load) {
        try {
            Map<StorageKey, byte[]> chunks = new LinkedHashMap<>();
            for (StorageKey prefix : load.prefixes()) {
                chunks.putAll(storage.store().loadRange(prefix));
            }
            return new DocumentInput.ChunksLoaded(chunks);
        } catch (IOException | RuntimeException e) {
            return new DocumentInput.LoadFailed(String.valueOf(e));
        }
    }

    /**
     * Hands the chunk to the group commit and goes on: the lane is free for other inputs meanwhile (the core
     * sends nothing about unwritten changes, and changes that arrive now go into the next chunk). The outcome
     * comes back to the document's lane as an input.
     */
    private void commit(DocumentId document, StorageTask.WriteChunk write) {
        long started = System.nanoTime();
        storage.commit().submit(new GroupCommit.Write(write.key(), write.bytes(), failure -> {
            if (failure.isPresent()) {
                lanes.submit(document, new DocumentInput.WriteFailed(write, String.valueOf(failure.get())));
                return;
            }
            events.chunkWritten(System.nanoTime() - started, write.bytes().length);
            for (StorageKey old : write.supersedes()) {
                try {
                    storage.store().delete(old);
                } catch (IOException | RuntimeException e) {
                    LOG.warnf("could not delete superseded chunk %s (harmless duplicate): %s", old, e);
                }
            }
            lanes.submit(document, new DocumentInput.ChunkWritten(write));
        }));
    }

    private void perform(Effects fx) {
        for (Effects.Problem problem : fx.problems()) {
            problemLog.report(problem, hub);
            events.problem(problem.kind());
        }
        for (Effects.Send send : fx.sends()) {
            if (quiet) {
                break; // closing: clients get everything again when they reconnect
            }
            byte[] frame = codec.encode(send.message());
            Connections.SendResult result = connections.send(send.to(), frame, config.maxPendingBytes());
            if (result == Connections.SendResult.SENT) {
                events.frameSent(send.message().type(), frame.length);
            } else if (result == Connections.SendResult.TOO_SLOW) {
                connections.of(send.to()).ifPresent(entry -> {
                    problemLog.report(new Effects.Problem(entry.id(), "slow-reader",
                            "more than MAX_PENDING_BYTES queued for a client that is not reading"), hub);
                    events.problem("slow-reader");
                    drop(entry, CloseCodes.POLICY_VIOLATION, "too slow to read");
                });
            }
        }
        for (Effects.Close close : fx.closes()) {
            connections.close(close.connection(), close.code(), close.reason());
        }
    }

    private void keepalive() {
        long now = System.currentTimeMillis();
        long deadline = 2 * config.keepaliveInterval().toMillis();
        long joinDeadline = config.joinTimeout().toMillis();
        Buffer ping = Buffer.buffer(new byte[0]);
        for (Connections.Entry entry : connections.all()) {
            try {
                if (now - entry.lastSeenMillis().get() > deadline) {
                    LOG.infof("dropping %s (%s): no answer to pings and no traffic for %d ms", entry.id(), entry.clientAddress(),
                            now - entry.lastSeenMillis().get());
                    events.problem("keepalive-timeout");
                    drop(entry, CloseCodes.GOING_AWAY, "keepalive timeout");
                } else if (!hub.isJoined(entry.id()) && now - entry.openedAtMillis() > joinDeadline) {
                    perform(hub.malformed(entry.id(), "join-timeout", "no join within JOIN_TIMEOUT",
                            CloseCodes.POLICY_VIOLATION));
                } else {
                    entry.socket().sendPing(ping).subscribe().with(ok -> { }, failure -> { });
                }
            } catch (RuntimeException e) {
                LOG.debugf("keepalive for %s failed: %s", entry.id(), e);
            }
        }
    }

    static String hostname() {
        String host = System.getenv("HOSTNAME");
        if (host != null && !host.isBlank()) {
            return host;
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger counter = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    ConnectionId idOf(WebSocketConnection socket) {
        return connections.of(socket).map(Connections.Entry::id).orElse(null);
    }
}
