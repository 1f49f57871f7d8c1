package rottsync.ops;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Checks that the data directory takes writes and how much room its file system has left. A probe
 * creates, writes and deletes one small file under the store's {@code .tmp} (outside every document),
 * on its own thread and with a time limit, so a hung disk or network share gives a DOWN answer instead of
 * a hung health check.
 */
public final class StorageProbe implements AutoCloseable {
    /** One probe's findings; {@code problem} is null when the directory took the write. */
    public record Status(boolean writable, String problem, long usableBytes, long totalBytes) {}

    private final Path dataDir;
    private final Duration timeout;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "rott-storage-probe");
        t.setDaemon(true);
        return t;
    });
    private CompletableFuture<Status> running;

    public StorageProbe(Path dataDir, Duration timeout) {
        this.dataDir = dataDir;
        this.timeout = timeout;
    }

    /** Probes now; a probe that is still hanging from an earlier call is waited for instead of stacking up. */
    public Status probe() {
        CompletableFuture<Status> future;
        synchronized (this) {
            if (running == null || running.isDone()) {
                running = CompletableFuture.supplyAsync(this::probeNow, thread);
            }
            future = running;
        }
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return new Status(false, "the data directory did not answer within " + timeout.toSeconds() + " s", -1, -1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Status(false, "interrupted", -1, -1);
        } catch (ExecutionException e) {
            return new Status(false, String.valueOf(e.getCause()), -1, -1);
        }
    }

    Status probeNow() {
        long usable = -1;
        long total = -1;
        try {
            FileStore store = Files.getFileStore(dataDir);
            usable = store.getUsableSpace();
            total = store.getTotalSpace();
        } catch (IOException e) {
            return new Status(false, "cannot read the file system of " + dataDir + ": " + e, usable, total);
        }
        Path probe = dataDir.resolve(".tmp").resolve("readiness-" + UUID.randomUUID());
        try {
            Files.createDirectories(probe.getParent());
            try (FileChannel channel = FileChannel.open(probe, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                channel.write(ByteBuffer.wrap(new byte[] {'o', 'k'}));
            }
            return new Status(true, null, usable, total);
        } catch (IOException e) {
            return new Status(false, "cannot write in " + dataDir + ": " + e, usable, total);
        } finally {
            try {
                Files.deleteIfExists(probe);
            } catch (IOException ignored) {
                // the write failed too, and that is what the status says
            }
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
