package rottsync.ops;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * How many documents, chunk files and bytes the data directory holds. Counting walks the whole store,
 * so it is never done per request: readers get the last count, and a read that finds it stale starts one
 * recount in the background. Stale means older than {@code maxAge}, and also older than
 * {@value #QUIET_FACTOR} times the last walk took: a store so large that its walk is slow is walked less
 * often, so that health probes and metric scrapes never keep the server busy counting.
 */
public final class StoreStatistics {
    /** {@code countedAtMillis} is 0 until the first count has finished. */
    public record Counts(long documents, long chunks, long bytes, long diskUsableBytes, long diskTotalBytes,
            long countedAtMillis) {
        public boolean counted() {
            return countedAtMillis > 0;
        }
    }

    /** At most about 1 % of one core goes to counting. */
    static final int QUIET_FACTOR = 100;

    private final Path root;
    private final Duration maxAge;
    private final Executor executor;
    private final LongSupplier clock;
    private final AtomicBoolean counting = new AtomicBoolean();
    private volatile Counts last = new Counts(0, 0, 0, -1, -1, 0);
    private volatile long lastWalkMillis;
    private volatile long firstCountNotBefore;

    public StoreStatistics(Path root, Duration maxAge, Executor executor, LongSupplier clock) {
        this.root = root;
        this.maxAge = maxAge;
        this.executor = executor;
        this.clock = clock;
    }

    /** Readers before {@code millis} get "not counted yet" rather than starting the first count. */
    public void deferFirstCountUntil(long millis) {
        firstCountNotBefore = millis;
    }

    /** The latest counts; starts a background recount when they are stale. */
    public Counts get() {
        Counts counts = last;
        if (!counts.counted() && clock.getAsLong() < firstCountNotBefore) {
            return counts;
        }
        long staleAfter = Math.max(maxAge.toMillis(), QUIET_FACTOR * lastWalkMillis);
        if (!counts.counted() || clock.getAsLong() - counts.countedAtMillis() >= staleAfter) {
            refreshInBackground();
        }
        return counts;
    }

    public void refreshInBackground() {
        if (counting.compareAndSet(false, true)) {
            try {
                executor.execute(() -> {
                    try {
                        refreshNow();
                    } finally {
                        counting.set(false);
                    }
                });
            } catch (RuntimeException rejected) {
                counting.set(false);
            }
        }
    }

    /** Counts now, on the caller's thread. */
    public Counts refreshNow() {
        long started = clock.getAsLong();
        long[] documents = {0};
        long[] chunks = {0};
        long[] bytes = {0};
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    if (dir.equals(root)) {
                        return FileVisitResult.CONTINUE;
                    }
                    String name = dir.getFileName().toString();
                    if (name.startsWith(".") || name.startsWith("@") || name.equals("lost+found")) {
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    if (root.relativize(dir).getNameCount() == 2) {
                        documents[0]++;
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (root.relativize(file).getNameCount() >= 4) {
                        chunks[0]++;
                    }
                    bytes[0] += attrs.size();
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            return last;
        }
        long usable = -1;
        long total = -1;
        try {
            java.nio.file.FileStore store = Files.getFileStore(root);
            usable = store.getUsableSpace();
            total = store.getTotalSpace();
        } catch (IOException e) {
            // reported as unknown
        }
        long now = clock.getAsLong();
        Counts counts = new Counts(documents[0], chunks[0], bytes[0], usable, total, now);
        lastWalkMillis = now - started;
        last = counts;
        return counts;
    }
}
