package rottsync.sync;

/** Reads the one header field of an Automerge sync message that the synchronizer needs. */
final class SyncMessages {
    private static final int MESSAGE_V1 = 0x42;
    private static final int MESSAGE_V2 = 0x43;

    private SyncMessages() {}

    /** The number of heads the sender announces, or -1 if the bytes are not a sync message. */
    static long headCount(byte[] message) {
        if (message.length < 2 || ((message[0] & 0xff) != MESSAGE_V1 && (message[0] & 0xff) != MESSAGE_V2)) {
            return -1;
        }
        long value = 0;
        for (int i = 1, shift = 0; i < message.length && shift < 64; i++, shift += 7) {
            int b = message[i] & 0xff;
            value |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        return -1;
    }
}
