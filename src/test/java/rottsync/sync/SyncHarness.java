package rottsync.sync;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.automerge.Document;
import org.automerge.ObjectId;
import org.automerge.SyncState;
import org.automerge.Transaction;
import rottsync.protocol.DocumentId;
import rottsync.protocol.WireMessage;
import rottsync.storage.InMemoryChunkStore;
import rottsync.storage.StorageKey;

/**
 * Runs the sans-IO core the way the server does, but in one thread and without sockets: a {@link Hub},
 * one {@link DocumentSynchronizer} per document, a real in-memory store whose writes can be held back,
 * and simulated clients that speak the Automerge sync protocol with real documents.
 */
final class SyncHarness {
    static final String SERVER = "server-under-test";

    final InMemoryChunkStore store = new InMemoryChunkStore();
    final Map<DocumentId, DocumentSynchronizer> documents = new HashMap<>();
    final ArrayDeque<Map.Entry<DocumentId, DocumentInput>> pending = new ArrayDeque<>();
    final List<StorageTask.WriteChunk> heldWrites = new ArrayList<>();
    final Map<ConnectionId, Client> clients = new LinkedHashMap<>();
    final List<Effects.Close> closes = new ArrayList<>();
    final List<Effects.Problem> problems = new ArrayList<>();
    final Hub hub = new Hub(SERVER, "storage-id-1", (doc, input) -> pending.add(Map.entry(doc, input)));
    long now = 1_000;
    long idleMillis = 60_000;
    boolean holdWrites;
    private long nextConnection = 1;

    /** A client repo with its own documents, talking to the server over one connection. */
    final class Client {
        final ConnectionId connection = new ConnectionId(nextConnection++);
        final String peerId;
        final Map<DocumentId, Document> docs = new HashMap<>();
        final Map<DocumentId, SyncState> states = new HashMap<>();
        final List<WireMessage> received = new ArrayList<>();

        Client(String peerId) {
            this.peerId = peerId;
        }

        Client join() {
            clients.put(connection, this);
            hub.opened(connection, "127.0.0.1:" + connection.value());
            deliver(hub.received(connection, new WireMessage.Join(peerId,
                    new WireMessage.PeerMetadata(null, true), List.of("1"))));
            return this;
        }

        Document create(DocumentId id, String key, String value) {
            Document doc = new Document();
            docs.put(id, doc);
            change(id, key, value);
            return doc;
        }

        void change(DocumentId id, String key, String value) {
            try (Transaction tx = docs.get(id).startTransaction()) {
                tx.set(ObjectId.ROOT, key, value);
                tx.commit();
            }
        }

        void changeAndSync(DocumentId id, String key, String value) {
            change(id, key, value);
            sync(id);
        }

        /** Sends our sync message for the document: a request when we have nothing, else a sync. */
        void sync(DocumentId id) {
            Document doc = docs.computeIfAbsent(id, k -> new Document());
            Optional<byte[]> message = doc.generateSyncMessage(states.computeIfAbsent(id, k -> new SyncState()));
            message.ifPresent(bytes -> send(doc.getHeads().length == 0
                    ? new WireMessage.Request(peerId, SERVER, id, bytes)
                    : new WireMessage.Sync(peerId, SERVER, id, bytes)));
        }

        void send(WireMessage message) {
            deliver(hub.received(connection, message));
        }

        void disconnect() {
            clients.remove(connection);
            hub.closed(connection);
        }

        Optional<String> value(DocumentId id, String key) {
            Document doc = docs.get(id);
            return doc == null ? Optional.empty() : doc.get(ObjectId.ROOT, key).map(Object::toString);
        }

        <T extends WireMessage> List<T> receivedOf(Class<T> type) {
            return received.stream().filter(type::isInstance).map(type::cast).toList();
        }

        void onMessage(WireMessage message) {
            received.add(message);
            if (message instanceof WireMessage.Sync sync) {
                Document doc = docs.computeIfAbsent(sync.documentId(), k -> new Document());
                SyncState state = states.computeIfAbsent(sync.documentId(), k -> new SyncState());
                doc.receiveSyncMessage(state, sync.data());
                doc.generateSyncMessage(state).ifPresent(bytes ->
                        send(new WireMessage.Sync(peerId, SERVER, sync.documentId(), bytes)));
            }
        }
    }

    Client client(String peerId) {
        return new Client(peerId).join();
    }

    /** Feeds pending document inputs and storage results until nothing moves. */
    void runUntilQuiescent() {
        for (int guard = 0; guard < 100_000; guard++) {
            Map.Entry<DocumentId, DocumentInput> next = pending.poll();
            if (next == null) {
                return;
            }
            DocumentSynchronizer doc = documents.computeIfAbsent(next.getKey(),
                    id -> new DocumentSynchronizer(id, SERVER, idleMillis));
            Effects fx = doc.handle(next.getValue(), now);
            deliver(fx);
            for (StorageTask task : fx.storageTasks()) {
                perform(next.getKey(), task);
            }
        }
        throw new AssertionError("the core did not settle: a message loop?");
    }

    void releaseWrites() {
        List<StorageTask.WriteChunk> writes = new ArrayList<>(heldWrites);
        heldWrites.clear();
        for (StorageTask.WriteChunk write : writes) {
            complete(findDocument(write), write);
        }
        runUntilQuiescent();
    }

    private DocumentId findDocument(StorageTask.WriteChunk write) {
        return documents.keySet().stream().filter(id -> id.value().equals(write.key().parts().get(0)))
                .findFirst().orElseThrow();
    }

    private void perform(DocumentId id, StorageTask task) {
        if (task instanceof StorageTask.LoadChunks load) {
            Map<StorageKey, byte[]> chunks = new LinkedHashMap<>();
            load.prefixes().forEach(prefix -> chunks.putAll(store.loadRange(prefix)));
            pending.addFirst(Map.entry(id, new DocumentInput.ChunksLoaded(chunks)));
        } else if (task instanceof StorageTask.WriteChunk write) {
            if (holdWrites) {
                heldWrites.add(write);
            } else {
                complete(id, write);
            }
        }
    }

    private void complete(DocumentId id, StorageTask.WriteChunk write) {
        store.put(write.key(), write.bytes());
        write.supersedes().forEach(store::delete);
        pending.addFirst(Map.entry(id, new DocumentInput.ChunkWritten(write)));
    }

    void deliver(Effects fx) {
        problems.addAll(fx.problems());
        closes.addAll(fx.closes());
        for (Effects.Send send : fx.sends()) {
            Client client = clients.get(send.to());
            if (client != null) {
                client.onMessage(send.message());
            }
        }
        runUntilQuiescent();
    }

    void tick(long advanceMillis) {
        now += advanceMillis;
        for (DocumentId id : documents.keySet()) {
            pending.add(Map.entry(id, new DocumentInput.Tick()));
        }
        runUntilQuiescent();
    }

    List<StorageKey> storedKeys(DocumentId id) throws IOException {
        return new ArrayList<>(store.loadRange(StorageKey.document(id)).keySet());
    }
}
