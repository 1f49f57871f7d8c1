package rottsync.sync;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.automerge.ChangeHash;
import org.automerge.Document;
import rottsync.protocol.DocumentId;
import rottsync.storage.StorageKey;

/**
 * Decides what one document writes to storage: an incremental chunk of the changes since the last
 * durable save, or a compacted snapshot that supersedes every chunk on disk. Knows which heads are
 * durable, which is what the durability rule needs.
 *
 * <p>Chunk names follow automerge-repo's StorageSubsystem so the official server finds them:
 * incrementals by the SHA-256 of their bytes, snapshots by the SHA-256 of the heads' hex strings.
 */
final class PersistencePlan {
    /** Past this many incremental chunks a load gets slow; compact. */
    static final int MAX_INCREMENTAL_CHUNKS = 32;
    /** Incrementals may grow to the snapshot's size, but at least to this, before compaction pays off. */
    static final long COMPACTION_FLOOR_BYTES = 64 * 1024;

    private final DocumentId id;
    private final Map<StorageKey, Integer> chunksOnDisk = new LinkedHashMap<>();
    private ChangeHash[] durableHeads = new ChangeHash[0];
    private StorageTask.WriteChunk inFlight;

    PersistencePlan(DocumentId id) {
        this.id = id;
    }

    /** The document was (re)loaded from these chunks, which together hold {@code heads}. */
    void loaded(Map<StorageKey, Integer> chunkSizes, ChangeHash[] heads) {
        chunksOnDisk.clear();
        chunksOnDisk.putAll(chunkSizes);
        durableHeads = heads;
    }

    /** {@code heads}: the document's current heads. */
    boolean isFlushed(ChangeHash[] heads) {
        return inFlight == null && Arrays.equals(heads, durableHeads);
    }

    boolean isWriting() {
        return inFlight != null;
    }

    /** What the document takes on disk: the sum of its chunks. */
    long storedBytes() {
        long total = 0;
        for (int size : chunksOnDisk.values()) {
            total += size;
        }
        return total;
    }

    boolean isStored() {
        return !chunksOnDisk.isEmpty();
    }

    /** The next chunk to write, or empty when everything is durable or a write is already under way. */
    Optional<StorageTask.WriteChunk> nextWrite(Document doc, ChangeHash[] heads) {
        if (inFlight != null) {
            return Optional.empty();
        }
        if (Arrays.equals(heads, durableHeads)) {
            return Optional.empty();
        }
        byte[] changes = doc.encodeChangesSince(durableHeads);
        if (shouldCompact(changes.length)) {
            StorageKey key = StorageKey.snapshot(id, headsHash(heads));
            List<StorageKey> supersedes = new ArrayList<>(chunksOnDisk.keySet());
            supersedes.remove(key);
            inFlight = new StorageTask.WriteChunk(key, doc.save(), supersedes, heads);
        } else {
            StorageKey key = StorageKey.incremental(id, sha256Hex(changes));
            inFlight = new StorageTask.WriteChunk(key, changes, List.of(), heads);
        }
        return Optional.of(inFlight);
    }

    void written(StorageTask.WriteChunk task) {
        if (task != inFlight) {
            throw new IllegalStateException("a write completed that was not in flight: " + task.key());
        }
        inFlight = null;
        durableHeads = task.heads();
        task.supersedes().forEach(chunksOnDisk::remove);
        chunksOnDisk.put(task.key(), task.bytes().length);
    }

    void writeFailed(StorageTask.WriteChunk task) {
        if (task == inFlight) {
            inFlight = null;
        }
    }

    private boolean shouldCompact(int newChunkBytes) {
        long snapshotBytes = 0;
        long incrementalBytes = newChunkBytes;
        int incrementals = 1;
        for (Map.Entry<StorageKey, Integer> chunk : chunksOnDisk.entrySet()) {
            if (StorageKey.SNAPSHOT.equals(chunk.getKey().kind())) {
                snapshotBytes += chunk.getValue();
            } else {
                incrementalBytes += chunk.getValue();
                incrementals++;
            }
        }
        return incrementals > MAX_INCREMENTAL_CHUNKS
                || incrementalBytes > Math.max(snapshotBytes, COMPACTION_FLOOR_BYTES);
    }

    /** automerge-repo's snapshot name: SHA-256 of the heads' lowercase hex strings, concatenated. */
    static String headsHash(ChangeHash[] heads) {
        StringBuilder joined = new StringBuilder(heads.length * 64);
        for (ChangeHash head : heads) {
            joined.append(HexFormat.of().formatHex(head.getBytes()));
        }
        return sha256Hex(joined.toString().getBytes(StandardCharsets.UTF_8));
    }

    static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JVM", e);
        }
    }
}
