package rottsync.sync;

import java.util.List;
import org.automerge.ChangeHash;
import rottsync.storage.StorageKey;

/** Storage work a document asks its driver to perform; the answer comes back as a {@link DocumentInput}. */
public sealed interface StorageTask {

    /** Load every chunk under each prefix (snapshots first, then incrementals). */
    record LoadChunks(List<StorageKey> prefixes) implements StorageTask {}

    /**
     * Write {@code bytes} durably under {@code key}, then delete {@code supersedes}: write-new-then-delete-old,
     * so a crash in between leaves duplicates, never a gap. {@code heads} are the document heads the chunk covers.
     */
    record WriteChunk(StorageKey key, byte[] bytes, List<StorageKey> supersedes, ChangeHash[] heads)
            implements StorageTask {
        public boolean isSnapshot() {
            return StorageKey.SNAPSHOT.equals(key.kind());
        }
    }
}
