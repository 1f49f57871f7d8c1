package rottsync.graph;

import java.io.ByteArrayOutputStream;

/**
 * Automerge's Bloom filter over change hashes, byte for byte: 10 bits per entry, 7 probes, probes derived from
 * the hash's first twelve bytes. A peer's filter is read with the peer's own parameters, within bounds that
 * keep a hostile one from costing much: a filter with entries but no bits (Automerge divides by zero on it)
 * and one with more than {@link #MAX_PROBES} probes (2^32 probes cost Automerge gigabytes) are refused.
 */
public final class BloomFilter {
    static final int BITS_PER_ENTRY = 10;
    static final int PROBES = 7;
    /** Automerge writes 7; a few more are tolerated, millions are an attack on CPU and memory. */
    static final int MAX_PROBES = 64;
    static final BloomFilter EMPTY = new BloomFilter(0, BITS_PER_ENTRY, PROBES, new byte[0]);

    private final long entries;
    private final long bitsPerEntry;
    private final int probes;
    private final byte[] bits;

    private BloomFilter(long entries, long bitsPerEntry, int probes, byte[] bits) {
        this.entries = entries;
        this.bitsPerEntry = bitsPerEntry;
        this.probes = probes;
        this.bits = bits;
    }

    /** A filter over {@code count} hashes of {@code graph}, taken by index from {@code indexes}. */
    static BloomFilter of(ChangeGraph graph, int[] indexes, int count) {
        if (count == 0) {
            return EMPTY;
        }
        byte[] bits = new byte[(int) ((count * (long) BITS_PER_ENTRY + 7) / 8)];
        BloomFilter filter = new BloomFilter(count, BITS_PER_ENTRY, PROBES, bits);
        for (int i = 0; i < count; i++) {
            filter.add(graph.hashBytes(), indexes[i] * ChangeHash.BYTES);
        }
        return filter;
    }

    public static BloomFilter decode(byte[] encoded) throws InvalidDataException {
        if (encoded.length == 0) {
            return EMPTY;
        }
        ByteReader r = new ByteReader(encoded, 0);
        long entries = r.uleb();
        long bitsPerEntry = r.uleb();
        long probes = r.uleb();
        if (r.failed) {
            throw new InvalidDataException("a Bloom filter's header is malformed");
        }
        if (entries == 0) {
            return EMPTY;
        }
        if (bitsPerEntry == 0 || bitsPerEntry > 64 || probes == 0 || probes > MAX_PROBES) {
            throw new InvalidDataException("a Bloom filter declares " + bitsPerEntry + " bits per entry and "
                    + probes + " probes");
        }
        if (entries > (long) r.remaining() * 8 / bitsPerEntry + 1) {
            throw new InvalidDataException("a Bloom filter is shorter than its entries need");
        }
        long length = (entries * bitsPerEntry + 7) / 8;
        byte[] bits = r.bytes(length);
        if (bits == null || bits.length == 0) {
            throw new InvalidDataException("a Bloom filter is shorter than its entries need");
        }
        return new BloomFilter(entries, bitsPerEntry, (int) probes, bits);
    }

    public byte[] encode() {
        if (entries == 0) {
            return new byte[0];
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(bits.length + 6);
        Chunks.writeUleb(out, entries);
        Chunks.writeUleb(out, bitsPerEntry);
        Chunks.writeUleb(out, probes);
        out.writeBytes(bits);
        return out.toByteArray();
    }

    boolean contains(byte[] hashes, int offset) {
        if (entries == 0) {
            return false;
        }
        for (long probe : probes(hashes, offset)) {
            if ((bits[(int) (probe >>> 3)] & (1 << (probe & 7))) == 0) {
                return false;
            }
        }
        return true;
    }

    public boolean contains(ChangeHash hash) {
        return contains(hash.raw(), 0);
    }

    private void add(byte[] hashes, int offset) {
        for (long probe : probes(hashes, offset)) {
            bits[(int) (probe >>> 3)] |= (byte) (1 << (probe & 7));
        }
    }

    /** Automerge's probe sequence: x, then x += y and y += z, all modulo the bit count (in 64 bits here). */
    private long[] probes(byte[] hashes, int offset) {
        long modulo = 8L * bits.length;
        long x = u32(hashes, offset) % modulo;
        long y = u32(hashes, offset + 4) % modulo;
        long z = u32(hashes, offset + 8) % modulo;
        long[] out = new long[probes];
        for (int i = 0; i < probes; i++) {
            if (i > 0) {
                x = (x + y) % modulo;
                y = (y + z) % modulo;
            }
            out[i] = x;
        }
        return out;
    }

    private static long u32(byte[] b, int o) {
        return (b[o] & 0xffL) | (b[o + 1] & 0xffL) << 8 | (b[o + 2] & 0xffL) << 16 | (b[o + 3] & 0xffL) << 24;
    }
}
