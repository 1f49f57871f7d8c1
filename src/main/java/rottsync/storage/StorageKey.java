package rottsync.storage;

import java.util.List;
import rottsync.protocol.DocumentId;

/**
 * A key in the automerge-repo storage layout, e.g. {@code [docId, "incremental", sha256hex]}.
 * Parts are single path components, so a key can never name a file outside the store.
 */
public record StorageKey(List<String> parts) {
    public static final String SNAPSHOT = "snapshot";
    public static final String INCREMENTAL = "incremental";
    public static final String SYNC_STATE = "sync-state";

    public StorageKey {
        parts = List.copyOf(parts);
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("a storage key has at least one part");
        }
        for (String part : parts) {
            if (!isSafePart(part)) {
                throw new IllegalArgumentException("unsafe storage key part: " + part);
            }
        }
    }

    public static StorageKey of(String... parts) {
        return new StorageKey(List.of(parts));
    }

    /** Where the store's own UUID lives; it is the server's storageId. */
    public static StorageKey storageAdapterId() {
        return of("storage-adapter-id");
    }

    public static StorageKey document(DocumentId id) {
        return of(id.value());
    }

    public static StorageKey snapshot(DocumentId id, String headsHash) {
        return of(id.value(), SNAPSHOT, headsHash);
    }

    public static StorageKey incremental(DocumentId id, String chunkHash) {
        return of(id.value(), INCREMENTAL, chunkHash);
    }

    public boolean startsWith(StorageKey prefix) {
        return parts.size() >= prefix.parts.size() && parts.subList(0, prefix.parts.size()).equals(prefix.parts);
    }

    /** The chunk kind ("snapshot", "incremental", …) for document keys, else null. */
    public String kind() {
        return parts.size() >= 2 ? parts.get(1) : null;
    }

    public String last() {
        return parts.get(parts.size() - 1);
    }

    static boolean isSafePart(String part) {
        if (part == null || part.isEmpty() || part.equals(".") || part.equals("..") || part.length() > 255) {
            return false;
        }
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            if (c == '/' || c == '\\' || c == 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return String.join("/", parts);
    }
}
