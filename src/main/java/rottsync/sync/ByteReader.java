package rottsync.sync;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads unsigned LEB128 numbers and fixed-size fields of Automerge's binary formats. Bytes come from
 * peers and from disk, so an overrun never throws: it sets {@code failed} and every later read fails too.
 */
final class ByteReader {
    static final int HASH_BYTES = 32;

    private final byte[] bytes;
    private int position;
    boolean failed;

    ByteReader(byte[] bytes, int position) {
        this.bytes = bytes;
        this.position = position;
    }

    int remaining() {
        return bytes.length - position;
    }

    int u8() {
        if (failed || position >= bytes.length) {
            failed = true;
            return -1;
        }
        return bytes[position++] & 0xff;
    }

    long uleb() {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = u8();
            if (failed) {
                return -1;
            }
            value |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        failed = true;
        return -1;
    }

    /** The next {@code length} bytes, or null if they are not there. */
    byte[] bytes(long length) {
        if (failed || length < 0 || length > remaining()) {
            failed = true;
            return null;
        }
        byte[] out = Arrays.copyOfRange(bytes, position, position + (int) length);
        position += (int) length;
        return out;
    }

    void skip(long length) {
        if (failed || length < 0 || length > remaining()) {
            failed = true;
            return;
        }
        position += (int) length;
    }

    /** Skips {@code count} 32-byte hashes; a count too large to be there fails rather than wrapping around. */
    void skipHashes(long count) {
        if (!hashesFit(count)) {
            return;
        }
        position += (int) count * HASH_BYTES;
    }

    /** A count and that many 32-byte hashes; null if they do not fit. */
    List<byte[]> hashes() {
        long count = uleb();
        if (!hashesFit(count)) {
            return null;
        }
        List<byte[]> out = new ArrayList<>((int) count);
        for (long i = 0; i < count; i++) {
            out.add(bytes(HASH_BYTES));
        }
        return out;
    }

    /** Whether {@code count} hashes follow; a LEB128 count past 2^63 reads as negative and fails too. */
    private boolean hashesFit(long count) {
        if (failed || count < 0 || count > remaining() / HASH_BYTES) {
            failed = true;
        }
        return !failed;
    }
}
