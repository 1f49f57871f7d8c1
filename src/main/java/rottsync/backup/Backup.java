package rottsync.backup;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes a backup archive of a data directory, online: the server may keep writing while it runs.
 *
 * <p>The archive is a tar.gz holding {@code data/…} (the data directory's own layout, so {@code tar xzf}
 * alone gives back a usable directory) and, last, {@code manifest.json}. Each document is read as one
 * consistent set of chunks ({@link DataDirectory#readDocument}) and loaded with Automerge before it is
 * written, so every document in the archive is a state the server really had, and the manifest records its
 * heads. A document that does not load is still copied byte for byte, and the manifest and the result say
 * what is wrong with it. The archive appears under its final name only when it is complete and fsynced.
 */
public final class Backup {
    /** What one backup did; {@code problems} are per-document damage found while reading (empty: all good). */
    public record Result(Path archive, int documents, long dataBytes, long archiveBytes, Duration took,
            List<String> problems) {
        public boolean ok() {
            return problems.isEmpty();
        }
    }

    private Backup() {}

    public static Result create(Path dataDir, Path archive, String version, Clock clock) throws IOException {
        Instant started = clock.instant();
        DataDirectory data = new DataDirectory(dataDir);
        if (!Files.isDirectory(data.root())) {
            throw new NoSuchFileException(data.root().toString(), null, "no data directory here");
        }
        Path target = archive.toAbsolutePath().normalize();
        if (target.startsWith(data.root())) {
            throw new IOException("the archive " + target + " would be inside the data directory " + data.root()
                    + "; write it somewhere else");
        }
        if (Files.exists(target)) {
            throw new FileAlreadyExistsException(target.toString(), null, "will not overwrite an existing file");
        }
        Files.createDirectories(target.getParent());
        Path partial = target.resolveSibling("." + target.getFileName() + ".partial-" + UUID.randomUUID());
        List<String> problems = new ArrayList<>();
        List<Manifest.DocumentEntry> documents = new ArrayList<>();
        List<Manifest.FileEntry> files = new ArrayList<>();
        long dataBytes = 0;
        Date mtime = Date.from(started);
        try {
            try (OutputStream file = Files.newOutputStream(partial, StandardOpenOption.CREATE_NEW);
                    TarArchiveOutputStream tar = new TarArchiveOutputStream(
                            new GZIPOutputStream(new BufferedOutputStream(file, 1 << 16), 1 << 16))) {
                tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
                String storageId = data.storageId().orElse(null);
                if (storageId != null) {
                    byte[] idBytes = Files.readAllBytes(data.root().resolve(DataDirectory.STORAGE_ID_PATH));
                    String path = Manifest.DATA_PREFIX + DataDirectory.STORAGE_ID_PATH;
                    put(tar, path, idBytes, mtime);
                    files.add(new Manifest.FileEntry(path, idBytes.length, Chunk.sha256(idBytes)));
                }
                for (String id : data.documentIds()) {
                    if (Thread.currentThread().isInterrupted()) {
                        throw new InterruptedIOException("backup interrupted");
                    }
                    Manifest.DocumentEntry entry = backUpDocument(data, id, tar, mtime, problems);
                    documents.add(entry);
                    dataBytes += entry.bytes();
                }
                Manifest manifest = new Manifest(Manifest.FORMAT, Manifest.FORMAT_VERSION, started.toString(), version,
                        storageId, documents.size(), dataBytes, documents, files);
                put(tar, Manifest.ENTRY_NAME, manifest.toJson(), mtime);
                tar.finish();
            }
            try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            if (Files.exists(target)) {
                throw new FileAlreadyExistsException(target.toString(), null, "appeared while the backup ran");
            }
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            fsyncDirectory(target.getParent());
        } finally {
            Files.deleteIfExists(partial);
        }
        return new Result(target, documents.size(), dataBytes, Files.size(target),
                Duration.between(started, clock.instant()), problems);
    }

    private static Manifest.DocumentEntry backUpDocument(DataDirectory data, String id, TarArchiveOutputStream tar,
            Date mtime, List<String> problems) throws IOException {
        StoredDocument document;
        try {
            document = data.readDocument(id);
        } catch (InterruptedIOException e) {
            throw e;
        } catch (IOException e) {
            String problem = "could not be read: " + e.getMessage();
            problems.add(id + ": " + problem);
            return new Manifest.DocumentEntry(id, List.of(), 0, List.of(), List.of(problem));
        }
        DocumentCheck.Result check = DocumentCheck.check(document);
        check.problems().forEach(p -> problems.add(id + ": " + p));
        List<Manifest.FileEntry> chunks = new ArrayList<>();
        for (Chunk chunk : document.chunks()) {
            String path = Manifest.DATA_PREFIX + chunk.relativePath();
            put(tar, path, chunk.bytes(), mtime);
            chunks.add(new Manifest.FileEntry(path, chunk.bytes().length, chunk.sha256()));
        }
        return new Manifest.DocumentEntry(id, check.heads(), document.bytes(), chunks, check.problems());
    }

    private static void put(TarArchiveOutputStream tar, String path, byte[] bytes, Date mtime) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(path);
        entry.setSize(bytes.length);
        entry.setMode(0100644);
        entry.setModTime(mtime);
        tar.putArchiveEntry(entry);
        tar.write(bytes);
        tar.closeArchiveEntry();
    }

    static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
