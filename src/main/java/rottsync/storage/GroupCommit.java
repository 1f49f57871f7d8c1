package rottsync.storage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * One writer for the whole store: chunks submitted while a batch is being made durable wait and go
 * together in the next one ({@link ChunkStore#putAll}), so a burst of writes from many documents shares
 * one pass of fsyncs. The caller never blocks; it learns of each chunk's durability through the callback,
 * which runs on the writer thread after the chunk is durable (or has failed).
 */
public final class GroupCommit implements AutoCloseable {
    /** One chunk to make durable, and whom to tell: empty on success, the failure otherwise. */
    public record Write(StorageKey key, byte[] bytes, Consumer<Optional<IOException>> done) {}

    private static final Write STOP = new Write(StorageKey.of("stop"), new byte[0], outcome -> { });

    private final ChunkStore store;
    private final int maxBatch;
    private final LinkedBlockingQueue<Write> queue = new LinkedBlockingQueue<>();
    private final AtomicLong submitted = new AtomicLong();
    private final AtomicLong completed = new AtomicLong();
    private final Thread writer;
    private volatile IntConsumer batchObserver = size -> { };

    public GroupCommit(ChunkStore store, int maxBatch, String threadName) {
        this.store = store;
        this.maxBatch = maxBatch;
        this.writer = new Thread(this::run, threadName);
        writer.setDaemon(true);
        writer.start();
    }

    /** Receives the number of chunks in every batch, e.g. for metrics; must be cheap. */
    public void onBatch(IntConsumer observer) {
        this.batchObserver = observer;
    }

    public void submit(Write write) {
        submitted.incrementAndGet();
        queue.add(write);
    }

    /** Chunks submitted so far; with {@link #completed()} this tells whether anything is in flight. */
    public long submitted() {
        return submitted.get();
    }

    /** Chunks whose callback has returned. */
    public long completed() {
        return completed.get();
    }

    private void run() {
        List<Write> batch = new ArrayList<>();
        while (true) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                return;
            }
            queue.drainTo(batch, maxBatch - 1);
            boolean stop = batch.remove(STOP);
            if (!batch.isEmpty()) {
                commit(batch);
            }
            batch.clear();
            if (stop) {
                return;
            }
        }
    }

    private void commit(List<Write> batch) {
        Map<StorageKey, byte[]> chunks = new LinkedHashMap<>();
        for (Write write : batch) {
            chunks.put(write.key(), write.bytes());
        }
        Map<StorageKey, IOException> failed;
        try {
            failed = store.putAll(chunks);
        } catch (RuntimeException e) {
            failed = new LinkedHashMap<>();
            for (StorageKey key : chunks.keySet()) {
                failed.put(key, new IOException(e.getMessage(), e));
            }
        }
        batchObserver.accept(batch.size());
        for (Write write : batch) {
            try {
                write.done().accept(Optional.ofNullable(failed.get(write.key())));
            } catch (RuntimeException e) {
                // one caller's failure must not keep the others from hearing about their chunks
            } finally {
                completed.incrementAndGet();
            }
        }
    }

    /** Finishes every chunk submitted before this call, then stops the writer. */
    @Override
    public void close() throws InterruptedException {
        queue.add(STOP);
        writer.join(TimeUnit.SECONDS.toMillis(30));
    }
}
