package rottsync.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.automerge.ChangeHash;
import org.automerge.Document;
import org.automerge.ObjectId;
import org.automerge.Transaction;

/** Real Automerge documents (automerge-java), the oracle the engine-free graph is checked against. */
final class EngineDocs {
    private EngineDocs() {}

    static void edit(Document doc, String key, String value) {
        try (Transaction tx = doc.startTransaction()) {
            tx.set(ObjectId.ROOT, key, value);
            tx.commit();
        }
    }

    /** The engine's heads as our hashes, sorted. */
    static List<rottsync.graph.ChangeHash> heads(Document doc) {
        List<rottsync.graph.ChangeHash> out = new ArrayList<>();
        for (ChangeHash h : doc.getHeads()) {
            out.add(rottsync.graph.ChangeHash.of(h.getBytes()));
        }
        return rottsync.graph.ChangeHash.sorted(out);
    }

    /** Every change of the document as the engine encodes it, parsed without the engine. */
    static List<Change> changes(Document doc) throws InvalidDataException {
        return Chunks.parse(doc.encodeChangesSince(new ChangeHash[0]), 1 << 24).changes();
    }

    static byte[] actor(int n) {
        byte[] id = new byte[16];
        Arrays.fill(id, (byte) n);
        return id;
    }
}
