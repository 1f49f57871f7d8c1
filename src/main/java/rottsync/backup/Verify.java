package rottsync.backup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Checks that every document of a data directory or a backup archive loads, naming each corrupt or
 * unreadable chunk by document id. For an archive it also checks every file against the manifest (size
 * and SHA-256) and every document's heads against the heads recorded when it was backed up.
 */
public final class Verify {
    /** {@code documentId} is null for problems of the whole source (a missing manifest, a truncated archive). */
    public record Problem(String documentId, String message) {
        @Override
        public String toString() {
            return documentId == null ? message : documentId + ": " + message;
        }
    }

    public record Report(String source, int documents, int chunks, long bytes, List<Problem> problems,
            List<String> warnings) {
        public Report {
            problems = List.copyOf(problems);
            warnings = List.copyOf(warnings);
        }

        public boolean ok() {
            return problems.isEmpty();
        }
    }

    private Verify() {}

    /** Loads every document in a data directory (safe while a server runs on it). */
    public static Report dataDirectory(Path dir, Consumer<DocumentCheck.Result> each) throws IOException {
        DataDirectory data = new DataDirectory(dir);
        if (!Files.isDirectory(data.root())) {
            throw new NoSuchFileException(data.root().toString(), null, "not a directory");
        }
        List<Problem> problems = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        if (data.storageId().isEmpty()) {
            warnings.add("no storage id (" + DataDirectory.STORAGE_ID_PATH + "): a server starting here creates a new one");
        }
        int documents = 0;
        int chunks = 0;
        long bytes = 0;
        for (String id : data.documentIds()) {
            documents++;
            StoredDocument document;
            try {
                document = data.readDocument(id);
            } catch (IOException e) {
                problems.add(new Problem(id, "could not be read: " + e.getMessage()));
                continue;
            }
            chunks += document.chunks().size() + document.unreadable().size();
            bytes += document.bytes();
            DocumentCheck.Result result = DocumentCheck.check(document);
            result.problems().forEach(p -> problems.add(new Problem(id, p)));
            each.accept(result);
        }
        return new Report(data.root().toString(), documents, chunks, bytes, problems, warnings);
    }

