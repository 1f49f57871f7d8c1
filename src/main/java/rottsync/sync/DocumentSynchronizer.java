package rottsync.sync;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.automerge.ChangeHash;
import org.automerge.Document;
import rottsync.graph.Chunks;
import rottsync.graph.InvalidDataException;
import rottsync.graph.SyncMessage;
import rottsync.protocol.DocumentId;
import rottsync.protocol.WireMessage;
import rottsync.protocol.WireMessage.DocUnavailable;
import rottsync.protocol.WireMessage.DocumentMessage;
import rottsync.protocol.WireMessage.Ephemeral;
import rottsync.protocol.WireMessage.Request;
import rottsync.sync.DocumentInput.ChunkWritten;
import rottsync.sync.DocumentInput.ChunksLoaded;
import rottsync.sync.DocumentInput.LoadFailed;
import rottsync.sync.DocumentInput.PeerLeft;
import rottsync.sync.DocumentInput.PeerMessage;
import rottsync.sync.DocumentInput.Tick;
import rottsync.sync.DocumentInput.Unload;
import rottsync.sync.DocumentInput.WriteFailed;
import rottsync.sync.PeerDocState.Status;
import rottsync.storage.StorageKey;

/**
 * Syncs one document with the peers that asked for it, the way automerge-repo's DocSynchronizer does
 * on a server whose share policy is "never announce". Not thread-safe: the driver feeds it one input
 * at a time (one lane per document). It performs no I/O; storage work leaves as {@link StorageTask}s.
 *
 * <p>Invariants:
 * <ol>
 *   <li>Only peers that sent a sync or request for this document on their current connection are
 *       active, and only active peers are sent sync or ephemeral messages.</li>
 *   <li>Durability: no sync message leaves while the document holds a change that is not on disk,
 *       so a peer never learns of heads the server could lose.</li>
 *   <li>A peer that wants the document while the server has nothing gets doc-unavailable once all
 *       active peers want it or lack it; it stays active, so a later upload still reaches it.</li>
 *   <li>A peer's sync state outlives its connection only as shared heads (encode/decode), never with
 *       in-flight bookkeeping.</li>
 *   <li>The Automerge document is in memory only while loaded; unloading frees native memory and parks
 *       each active peer's sync state.</li>
 * </ol>
 */
public final class DocumentSynchronizer {
    enum Phase { UNLOADED, LOADING, READY }

    /** Sync states of peers that left, kept so a quick reconnect resumes from shared heads. */
    static final int MAX_PARKED_PEERS = 32;
    /** A compressed change inflated past this is refused rather than held in memory. */
    static final int MAX_INFLATED_CHANGE_BYTES = 64 * 1024 * 1024;

    private final DocumentId id;
    private final String serverPeerId;
    private final long idleMillis;
    private final PersistencePlan persistence;
    private final Map<ConnectionId, PeerDocState> active = new LinkedHashMap<>();
    private final Map<String, byte[]> departed = new LinkedHashMap<>(16, 0.75f, true);
    private final List<PeerMessage> waitingForLoad = new ArrayList<>();
    private Phase phase = Phase.UNLOADED;
    private Document doc;
    /** The loaded document's heads, read once after each change instead of on every question. */
    private ChangeHash[] heads;
    private long lastActivityMillis;
    private boolean retryWrite;
    /** A memory cap asked this document to leave while a write was still under way. */
    private boolean unloadWhenFlushed;

    public DocumentSynchronizer(DocumentId id, String serverPeerId, long idleMillis) {
        this.id = id;
        this.serverPeerId = serverPeerId;
        this.idleMillis = idleMillis;
        this.persistence = new PersistencePlan(id);
    }

    public DocumentId id() {
        return id;
    }

    public boolean isLoaded() {
        return phase == Phase.READY;
    }

    /**
     * The document's size on disk while it is loaded, 0 otherwise: the measure memory caps count, since
     * what Automerge holds in memory grows with it.
     */
    public long storedBytesInMemory() {
        return phase == Phase.READY ? persistence.storedBytes() : 0;
    }

    public int activePeerCount() {
        return active.size();
    }

