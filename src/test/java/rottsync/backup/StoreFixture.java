package rottsync.backup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.automerge.ChangeHash;
import org.automerge.Document;
import org.automerge.ObjectId;
import org.automerge.Transaction;
import rottsync.protocol.DocumentId;
import rottsync.storage.FileChunkStore;
import rottsync.storage.StorageKey;

/**
 * Writes real Automerge documents into a real data directory the way the server lays them out: a snapshot
 * named by the heads hash and incremental chunks named by the SHA-256 of their bytes.
 */
final class StoreFixture {
    final Path root;
    final FileChunkStore store;

    StoreFixture(Path root, String storageId) throws IOException {
        this.root = root;
        this.store = new FileChunkStore(root);
        store.put(StorageKey.storageAdapterId(), storageId.getBytes(StandardCharsets.UTF_8));
    }

    /** One document: a snapshot of its first change, then one incremental chunk per further change. */
    Written document(String title, int incrementals) throws IOException {
        String id = DocumentId.random().value();
        Document doc = new Document();
        edit(doc, "title", title);
        StorageKey snapshot = StorageKey.of(id, "snapshot", Chunk.sha256(concatHex(doc.getHeads()).getBytes(StandardCharsets.UTF_8)));
        store.put(snapshot, doc.save());
        List<StorageKey> chunks = new ArrayList<>(List.of(snapshot));
        ChangeHash[] saved = doc.getHeads();
        for (int i = 0; i < incrementals; i++) {
            edit(doc, "rev", "r" + i);
            byte[] changes = doc.encodeChangesSince(saved);
            StorageKey key = StorageKey.of(id, "incremental", Chunk.sha256(changes));
            store.put(key, changes);
            chunks.add(key);
            saved = doc.getHeads();
        }
        List<String> heads = DocumentCheck.hex(doc.getHeads());
        doc.free();
        return new Written(id, heads, chunks);
    }

    record Written(String id, List<String> heads, List<StorageKey> chunks) {
        Path file(Path root, int chunk) {
            StorageKey key = chunks.get(chunk);
            return root.resolve(id.substring(0, 2)).resolve(id.substring(2)).resolve(key.kind()).resolve(key.last());
        }
    }

    static void edit(Document doc, String key, String value) {
        try (Transaction tx = doc.startTransaction()) {
            tx.set(ObjectId.ROOT, key, value);
            tx.commit();
        }
    }

    static String concatHex(ChangeHash[] heads) {
        StringBuilder out = new StringBuilder();
        for (ChangeHash h : heads) {
            out.append(java.util.HexFormat.of().formatHex(h.getBytes()));
        }
        return out.toString();
    }
}
