package rottsync.server;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
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
    /** Lanes whose document is in memory, and their stored size together: the caps are checked against these. */
    private final Set<Lane> loadedLanes = ConcurrentHashMap.newKeySet();
    private final AtomicLong loadedBytes = new AtomicLong();
    /** Of those, the ones asked to leave that have not handled it yet, and their size. */
    private final java.util.concurrent.atomic.AtomicInteger leavingCount = new java.util.concurrent.atomic.AtomicInteger();
    private final AtomicLong leavingBytes = new AtomicLong();
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
        return loadedLanes.size();
    }

    /** The periodic check: documents over the caps leave once their peers are in sync. */
    void enforceLoadedCaps() {
        enforceLoadedCaps(null, true);
    }

    /**
     * Keeps the documents in memory within both caps. The least recently used leave first, documents whose
     * peers are in sync before busy ones (each leaves once its changes are on disk). {@code spare} is never
     * asked to leave: its document just loaded or grew, for a peer working with it. With
     * {@code quiescentOnly}, busy documents stay too (the next periodic check catches them). Runs when a
     * document loads or grows past a cap; the scan is over the documents in memory only.
     */
    private void enforceLoadedCaps(Lane spare, boolean quiescentOnly) {
        // An estimate: other lanes load, leave and are asked to leave while these are read, so for a moment
        // more may count as leaving than this read of the set holds (the total can even be negative).
        int count = loadedLanes.size() - leavingCount.get();
        long bytes = loadedBytes.get() - leavingBytes.get();
        if (count <= maxLoadedCount && bytes <= maxLoadedBytes) {
            return; // within the caps once those already asked have left: no scan
        }
        // Down to a tenth below the caps, so that a stream of new documents costs a scan per tenth, not each.
        int countTarget = maxLoadedCount - maxLoadedCount / 10;
        long bytesTarget = maxLoadedBytes - maxLoadedBytes / 10;
        // A snapshot: the lanes' fields move while we sort, and a sort needs a stable order.
        record Candidate(Lane lane, boolean busy, long lastUsedNanos, long bytes) {}
        List<Candidate> candidates = new ArrayList<>();
        for (Lane lane : loadedLanes) {
            boolean busy = !lane.quiescent;
            if (lane != spare && !lane.leaving && !(quiescentOnly && busy)) {
                candidates.add(new Candidate(lane, busy, lane.lastUsedNanos, lane.storedBytes));
            }
        }
        // Quiescent documents first (evicting one mid-sync costs its peers a round trip), least recently used first.
        candidates.sort(Comparator.comparing(Candidate::busy).thenComparingLong(Candidate::lastUsedNanos));
        for (Candidate candidate : candidates) {
            if (count <= countTarget && bytes <= bytesTarget) {
                return;
            }
            askToLeave(candidate.lane());
            count--;
            bytes -= candidate.bytes();
        }
    }

    /**
     * Only the lane that was looked at is asked: if its document has meanwhile left and the lane is gone, an
     * Unload by id would start a fresh lane, and the request would never be accounted as handled.
     */
    private void askToLeave(Lane lane) {
        lanes.computeIfPresent(lane.synchronizer.id(), (key, current) -> {
            if (current == lane && !lane.leaving) {
                long size = lane.storedBytes;
                lane.leavingSize = size;
                lane.leaving = true;
                leavingCount.incrementAndGet();
                leavingBytes.addAndGet(size);
                lane.enqueue(new DocumentInput.Unload());
            }
            return current;
        });
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
        /**
         * Asked by the caps to leave and not gone yet: the Unload is queued, or the document waits for a write
         * to land before it goes. It counts as gone meanwhile, so the caps neither ask again nor evict others.
         */
        private volatile boolean leaving;
        private volatile long leavingSize;
        private boolean unloadSeen;
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
                if (input instanceof DocumentInput.Unload) {
                    unloadSeen = leaving;
                } else if (!(input instanceof DocumentInput.Tick)) {
                    lastUsedNanos = System.nanoTime();
                }
            }
            try {
                account(wasLoaded, storedBefore);
            } catch (RuntimeException e) {
                // Whatever goes wrong in the bookkeeping, the lane must go on: a lane left marked as
                // scheduled would never run again and its peers would wait forever.
                LOG.errorf(e, "document %s: accounting for the memory caps failed", synchronizer.id());
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

        /** Updates what the caps count after a batch, and applies them if this document loaded or grew. */
        private void account(boolean wasLoaded, long storedBefore) {
            quiescent = synchronizer.isQuiescent();
            loaded = synchronizer.isLoaded();
            storedBytes = synchronizer.storedBytesInMemory();
            loadedBytes.addAndGet(storedBytes - storedBefore);
            if (leaving && unloadSeen && !(loaded && synchronizer.isUnloadPending())) {
                leaving = false;
                unloadSeen = false;
                leavingCount.decrementAndGet();
                leavingBytes.addAndGet(-leavingSize);
            }
            if (loaded) {
                loadedLanes.add(this);
            } else {
                loadedLanes.remove(this);
            }
            if (loaded && (!wasLoaded || storedBytes > storedBefore)) {
                enforceLoadedCaps(this, false);
            }
        }
    }
}
