package rottsync.sync;

import java.io.ByteArrayOutputStream;
import rottsync.graph.ByteReader;
import java.lang.reflect.Constructor;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.automerge.ChangeHash;

/**
 * The heads of a stored document read from its chunks' binary headers, without loading it into Automerge.
 * Only where that is certain: the chunks are all intact (each chunk's checksum is the start of its hash)
 * and they are either one compacted document or only changes whose dependencies are all present. Anything
 * else (a snapshot beside incrementals, a missing dependency, an unknown chunk type) gives no answer, and the
 * caller loads the document as usual.
 */
final class StoredHistory {
    private static final byte[] MAGIC = {(byte) 0x85, 0x6f, 0x4a, (byte) 0x83};
    private static final int DOCUMENT = 0;
    private static final int CHANGE = 1;
    private static final int COMPRESSED_CHANGE = 2;
    /** A change inflated past this is not worth reading here; the document is loaded instead. */
    private static final int MAX_INFLATED_BYTES = 16 * 1024 * 1024;
    private static final Constructor<ChangeHash> CHANGE_HASH = changeHashConstructor();

    private StoredHistory() {}

    /** The heads, sorted as Automerge sorts them, or empty when the chunks do not allow a certain answer. */
    static Optional<ChangeHash[]> heads(Collection<byte[]> chunks) {
        List<byte[]> documentHeads = null;
        int documents = 0;
        Set<Hash> changes = new HashSet<>();
        Set<Hash> dependencies = new HashSet<>();
        for (byte[] file : chunks) {
            ByteReader reader = new ByteReader(file, 0);
            while (reader.remaining() > 0) {
                if (!Arrays.equals(reader.bytes(4), MAGIC)) {
                    return Optional.empty();
                }
                byte[] checksum = reader.bytes(4);
                int type = reader.u8();
                long length = reader.uleb();
                byte[] data = reader.bytes(length);
                if (reader.failed) {
                    return Optional.empty();
                }
                if (type == COMPRESSED_CHANGE) {
                    data = inflate(data);
                    type = CHANGE;
                    if (data == null) {
                        return Optional.empty();
                    }
                }
                byte[] hash = chunkHash(type, data);
                if (!Arrays.equals(Arrays.copyOf(hash, 4), checksum)) {
                    return Optional.empty();
                }
                ByteReader body = new ByteReader(data, 0);
                if (type == DOCUMENT) {
                    documents++;
                    long actors = body.uleb();
                    for (long i = 0; i < actors && !body.failed; i++) {
                        body.bytes(body.uleb());
                    }
                    List<rottsync.graph.ChangeHash> read = body.hashes();
                    documentHeads = read == null ? null : read.stream().map(rottsync.graph.ChangeHash::bytes).toList();
                } else if (type == CHANGE) {
                    changes.add(new Hash(hash));
                    List<rottsync.graph.ChangeHash> deps = body.hashes();
                    if (deps == null) {
                        return Optional.empty();
                    }
                    deps.forEach(dep -> dependencies.add(new Hash(dep.bytes())));
                } else {
                    return Optional.empty();
                }
                if (body.failed) {
                    return Optional.empty();
                }
            }
        }
        List<byte[]> heads = new ArrayList<>();
        if (documents == 1 && changes.isEmpty()) {
            heads.addAll(documentHeads);
        } else if (documents == 0 && !changes.isEmpty() && changes.containsAll(dependencies)) {
            for (Hash change : changes) {
                if (!dependencies.contains(change)) {
                    heads.add(change.bytes());
                }
            }
        } else {
            return Optional.empty();
        }
        heads.sort(Arrays::compareUnsigned);
        ChangeHash[] out = new ChangeHash[heads.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = changeHash(heads.get(i));
        }
        return Optional.of(out);
    }

    /** A chunk's hash covers its type, length and data, for a compressed change those of its inflated form. */
    private static byte[] chunkHash(int type, byte[] data) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update((byte) type);
            ByteArrayOutputStream length = new ByteArrayOutputStream(10);
            SyncMessages.writeUleb(length, data.length);
            sha256.update(length.toByteArray());
            return sha256.digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JVM", e);
        }
    }

    private static byte[] inflate(byte[] deflated) {
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(deflated);
            ByteArrayOutputStream out = new ByteArrayOutputStream(deflated.length * 4);
            byte[] buffer = new byte[8192];
            while (!inflater.finished()) {
                int n = inflater.inflate(buffer);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    return null;
                }
                out.write(buffer, 0, n);
                if (out.size() > MAX_INFLATED_BYTES) {
                    return null;
                }
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            return null;
        } finally {
            inflater.end();
        }
    }

    /** The engine's hash type has no public constructor; heads read from storage must compare equal to its own. */
    private static ChangeHash changeHash(byte[] bytes) {
        try {
            return CHANGE_HASH.newInstance((Object) bytes);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot make an Automerge change hash", e);
        }
    }

    private static Constructor<ChangeHash> changeHashConstructor() {
        try {
            Constructor<ChangeHash> constructor = ChangeHash.class.getDeclaredConstructor(byte[].class);
            constructor.setAccessible(true);
            return constructor;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("this automerge-java has no ChangeHash(byte[])", e);
        }
    }

    private record Hash(byte[] bytes) {
        @Override
        public boolean equals(Object other) {
            return other instanceof Hash h && Arrays.equals(bytes, h.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }
    }
}
