package rottsync.graph;

import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * One document as a relay knows it: the graph of its changes (hash, dependencies, actor, sequence number)
 * and where each change's bytes are, with no Automerge engine. Changes are kept in the order they were
 * applied, which is a topological order: a change is applied only once all its dependencies are. Changes
 * whose dependencies have not arrived wait aside; they are never heads, never in a filter and never sent.
 *
 * <p>Memory: a change costs its 32-byte hash plus about 30 bytes of index (struct-of-arrays, no object per
 * change), and its bytes, which stay in the arrays they arrived or were loaded in.
 */
public final class ChangeGraph {
    /** Why a batch of changes was refused; nothing from it was applied. */
    public record Refusal(String reason) {}

    private byte[] hashes = new byte[ChangeHash.BYTES * 8];
    private int[] depStart = new int[9];
    private int[] deps = new int[8];
    private int[] actorOf = new int[8];
    private int[] arenaOf = new int[8];
    private int[] offsetOf = new int[8];
    private int[] lengthOf = new int[8];
    private int size;
    /** Open addressing from hash to index + 1; 0 is empty. */
    private int[] table = new int[16];
    private final Map<ActorKey, Integer> actorIds = new HashMap<>();
    private long[] maxSeq = new long[4];
    private final List<byte[]> arenas = new ArrayList<>();
    private final IdentityHashMap<byte[], Integer> arenaIds = new IdentityHashMap<>();
    private long arenaBytes;
    private final TreeSet<ChangeHash> heads = new TreeSet<>();
    private final Map<ChangeHash, Change> waiting = new LinkedHashMap<>();
    private final Map<ChangeHash, List<ChangeHash>> waitersByMissing = new HashMap<>();
    private long waitingBytes;
    /** Document chunks the changes below {@link #snapshotCovered} came from; sent whole to a peer with nothing. */
    private final List<Chunks.Document> snapshots = new ArrayList<>();
    private final BitSet inSnapshot = new BitSet();

    public int size() {
        return size;
    }

    public List<ChangeHash> heads() {
        return List.copyOf(heads);
    }

    public boolean contains(ChangeHash hash) {
        return indexOf(hash.raw()) >= 0;
    }

    public boolean isWaiting(ChangeHash hash) {
        return waiting.containsKey(hash);
    }

    public int waitingCount() {
        return waiting.size();
    }

    /** The flat array of hashes, 32 bytes per index; for readers in this package. */
    byte[] hashBytes() {
        return hashes;
    }

    public ChangeHash hash(int index) {
        return ChangeHash.of(hashes, index * ChangeHash.BYTES);
    }

    /** Bytes held for this graph in memory: the index, the change bytes, and changes waiting for dependencies. */
    public long footprintBytes() {
        long index = hashes.length + 4L * (depStart.length + deps.length + actorOf.length + arenaOf.length
                + offsetOf.length + lengthOf.length + table.length) + 8L * maxSeq.length;
        return index + arenaBytes + waitingBytes + 64L * (actorIds.size() + heads.size());
    }

    /**
     * Takes in changes as a peer or the disk hands them over: duplicates are skipped, changes whose
     * dependencies are missing wait, and every change that becomes ready is applied in turn. A batch that
     * would fork an actor's history (a second change with a sequence number already taken) or that would make
     * more than {@code maxWaitingBytes} wait is refused whole. A change whose sequence number skips ahead of
     * its actor's history is dropped when it would apply; the first such reason is returned.
     */
    public Refusal add(List<Change> batch, long maxWaitingBytes) {
        Map<ActorSeq, ChangeHash> claimed = new HashMap<>();
        long incoming = 0;
        for (Change c : batch) {
            if (contains(c.hash()) || waiting.containsKey(c.hash())) {
                continue;
            }
            ActorSeq key = new ActorSeq(new ActorKey(c.actor()), c.seq());
            Integer actor = actorIds.get(key.actor());
            if (actor != null && c.seq() <= maxSeq[actor]) {
                return new Refusal("change " + c.hash() + " reuses sequence number " + c.seq() + " of its actor");
            }
            ChangeHash other = claimed.putIfAbsent(key, c.hash());
            if (other != null && !other.equals(c.hash())) {
                return new Refusal("two changes claim sequence number " + c.seq() + " of one actor");
            }
            incoming += c.length();
        }
        for (Change w : waiting.values()) {
            ChangeHash other = claimed.get(new ActorSeq(new ActorKey(w.actor()), w.seq()));
            if (other != null && !other.equals(w.hash())) {
                return new Refusal("two changes claim sequence number " + w.seq() + " of one actor");
            }
        }
        if (waitingBytes + incoming > maxWaitingBytes && incoming > 0 && !allDepsKnownOrInBatch(batch)) {
            return new Refusal("too many changes wait for dependencies that have not arrived");
        }
        Refusal dropped = null;
        for (Change c : batch) {
            if (contains(c.hash()) || waiting.containsKey(c.hash())) {
                continue;
            }
            if (missingDeps(c).isEmpty()) {
                Refusal r = applyAndRelease(c);
                dropped = dropped == null ? r : dropped;
            } else {
                waiting.put(c.hash(), c);
                waitingBytes += c.length();
                for (ChangeHash dep : missingDeps(c)) {
                    waitersByMissing.computeIfAbsent(dep, k -> new ArrayList<>(1)).add(c.hash());
                }
            }
        }
        return dropped;
    }

