package rottsync.backup;

import java.util.List;

/**
 * The chunks of one document as they were on disk at one moment, plus the chunks that could not be read
 * at all (permissions, I/O errors), each with the reason.
 */
public record StoredDocument(String id, List<Chunk> chunks, List<Unreadable> unreadable) {
    public record Unreadable(String kind, String name, String reason) {}

    public StoredDocument {
        chunks = List.copyOf(chunks);
        unreadable = List.copyOf(unreadable);
    }

    public long bytes() {
        return chunks.stream().mapToLong(c -> c.bytes().length).sum();
    }
}
