package rottsync.server;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import rottsync.storage.ChunkStore;
import rottsync.storage.FileChunkStore;
import rottsync.storage.GroupCommit;
import rottsync.storage.StorageKey;

/**
 * The data directory: opens the store and reads (or on first start, creates) the storage id that
 * automerge-repo keeps under {@code storage-adapter-id}, so a directory taken over from the official
 * server keeps its identity.
 */
@ApplicationScoped
public class ServerStorage {
    /** Chunks written in one batch at most; more wait for the next. */
    static final int MAX_BATCH = 256;

    private final FileChunkStore store;
    private final String storageId;
    private final GroupCommit commit;

    ServerStorage(RottConfig config) {
        Path dir = Path.of(config.dataDir());
        try {
            this.store = new FileChunkStore(dir);
            this.storageId = readOrCreateStorageId(store);
            this.commit = new GroupCommit(store, MAX_BATCH, "rott-commit");
        } catch (IOException | UncheckedIOException e) {
            throw new IllegalStateException("DATA_DIR=" + dir.toAbsolutePath() + " is not usable: it must be a "
                    + "directory this process (uid " + uid() + ") can create and write. Cause: " + e, e);
        }
    }

    private static String readOrCreateStorageId(FileChunkStore store) throws IOException {
        var existing = store.load(StorageKey.storageAdapterId());
        if (existing.isPresent()) {
            String id = new String(existing.get(), StandardCharsets.UTF_8).trim();
            if (!id.isEmpty()) {
                return id;
            }
        }
        String id = UUID.randomUUID().toString();
        store.put(StorageKey.storageAdapterId(), id.getBytes(StandardCharsets.UTF_8));
        return id;
    }

    private static String uid() {
        try {
            return String.valueOf(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return System.getProperty("user.name");
        }
    }

    public ChunkStore store() {
        return store;
    }

    @PreDestroy
    void close() throws InterruptedException {
        commit.close();
    }

    /** The one writer that makes document chunks durable, in batches. */
    public GroupCommit commit() {
        return commit;
    }

    public FileChunkStore files() {
        return store;
    }

    public Path dataDir() {
        return store.root();
    }

    public String storageId() {
        return storageId;
    }
}