    private boolean allDepsKnownOrInBatch(List<Change> batch) {
        java.util.HashSet<ChangeHash> inBatch = new java.util.HashSet<>();
        batch.forEach(c -> inBatch.add(c.hash()));
        for (Change c : batch) {
            for (ChangeHash dep : c.deps()) {
                if (!contains(dep) && !inBatch.contains(dep)) {
                    return false;
                }
            }
        }
        return true;
    }

    private List<ChangeHash> missingDeps(Change c) {
        List<ChangeHash> missing = new ArrayList<>(0);
        for (ChangeHash dep : c.deps()) {
            if (!contains(dep)) {
                missing.add(dep);
            }
        }
        return missing;
    }

    private Refusal applyAndRelease(Change first) {
        Refusal dropped = null;
        ArrayDeque<Change> ready = new ArrayDeque<>();
        ready.add(first);
        while (!ready.isEmpty()) {
            Change c = ready.poll();
            if (contains(c.hash())) {
                continue;
            }
            Refusal r = apply(c);
            if (r != null) {
                dropped = dropped == null ? r : dropped;
                continue;
            }
            List<ChangeHash> waiters = waitersByMissing.remove(c.hash());
            if (waiters == null) {
                continue;
            }
            for (ChangeHash h : waiters) {
                Change w = waiting.get(h);
                if (w != null && missingDeps(w).isEmpty()) {
                    waiting.remove(h);
                    waitingBytes -= w.length();
                    ready.add(w);
                }
            }
        }
        return dropped;
    }

    /** Appends a change whose dependencies are all applied. */
    private Refusal apply(Change c) {
        ActorKey actorKey = new ActorKey(c.actor());
        Integer actor = actorIds.get(actorKey);
        long previous = actor == null ? 0 : maxSeq[actor];
        if (c.seq() != previous + 1) {
            return new Refusal("change " + c.hash() + " has sequence number " + c.seq() + " where its actor's next is "
                    + (previous + 1));
        }
        if (actor == null) {
            actor = actorIds.size();
            actorIds.put(actorKey, actor);
            if (actor == maxSeq.length) {
                maxSeq = Arrays.copyOf(maxSeq, actor * 2);
            }
        }
        maxSeq[actor] = c.seq();
        grow();
        int i = size;
        System.arraycopy(c.hash().raw(), 0, hashes, i * ChangeHash.BYTES, ChangeHash.BYTES);
        int start = depStart[i];
        if (start + c.deps().size() > deps.length) {
            deps = Arrays.copyOf(deps, Math.max(deps.length * 2, start + c.deps().size()));
        }
        for (ChangeHash dep : c.deps()) {
            deps[start++] = indexOf(dep.raw());
            heads.remove(dep);
        }
        depStart[i + 1] = start;
        actorOf[i] = actor;
        arenaOf[i] = arena(c.source());
        offsetOf[i] = c.offset();
        lengthOf[i] = c.length();
        size++;
        insert(i);
        heads.add(c.hash());
        return null;
    }

    private int arena(byte[] source) {
        Integer id = arenaIds.get(source);
        if (id == null) {
            id = arenas.size();
            arenas.add(source);
            arenaIds.put(source, id);
            arenaBytes += source.length;
        }
        return id;
    }

    private void grow() {
        if (size + 1 >= actorOf.length) {
            int n = actorOf.length * 2;
            hashes = Arrays.copyOf(hashes, n * ChangeHash.BYTES);
            depStart = Arrays.copyOf(depStart, n + 1);
            actorOf = Arrays.copyOf(actorOf, n);
            arenaOf = Arrays.copyOf(arenaOf, n);
            offsetOf = Arrays.copyOf(offsetOf, n);
            lengthOf = Arrays.copyOf(lengthOf, n);
        }
        if ((size + 1) * 2 > table.length) {
            table = new int[table.length * 2];
            for (int i = 0; i < size; i++) {
                insert(i);
            }
        }
    }

    private void insert(int index) {
        int mask = table.length - 1;
        int slot = slotHash(hashes, index * ChangeHash.BYTES) & mask;
        while (table[slot] != 0) {
            slot = (slot + 1) & mask;
        }
        table[slot] = index + 1;
    }

    int indexOf(byte[] hash) {
        int mask = table.length - 1;
        int slot = slotHash(hash, 0) & mask;
        while (table[slot] != 0) {
            int i = table[slot] - 1;
            if (Arrays.equals(hashes, i * ChangeHash.BYTES, (i + 1) * ChangeHash.BYTES, hash, 0, ChangeHash.BYTES)) {
                return i;
            }
            slot = (slot + 1) & mask;
        }
        return -1;
    }

