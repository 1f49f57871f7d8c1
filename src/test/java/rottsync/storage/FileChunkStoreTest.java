package rottsync.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static rottsync.storage.ChunkStoreContractTest.DOC;
import static rottsync.storage.ChunkStoreContractTest.OTHER_DOC;
import static rottsync.storage.ChunkStoreContractTest.SAME_SPLAY_DOC;
import static rottsync.storage.ChunkStoreContractTest.bytes;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rottsync.protocol.DocumentId;

class FileChunkStoreTest {
    private static final String HASH = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    @TempDir
    Path root;

    @Test
    void usesNodefsLayoutForDocumentChunks() throws Exception {
        FileChunkStore store = new FileChunkStore(root);

        store.put(StorageKey.incremental(new DocumentId(DOC), HASH), bytes("chunk"));

        Path expected = root.resolve("4N").resolve("MNnkMhL8jXrdJ9jamS58PAVdXu").resolve("incremental").resolve(HASH);
        assertThat(expected).hasBinaryContent(bytes("chunk"));
    }

    @Test
    void usesNodefsLayoutForStorageAdapterId() throws Exception {
        FileChunkStore store = new FileChunkStore(root);

        store.put(StorageKey.storageAdapterId(), bytes("uuid"));

        assertThat(root.resolve("st").resolve("orage-adapter-id")).hasBinaryContent(bytes("uuid"));
    }

    @Test
    void readsChunksWrittenByNodefs() throws Exception {
        Path doc = Files.createDirectories(root.resolve("4N/MNnkMhL8jXrdJ9jamS58PAVdXu"));
        Files.createDirectories(doc.resolve("snapshot"));
        Files.createDirectories(doc.resolve("incremental"));
        Files.write(doc.resolve("snapshot").resolve("s1"), bytes("snap"));
        Files.write(doc.resolve("incremental").resolve(HASH), bytes("inc"));
        Files.createDirectories(root.resolve("st"));
        Files.write(root.resolve("st/orage-adapter-id"), bytes("uuid"));

        FileChunkStore store = new FileChunkStore(root);

        assertThat(store.loadRange(StorageKey.of(DOC))).containsOnlyKeys(
                StorageKey.of(DOC, "snapshot", "s1"), StorageKey.of(DOC, "incremental", HASH));
        assertThat(store.load(StorageKey.storageAdapterId())).hasValue(bytes("uuid"));
    }

    @Test
    void removesLeftoverTempFilesOnOpen() throws Exception {
        Path temp = Files.createDirectories(root.resolve(FileChunkStore.TEMP_DIR));
        Files.write(temp.resolve("a.tmp"), bytes("partial"));
        Files.write(temp.resolve("b.tmp"), new byte[0]);

        new FileChunkStore(root);

        assertThat(temp).isEmptyDirectory();
    }

    @Test
    void loadRangeIgnoresDotFilesAndNasMetadataFolders() throws Exception {
        FileChunkStore store = new FileChunkStore(root);
        StorageKey chunk = StorageKey.of(DOC, "incremental", HASH);
        store.put(chunk, bytes("inc"));
        Path doc = root.resolve("4N/MNnkMhL8jXrdJ9jamS58PAVdXu");
        Files.write(doc.resolve(".DS_Store"), bytes("junk"));
        Files.write(doc.resolve("incremental").resolve("." + HASH + ".swp"), bytes("junk"));
        Files.createDirectories(doc.resolve("@eaDir").resolve("incremental"));
        Files.write(doc.resolve("@eaDir").resolve("incremental").resolve(HASH), bytes("thumb"));
        Files.createDirectories(doc.resolve("incremental").resolve("@eaDir"));
        Files.write(doc.resolve("incremental").resolve("@eaDir").resolve("x"), bytes("thumb"));

        assertThat(store.loadRange(StorageKey.of(DOC))).containsOnlyKeys(chunk);
        assertThat(store.loadRange(StorageKey.of(DOC, "incremental"))).containsOnlyKeys(chunk);
    }

