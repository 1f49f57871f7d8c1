package rottsync.sync;

import org.automerge.ChangeHash;
import org.automerge.SyncState;

/**
 * One active peer of one document. The Automerge sync state lives in native memory while the
 * document is loaded and is parked as encoded bytes otherwise. Encoding keeps only the shared heads,
 * which is exactly the reset automerge-repo applies on reconnect to avoid sync loops.
 */
final class PeerDocState {
    enum Status { UNKNOWN, HAS, WANTS, UNAVAILABLE }

    final PeerRef peer;
    Status status = Status.UNKNOWN;
    boolean toldUnavailable;
    /** The document's heads when we last sent this peer a sync message, which carries them; null before. */
    ChangeHash[] toldHeads;
    private SyncState live;
    private byte[] parked;

    PeerDocState(PeerRef peer, byte[] parkedState) {
        this.peer = peer;
        this.parked = parkedState;
    }

    SyncState syncState() {
        if (live == null) {
            live = parked == null ? new SyncState() : SyncState.decode(parked);
            parked = null;
        }
        return live;
    }

    boolean isInSync(org.automerge.Document doc) {
        return live == null || live.isInSync(doc);
    }

    /** Frees native memory, keeping the shared heads; returns them encoded. */
    byte[] park() {
        if (live != null) {
            parked = live.encode();
            live.free();
            live = null;
        }
        return parked;
    }

    void discard() {
        if (live != null) {
            live.free();
            live = null;
        }
        parked = null;
    }
}