    /**
     * Loaded, durable, and every active peer has what the server has: unloading now costs no extra round
     * trip, so memory caps evict such documents first.
     */
    public boolean isQuiescent() {
        if (phase != Phase.READY || !persistence.isFlushed(heads)) {
            return false;
        }
        for (PeerDocState peer : active.values()) {
            if (!peer.isInSync(doc)) {
                return false;
            }
        }
        return true;
    }

    /** Asked to leave memory during a write; it will once the write lands, unless a peer needs it first. */
    public boolean isUnloadPending() {
        return unloadWhenFlushed;
    }

    /** Nothing in memory, nobody active, nothing pending: the driver may forget this object. */
    public boolean isDisposable() {
        return phase == Phase.UNLOADED && active.isEmpty() && waitingForLoad.isEmpty();
    }

    public Effects handle(DocumentInput input, long nowMillis) {
        Effects fx = new Effects();
        if (input instanceof PeerMessage m) {
            lastActivityMillis = nowMillis;
            unloadWhenFlushed = false;
            onPeerMessage(m, fx);
        } else if (input instanceof PeerLeft m) {
            onPeerLeft(m.peer());
        } else if (input instanceof ChunksLoaded m) {
            onLoaded(m, fx);
        } else if (input instanceof LoadFailed m) {
            onLoadFailed(m, fx);
        } else if (input instanceof ChunkWritten m) {
            persistence.written(m.task());
            step(fx);
            if (unloadWhenFlushed) {
                unloadIfFlushed();
            }
        } else if (input instanceof WriteFailed m) {
            persistence.writeFailed(m.task());
            retryWrite = true;
            fx.problem(null, "storage-write", "writing " + m.task().key() + " failed: " + m.reason());
        } else if (input instanceof Tick) {
            onTick(nowMillis, fx);
        } else if (input instanceof Unload) {
            unloadWhenFlushed = !unloadIfFlushed();
        }
        return fx;
    }

    private void onPeerMessage(PeerMessage m, Effects fx) {
        DocumentMessage message = m.message();
        if (message instanceof Ephemeral e) {
            forwardEphemeral(m.peer(), e, fx);
            return;
        }
        if (message instanceof DocUnavailable) {
            PeerDocState peer = active.get(m.peer().connection());
            if (peer != null) {
                peer.status = Status.UNAVAILABLE;
            }
            return;
        }
        if (phase == Phase.UNLOADED && isUpToDateWithUs(m)) {
            return;
        }
        if (phase != Phase.READY) {
            waitingForLoad.add(m);
            if (phase == Phase.UNLOADED) {
                phase = Phase.LOADING;
                fx.storage(new StorageTask.LoadChunks(List.of(
                        StorageKey.of(id.value(), StorageKey.SNAPSHOT),
                        StorageKey.of(id.value(), StorageKey.INCREMENTAL))));
            }
            return;
        }
        receiveSync(m, fx);
        step(fx);
    }

    /**
     * A peer's answer to our last message when it only says "I have your heads, I need nothing": loaded,
     * the document would take it in and have nothing to send back. When the document has left memory
     * meanwhile (caps, many documents syncing at once) that answer is the common case, and loading the
     * document just to read it would cost a load per message. Only the heads we last told this peer count,
     * so a peer that never heard them (a reconnect) still gets its answer from the loaded document.
     */
    private boolean isUpToDateWithUs(PeerMessage m) {
        PeerDocState peer = active.get(m.peer().connection());
        if (peer == null || peer.toldHeads == null || !(m.message() instanceof WireMessage.Sync sync)) {
            return false;
        }
        if (!persistence.isFlushed(peer.toldHeads) || !SyncMessages.isUpToDateAt(sync.data(), peer.toldHeads)) {
            return false;
        }
        if (peer.toldHeads.length > 0) {
            peer.status = Status.HAS;
        }
        return true;
    }

