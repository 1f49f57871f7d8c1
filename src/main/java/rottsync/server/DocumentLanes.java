package rottsync.server;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;
import java.util.function.Function;
import rottsync.protocol.DocumentId;
import rottsync.sync.DocumentInput;
import rottsync.sync.DocumentSynchronizer;

/**
 * One serial lane per document over a shared thread pool: a document's inputs run one at a time and in
 * order, different documents run in parallel, and there is no global lock. A lane whose synchronizer is
 * disposable after draining is removed; the next input for that document starts a fresh one.
 */
final class DocumentLanes {
    /** Inputs one lane handles before it yields its thread to other documents. */
    private static final int BATCH = 64;

    private final Map<DocumentId, Lane> lanes = new ConcurrentHashMap<>();
    private final Executor executor;
    private final Function<DocumentId, DocumentSynchronizer> factory;
    private final BiConsumer<DocumentSynchronizer, DocumentInput> worker;

    /** {@code worker} handles one input on the lane's thread, including the storage work it causes. */
    DocumentLanes(Executor executor, Function<DocumentId, DocumentSynchronizer> factory,
            BiConsumer<DocumentSynchronizer, DocumentInput> worker) {
        this.executor = executor;
        this.factory = factory;
        this.worker = worker;
    }

    void submit(DocumentId id, DocumentInput input) {
        lanes.compute(id, (key, lane) -> {
            Lane target = lane != null ? lane : new Lane(factory.apply(key));
            target.enqueue(input);
            return target;
        });
    }

    /** Sends an input to every document currently in memory. */
    void broadcast(DocumentInput input) {
        for (DocumentId id : lanes.keySet()) {
            lanes.computeIfPresent(id, (key, lane) -> {
                lane.enqueue(input);
                return lane;
            });
        }
    }

    int size() {
        return lanes.size();
    }

    long loadedCount() {
        return lanes.values().stream().filter(l -> l.loaded).count();
    }

    /** Waits until no lane has work queued or running; false if that did not happen by the deadline. */
    boolean awaitIdle(long deadlineNanos) throws InterruptedException {
        while (lanes.values().stream().anyMatch(Lane::busy)) {
            if (System.nanoTime() - deadlineNanos >= 0) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    private final class Lane implements Runnable {
        private final DocumentSynchronizer synchronizer;
        private final ArrayDeque<DocumentInput> queue = new ArrayDeque<>();
        private boolean scheduled;
        private volatile boolean loaded;

        Lane(DocumentSynchronizer synchronizer) {
            this.synchronizer = synchronizer;
        }

        synchronized void enqueue(DocumentInput input) {
            queue.add(input);
            if (!scheduled) {
                scheduled = true;
                try {
                    executor.execute(this);
                } catch (RejectedExecutionException stopped) {
                    // The server has stopped: nothing acknowledged is pending, so late input is dropped.
                    scheduled = false;
                    queue.clear();
                }
            }
        }

        synchronized boolean busy() {
            return scheduled || !queue.isEmpty();
        }

        private synchronized DocumentInput next() {
            return queue.poll();
        }

        @Override
        public void run() {
            for (int i = 0; i < BATCH; i++) {
                DocumentInput input = next();
                if (input == null) {
                    break;
                }
                worker.accept(synchronizer, input);
            }
            loaded = synchronizer.isLoaded();
            synchronized (this) {
                if (!queue.isEmpty()) {
                    try {
                        executor.execute(this);
                        return;
                    } catch (RejectedExecutionException stopped) {
                        queue.clear();
                    }
                }
                scheduled = false;
            }
            if (synchronizer.isDisposable()) {
                lanes.computeIfPresent(synchronizer.id(), (key, lane) -> {
                    if (lane != this) {
                        return lane;
                    }
                    synchronized (this) {
                        // Another thread may have picked the lane up again since it went idle.
                        if (scheduled || !queue.isEmpty() || !synchronizer.isDisposable()) {
                            return lane;
                        }
                    }
                    synchronizer.close();
                    return null;
                });
            }
        }
    }
}
