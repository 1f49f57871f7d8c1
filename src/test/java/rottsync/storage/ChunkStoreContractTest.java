package rottsync.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Behaviour every {@link ChunkStore} shares, run against each implementation. */
abstract class ChunkStoreContractTest {
    static final String DOC = "4NMNnkMhL8jXrdJ9jamS58PAVdXu";
    static final String SAME_SPLAY_DOC = "4Nm1wYfWtkWoGfnrye8hESvKQGHH";
    static final String OTHER_DOC = "2rp6hJ37Q2cR6KUatq1UNQcCkuDk";

    ChunkStore store;

    abstract ChunkStore newStore() throws Exception;

    @BeforeEach
    void openStore() throws Exception {
        store = newStore();
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void loadOfMissingKeyIsEmpty() throws Exception {
        assertThat(store.load(StorageKey.of(DOC, "incremental", "abc"))).isEmpty();
    }

    @Test
    void putThenLoadReturnsTheBytes() throws Exception {
        StorageKey key = StorageKey.of(DOC, "incremental", "abc");

        store.put(key, bytes("chunk"));

        assertThat(store.load(key)).hasValue(bytes("chunk"));
    }

    @Test
    void storesEmptyValues() throws Exception {
        StorageKey key = StorageKey.of(DOC, "sync-state", "peer");

        store.put(key, new byte[0]);

        assertThat(store.load(key)).hasValue(new byte[0]);
    }

    @Test
    void putReplacesExistingValue() throws Exception {
        StorageKey key = StorageKey.of(DOC, "snapshot", "h");

        store.put(key, bytes("old value that is longer"));
        store.put(key, bytes("new"));

        assertThat(store.load(key)).hasValue(bytes("new"));
    }

    @Test
    void deleteRemovesOnlyThatKey() throws Exception {
        StorageKey gone = StorageKey.of(DOC, "incremental", "a");
        StorageKey kept = StorageKey.of(DOC, "incremental", "b");
        store.put(gone, bytes("a"));
        store.put(kept, bytes("b"));

        store.delete(gone);

        assertThat(store.load(gone)).isEmpty();
        assertThat(store.loadRange(StorageKey.of(DOC))).containsOnlyKeys(kept);
    }

    @Test
    void deleteOfMissingKeyIsANoOp() throws Exception {
        store.delete(StorageKey.of(DOC, "incremental", "never-written"));

        assertThat(store.loadRange(StorageKey.of(DOC))).isEmpty();
    }

    @Test
    void loadRangeOfDocumentReturnsOnlyThatDocumentsChunks() throws Exception {
        store.put(StorageKey.of(DOC, "snapshot", "s1"), bytes("snap"));
        store.put(StorageKey.of(DOC, "incremental", "i1"), bytes("inc1"));
        store.put(StorageKey.of(DOC, "incremental", "i2"), bytes("inc2"));
        store.put(StorageKey.of(SAME_SPLAY_DOC, "incremental", "x"), bytes("other"));
        store.put(StorageKey.of(OTHER_DOC, "incremental", "y"), bytes("other"));
        store.put(StorageKey.storageAdapterId(), bytes("uuid"));

        Map<StorageKey, byte[]> range = store.loadRange(StorageKey.of(DOC));

        assertThat(range).containsOnlyKeys(StorageKey.of(DOC, "snapshot", "s1"),
                StorageKey.of(DOC, "incremental", "i1"), StorageKey.of(DOC, "incremental", "i2"));
        assertThat(range.get(StorageKey.of(DOC, "incremental", "i2"))).isEqualTo(bytes("inc2"));
    }

    @Test
    void loadRangeOfKindReturnsOnlyThatKind() throws Exception {
        store.put(StorageKey.of(DOC, "snapshot", "s1"), bytes("snap"));
        store.put(StorageKey.of(DOC, "incremental", "i1"), bytes("inc1"));

        assertThat(store.loadRange(StorageKey.of(DOC, "incremental")))
                .containsOnlyKeys(StorageKey.of(DOC, "incremental", "i1"));
        assertThat(store.loadRange(StorageKey.of(DOC, "snapshot")))
                .containsOnlyKeys(StorageKey.of(DOC, "snapshot", "s1"));
    }

    @Test
    void loadRangeOfFullKeyReturnsThatEntry() throws Exception {
        StorageKey key = StorageKey.of(DOC, "incremental", "i1");
        store.put(key, bytes("inc1"));

        assertThat(store.loadRange(key)).containsOnlyKeys(key);
    }

    @Test
    void loadRangeOfUnknownPrefixIsEmpty() throws Exception {
        store.put(StorageKey.of(DOC, "incremental", "i1"), bytes("inc1"));

        assertThat(store.loadRange(StorageKey.of(OTHER_DOC))).isEmpty();
        assertThat(store.loadRange(StorageKey.of(DOC, "snapshot"))).isEmpty();
    }

    @Test
    void storedValuesAreNotAliasedWithCallerArrays() throws Exception {
        StorageKey key = StorageKey.of(DOC, "incremental", "i1");
        byte[] value = bytes("abc");
        store.put(key, value);
        value[0] = 'X';
        store.load(key).orElseThrow()[1] = 'X';
        store.loadRange(StorageKey.of(DOC)).get(key)[2] = 'X';

        assertThat(store.load(key)).hasValue(bytes("abc"));
    }

    @Test
    void storageAdapterIdRoundTrips() throws Exception {
        store.put(StorageKey.storageAdapterId(), bytes("3760df37-a4c6-4f66-9ecd-732039a9385d"));

        assertThat(store.load(StorageKey.storageAdapterId())).hasValue(bytes("3760df37-a4c6-4f66-9ecd-732039a9385d"));
        assertThat(store.loadRange(StorageKey.of(DOC))).isEmpty();
    }
}