    private void receiveSync(PeerMessage m, Effects fx) {
        PeerDocState peer = activate(m.peer());
        byte[] data = m.message() instanceof Request r ? r.data() : ((WireMessage.Sync) m.message()).data();
        long announcedHeads = SyncMessages.headCount(data);
        if (announcedHeads < 0) {
            rejectSyncData(peer, "not an Automerge sync message", fx);
            return;
        }
        if (m.message() instanceof Request) {
            peer.status = Status.WANTS;
        } else if (announcedHeads > 0) {
            peer.status = Status.HAS;
        }
        String invalid = checkedBeforeTheEngine(data);
        if (invalid != null) {
            rejectSyncData(peer, "invalid Automerge sync message: " + invalid, fx);
            return;
        }
        try {
            doc.receiveSyncMessage(peer.syncState(), data);
        } catch (RuntimeException e) {
            rejectSyncData(peer, "invalid Automerge sync message: " + e.getMessage(), fx);
        } finally {
            heads = doc.getHeads();
        }
    }

    /**
     * Automerge 0.5.7 panics, and a panic in its native code ends the whole server, on input it should refuse:
     * a Bloom filter with no bits, millions of probes, change headers with fields out of range. So every
     * message is read in Java first, counts, lengths, filters and the chunks of every change entry with their
     * checksums and headers; what fails never reaches the engine. Null when the message passes.
     */
    private static String checkedBeforeTheEngine(byte[] data) {
        try {
            SyncMessage message = SyncMessage.decode(data);
            for (SyncMessage.Entry entry : message.changes()) {
                Chunks.parse(entry.source(), entry.offset(), entry.length(), MAX_INFLATED_CHANGE_BYTES);
            }
            return null;
        } catch (InvalidDataException e) {
            return e.getMessage();
        }
    }

    private void rejectSyncData(PeerDocState peer, String reason, Effects fx) {
        ConnectionId connection = peer.peer.connection();
        active.remove(connection);
        peer.discard();
        String text = reason + " (document " + id + ")";
        fx.problem(connection, "invalid-sync-data", text);
        fx.send(connection, new WireMessage.Error(serverPeerId, text, peer.peer.peerId()));
        fx.close(connection, CloseCodes.INVALID_PAYLOAD, "invalid sync message");
    }

    /** Persist what is not durable; once everything is, tell every active peer what it lacks. */
    private void step(Effects fx) {
        if (phase != Phase.READY) {
            return;
        }
        persistence.nextWrite(doc, heads).ifPresent(fx::storage);
        if (!persistence.isFlushed(heads)) {
            return;
        }
        boolean empty = heads.length == 0;
        if (empty) {
            announceUnavailable(fx);
        }
        for (PeerDocState peer : active.values()) {
            if (empty && (peer.status == Status.WANTS || peer.status == Status.UNAVAILABLE)) {
                continue;
            }
            Optional<byte[]> message = doc.generateSyncMessage(peer.syncState());
            if (message.isPresent()) {
                peer.toldHeads = heads;
                fx.send(peer.peer.connection(), new WireMessage.Sync(serverPeerId, peer.peer.peerId(), id, message.get()));
            }
        }
    }

    private void announceUnavailable(Effects fx) {
        for (PeerDocState peer : active.values()) {
            if (peer.status != Status.WANTS && peer.status != Status.UNAVAILABLE) {
                return;
            }
        }
        for (PeerDocState peer : active.values()) {
            if (peer.status == Status.WANTS && !peer.toldUnavailable) {
                peer.toldUnavailable = true;
                fx.send(peer.peer.connection(), new DocUnavailable(serverPeerId, peer.peer.peerId(), id));
            }
        }
    }

    private void forwardEphemeral(PeerRef from, Ephemeral e, Effects fx) {
        for (PeerDocState peer : active.values()) {
            if (!peer.peer.connection().equals(from.connection())) {
                fx.send(peer.peer.connection(),
                        new Ephemeral(e.senderId(), peer.peer.peerId(), id, e.data(), e.sessionId(), e.count()));
            }
        }
    }

    private PeerDocState activate(PeerRef ref) {
        PeerDocState peer = active.get(ref.connection());
        if (peer == null) {
            peer = new PeerDocState(ref, departed.remove(ref.peerId()));
            active.put(ref.connection(), peer);
        }
        return peer;
    }

    private void onPeerLeft(PeerRef ref) {
        waitingForLoad.removeIf(m -> m.peer().connection().equals(ref.connection()));
        PeerDocState peer = active.remove(ref.connection());
        if (peer == null) {
            return;
        }
        byte[] shared = peer.park();
        if (shared != null) {
            departed.put(ref.peerId(), shared);
            while (departed.size() > MAX_PARKED_PEERS) {
                departed.remove(departed.keySet().iterator().next());
            }
        }
    }

