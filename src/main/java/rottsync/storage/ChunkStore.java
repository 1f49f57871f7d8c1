package rottsync.storage;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;

/**
 * The four storage verbs automerge-repo's StorageAdapterInterface needs. A successful {@link #put}
 * is durable: the bytes survive a crash or power cut.
 */
public interface ChunkStore {
    Optional<byte[]> load(StorageKey key) throws IOException;

    /** Every stored value whose key starts with {@code prefix}. */
    Map<StorageKey, byte[]> loadRange(StorageKey prefix) throws IOException;

    void put(StorageKey key, byte[] value) throws IOException;

    void delete(StorageKey key) throws IOException;
}
