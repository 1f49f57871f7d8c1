package rottsync.graph;

import java.util.Arrays;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;

/**
 * The SHA-256 hash of an Automerge change, the name every peer knows it by. Ordered bytewise unsigned, the
 * order Automerge sorts heads and needs in; 3.x compares heads as ordered lists, so emitted lists are sorted.
 */
public final class ChangeHash implements Comparable<ChangeHash> {
    public static final int BYTES = 32;

    private final byte[] bytes;

    private ChangeHash(byte[] bytes) {
        this.bytes = bytes;
    }

    /** Copies 32 bytes at {@code offset}. */
    public static ChangeHash of(byte[] source, int offset) {
        return new ChangeHash(Arrays.copyOfRange(source, offset, offset + BYTES));
    }

    public static ChangeHash of(byte[] bytes) {
        if (bytes.length != BYTES) {
            throw new IllegalArgumentException("a change hash has 32 bytes, not " + bytes.length);
        }
        return new ChangeHash(bytes.clone());
    }

    public static ChangeHash ofHex(String hex) {
        return of(HexFormat.of().parseHex(hex));
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    /** The hash's bytes without a copy, for callers that only read them. */
    byte[] raw() {
        return bytes;
    }

    public String hex() {
        return HexFormat.of().formatHex(bytes);
    }

    /** A sorted copy, as Automerge writes hash lists. */
    public static List<ChangeHash> sorted(Collection<ChangeHash> hashes) {
        return hashes.stream().distinct().sorted().toList();
    }

    @Override
    public int compareTo(ChangeHash other) {
        return Arrays.compareUnsigned(bytes, other.bytes);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ChangeHash h && Arrays.equals(bytes, h.bytes);
    }

    @Override
    public int hashCode() {
        return (bytes[0] & 0xff) << 24 | (bytes[1] & 0xff) << 16 | (bytes[2] & 0xff) << 8 | (bytes[3] & 0xff);
    }

    @Override
    public String toString() {
        return hex();
    }
}