    private void onLoaded(ChunksLoaded m, Effects fx) {
        if (phase != Phase.LOADING) {
            return;
        }
        if (servedFromStorage(m.chunks(), fx)) {
            return;
        }
        Map<StorageKey, Integer> usable = new LinkedHashMap<>();
        doc = assemble(m.chunks(), usable, fx);
        heads = doc.getHeads();
        persistence.loaded(usable, heads);
        phase = Phase.READY;
        List<PeerMessage> queued = new ArrayList<>(waitingForLoad);
        waitingForLoad.clear();
        for (PeerMessage q : queued) {
            receiveSync(q, fx);
        }
        step(fx);
    }

    /**
     * When everyone waiting is a peer that starts from nothing and reads v2 messages, it gets the stored chunks
     * as they are, and the document never enters memory: Automerge would answer such a peer with the whole
     * document too, but loading it first costs more than everything else the server does for that peer.
     * Its answer ("I have your heads") is then taken without a load as well ({@link #isUpToDateWithUs}).
     * Only when the heads can be read from the chunks with certainty ({@link StoredHistory}).
     */
    private boolean servedFromStorage(Map<StorageKey, byte[]> chunks, Effects fx) {
        if (waitingForLoad.isEmpty()) {
            return false;
        }
        for (PeerMessage waiting : waitingForLoad) {
            if (!(waiting.message() instanceof Request request)
                    || !SyncMessages.isFreshPeerReadingWholeDocuments(request.data())) {
                return false;
            }
        }
        Map<StorageKey, Integer> sizes = new LinkedHashMap<>();
        List<byte[]> stored = new ArrayList<>();
        chunks.forEach((key, bytes) -> {
            if (StorageKey.SNAPSHOT.equals(key.kind()) || StorageKey.INCREMENTAL.equals(key.kind())) {
                sizes.put(key, bytes.length);
                stored.add(bytes);
            }
        });
        Optional<ChangeHash[]> storedHeads = stored.isEmpty() ? Optional.empty() : StoredHistory.heads(stored);
        if (storedHeads.isEmpty() || storedHeads.get().length == 0) {
            return false;
        }
        persistence.loaded(sizes, storedHeads.get());
        byte[] message = SyncMessages.wholeDocument(storedHeads.get(), stored);
        for (PeerMessage waiting : waitingForLoad) {
            PeerDocState peer = activate(waiting.peer());
            peer.status = Status.WANTS;
            peer.toldHeads = storedHeads.get();
            fx.send(peer.peer.connection(), new WireMessage.Sync(serverPeerId, peer.peer.peerId(), id, message));
        }
        waitingForLoad.clear();
        phase = Phase.UNLOADED;
        return true;
    }

    /**
     * Builds the document from snapshots and incrementals with Automerge's strict loader. If that fails,
     * each chunk is checked on its own so that one corrupt chunk costs only itself; it is reported and left
     * on disk untouched for inspection. (The lenient incremental loader would silently drop everything
     * after a bad chunk, and a later compaction would then delete good data.)
     */
    private Document assemble(Map<StorageKey, byte[]> chunks, Map<StorageKey, Integer> usable, Effects fx) {
        List<Map.Entry<StorageKey, byte[]>> ordered = new ArrayList<>(chunks.entrySet());
        ordered.removeIf(e -> !StorageKey.SNAPSHOT.equals(e.getKey().kind())
                && !StorageKey.INCREMENTAL.equals(e.getKey().kind()));
        ordered.sort((a, b) -> Boolean.compare(
                !StorageKey.SNAPSHOT.equals(a.getKey().kind()), !StorageKey.SNAPSHOT.equals(b.getKey().kind())));
        if (ordered.isEmpty()) {
            return new Document();
        }
        try {
            return loadTogether(ordered, usable);
        } catch (RuntimeException e) {
            // fall through to the chunk-by-chunk check
        }
        List<Map.Entry<StorageKey, byte[]>> readable = new ArrayList<>();
        for (Map.Entry<StorageKey, byte[]> e : ordered) {
            // Alone, a chunk's changes may depend on other chunks, which the strict loader calls an error;
            // the incremental loader only queues them, and still rejects a chunk that does not parse.
            Document alone = new Document();
            try {
                alone.applyEncodedChanges(e.getValue());
                readable.add(e);
            } catch (RuntimeException ex) {
                fx.problem(null, "corrupt-chunk", "document " + id + ": chunk " + e.getKey() + " is unreadable ("
                        + ex.getMessage() + "); it is skipped and kept on disk");
            } finally {
                alone.free();
            }
        }
        if (readable.isEmpty()) {
            return new Document();
        }
        try {
            return loadTogether(readable, usable);
        } catch (RuntimeException e) {
            // Each chunk parses but they do not load together: keep what applies, track nothing for
            // compaction, so no chunk is ever deleted on the strength of this partial view.
            Document partial = new Document();
            for (Map.Entry<StorageKey, byte[]> chunk : readable) {
                try {
                    partial.applyEncodedChanges(chunk.getValue());
                } catch (RuntimeException ignored) {
                    // already reported as a whole below
                }
            }
            fx.problem(null, "corrupt-chunk", "document " + id + ": its chunks do not load together ("
                    + e.getMessage() + "); serving what applies, keeping every chunk on disk");
            return partial;
        }
    }

