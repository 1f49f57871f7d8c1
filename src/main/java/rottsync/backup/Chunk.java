package rottsync.backup;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One stored chunk of a document: {@code kind} is "snapshot" or "incremental", {@code name} the file
 * name (a SHA-256 hex in automerge-repo's layout). Chunk files are immutable, so bytes read once stay true.
 */
public record Chunk(String documentId, String kind, String name, byte[] bytes) {
    /** The path inside a data directory, in automerge-repo-storage-nodefs layout. */
    public String relativePath() {
        return DataDirectory.documentPath(documentId) + "/" + kind + "/" + name;
    }

    public String sha256() {
        return sha256(bytes);
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JVM", e);
        }
    }
}