    private static int slotHash(byte[] b, int o) {
        int h = (b[o] & 0xff) | (b[o + 1] & 0xff) << 8 | (b[o + 2] & 0xff) << 16 | (b[o + 3] & 0xff) << 24;
        return h ^ (h >>> 16);
    }

    /** Every applied change that is {@code roots} or an ancestor of them; unknown roots are passed over. */
    public BitSet ancestors(Collection<ChangeHash> roots) {
        BitSet seen = new BitSet(size);
        ArrayDeque<Integer> stack = new ArrayDeque<>();
        for (ChangeHash root : roots) {
            int i = indexOf(root.raw());
            if (i >= 0 && !seen.get(i)) {
                seen.set(i);
                stack.push(i);
            }
        }
        while (!stack.isEmpty()) {
            int i = stack.pop();
            for (int d = depStart[i]; d < depStart[i + 1]; d++) {
                int dep = deps[d];
                if (!seen.get(dep)) {
                    seen.set(dep);
                    stack.push(dep);
                }
            }
        }
        return seen;
    }

    /** Indexes of changes that depend on {@code index} directly, scanning forward (apply order is topological). */
    boolean dependsOnAny(int index, BitSet set) {
        for (int d = depStart[index]; d < depStart[index + 1]; d++) {
            if (set.get(deps[d])) {
                return true;
            }
        }
        return false;
    }

    /**
     * What we lack to have {@code theirHeads}: walking from them, an applied change ends the walk, a waiting
     * change goes on into its dependencies, anything else is needed (Automerge 3.x's rule; 0.5's rule of
     * every waiting change's dependencies can stall a sync on unrelated orphans). Sorted.
     */
    public List<ChangeHash> missing(Collection<ChangeHash> theirHeads) {
        TreeSet<ChangeHash> need = new TreeSet<>();
        java.util.HashSet<ChangeHash> visited = new java.util.HashSet<>();
        ArrayDeque<ChangeHash> stack = new ArrayDeque<>(theirHeads);
        while (!stack.isEmpty()) {
            ChangeHash h = stack.pop();
            if (!visited.add(h) || contains(h)) {
                continue;
            }
            Change w = waiting.get(h);
            if (w != null) {
                stack.addAll(w.deps());
            } else {
                need.add(h);
            }
        }
        return List.copyOf(need);
    }

    /** Writes the bytes of change {@code index} as it was received or stored. */
    void writeChange(int index, ByteArrayOutputStream out) {
        out.write(arenas.get(arenaOf[index]), offsetOf[index], lengthOf[index]);
    }

    int changeLength(int index) {
        return lengthOf[index];
    }

    /** The bytes of changes {@code [from, to)} back to back, as one storage chunk file. */
    public byte[] changeBytes(int from, int to) {
        long total = 0;
        for (int i = from; i < to; i++) {
            total += lengthOf[i];
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(total, Integer.MAX_VALUE - 16));
        for (int i = from; i < to; i++) {
            writeChange(i, out);
        }
        return out.toByteArray();
    }

    /** The stored size of changes {@code [from, to)}. */
    public long changeBytesLength(int from, int to) {
        long total = 0;
        for (int i = from; i < to; i++) {
            total += lengthOf[i];
        }
        return total;
    }

    /**
     * A document chunk now stands for changes {@code [0, upTo)}: a peer with nothing is sent it in their
     * place. Replaces the snapshots known so far.
     */
    public void coveredBySnapshot(Chunks.Document snapshot, int upTo) {
        snapshots.clear();
        snapshots.add(snapshot);
        inSnapshot.clear();
        inSnapshot.set(0, upTo);
    }

    /** The changes a set of loaded document chunks holds, with those chunks standing for them. */
    public void addSnapshots(List<Chunks.Document> documents, int from, int to) {
        snapshots.addAll(documents);
        inSnapshot.set(from, to);
        for (Chunks.Document d : documents) {
            arena(d.source());
        }
    }

    /**
     * The whole document as one run of chunks, the way Automerge hands a document to a peer that has
     * nothing: the snapshots, then every applied change they do not hold.
     */
    public byte[] wholeDocument() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Chunks.Document d : snapshots) {
            out.write(d.source(), d.offset(), d.length());
        }
        for (int i = inSnapshot.nextClearBit(0); i < size; i = inSnapshot.nextClearBit(i + 1)) {
            writeChange(i, out);
        }
        return out.toByteArray();
    }

    /** The engine-memory estimate of this document's ops: the bytes of its changes bound the ops they carry. */
    public long estimatedOps() {
        return changeBytesLength(0, size) + waitingBytes;
    }

    private record ActorKey(byte[] bytes) {
        @Override
        public boolean equals(Object o) {
            return o instanceof ActorKey k && Arrays.equals(bytes, k.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }
    }

    private record ActorSeq(ActorKey actor, long seq) {}
}
