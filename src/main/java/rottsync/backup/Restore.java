package rottsync.backup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import rottsync.storage.FileChunkStore;
import rottsync.storage.StorageKey;

/**
 * Restores a backup archive into a data directory. The whole archive is verified first, so a damaged
 * archive leaves the target untouched. The target must be empty unless {@code force} is set, in which case
 * its contents are deleted first. Files are written the way the server writes them (temp file, fsync,
 * rename), so an interrupted restore never leaves a half-written chunk.
 *
 * <p>By default the restored directory gets a new storage id: clients keep sync state per storage id,
 * and a new one makes them compare everything with the restored server and send back whatever the backup
 * lacks. {@code keepStorageId} keeps the archived id, e.g. when moving a server whose backup was taken
 * after its last write.
 */
public final class Restore {
    public record Result(int documents, int files, long bytes, String storageId, boolean storageIdKept) {}

    /** The restore did not start; nothing was changed. */
    public static final class Refused extends Exception {
        private final List<Verify.Problem> problems;

        Refused(String message, List<Verify.Problem> problems) {
            super(message);
            this.problems = List.copyOf(problems);
        }

        public List<Verify.Problem> problems() {
            return problems;
        }
    }

    private Restore() {}

    public static Result run(Path archive, Path target, boolean force, boolean keepStorageId)
            throws IOException, Refused {
        Path dir = target.toAbsolutePath().normalize();
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new Refused(dir + " exists and is not a directory", List.of());
        }
        List<Path> existing = existingContent(dir);
        if (!existing.isEmpty() && !force) {
            throw new Refused(dir + " is not empty (" + existing.size() + " entries, e.g. " + existing.get(0).getFileName()
                    + "); restore only into an empty directory, or pass --force to delete what is there", List.of());
        }
        Verify.Report report = Verify.archive(archive, r -> { });
        if (!report.ok()) {
            throw new Refused("the archive failed verification; nothing was restored", report.problems());
        }
        for (Path entry : existing) {
            deleteRecursively(entry);
        }
        FileChunkStore store = new FileChunkStore(dir);
        int[] files = {0};
        long[] bytes = {0};
        String[] archivedId = {null};
        java.util.Set<String> documents = new java.util.HashSet<>();
        Archive.read(archive, (path, content) -> {
            if (!path.startsWith(Manifest.DATA_PREFIX)) {
                return;
            }
            String rel = path.substring(Manifest.DATA_PREFIX.length());
            if (rel.equals(DataDirectory.STORAGE_ID_PATH)) {
                archivedId[0] = new String(content, StandardCharsets.UTF_8).trim();
                return;
            }
            String[] parts = rel.split("/");
            String id = parts[0] + parts[1];
            store.put(StorageKey.of(id, parts[2], parts[3]), content);
            documents.add(id);
            files[0]++;
            bytes[0] += content.length;
        });
        boolean kept = keepStorageId && archivedId[0] != null && !archivedId[0].isEmpty();
        String storageId = kept ? archivedId[0] : UUID.randomUUID().toString();
        store.put(StorageKey.storageAdapterId(), storageId.getBytes(StandardCharsets.UTF_8));
        return new Result(documents.size(), files[0], bytes[0], storageId, kept);
    }

    /** What a directory holds that a restore would replace; a volume's lost+found and an empty .tmp do not count. */
    static List<Path> existingContent(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path entry : stream) {
                String name = entry.getFileName().toString();
                if (name.equals("lost+found") || (name.equals(".tmp") && isEmptyDirectory(entry))) {
                    continue;
                }
                out.add(entry);
            }
        }
        out.sort(null);
        return out;
    }

    private static boolean isEmptyDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            return !stream.iterator().hasNext();
        }
    }

    private static void deleteRecursively(Path path) throws IOException {
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
