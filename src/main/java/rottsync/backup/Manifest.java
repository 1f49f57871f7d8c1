package rottsync.backup;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.util.List;

/**
 * {@code manifest.json}, the last entry of a backup archive: what the archive holds and how to check it.
 * Every file under {@code data/} is listed with its size and SHA-256; every document with the heads it had
 * when it was backed up (sorted lowercase hex, as the JS client prints them).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Manifest(
        String format,
        int formatVersion,
        String createdAt,
        String rottSyncVersion,
        String storageId,
        int documentCount,
        long totalBytes,
        List<DocumentEntry> documents,
        List<FileEntry> files) {

    public static final String FORMAT = "rott-sync-backup";
    public static final int FORMAT_VERSION = 1;
    public static final String ENTRY_NAME = "manifest.json";
    /** Every stored file lives under this directory of the archive, in the data directory's own layout. */
    public static final String DATA_PREFIX = "data/";

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record DocumentEntry(String id, List<String> heads, long bytes, List<FileEntry> chunks,
            List<String> problems) {}

    public record FileEntry(String path, long size, String sha256) {}

    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new IllegalStateException("manifest cannot be written as JSON", e);
        }
    }

    public static Manifest parse(byte[] json) throws IOException {
        return JSON.readValue(json, Manifest.class);
    }

    /** The manifest of a backup archive (read to the end), or an IOException if it has none. */
    public static Manifest readFrom(java.nio.file.Path archive) throws IOException {
        Manifest[] found = {null};
        Archive.read(archive, (path, bytes) -> {
            if (path.equals(ENTRY_NAME)) {
                found[0] = parse(bytes);
            }
        });
        if (found[0] == null) {
            throw new IOException(archive + " has no " + ENTRY_NAME);
        }
        return found[0];
    }
}
