package rottsync.graph;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads LEB128 numbers and fixed-size fields of Automerge's binary formats. Bytes come from peers and from
 * disk, so an overrun never throws: it sets {@code failed} and every later read fails too. Like Automerge's
 * own parser it refuses overlong LEB128 encodings and values past 64 bits, so a number has one encoding.
 */
public final class ByteReader {
    public static final int HASH_BYTES = ChangeHash.BYTES;

    private final byte[] bytes;
    private final int end;
    private int position;
    public boolean failed;

    public ByteReader(byte[] bytes, int position) {
        this(bytes, position, bytes.length);
    }

    public ByteReader(byte[] bytes, int position, int end) {
        this.bytes = bytes;
        this.position = position;
        this.end = end;
    }

    public int remaining() {
        return end - position;
    }

    public int position() {
        return position;
    }

    public int u8() {
        if (failed || position >= end) {
            failed = true;
            return -1;
        }
        return bytes[position++] & 0xff;
    }

    /** An unsigned LEB128 number; -1 (and failed) if unfinished, overlong or past 64 bits. */
    public long uleb() {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = u8();
            if (failed) {
                return -1;
            }
            if (shift == 63 && (b & 0x7e) != 0) {
                break; // bits past the 64th
            }
            value |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                if (b == 0 && shift > 0) {
                    break; // overlong: a trailing zero byte after continuation bytes
                }
                return value;
            }
        }
        failed = true;
        return -1;
    }

    /** A signed LEB128 number (64 bits); 0 and failed when malformed. */
    public long sleb() {
        long value = 0;
        int shift = 0;
        int b;
        do {
            b = u8();
            if (failed || shift >= 64) {
                failed = true;
                return 0;
            }
            value |= (long) (b & 0x7f) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        if (shift < 64 && (b & 0x40) != 0) {
            value |= -1L << shift;
        }
        return value;
    }

    /** The next {@code length} bytes, or null if they are not there. */
    public byte[] bytes(long length) {
        if (failed || length < 0 || length > remaining()) {
            failed = true;
            return null;
        }
        byte[] out = new byte[(int) length];
        System.arraycopy(bytes, position, out, 0, (int) length);
        position += (int) length;
        return out;
    }

    public void skip(long length) {
        if (failed || length < 0 || length > remaining()) {
            failed = true;
            return;
        }
        position += (int) length;
    }

    /** Skips {@code count} 32-byte hashes; a count too large to be there fails rather than wrapping around. */
    public void skipHashes(long count) {
        if (hashesFit(count)) {
            position += (int) count * HASH_BYTES;
        }
    }

    /** A count and that many 32-byte hashes; null if they do not fit. */
    public List<ChangeHash> hashes() {
        long count = uleb();
        if (!hashesFit(count)) {
            return null;
        }
        List<ChangeHash> out = new ArrayList<>((int) count);
        for (long i = 0; i < count; i++) {
            out.add(ChangeHash.of(bytes, position));
            position += HASH_BYTES;
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
