package rottsync.graph;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Reads a run of Automerge chunks (storage files, the entries of sync messages) without an Automerge engine:
 * every chunk's checksum is checked against the hash of its bytes, change headers are read and checked field
 * by field, and a document chunk yields its heads. Nothing here trusts a length or a count that the bytes do
 * not back, so hostile input is an {@link InvalidDataException}, never an exception of another kind.
 *
 * <p>What a change must be to pass (Automerge 0.5 and 3.x refuse the rest, or panic on it): intact checksum;
 * minimal LEB128 everywhere; a non-empty actor id; {@code seq} of at least 1; a non-zero {@code start_op}
 * within 32 bits; a UTF-8 message; op columns in ascending order, none deflated, their lengths within the
 * chunk. Whether a change's sequence number follows its actor's previous one is checked where the graph is
 * known ({@link ChangeGraph}).
 */
public final class Chunks {
    public static final int DOCUMENT = 0;
    public static final int CHANGE = 1;
    public static final int COMPRESSED_CHANGE = 2;
    private static final byte[] MAGIC = {(byte) 0x85, 0x6f, 0x4a, (byte) 0x83};
    /** Actor ids are 16 random bytes in every client; this bound keeps hostile ones from costing memory. */
    static final int MAX_ACTOR_BYTES = 128;
    /** Column specs are 32-bit in Automerge. */
    private static final long MAX_COLUMN_SPEC = 0xffff_ffffL;
    private static final int DEFLATE_BIT = 0x08;

    /** A document chunk: its heads, read from its header, and where it is. */
    public record Document(List<ChangeHash> heads, byte[] source, int offset, int length) {}

    /** The chunks of one run, in order. */
    public record Parsed(List<Change> changes, List<Document> documents) {}

    private Chunks() {}

    /** Reads every chunk in {@code bytes[offset, offset+length)}; {@code maxInflated} bounds a compressed change. */
    public static Parsed parse(byte[] bytes, int offset, int length, int maxInflated) throws InvalidDataException {
        List<Change> changes = new ArrayList<>();
        List<Document> documents = new ArrayList<>();
        ByteReader reader = new ByteReader(bytes, offset, offset + length);
        while (reader.remaining() > 0) {
            int start = reader.position();
            byte[] magic = reader.bytes(4);
            if (magic == null || !Arrays.equals(magic, MAGIC)) {
                throw new InvalidDataException("not an Automerge chunk at byte " + (start - offset));
            }
            byte[] checksum = reader.bytes(4);
            int type = reader.u8();
            long dataLength = reader.uleb();
            int dataStart = reader.position();
            reader.skip(dataLength);
            if (reader.failed) {
                throw new InvalidDataException("a chunk's declared length runs past its bytes");
            }
            int chunkLength = reader.position() - start;
            if (type == CHANGE) {
                byte[] hash = sha256(bytes, start + 8, chunkLength - 8);
                requireChecksum(checksum, hash);
                changes.add(readChange(ChangeHash.of(hash), bytes, dataStart, (int) dataLength, bytes, start, chunkLength));
            } else if (type == COMPRESSED_CHANGE) {
                byte[] inflated = inflate(bytes, dataStart, (int) dataLength, maxInflated);
                byte[] hash = uncompressedHash(inflated);
                requireChecksum(checksum, hash);
                changes.add(readChange(ChangeHash.of(hash), inflated, 0, inflated.length, bytes, start, chunkLength));
            } else if (type == DOCUMENT) {
                requireChecksum(checksum, sha256(bytes, start + 8, chunkLength - 8));
                documents.add(new Document(documentHeads(bytes, dataStart, (int) dataLength), bytes, start, chunkLength));
            } else {
                throw new InvalidDataException("unknown chunk type " + type);
            }
        }
        return new Parsed(changes, documents);
    }

    public static Parsed parse(byte[] bytes, int maxInflated) throws InvalidDataException {
        return parse(bytes, 0, bytes.length, maxInflated);
    }

    private static void requireChecksum(byte[] checksum, byte[] hash) throws InvalidDataException {
        if (!Arrays.equals(checksum, 0, 4, hash, 0, 4)) {
            throw new InvalidDataException("a chunk's checksum does not match its bytes");
        }
    }

