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
    private final int maxLoadedCount;
    private final long maxLoadedBytes;

    /**
     * {@code worker} handles one input on the lane's thread, including the storage work it causes. The caps
     * bound the documents in memory: their number, and their stored size together.
     */
    DocumentLanes(Executor executor, Function<DocumentId, DocumentSynchronizer> factory,
            BiConsumer<DocumentSynchronizer, DocumentInput> worker, int maxLoadedCount, long maxLoadedBytes) {
        this.executor = executor;
        this.factory = factory;
        this.worker = worker;
        this.maxLoadedCount = maxLoadedCount;
        this.maxLoadedBytes = maxLoadedBytes;
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

    /** The periodic check: documents over the caps leave once their peers are in sync. */
    void enforceLoadedCaps() {
        enforceLoadedCaps(null, true);
    }

    /**
     * Keeps the documents in memory within both caps. The least recently used leave first, documents whose
     * peers are in sync before busy ones (each leaves once its changes are on disk). {@code spare} is never
     * asked to leave: it is the document that just loaded or grew, for a peer working with it. With
     * {@code quiescentOnly}, busy documents stay too (the next periodic check catches them). Runs whenever a
     * document loads or grows; the scan is over documents that have lanes, never over everything stored.
     */
    private void enforceLoadedCaps(DocumentId spare, boolean quiescentOnly) {
        int maxCount = maxLoadedCount;
        long maxBytes = maxLoadedBytes;
        record Candidate(DocumentId id, boolean busy, long lastUsedNanos, long bytes) {}
        List<Candidate> loaded = new ArrayList<>();
        long bytes = 0;
        for (Lane lane : lanes.values()) {
            if (lane.loaded) {
                loaded.add(new Candidate(lane.synchronizer.id(), !lane.quiescent, lane.lastUsedNanos, lane.storedBytes));
                bytes += lane.storedBytes;
            }
        }
        int count = loaded.size();
        if (count <= maxCount && bytes <= maxBytes) {
            return;
        }
        // Quiescent documents first: evicting one mid-sync would cost its peers an extra round trip.
        loaded.sort(Comparator.comparing(Candidate::busy).thenComparingLong(Candidate::lastUsedNanos));
        for (Candidate candidate : loaded) {
            if (count <= maxCount && bytes <= maxBytes) {
                return;
            }
            if (candidate.id().equals(spare) || (quiescentOnly && candidate.busy())) {
                continue;
            }
            submit(candidate.id(), new DocumentInput.Unload());
            count--;
            bytes -= candidate.bytes();
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
        private volatile long storedBytes;
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
            boolean wasLoaded = loaded;
            long storedBefore = storedBytes;
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
            storedBytes = synchronizer.storedBytesInMemory();
            if (loaded && (!wasLoaded || storedBytes > storedBefore)) {
                enforceLoadedCaps(synchronizer.id(), false);
            }
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