    /** The strict loader over these chunks in order; on success they are the ones compaction may count on. */
    private static Document loadTogether(List<Map.Entry<StorageKey, byte[]>> chunks, Map<StorageKey, Integer> usable) {
        Document loaded = Document.load(concat(chunks));
        chunks.forEach(e -> usable.put(e.getKey(), e.getValue().length));
        return loaded;
    }

    private static byte[] concat(List<Map.Entry<StorageKey, byte[]>> chunks) {
        if (chunks.size() == 1) {
            return chunks.get(0).getValue(); // a compacted document: no copy of what may be megabytes
        }
        int total = chunks.stream().mapToInt(e -> e.getValue().length).sum();
        byte[] all = new byte[total];
        int offset = 0;
        for (Map.Entry<StorageKey, byte[]> e : chunks) {
            System.arraycopy(e.getValue(), 0, all, offset, e.getValue().length);
            offset += e.getValue().length;
        }
        return all;
    }

    private void onLoadFailed(LoadFailed m, Effects fx) {
        if (phase != Phase.LOADING) {
            return;
        }
        phase = Phase.UNLOADED;
        fx.problem(null, "storage-read", "loading document " + id + " failed: " + m.reason());
        for (PeerMessage waiting : waitingForLoad) {
            fx.send(waiting.peer().connection(), new WireMessage.Error(serverPeerId,
                    "the server could not read document " + id + " from storage", waiting.peer().peerId()));
        }
        waitingForLoad.clear();
    }

    private void onTick(long nowMillis, Effects fx) {
        if (phase != Phase.READY) {
            return;
        }
        if (retryWrite && !persistence.isWriting()) {
            retryWrite = false;
            step(fx);
            return;
        }
        if (nowMillis - lastActivityMillis >= idleMillis) {
            unloadIfFlushed();
        }
    }

    /** True when the document is out of memory afterwards. */
    private boolean unloadIfFlushed() {
        if (phase != Phase.READY) {
            return true;
        }
        if (!persistence.isFlushed(heads)) {
            return false;
        }
        active.values().forEach(PeerDocState::park);
        doc.free();
        doc = null;
        heads = null;
        phase = Phase.UNLOADED;
        unloadWhenFlushed = false;
        return true;
    }

    /** Heads of the loaded document, for tests and diagnostics; empty when unloaded. */
    public ChangeHash[] heads() {
        return doc == null ? new ChangeHash[0] : heads.clone();
    }

    /** Frees all native memory; the object must not be used afterwards. */
    public void close() {
        active.values().forEach(PeerDocState::discard);
        active.clear();
        if (doc != null) {
            doc.free();
            doc = null;
            heads = null;
        }
        phase = Phase.UNLOADED;
    }

    @Override
    public String toString() {
        return "DocumentSynchronizer[" + id + ", " + phase + ", peers=" + active.size() + ", heads="
                + Arrays.toString(heads()) + "]";
    }
}
