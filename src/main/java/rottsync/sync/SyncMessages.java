package rottsync.sync;

import java.io.ByteArrayOutputStream;
import rottsync.graph.ByteReader;
import java.util.Arrays;
import java.util.Collection;
import org.automerge.ChangeHash;

/** Reads the few header fields of an Automerge sync message that the synchronizer needs. */
final class SyncMessages {
    private static final int MESSAGE_V1 = 0x42;
    private static final int MESSAGE_V2 = 0x43;
    /** The capability a peer lists when it reads v2 messages, which may carry the whole document. */
    private static final int CAPABILITY_MESSAGE_V2 = 0x02;
    private static final int WHOLE_DOCUMENT = 0x01;

    private SyncMessages() {}

    /** The number of heads the sender announces, or -1 if the bytes are not a sync message. */
    static long headCount(byte[] message) {
        if (!hasSyncType(message)) {
            return -1;
        }
        ByteReader reader = new ByteReader(message, 1);
        long count = reader.uleb();
        return reader.failed ? -1 : count;
    }

    /**
     * True when the sender says it has exactly {@code heads}, needs nothing and sends no changes: a peer
     * that is up to date telling us so. Heads compare as a set; anything unreadable is false.
     */
    static boolean isUpToDateAt(byte[] message, ChangeHash[] heads) {
        if (!hasSyncType(message)) {
            return false;
        }
        ByteReader reader = new ByteReader(message, 1);
        long headCount = reader.uleb();
        if (reader.failed || headCount != heads.length) {
            return false;
        }
        for (long i = 0; i < headCount; i++) {
            byte[] head = reader.bytes(ByteReader.HASH_BYTES);
            if (head == null || !contains(heads, head)) {
                return false;
            }
        }
        if (reader.uleb() != 0) {
            return false; // it needs changes
        }
        long haves = reader.uleb();
        for (long i = 0; i < haves && !reader.failed; i++) {
            reader.skipHashes(reader.uleb()); // last sync heads
            reader.skip(reader.uleb()); // bloom filter
        }
        long changes = reader.uleb();
        return !reader.failed && changes == 0;
    }

    /**
     * True for the first message of a peer that has nothing (no heads, no needs, no changes) and lists the
     * v2 capability: such a peer takes the whole document as stored chunks, the way Automerge itself
     * answers a peer that starts from nothing.
     */
    static boolean isFreshPeerReadingWholeDocuments(byte[] message) {
        if (message.length < 2 || (message[0] & 0xff) != MESSAGE_V1) {
            return false;
        }
        ByteReader reader = new ByteReader(message, 1);
        if (reader.uleb() != 0 || reader.uleb() != 0) {
            return false; // it has heads, or needs something
        }
        long haves = reader.uleb();
        for (long i = 0; i < haves && !reader.failed; i++) {
            reader.skipHashes(reader.uleb());
            reader.skip(reader.uleb());
        }
        if (reader.uleb() != 0 || reader.failed) {
            return false;
        }
        long capabilities = reader.uleb();
        for (long i = 0; i < capabilities && !reader.failed; i++) {
            byte[] capability = reader.bytes(1);
            if (capability != null && capability[0] == CAPABILITY_MESSAGE_V2) {
                return true;
            }
        }
        return false;
    }

    /**
     * A v2 sync message that hands a peer with nothing the whole document: our heads, no needs, no summary
     * of what we have (it has nothing to send us), and the stored chunks, which the peer loads as Automerge
     * loads them from storage.
     */
    static byte[] wholeDocument(ChangeHash[] sortedHeads, Collection<byte[]> chunks) {
        int size = 0;
        for (byte[] chunk : chunks) {
            size += chunk.length;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(size + 16 + sortedHeads.length * ByteReader.HASH_BYTES);
        out.write(MESSAGE_V2);
        writeUleb(out, sortedHeads.length);
        for (ChangeHash head : sortedHeads) {
            out.writeBytes(head.getBytes());
        }
        writeUleb(out, 0); // need
        writeUleb(out, 0); // have
        out.write(WHOLE_DOCUMENT);
        writeUleb(out, size);
        for (byte[] chunk : chunks) {
            out.writeBytes(chunk);
        }
        return out.toByteArray();
    }

    static void writeUleb(ByteArrayOutputStream out, long value) {
        do {
            int b = (int) (value & 0x7f);
            value >>>= 7;
            out.write(value != 0 ? b | 0x80 : b);
        } while (value != 0);
    }

    private static boolean hasSyncType(byte[] message) {
        return message.length >= 2 && ((message[0] & 0xff) == MESSAGE_V1 || (message[0] & 0xff) == MESSAGE_V2);
    }

    private static boolean contains(ChangeHash[] heads, byte[] head) {
        for (ChangeHash h : heads) {
            if (Arrays.equals(h.getBytes(), head)) {
                return true;
            }
        }
        return false;
    }
}