    private static Change readChange(ChangeHash hash, byte[] data, int dataStart, int dataLength,
            byte[] source, int chunkStart, int chunkLength) throws InvalidDataException {
        ByteReader r = new ByteReader(data, dataStart, dataStart + dataLength);
        List<ChangeHash> deps = r.hashes();
        long actorLength = r.uleb();
        if (!r.failed && (actorLength == 0 || actorLength > MAX_ACTOR_BYTES)) {
            throw new InvalidDataException("a change's actor id has " + actorLength + " bytes");
        }
        byte[] actor = r.bytes(actorLength);
        long seq = r.uleb();
        long startOp = r.uleb();
        r.sleb(); // time
        long messageLength = r.uleb();
        byte[] message = r.bytes(messageLength);
        long otherActors = r.uleb();
        for (long i = 0; i < otherActors && !r.failed; i++) {
            long length = r.uleb();
            if (length == 0 || length > MAX_ACTOR_BYTES) {
                throw new InvalidDataException("a change names an actor id of " + length + " bytes");
            }
            r.skip(length);
        }
        long columns = r.uleb();
        long previousSpec = -1;
        long columnBytes = 0;
        for (long i = 0; i < columns && !r.failed; i++) {
            long spec = r.uleb();
            long length = r.uleb();
            if (spec < 0 || spec > MAX_COLUMN_SPEC) {
                throw new InvalidDataException("a change's column spec is out of range");
            }
            if ((spec & DEFLATE_BIT) != 0) {
                throw new InvalidDataException("a change chunk holds a deflated column");
            }
            if (spec <= previousSpec) {
                throw new InvalidDataException("a change's columns are not in ascending order");
            }
            previousSpec = spec;
            columnBytes += length;
            if (length < 0 || columnBytes > r.remaining()) {
                throw new InvalidDataException("a change's columns run past its bytes");
            }
        }
        r.skip(columnBytes); // op columns; what follows is extra bytes, opaque and kept
        if (r.failed || deps == null) {
            throw new InvalidDataException("a change's header runs past its bytes");
        }
        if (seq < 1) {
            throw new InvalidDataException("a change has sequence number 0");
        }
        if (startOp < 1 || startOp > 0xffff_ffffL) {
            throw new InvalidDataException("a change's start op " + startOp + " is out of range");
        }
        if (message.length > 0) {
            requireUtf8(message);
        }
        return new Change(hash, deps, actor, seq, startOp, source, chunkStart, chunkLength);
    }

    private static void requireUtf8(byte[] text) throws InvalidDataException {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(text));
        } catch (CharacterCodingException e) {
            throw new InvalidDataException("a change's message is not UTF-8");
        }
    }

    private static List<ChangeHash> documentHeads(byte[] bytes, int start, int length) throws InvalidDataException {
        ByteReader r = new ByteReader(bytes, start, start + length);
        long actors = r.uleb();
        for (long i = 0; i < actors && !r.failed; i++) {
            r.skip(r.uleb());
        }
        List<ChangeHash> heads = r.hashes();
        if (r.failed || heads == null) {
            throw new InvalidDataException("a document chunk's header runs past its bytes");
        }
        return heads;
    }

    /** The hash of a change is that of its uncompressed chunk: type 1, the data's length, the data. */
    static byte[] uncompressedHash(byte[] data) {
        MessageDigest sha = sha256();
        sha.update((byte) CHANGE);
        sha.update(uleb(data.length));
        return sha.digest(data);
    }

    static byte[] uleb(long value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(10);
        writeUleb(out, value);
        return out.toByteArray();
    }

    public static void writeUleb(ByteArrayOutputStream out, long value) {
        do {
            int b = (int) (value & 0x7f);
            value >>>= 7;
            out.write(value != 0 ? b | 0x80 : b);
        } while (value != 0);
    }

    static byte[] sha256(byte[] bytes, int offset, int length) {
        MessageDigest sha = sha256();
        sha.update(bytes, offset, length);
        return sha.digest();
    }

    /** The one place the project makes a SHA-256 digest. */
    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JVM", e);
        }
    }

    private static byte[] inflate(byte[] bytes, int offset, int length, int maxInflated) throws InvalidDataException {
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(bytes, offset, length);
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(maxInflated, length * 4 + 64));
            byte[] buffer = new byte[8192];
            while (!inflater.finished()) {
                int n = inflater.inflate(buffer);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new InvalidDataException("a compressed change is cut short");
                }
                out.write(buffer, 0, n);
                if (out.size() > maxInflated) {
                    throw new InvalidDataException("a compressed change inflates past " + maxInflated + " bytes");
                }
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            throw new InvalidDataException("a compressed change does not inflate");
        } finally {
            inflater.end();
        }
    }
}
