package rottsync.backup;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.automerge.ChangeHash;
import org.automerge.Document;
import org.automerge.SyncState;

/**
 * Loads a document from its chunks with Automerge's strict loader, the way the server does, and says
 * what is wrong when it does not load: each chunk that fails on its own is named.
 */
public final class DocumentCheck {
    /** {@code heads} are sorted lowercase hex change hashes (the JS client's {@code getHeads} strings). */
    public record Result(String documentId, List<String> heads, List<String> problems) {
        public Result {
            heads = List.copyOf(heads);
            problems = List.copyOf(problems);
        }

        public boolean ok() {
            return problems.isEmpty();
        }
    }

    private DocumentCheck() {}

    public static Result check(StoredDocument document) {
        List<String> problems = new ArrayList<>();
        for (StoredDocument.Unreadable u : document.unreadable()) {
            problems.add("chunk " + u.kind() + "/" + u.name() + " is unreadable: " + u.reason());
        }
        List<Chunk> chunks = document.chunks();
        if (chunks.isEmpty()) {
            if (problems.isEmpty()) {
                problems.add("no snapshot or incremental chunks: the document directory is empty");
            }
            return new Result(document.id(), List.of(), problems);
        }
        try {
            Document doc = Document.load(concat(chunks));
            try {
                long missing = missingChanges(doc);
                if (missing > 0) {
                    problems.add(missing + " change(s) that other chunks build on are missing (a chunk was lost?);"
                            + " the changes that need them cannot be applied");
                }
                return new Result(document.id(), hex(doc.getHeads()), problems);
            } finally {
                doc.free();
            }
        } catch (RuntimeException whole) {
            boolean named = false;
            for (Chunk chunk : chunks) {
                // Alone, a chunk's changes may depend on other chunks: strict load would call that an
                // error, so each chunk is parsed by the incremental loader, which only queues them.
                Document alone = new Document();
                try {
                    alone.applyEncodedChanges(chunk.bytes());
                } catch (RuntimeException e) {
                    named = true;
                    problems.add("chunk " + chunk.kind() + "/" + chunk.name() + " is corrupt: " + e.getMessage());
                } finally {
                    alone.free();
                }
            }
            if (!named) {
                problems.add("the chunks do not load together: " + whole.getMessage());
            }
            return new Result(document.id(), List.of(), problems);
        }
    }

    /**
     * How many changes the loaded chunks depend on but do not contain. Automerge's loader keeps such
     * changes aside instead of failing, so it is read from the first sync message to a peer that knows
     * nothing: its "need" list names exactly the missing dependencies (heads, then need, each a LEB128 count
     * of 32-byte hashes, after the message type byte).
     */
    static long missingChanges(Document doc) {
        SyncState fresh = new SyncState();
        try {
            byte[] message = doc.generateSyncMessage(fresh).orElse(null);
            if (message == null || message.length < 2) {
                return 0;
            }
            int[] pos = {1};
            long heads = leb128(message, pos);
            pos[0] += (int) (heads * 32);
            return pos[0] < message.length ? leb128(message, pos) : 0;
        } finally {
            fresh.free();
        }
    }

    private static long leb128(byte[] bytes, int[] pos) {
        long value = 0;
        for (int shift = 0; pos[0] < bytes.length && shift < 64; shift += 7) {
            int b = bytes[pos[0]++] & 0xff;
            value |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                break;
            }
        }
        return value;
    }

    public static List<String> hex(ChangeHash[] heads) {
        String[] out = new String[heads.length];
        for (int i = 0; i < heads.length; i++) {
            out[i] = HexFormat.of().formatHex(heads[i].getBytes());
        }
        Arrays.sort(out);
        return List.of(out);
    }

    /** Snapshots first, then incrementals, as automerge-repo loads them. */
    static byte[] concat(List<Chunk> chunks) {
        List<Chunk> ordered = new ArrayList<>(chunks);
        ordered.sort((a, b) -> Boolean.compare(!a.kind().equals("snapshot"), !b.kind().equals("snapshot")));
        int total = ordered.stream().mapToInt(c -> c.bytes().length).sum();
        byte[] all = new byte[total];
        int offset = 0;
        for (Chunk c : ordered) {
            System.arraycopy(c.bytes(), 0, all, offset, c.bytes().length);
            offset += c.bytes().length;
        }
        return all;
    }
}
