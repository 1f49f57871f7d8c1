package rottsync.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.LongConsumer;

/**
 * A {@link ChunkStore} in the directory layout of automerge-repo-storage-nodefs, so a data directory
 * can move between this server and the official one: key {@code [id, kind, hash]} lives at
 * {@code root/id[0..2]/id[2..]/kind/hash}.
 *
 * <p>Unlike nodefs, every write is atomic and durable: the bytes go to a file under {@code root/.tmp},
 * are fsynced, renamed into place, and the directory is fsynced. A crash therefore leaves either the
 * whole chunk or nothing in the layout, plus perhaps a temp file that the next start removes. Temp
 * files live outside every document directory so that no loader, ours or the official one, reads them.
 */
public final class FileChunkStore implements ChunkStore {
    static final String TEMP_DIR = ".tmp";
    /** Temp files a batch keeps open between its write and fsync phases. */
    static final int OPEN_FILES_PER_PHASE = 64;

    private final Path root;
    private final Path tempDir;
    private volatile LongConsumer fsyncObserver = nanos -> { };

    public FileChunkStore(Path root) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        this.tempDir = this.root.resolve(TEMP_DIR);
        Files.createDirectories(this.root);
        Files.createDirectories(tempDir);
        removeTemporaryFiles();
    }

    public Path root() {
        return root;
    }

    /** Receives the duration of every fsync (file and directory), e.g. for metrics; must be cheap. */
    public void onFsync(LongConsumer observer) {
        this.fsyncObserver = observer;
    }

    @Override
    public Optional<byte[]> load(StorageKey key) throws IOException {
        try {
            return Optional.of(Files.readAllBytes(pathOf(key)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public Map<StorageKey, byte[]> loadRange(StorageKey prefix) throws IOException {
        Map<StorageKey, byte[]> out = new LinkedHashMap<>();
        Path base = pathOf(prefix);
        if (Files.isRegularFile(base)) {
            out.put(prefix, Files.readAllBytes(base));
        } else if (Files.isDirectory(base)) {
            collect(base, new ArrayList<>(prefix.parts()), out);
        }
        return out;
    }

    private void collect(Path dir, List<String> parts, Map<StorageKey, byte[]> out) throws IOException {
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.forEach(children::add);
        } catch (NoSuchFileException e) {
            return;
        }
        children.sort(null);
        for (Path child : children) {
            String name = child.getFileName().toString();
            if (isForeignEntry(name) || !StorageKey.isSafePart(name)) {
                continue;
            }
            parts.add(name);
            if (Files.isDirectory(child)) {
                collect(child, parts, out);
            } else if (Files.isRegularFile(child)) {
                try {
                    out.put(new StorageKey(parts), Files.readAllBytes(child));
                } catch (NoSuchFileException e) {
                    // Deleted by a concurrent compaction; what replaced it is read as well.
                }
            }
            parts.remove(parts.size() - 1);
        }
    }

    /** Dot files (our temp dir, editors) and NAS metadata folders such as Synology's {@code @eaDir}. */
    private static boolean isForeignEntry(String name) {
        return name.startsWith(".") || name.startsWith("@");
    }

    @Override
    public void put(StorageKey key, byte[] value) throws IOException {
        pathOf(key); // a key that cannot be a path is the caller's mistake, not an I/O failure
        IOException failure = putAll(Map.of(key, value)).get(key);
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Group commit: every chunk goes to its own temp file, which is fsynced, then renamed into place; then
     * each directory that gained an entry is fsynced once for the whole batch, deepest first. Nothing is
     * reported durable before all of that has happened for it.
     *
     * <p>The steps run phase by phase over the batch (all writes, then all fsyncs, then all renames) rather
     * than chunk by chunk: a file system writes shared metadata (inode tables, bitmaps, new directories)
     * with the first fsync that needs it, so the later fsyncs of the batch find it clean. See
     * docs/benchmarks.md for what that saves.
     */
    @Override
    public Map<StorageKey, IOException> putAll(Map<StorageKey, byte[]> chunks) {
        Map<StorageKey, IOException> failed = new LinkedHashMap<>();
        List<Map.Entry<StorageKey, byte[]>> all = new ArrayList<>(chunks.entrySet());
        for (int from = 0; from < all.size(); from += OPEN_FILES_PER_PHASE) {
            putPhased(all.subList(from, Math.min(all.size(), from + OPEN_FILES_PER_PHASE)), failed);
        }
        return failed;
    }

    /** One chunk on its way into the layout. */
    private static final class PendingWrite {
        final StorageKey key;
        final byte[] bytes;
        final Path temp;
        Path target;
        FileChannel channel;
        boolean moved;

        PendingWrite(StorageKey key, byte[] bytes, Path temp) {
            this.key = key;
            this.bytes = bytes;
            this.temp = temp;
        }
    }

    private void putPhased(List<Map.Entry<StorageKey, byte[]>> chunks, Map<StorageKey, IOException> failed) {
        Map<Path, List<StorageKey>> dirsToSync = new LinkedHashMap<>();
        List<PendingWrite> writes = new ArrayList<>(chunks.size());
        for (Map.Entry<StorageKey, byte[]> chunk : chunks) {
            writes.add(new PendingWrite(chunk.getKey(), chunk.getValue(), tempDir.resolve(UUID.randomUUID() + ".tmp")));
        }
        try {
            for (PendingWrite write : writes) {
                attempt(write, failed, () -> {
                    write.target = pathOf(write.key);
                    for (Path created : createDirectories(write.target.getParent())) {
                        dirsToSync.computeIfAbsent(created.getParent(), d -> new ArrayList<>()).add(write.key);
                    }
                    write.channel = FileChannel.open(write.temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                    ByteBuffer buffer = ByteBuffer.wrap(write.bytes);
                    while (buffer.hasRemaining()) {
                        write.channel.write(buffer);
                    }
                });
            }
            for (PendingWrite write : writes) {
                attempt(write, failed, () -> {
                    long started = System.nanoTime();
                    write.channel.force(true);
                    fsyncObserver.accept(System.nanoTime() - started);
                });
                closeQuietly(write);
            }
            for (PendingWrite write : writes) {
                attempt(write, failed, () -> {
                    Files.move(write.temp, write.target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    write.moved = true;
                    dirsToSync.computeIfAbsent(write.target.getParent(), d -> new ArrayList<>()).add(write.key);
                });
            }
        } finally {
            for (PendingWrite write : writes) {
                closeQuietly(write);
                if (!write.moved) {
                    try {
                        Files.deleteIfExists(write.temp);
                    } catch (IOException e) {
                        // a leftover temp file is removed at the next start
                    }
                }
            }
        }
        List<Path> dirs = new ArrayList<>(dirsToSync.keySet());
        dirs.sort(Comparator.comparingInt(Path::getNameCount).reversed());
        for (Path dir : dirs) {
            try {
                fsyncDirectory(dir);
            } catch (IOException e) {
                for (StorageKey key : dirsToSync.get(dir)) {
                    failed.putIfAbsent(key, e);
                }
            }
        }
    }

    private interface Step {
        void run() throws IOException;
    }

    /** Runs one step for one chunk, unless an earlier step failed it: a failure is that chunk's alone. */
    private static void attempt(PendingWrite write, Map<StorageKey, IOException> failed, Step step) {
        if (failed.containsKey(write.key)) {
            return;
        }
        try {
            step.run();
        } catch (IOException e) {
            failed.put(write.key, e);
        } catch (RuntimeException e) {
            failed.put(write.key, new IOException(e.getMessage(), e));
        }
    }

    private static void closeQuietly(PendingWrite write) {
        if (write.channel != null) {
            try {
                write.channel.close();
            } catch (IOException e) {
                // the data is fsynced or the chunk has failed already: nothing depends on the close
            }
            write.channel = null;
        }
    }

    @Override
    public void delete(StorageKey key) throws IOException {
        Files.deleteIfExists(pathOf(key));
    }

    /** Every document id that has a directory in the store. */
    public List<String> documentIds() throws IOException {
        List<String> ids = new ArrayList<>();
        try (DirectoryStream<Path> splay = Files.newDirectoryStream(root, Files::isDirectory)) {
            for (Path first : splay) {
                String head = first.getFileName().toString();
                if (isForeignEntry(head) || head.length() != 2) {
                    continue;
                }
                try (DirectoryStream<Path> rest = Files.newDirectoryStream(first, Files::isDirectory)) {
                    for (Path second : rest) {
                        String tail = second.getFileName().toString();
                        if (!isForeignEntry(tail)) {
                            ids.add(head + tail);
                        }
                    }
                }
            }
        }
        ids.sort(null);
        return ids;
    }

    Path pathOf(StorageKey key) {
        String first = key.parts().get(0);
        if (first.length() < 3 || isForeignEntry(first) || !StorageKey.isSafePart(first.substring(0, 2))
                || !StorageKey.isSafePart(first.substring(2))) {
            throw new IllegalArgumentException("the first key part cannot be split into a store path: " + key);
        }
        Path path = root.resolve(first.substring(0, 2)).resolve(first.substring(2));
        for (String part : key.parts().subList(1, key.parts().size())) {
            path = path.resolve(part);
        }
        if (!path.normalize().startsWith(root)) {
            throw new IllegalArgumentException("storage key leaves the store: " + key);
        }
        return path;
    }

    /** Creates {@code dir} and any missing parents; returns those this call created, for fsyncing their parents. */
    private static List<Path> createDirectories(Path dir) throws IOException {
        List<Path> created = new ArrayList<>();
        java.util.ArrayDeque<Path> missing = new java.util.ArrayDeque<>();
        for (Path d = dir; !Files.isDirectory(d); d = d.getParent()) {
            missing.push(d);
        }
        for (Path d : missing) {
            try {
                Files.createDirectory(d);
                created.add(d);
            } catch (FileAlreadyExistsException e) {
                // made by a concurrent write, which fsyncs its parent itself
            }
        }
        return created;
    }

    private void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            long started = System.nanoTime();
            channel.force(true);
            fsyncObserver.accept(System.nanoTime() - started);
        }
    }

    private void removeTemporaryFiles() throws IOException {
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(tempDir)) {
            for (Path leftover : leftovers) {
                Files.deleteIfExists(leftover);
            }
        }
    }
}
