package rottsync.server;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
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
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(DocumentLanes.class);
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

    /**
     * Keeps at most {@code max} documents in memory: the least recently used loaded ones beyond that are
     * asked to unload (each does so once its changes are on disk). Called after a document loads, so the
     * scan is over documents in memory, never over everything stored.
     */
    void enforceLoadedCap(int max) {
        record Candidate(DocumentId id, boolean busy, long lastUsedNanos) {}
        List<Candidate> loaded = new ArrayList<>();
        for (Lane lane : lanes.values()) {
            if (lane.loaded) {
                loaded.add(new Candidate(lane.synchronizer.id(), !lane.quiescent, lane.lastUsedNanos));
            }
        }
        int excess = loaded.size() - max;
        if (excess <= 0) {
            return;
        }
        // Quiescent documents first: evicting one mid-sync would cost its peers an extra round trip.
        loaded.sort(Comparator.comparing(Candidate::busy).thenComparingLong(Candidate::lastUsedNanos));
        for (Candidate candidate : loaded.subList(0, excess)) {
            submit(candidate.id(), new DocumentInput.Unload());
        }
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
        private volatile boolean quiescent;
        private volatile long lastUsedNanos = System.nanoTime();

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
                try {
                    worker.accept(synchronizer, input);
                } catch (RuntimeException e) {
                    // A lane must never wedge: report and go on with the next input.
                    LOG.errorf(e, "document %s: input %s failed", synchronizer.id(), input.getClass().getSimpleName());
                }
                if (!(input instanceof DocumentInput.Unload) && !(input instanceof DocumentInput.Tick)) {
                    lastUsedNanos = System.nanoTime();
                }
            }
            loaded = synchronizer.isLoaded();
            quiescent = synchronizer.isQuiescent();
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
