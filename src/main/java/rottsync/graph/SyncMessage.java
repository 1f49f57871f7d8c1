package rottsync.graph;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * An Automerge sync message (the {@code data} of automerge-repo's sync and request messages): heads, need,
 * have (last sync heads and a Bloom filter each), change entries, and the optional trailer of capabilities and
 * flags. Decoding checks every count and length against the bytes and every Bloom filter's parameters, so a
 * decoded message can be acted on without further checks.
 */
public record SyncMessage(int type, List<ChangeHash> heads, List<ChangeHash> need, List<Have> have,
        List<Entry> changes, byte[] trailer) {
    public static final int V1 = 0x42;
    public static final int V2 = 0x43;
    /** The capability byte a peer lists when it reads v2 messages (Automerge 0.5 and later). */
    private static final int CAPABILITY_V2 = 0x02;
    private static final int FLAGS_MARKER = 0x80;
    private static final int FLAG_SYNC_RESET = 0x01;
    private static final int FLAG_READ_ONLY = 0x02;

    /** What the sender has: its heads at the last sync, and a filter over its changes since. */
    public record Have(List<ChangeHash> lastSync, BloomFilter bloom) {}

    /** One change entry: a run of chunks ({@code length} bytes of {@code source} from {@code offset}). */
    public record Entry(byte[] source, int offset, int length) {}

    public static SyncMessage decode(byte[] bytes) throws InvalidDataException {
        ByteReader r = new ByteReader(bytes, 0);
        int type = r.u8();
        if (type != V1 && type != V2) {
            throw new InvalidDataException("not an Automerge sync message");
        }
        List<ChangeHash> heads = r.hashes();
        List<ChangeHash> need = r.hashes();
        long haveCount = r.uleb();
        if (r.failed || heads == null || need == null || haveCount > r.remaining() / 2) {
            throw new InvalidDataException("an Automerge sync message is cut short");
        }
        List<Have> have = new ArrayList<>((int) haveCount);
        for (long i = 0; i < haveCount; i++) {
            List<ChangeHash> lastSync = r.hashes();
            byte[] bloom = r.bytes(r.uleb());
            if (lastSync == null || bloom == null) {
                throw new InvalidDataException("an Automerge sync message's have is cut short");
            }
            have.add(new Have(lastSync, BloomFilter.decode(bloom)));
        }
        long changeCount = r.uleb();
        if (r.failed || changeCount > r.remaining()) {
            throw new InvalidDataException("an Automerge sync message's changes are cut short");
        }
        List<Entry> changes = new ArrayList<>((int) changeCount);
        for (long i = 0; i < changeCount; i++) {
            long length = r.uleb();
            int offset = r.position();
            r.skip(length);
            if (r.failed) {
                throw new InvalidDataException("an Automerge sync message's changes are cut short");
            }
            changes.add(new Entry(bytes, offset, (int) length));
        }
        byte[] trailer = null;
        if (r.remaining() > 0) {
            trailer = r.bytes(r.uleb());
            if (trailer == null) {
                throw new InvalidDataException("an Automerge sync message's trailer is cut short");
            }
        }
        return new SyncMessage(type, heads, need, have, changes, trailer);
    }

    /** Whether the sender reads v2 messages, which may carry a whole document in one entry. */
    public boolean readsV2() {
        if (trailer == null) {
            return false;
        }
        for (byte b : trailer) {
            if ((b & 0xff) == CAPABILITY_V2 || (b & FLAGS_MARKER) != 0) {
                return true;
            }
        }
        return false;
    }

    /** Automerge 3.x: the sender starts over and forgets what it was sent. */
    public boolean flagsSyncReset() {
        return hasFlag(FLAG_SYNC_RESET);
    }

    /** Automerge 3.x: the sender's state is read-only; it applies nothing it is sent. */
    public boolean flagsReadOnly() {
        return hasFlag(FLAG_READ_ONLY);
    }

    private boolean hasFlag(int flag) {
        if (trailer == null) {
            return false;
        }
        for (byte b : trailer) {
            if ((b & FLAGS_MARKER) != 0 && (b & flag) != 0) {
                return true;
            }
        }
        return false;
    }

    /** The encoded message; hash lists are written as given (callers pass them sorted). */
    public byte[] encode() {
        int size = 16 + 32 * (heads.size() + need.size());
        for (Entry e : changes) {
            size += e.length() + 5;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(size);
        out.write(type);
        writeHashes(out, heads);
        writeHashes(out, need);
        Chunks.writeUleb(out, have.size());
        for (Have h : have) {
            writeHashes(out, h.lastSync());
            byte[] bloom = h.bloom().encode();
            Chunks.writeUleb(out, bloom.length);
            out.writeBytes(bloom);
        }
        Chunks.writeUleb(out, changes.size());
        for (Entry e : changes) {
            Chunks.writeUleb(out, e.length());
            out.write(e.source(), e.offset(), e.length());
        }
        if (trailer != null) {
            Chunks.writeUleb(out, trailer.length);
            out.writeBytes(trailer);
        }
        return out.toByteArray();
    }

    private static void writeHashes(ByteArrayOutputStream out, List<ChangeHash> hashes) {
        Chunks.writeUleb(out, hashes.size());
        for (ChangeHash h : hashes) {
            out.writeBytes(h.raw());
        }
    }
}
