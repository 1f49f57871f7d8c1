package rottsync.storage;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/** A {@link ChunkStore} in memory, for tests and for running without a disk. */
public final class InMemoryChunkStore implements ChunkStore {
    private final Map<String, Entry> entries = new ConcurrentSkipListMap<>();

    private record Entry(StorageKey key, byte[] value) {}

    @Override
    public Optional<byte[]> load(StorageKey key) {
        Entry e = entries.get(key.toString());
        return e == null ? Optional.empty() : Optional.of(e.value.clone());
    }

    @Override
    public Map<StorageKey, byte[]> loadRange(StorageKey prefix) {
        Map<StorageKey, byte[]> out = new LinkedHashMap<>();
        for (Entry e : entries.values()) {
            if (e.key.startsWith(prefix)) {
                out.put(e.key, e.value.clone());
            }
        }
        return out;
    }

    @Override
    public void put(StorageKey key, byte[] value) {
        entries.put(key.toString(), new Entry(key, value.clone()));
    }

    @Override
    public void delete(StorageKey key) {
        entries.remove(key.toString());
    }
}