    /** Reads a whole archive: every file against the manifest, every document loaded. */
    public static Report archive(Path file, Consumer<DocumentCheck.Result> each) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no such archive");
        }
        ArchiveScan scan = new ArchiveScan(each);
        try {
            Archive.read(file, scan::file);
            scan.finishDocument();
        } catch (IOException | RuntimeException e) {
            scan.problems.add(new Problem(null, "the archive cannot be read to the end (truncated or not a "
                    + "rott-sync tar.gz?): " + e));
        }
        scan.compareWithManifest();
        return new Report(file.toAbsolutePath().toString(), scan.results.size(), scan.chunkCount, scan.bytes,
                scan.problems, List.of());
    }

    /** One pass over the archive; documents are checked as soon as their last chunk has gone by. */
    private static final class ArchiveScan {
        final Consumer<DocumentCheck.Result> each;
        final List<Problem> problems = new ArrayList<>();
        final Map<String, Manifest.FileEntry> seen = new LinkedHashMap<>();
        final Map<String, DocumentCheck.Result> results = new LinkedHashMap<>();
        final Set<String> finished = new LinkedHashSet<>();
        Manifest manifest;
        String currentId;
        List<Chunk> current = new ArrayList<>();
        int chunkCount;
        long bytes;

        ArchiveScan(Consumer<DocumentCheck.Result> each) {
            this.each = each;
        }

        void file(String path, byte[] content) throws IOException {
            if (path.equals(Manifest.ENTRY_NAME)) {
                try {
                    manifest = Manifest.parse(content);
                } catch (IOException e) {
                    problems.add(new Problem(null, "manifest.json is not valid: " + e.getMessage()));
                }
                return;
            }
            if (!path.startsWith(Manifest.DATA_PREFIX)) {
                problems.add(new Problem(null, "unexpected entry outside data/: " + path));
                return;
            }
            if (seen.put(path, new Manifest.FileEntry(path, content.length, Chunk.sha256(content))) != null) {
                problems.add(new Problem(null, "entry appears twice: " + path));
            }
            String rel = path.substring(Manifest.DATA_PREFIX.length());
            if (rel.equals(DataDirectory.STORAGE_ID_PATH)) {
                return;
            }
            String[] parts = rel.split("/");
            if (parts.length != 4 || parts[0].length() != 2 || !DataDirectory.CHUNK_KINDS.contains(parts[2])) {
                problems.add(new Problem(null, "unexpected entry: " + path));
                return;
            }
            String id = parts[0] + parts[1];
            if (!id.equals(currentId)) {
                finishDocument();
                if (finished.contains(id)) {
                    problems.add(new Problem(id, "chunks are split across the archive; it was not written by rott-sync"));
                }
                currentId = id;
            }
            current.add(new Chunk(id, parts[2], parts[3], content));
            chunkCount++;
            bytes += content.length;
        }

        void finishDocument() {
            if (currentId == null) {
                return;
            }
            DocumentCheck.Result result = DocumentCheck.check(new StoredDocument(currentId, current, List.of()));
            result.problems().forEach(p -> problems.add(new Problem(result.documentId(), p)));
            results.put(currentId, result);
            finished.add(currentId);
            each.accept(result);
            currentId = null;
            current = new ArrayList<>();
        }

        void compareWithManifest() {
            if (manifest == null) {
                problems.add(new Problem(null, "no manifest.json: this is not a complete rott-sync backup"));
                return;
            }
            if (!Manifest.FORMAT.equals(manifest.format())) {
                problems.add(new Problem(null, "manifest format is '" + manifest.format() + "', not " + Manifest.FORMAT));
                return;
            }
            if (manifest.formatVersion() > Manifest.FORMAT_VERSION) {
                problems.add(new Problem(null, "backup format version " + manifest.formatVersion()
                        + " is newer than this rott-sync understands (" + Manifest.FORMAT_VERSION + "); use a newer one"));
                return;
            }
            Set<String> listed = new LinkedHashSet<>();
            List<Manifest.FileEntry> files = new ArrayList<>(nullSafe(manifest.files()));
            for (Manifest.DocumentEntry doc : nullSafe(manifest.documents())) {
                files.addAll(nullSafe(doc.chunks()));
                nullSafe(doc.problems()).forEach(p -> problems.add(new Problem(doc.id(),
                        "was already damaged when it was backed up: " + p)));
                DocumentCheck.Result result = results.get(doc.id());
                if (result == null) {
                    if (!nullSafe(doc.chunks()).isEmpty()) {
                        problems.add(new Problem(doc.id(), "listed in the manifest but missing from the archive"));
                    }
                } else if (result.ok() && !result.heads().equals(nullSafe(doc.heads()))) {
                    problems.add(new Problem(doc.id(), "heads " + result.heads() + " differ from the manifest's "
                            + doc.heads()));
                }
            }
            for (Manifest.FileEntry expected : files) {
                listed.add(expected.path());
                Manifest.FileEntry actual = seen.get(expected.path());
                String id = documentOf(expected.path());
                if (actual == null) {
                    problems.add(new Problem(id, "file missing from the archive: " + expected.path()));
                } else if (actual.size() != expected.size() || !actual.sha256().equalsIgnoreCase(expected.sha256())) {
                    problems.add(new Problem(id, "file " + expected.path() + " does not match its checksum in the"
                            + " manifest (size " + actual.size() + ", expected " + expected.size() + ")"));
                }
            }
            for (String path : seen.keySet()) {
                if (!listed.contains(path)) {
                    problems.add(new Problem(documentOf(path), "file not listed in the manifest: " + path));
                }
            }
            if (manifest.documentCount() != nullSafe(manifest.documents()).size()) {
                problems.add(new Problem(null, "manifest says " + manifest.documentCount() + " documents but lists "
                        + nullSafe(manifest.documents()).size()));
            }
        }

        private static String documentOf(String path) {
            String[] parts = path.substring(Math.min(path.length(), Manifest.DATA_PREFIX.length())).split("/");
            return parts.length == 4 ? parts[0] + parts[1] : null;
        }

        private static <T> List<T> nullSafe(List<T> list) {
            return list == null ? List.of() : list;
        }
    }
}
