package rottsync.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.automerge.ChangeHash;
import org.automerge.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rottsync.protocol.DocumentId;
import rottsync.storage.FileChunkStore;
import rottsync.storage.StorageKey;

/**
 * Backups taken while a writer keeps changing the store the way the server does: incremental chunks, and
 * every few changes a compaction (new snapshot, then the superseded chunks deleted). Every document in every
 * archive must load and be exactly a state that was on disk, never a mix of before and after a compaction.
 */
class OnlineBackupTest {
    @TempDir
    Path tmp;

    @Test
    void everyBackupTakenDuringWritesAndCompactionsHoldsRealStates() throws Exception {
        FileChunkStore store = new FileChunkStore(tmp.resolve("data"));
        store.put(StorageKey.storageAdapterId(), "id".getBytes());
        int docs = 3;
        Map<String, Set<List<String>>> states = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger compactions = new AtomicInteger();
        List<Thread> writers = new ArrayList<>();
        for (int d = 0; d < docs; d++) {
            String id = DocumentId.random().value();
            states.put(id, ConcurrentHashMap.newKeySet());
            Thread writer = new Thread(() -> write(store, id, states.get(id), stop, compactions), "writer-" + d);
            writers.add(writer);
            writer.start();
        }
        Thread.sleep(200);
        try {
            for (int i = 0; i < 12; i++) {
                Clock clock = Clock.fixed(Instant.parse("2026-11-25T13:30:00Z").plusSeconds(i), ZoneOffset.UTC);
                Backup.Result result = Backup.create(tmp.resolve("data"), tmp.resolve("b" + i + ".tar.gz"), "t", clock);
                assertThat(result.problems()).as("backup %d", i).isEmpty();
                Manifest manifest = BackupTest.manifestOf(result.archive());
                for (Manifest.DocumentEntry doc : manifest.documents()) {
                    assertThat(states.get(doc.id())).as("backup %d: heads of %s were on disk", i, doc.id())
                            .contains(doc.heads());
                }
                assertThat(Verify.archive(result.archive(), r -> { }).problems()).isEmpty();
            }
        } finally {
            stop.set(true);
            for (Thread w : writers) {
                w.join();
            }
        }
        assertThat(compactions.get()).as("compactions happened during the backups").isGreaterThan(10);
    }

    /** Server-like writes: record the state, make it durable, compact every fifth change. */
    private static void write(FileChunkStore store, String id, Set<List<String>> states, AtomicBoolean stop,
            AtomicInteger compactions) {
        Document doc = new Document();
        List<StorageKey> onDisk = new ArrayList<>();
        ChangeHash[] saved = new ChangeHash[0];
        try {
            for (int n = 0; !stop.get(); n++) {
                StoreFixture.edit(doc, "n", "v" + n);
                states.add(DocumentCheck.hex(doc.getHeads()));
                if (n % 5 == 0) {
                    byte[] snapshot = doc.save();
                    StorageKey key = StorageKey.of(id, "snapshot", Chunk.sha256(
                            StoreFixture.concatHex(doc.getHeads()).getBytes()));
                    store.put(key, snapshot);
                    for (StorageKey old : onDisk) {
                        store.delete(old);
                    }
                    onDisk.clear();
                    onDisk.add(key);
                    compactions.incrementAndGet();
                } else {
                    byte[] changes = doc.encodeChangesSince(saved);
                    StorageKey key = StorageKey.of(id, "incremental", Chunk.sha256(changes));
                    store.put(key, changes);
                    onDisk.add(key);
                }
                saved = doc.getHeads();
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            doc.free();
        }
    }
}