    @Test
    void putReplacesByRenameLeavingNoTempFiles() throws Exception {
        FileChunkStore store = new FileChunkStore(root);
        StorageKey key = StorageKey.of(DOC, "snapshot", "s1");
        byte[] oldValue = new byte[100_000];
        Arrays.fill(oldValue, (byte) 'o');
        store.put(key, oldValue);
        Path file = store.pathOf(key);
        Object oldFileKey = Files.readAttributes(file, BasicFileAttributes.class).fileKey();

        try (InputStream reader = Files.newInputStream(file)) {
            store.put(key, bytes("new"));

            assertThat(reader.readAllBytes()).isEqualTo(oldValue);
        }

        assertThat(file).hasBinaryContent(bytes("new"));
        assertThat(Files.readAttributes(file, BasicFileAttributes.class).fileKey()).isNotEqualTo(oldFileKey);
        assertThat(root.resolve(FileChunkStore.TEMP_DIR)).isEmptyDirectory();
    }

    @Test
    void aBatchLargerThanOnePhaseLandsWhole() throws Exception {
        FileChunkStore store = new FileChunkStore(root);
        Map<StorageKey, byte[]> batch = new LinkedHashMap<>();
        int count = 2 * FileChunkStore.OPEN_FILES_PER_PHASE + 5;
        for (int i = 0; i < count; i++) {
            batch.put(StorageKey.incremental(DocumentId.random(), HASH), bytes("chunk " + i));
        }

        assertThat(store.putAll(batch)).isEmpty();

        for (Map.Entry<StorageKey, byte[]> chunk : batch.entrySet()) {
            assertThat(store.load(chunk.getKey())).hasValueSatisfying(v -> assertThat(v).isEqualTo(chunk.getValue()));
        }
        assertThat(store.documentIds()).hasSize(count);
        assertThat(root.resolve(FileChunkStore.TEMP_DIR)).isEmptyDirectory();
    }

    @Test
    void crashLeftoverInTempDirIsNeverLoaded() throws Exception {
        StorageKey complete = StorageKey.of(DOC, "incremental", "complete");
        new FileChunkStore(root).put(complete, bytes("whole chunk"));
        Path leftover = root.resolve(FileChunkStore.TEMP_DIR).resolve("crashed.tmp");
        Files.write(leftover, bytes("whole ch"));

        FileChunkStore reopened = new FileChunkStore(root);

        assertThat(reopened.loadRange(StorageKey.of(DOC))).containsOnlyKeys(complete);
        assertThat(reopened.load(complete)).hasValue(bytes("whole chunk"));
        assertThat(leftover).doesNotExist();
    }

    @Test
    void documentIdsListsStoredDocuments() throws Exception {
        FileChunkStore store = new FileChunkStore(root);
        store.put(StorageKey.storageAdapterId(), bytes("uuid"));
        store.put(StorageKey.of(DOC, "snapshot", "s"), bytes("a"));
        store.put(StorageKey.of(SAME_SPLAY_DOC, "incremental", "i"), bytes("b"));
        store.put(StorageKey.of(OTHER_DOC, "incremental", "i"), bytes("c"));
        Files.createDirectories(root.resolve("@eaDir"));
        Files.createDirectories(root.resolve("4N").resolve("@eaDir"));
        Files.createDirectories(root.resolve("4N").resolve(".hidden"));

        assertThat(store.documentIds()).containsExactly(OTHER_DOC, DOC, SAME_SPLAY_DOC);
    }

    @Test
    void documentIdsOfEmptyStoreIsEmpty() throws Exception {
        assertThat(new FileChunkStore(root).documentIds()).isEmpty();
    }

    @Test
    void createsMissingRootDirectory() throws Exception {
        Path nested = root.resolve("a").resolve("b");

        new FileChunkStore(nested).put(StorageKey.of(DOC, "incremental", "i"), bytes("x"));

        assertThat(nested.resolve(FileChunkStore.TEMP_DIR)).isDirectory();
        assertThat(new FileChunkStore(nested).load(StorageKey.of(DOC, "incremental", "i"))).hasValue(bytes("x"));
    }

    @Test
    void rejectsFirstKeyPartTooShortToSplay() throws Exception {
        FileChunkStore store = new FileChunkStore(root);

        assertThatThrownBy(() -> store.put(StorageKey.of("ab", "x"), bytes("x")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void writesNothingOutsideTheRoot() throws Exception {
        Path storeRoot = Files.createDirectories(root.resolve("store"));
        FileChunkStore store = new FileChunkStore(storeRoot);

        store.put(StorageKey.of(DOC, "incremental", "..."), bytes("x"));

        try (Stream<Path> siblings = Files.list(root)) {
            assertThat(siblings).containsExactly(storeRoot);
        }
        assertThat(store.load(StorageKey.of(DOC, "incremental", "..."))).hasValue(bytes("x"));
    }
}
