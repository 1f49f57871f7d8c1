package rottsync.sync;

import java.util.Arrays;
import org.automerge.ChangeHash;

/** Reads the few header fields of an Automerge sync message that the synchronizer needs. */
final class SyncMessages {
    private static final int MESSAGE_V1 = 0x42;
    private static final int MESSAGE_V2 = 0x43;
    private static final int HASH_BYTES = 32;

    private SyncMessages() {}

    /** The number of heads the sender announces, or -1 if the bytes are not a sync message. */
    static long headCount(byte[] message) {
        if (!hasSyncType(message)) {
            return -1;
        }
        Reader reader = new Reader(message, 1);
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
        Reader reader = new Reader(message, 1);
        long headCount = reader.uleb();
        if (reader.failed || headCount != heads.length) {
            return false;
        }
        for (long i = 0; i < headCount; i++) {
            byte[] head = reader.bytes(HASH_BYTES);
            if (head == null || !contains(heads, head)) {
                return false;
            }
        }
        if (reader.uleb() != 0) {
            return false; // it needs changes
        }
        long haves = reader.uleb();
        for (long i = 0; i < haves && !reader.failed; i++) {
            reader.skip(reader.uleb() * HASH_BYTES); // last sync heads
            reader.skip(reader.uleb()); // bloom filter
        }
        long changes = reader.uleb();
        return !reader.failed && changes == 0;
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

    /** Unsigned LEB128 numbers and fixed-size fields; any overrun sets {@code failed}. */
    private static final class Reader {
        private final byte[] bytes;
        private int position;
        boolean failed;

        Reader(byte[] bytes, int position) {
            this.bytes = bytes;
            this.position = position;
        }

        long uleb() {
            long value = 0;
            for (int shift = 0; !failed && shift < 64; shift += 7) {
                if (position >= bytes.length) {
                    break;
                }
                int b = bytes[position++] & 0xff;
                value |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return value;
                }
            }
            failed = true;
            return -1;
        }

        byte[] bytes(int length) {
            if (failed || length > bytes.length - position) {
                failed = true;
                return null;
            }
            byte[] out = Arrays.copyOfRange(bytes, position, position + length);
            position += length;
            return out;
        }

        void skip(long length) {
            if (failed || length < 0 || length > bytes.length - position) {
                failed = true;
                return;
            }
            position += (int) length;
        }
    }
}
