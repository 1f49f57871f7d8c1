package rottsync.graph;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The relay's side of Automerge's sync protocol with one peer for one document, computed on the change graph
 * alone. It follows Automerge 3.x's generate and receive rules field for field (heads, need, have, the reset
 * message, which changes to send, when to stay silent), with two choices of a relay:
 * <ul>
 *   <li>It sends no capabilities trailer, so every client sends it changes (v1), never a document chunk it
 *       would need an engine to read.</li>
 *   <li>A peer that reads v2 messages and has nothing, or lacks more than a third of the document, gets the
 *       whole document as stored: the snapshots and the changes they do not hold, in one entry.</li>
 * </ul>
 * What it was sent is a bit set over graph indexes; when the document leaves memory only the shared heads are
 * kept ({@link #sharedHeads()}), which is the reset automerge-repo itself applies on reconnect.
 */
public final class PeerSync {
    private List<ChangeHash> sharedHeads;
    private List<ChangeHash> lastSentHeads = List.of();
    private List<ChangeHash> theirHeads;
    private List<ChangeHash> theirNeed;
    private List<SyncMessage.Have> theirHave;
    private final BitSet sent = new BitSet();
    private boolean inFlight;
    private boolean haveResponded;
    private boolean readsV2;
    private boolean readOnly;

    /** A fresh state, or one resumed from parked shared heads (then, as Automerge decodes it, have is []). */
    public PeerSync(List<ChangeHash> parkedSharedHeads) {
        this.sharedHeads = parkedSharedHeads == null ? List.of() : parkedSharedHeads;
        if (parkedSharedHeads != null) {
            this.theirHave = List.of();
        }
    }

    public List<ChangeHash> sharedHeads() {
        return sharedHeads;
    }

    /** The peer has told us heads equal to ours and we told it ours: nothing more to exchange. */
    public boolean isInSync(ChangeGraph graph) {
        List<ChangeHash> ours = graph.heads();
        return ours.equals(theirHeads) && ours.equals(lastSentHeads);
    }

    /** Outcome of a received message: changes refused (nothing of the message's batch applied), if any. */
    public record Received(ChangeGraph.Refusal refusal, int changesApplied) {}

    /**
     * Takes in one message from the peer. Its changes go into the graph; {@code maxWaitingBytes} bounds how much
     * may wait for missing dependencies.
     */
    public Received receive(SyncMessage message, List<Change> changes, ChangeGraph graph, long maxWaitingBytes) {
        inFlight = false;
        List<ChangeHash> before = graph.heads();
        if (message.trailer() != null) {
            readsV2 = message.readsV2();
            readOnly = message.flagsReadOnly();
            if (message.flagsSyncReset()) {
                sent.clear();
            }
        }
        int sizeBefore = graph.size();
        ChangeGraph.Refusal refusal = null;
        if (!changes.isEmpty()) {
            refusal = graph.add(changes, maxWaitingBytes);
            if (refusal != null && graph.size() == sizeBefore) {
                return new Received(refusal, 0);
            }
            List<ChangeHash> now = graph.heads();
            Set<ChangeHash> shared = new HashSet<>();
            for (ChangeHash h : now) {
                if (!before.contains(h)) {
                    shared.add(h);
                }
            }
            for (ChangeHash h : sharedHeads) {
                if (now.contains(h)) {
                    shared.add(h);
                }
            }
            sharedHeads = ChangeHash.sorted(shared);
        }
        List<ChangeHash> heads = message.heads();
        BitSet known = graph.ancestors(heads);
        sent.andNot(known);
        if (changes.isEmpty() && sameSet(heads, before)) {
            lastSentHeads = ChangeHash.sorted(heads);
        }
        List<ChangeHash> knownHeads = new ArrayList<>();
        for (ChangeHash h : heads) {
            if (graph.contains(h)) {
                knownHeads.add(h);
            }
        }
        if (knownHeads.size() == heads.size()) {
            sharedHeads = ChangeHash.sorted(heads);
            if (heads.isEmpty()) {
                lastSentHeads = List.of();
                sent.clear();
            }
        } else {
            List<ChangeHash> union = new ArrayList<>(sharedHeads);
            union.addAll(knownHeads);
            sharedHeads = ChangeHash.sorted(union);
        }
        theirHave = message.have();
        theirHeads = ChangeHash.sorted(heads);
        theirNeed = message.need();
        return new Received(refusal, graph.size() - sizeBefore);
    }

    /** Our next message to the peer, or empty when there is nothing to say. */
    public Optional<byte[]> generate(ChangeGraph graph) {
        List<ChangeHash> ourHeads = graph.heads();
        List<ChangeHash> ourNeed = theirHeads == null ? List.of() : graph.missing(theirHeads);
        List<SyncMessage.Have> ourHave = List.of();
        if (theirHeads == null || theirHeads.containsAll(ourNeed)) {
            ourHave = List.of(new SyncMessage.Have(sharedHeads, bloomSince(graph, sharedHeads)));
        }
        if (theirHave != null && !theirHave.isEmpty()) {
            for (ChangeHash h : theirHave.get(0).lastSync()) {
                if (!graph.contains(h)) {
                    // They remember a sync we do not: say what we have and start over; no state changes.
                    return Optional.of(new SyncMessage(SyncMessage.V1, ourHeads, List.of(),
                            List.of(new SyncMessage.Have(List.of(), BloomFilter.EMPTY)), List.of(), null).encode());
                }
            }
        }
        List<SyncMessage.Entry> entries = List.of();
        int type = SyncMessage.V1;
        int selected = 0;
        BitSet toSend = null;
        if (theirHave != null && theirNeed != null && !readOnly) {
            if (readsV2 && theirHeads.isEmpty() && graph.size() > 0) {
                toSend = wholeDocument(graph);
            } else {
                toSend = changesToSend(graph);
                toSend.andNot(sent);
                if (readsV2 && toSend.cardinality() > graph.size() / 3 && graph.size() > 0) {
                    toSend = wholeDocument(graph);
                }
            }
        }
        if (toSend != null && toSend.cardinality() > 0) {
            selected = toSend.cardinality();
            if (toSend.get(graph.size())) {
                // the whole document: its stored form in one v2 entry
                toSend.clear(graph.size());
                byte[] whole = graph.wholeDocument();
                entries = List.of(new SyncMessage.Entry(whole, 0, whole.length));
                type = SyncMessage.V2;
            } else if (readsV2) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                for (int i = toSend.nextSetBit(0); i >= 0; i = toSend.nextSetBit(i + 1)) {
                    graph.writeChange(i, out);
                }
                byte[] joined = out.toByteArray();
                entries = List.of(new SyncMessage.Entry(joined, 0, joined.length));
                type = SyncMessage.V2;
            } else {
                List<SyncMessage.Entry> list = new ArrayList<>(selected);
                for (int i = toSend.nextSetBit(0); i >= 0; i = toSend.nextSetBit(i + 1)) {
                    ByteArrayOutputStream one = new ByteArrayOutputStream(graph.changeLength(i));
                    graph.writeChange(i, one);
                    byte[] b = one.toByteArray();
                    list.add(new SyncMessage.Entry(b, 0, b.length));
                }
                entries = list;
            }
        }
        boolean headsUnchanged = lastSentHeads.equals(ourHeads);
        if (headsUnchanged && haveResponded) {
            if ((ourHeads.equals(theirHeads) || readOnly) && selected == 0) {
                return Optional.empty();
            }
            if (inFlight) {
                return Optional.empty();
            }
        }
        haveResponded = true;
        lastSentHeads = ourHeads;
        if (toSend != null) {
            sent.or(toSend);
        }
        inFlight = true;
        return Optional.of(new SyncMessage(type, ourHeads, ourNeed, ourHave, entries, null).encode());
    }

    /** Every applied change, marked as a whole document (bit {@code size} set). */
    private static BitSet wholeDocument(ChangeGraph graph) {
        BitSet all = new BitSet(graph.size() + 1);
        all.set(0, graph.size() + 1);
        return all;
    }

    /** Our changes that are not ancestors of {@code since}, as a filter. */
    private static BloomFilter bloomSince(ChangeGraph graph, List<ChangeHash> since) {
        BitSet covered = graph.ancestors(since);
        int[] indexes = new int[graph.size() - covered.cardinality()];
        int n = 0;
        for (int i = covered.nextClearBit(0); i < graph.size(); i = covered.nextClearBit(i + 1)) {
            indexes[n++] = i;
        }
        return BloomFilter.of(graph, indexes, n);
    }

    /**
     * Automerge's choice: with no have, the needed changes we have; otherwise the changes since every lastSync
     * that no filter of theirs holds, with everything that depends on them, and the needed ones first. A bit
     * set orders by graph index, which is apply order: needed changes go along in history order too, which
     * every receiver accepts (they queue what comes early).
     */
    private BitSet changesToSend(ChangeGraph graph) {
        BitSet out = new BitSet();
        for (ChangeHash h : theirNeed) {
            int i = graph.indexOf(h.raw());
            if (i >= 0) {
                out.set(i);
            }
        }
        if (theirHave.isEmpty()) {
            return out;
        }
        List<ChangeHash> lastSync = new ArrayList<>();
        for (SyncMessage.Have have : theirHave) {
            lastSync.addAll(have.lastSync());
        }
        BitSet covered = graph.ancestors(lastSync);
        BitSet marked = new BitSet();
        byte[] hashes = graph.hashBytes();
        for (int i = covered.nextClearBit(0); i < graph.size(); i = covered.nextClearBit(i + 1)) {
            boolean inSomeFilter = false;
            for (SyncMessage.Have have : theirHave) {
                if (have.bloom().contains(hashes, i * ChangeHash.BYTES)) {
                    inSomeFilter = true;
                    break;
                }
            }
            if (!inSomeFilter || graph.dependsOnAny(i, marked)) {
                marked.set(i);
            }
        }
        out.or(marked);
        return out;
    }

    private static boolean sameSet(List<ChangeHash> a, List<ChangeHash> b) {
        return a.size() == b.size() && new HashSet<>(a).equals(new HashSet<>(b));
    }
}
