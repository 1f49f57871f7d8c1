package rottsync.backup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A read-only view of a data directory (automerge-repo-storage-nodefs layout) that is safe to use while a
 * server writes to it. It never creates, changes or deletes anything, so it can back up a live store.
 *
 * <p>Chunk files are immutable and appear atomically, but compaction writes a new snapshot and then
 * deletes the chunks it supersedes. A reader that lists a document's directory can therefore see a file
 * vanish, or see a mix of old and new chunks. {@link #readDocument} reads until two listings around a
 * complete read agree: the chunks read were then all present together, which is a state the server had.
 */
public final class DataDirectory {
    /** The storage id's key {@code storage-adapter-id}, split like every key. */
    public static final String STORAGE_ID_PATH = "st/orage-adapter-id";
    static final List<String> CHUNK_KINDS = List.of("snapshot", "incremental");
    private static final int MAX_ATTEMPTS = 200;

    private final Path root;

    public DataDirectory(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    /** Where a document's chunks live, relative to the data directory. */
    public static String documentPath(String documentId) {
        return documentId.substring(0, 2) + "/" + documentId.substring(2);
    }

    public Optional<String> storageId() throws IOException {
        try {
            String id = Files.readString(root.resolve(STORAGE_ID_PATH), StandardCharsets.UTF_8).trim();
            return id.isEmpty() ? Optional.empty() : Optional.of(id);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** Every document id that has a directory, sorted. The storage id's own directory is not a document. */
    public List<String> documentIds() throws IOException {
        List<String> ids = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            throw new NoSuchFileException(root.toString(), null, "not a directory");
        }
        for (Path first : children(root)) {
            String head = first.getFileName().toString();
            if (isForeign(head) || head.length() != 2 || !Files.isDirectory(first)) {
                continue;
            }
            for (Path second : children(first)) {
                String tail = second.getFileName().toString();
                String id = head + tail;
                if (!isForeign(tail) && Files.isDirectory(second) && !id.equals("storage-adapter-id")) {
                    ids.add(id);
                }
            }
        }
        ids.sort(null);
        return ids;
    }

    /**
     * Reads one document's snapshot and incremental chunks as one consistent set (see the class comment).
     * A document that keeps changing through every attempt is an {@link IOException}.
     */
    public StoredDocument readDocument(String id) throws IOException {
        Path dir = root.resolve(documentPath(id));
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            List<String> before = list(dir);
            List<Chunk> chunks = new ArrayList<>();
            List<StoredDocument.Unreadable> unreadable = new ArrayList<>();
            boolean vanished = false;
            for (String entry : before) {
                int slash = entry.indexOf('/');
                String kind = entry.substring(0, slash);
                String name = entry.substring(slash + 1);
                try {
                    chunks.add(new Chunk(id, kind, name, Files.readAllBytes(dir.resolve(entry))));
                } catch (NoSuchFileException e) {
                    vanished = true;
                    break;
                } catch (AccessDeniedException e) {
                    unreadable.add(new StoredDocument.Unreadable(kind, name, "permission denied"));
                } catch (IOException e) {
                    unreadable.add(new StoredDocument.Unreadable(kind, name, String.valueOf(e.getMessage())));
                }
            }
            if (!vanished && before.equals(list(dir))) {
                return new StoredDocument(id, chunks, unreadable);
            }
            pause(attempt);
        }
        throw new IOException("document " + id + " kept changing while it was read (" + MAX_ATTEMPTS + " attempts)");
    }

    /** "kind/name" of every chunk file, sorted; snapshots first. */
    private static List<String> list(Path documentDir) throws IOException {
        List<String> entries = new ArrayList<>();
        for (String kind : CHUNK_KINDS) {
            Path kindDir = documentDir.resolve(kind);
            if (!Files.isDirectory(kindDir)) {
                continue;
            }
            List<String> names = new ArrayList<>();
            for (Path file : children(kindDir)) {
                String name = file.getFileName().toString();
                if (!isForeign(name) && Files.isRegularFile(file)) {
                    names.add(kind + "/" + name);
                }
            }
            names.sort(null);
            entries.addAll(names);
        }
        return entries;
    }

    private static List<Path> children(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.forEach(out::add);
        } catch (NoSuchFileException e) {
            return out;
        }
        return out;
    }

    /** Dot files (the server's .tmp, editors) and NAS metadata such as Synology's {@code @eaDir}. */
    static boolean isForeign(String name) {
        return name.startsWith(".") || name.startsWith("@") || name.equals("lost+found");
    }

    private static void pause(int attempt) throws IOException {
        try {
            Thread.sleep(Math.min(100, 2L * attempt));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while reading the data directory");
        }
    }
}
