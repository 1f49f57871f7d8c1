package rottsync.storage;

import java.io.IOException;
import java.util.LinkedHashMap;
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

    /**
     * Writes several chunks; on return each is durable unless the result names it with its failure. A store
     * that can share the cost of making them durable (one pass of fsyncs for the lot) does so; this default
     * writes them one by one.
     */
    default Map<StorageKey, IOException> putAll(Map<StorageKey, byte[]> chunks) {
        Map<StorageKey, IOException> failed = new LinkedHashMap<>();
        for (Map.Entry<StorageKey, byte[]> chunk : chunks.entrySet()) {
            try {
                put(chunk.getKey(), chunk.getValue());
            } catch (IOException e) {
                failed.put(chunk.getKey(), e);
            } catch (RuntimeException e) {
                failed.put(chunk.getKey(), new IOException(e.getMessage(), e));
            }
        }
        return failed;
    }

    void delete(StorageKey key) throws IOException;
}
