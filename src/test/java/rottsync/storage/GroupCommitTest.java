package rottsync.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GroupCommitTest {
    @TempDir
    Path dir;

    /** A real file store whose first batch waits until the test lets it go, so later writes pile up. */
    private static final class GatedStore implements ChunkStore {
        final FileChunkStore files;
        final CountDownLatch gate = new CountDownLatch(1);
        final List<Integer> batchSizes = new ArrayList<>();

        GatedStore(Path root) throws IOException {
            files = new FileChunkStore(root);
        }

        @Override
        public Optional<byte[]> load(StorageKey key) throws IOException {
            return files.load(key);
        }

        @Override
        public Map<StorageKey, byte[]> loadRange(StorageKey prefix) throws IOException {
            return files.loadRange(prefix);
        }

        @Override
        public void put(StorageKey key, byte[] value) throws IOException {
            files.put(key, value);
        }

        @Override
        public void delete(StorageKey key) throws IOException {
            files.delete(key);
        }

        @Override
        public Map<StorageKey, IOException> putAll(Map<StorageKey, byte[]> chunks) {
            try {
                gate.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            batchSizes.add(chunks.size());
            return files.putAll(chunks);
        }
    }

    @Test
    void writesThatArriveDuringACommitGoTogetherAndEachIsOnDiskWhenItsCallbackRuns() throws Exception {
        GatedStore store = new GatedStore(dir);
        Map<StorageKey, Optional<IOException>> outcomes = new ConcurrentHashMap<>();
        Map<StorageKey, Boolean> onDiskAtCallback = new ConcurrentHashMap<>();
        try (GroupCommit commit = new GroupCommit(store, 256, "test-commit")) {
            List<StorageKey> keys = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                StorageKey key = StorageKey.of("doc" + i + "abc", "incremental", "h" + i);
                keys.add(key);
                commit.submit(new GroupCommit.Write(key, ("chunk " + i).getBytes(StandardCharsets.UTF_8), outcome -> {
                    onDiskAtCallback.put(key, Files.isRegularFile(store.files.pathOf(key)));
                    outcomes.put(key, outcome);
                }));
            }
            store.gate.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (commit.completed() < 50 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(commit.completed()).isEqualTo(50);
            assertThat(outcomes).hasSize(50).allSatisfy((key, outcome) -> assertThat(outcome).isEmpty());
            assertThat(onDiskAtCallback).allSatisfy((key, onDisk) -> assertThat(onDisk).isTrue());
            // The first batch held the writer; everything submitted meanwhile went in one more batch at most.
            assertThat(store.batchSizes).hasSizeLessThanOrEqualTo(2);
            assertThat(store.batchSizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(50);
            for (int i = 0; i < 50; i++) {
                assertThat(store.files.load(keys.get(i))).hasValueSatisfying(
                        bytes -> assertThat(new String(bytes, StandardCharsets.UTF_8)).startsWith("chunk "));
            }
        }
    }

    @Test
    void aChunkThatCannotBeWrittenFailsAloneAndTheRestOfItsBatchIsDurable() throws Exception {
        FileChunkStore store = new FileChunkStore(dir);
        // A plain file where the document's directory should be: that one chunk cannot be written.
        Files.createDirectories(dir.resolve("bl"));
        Files.writeString(dir.resolve("bl").resolve("ocked"), "in the way");
        Map<StorageKey, IOException> failed = store.putAll(Map.of(
                StorageKey.of("blocked", "incremental", "h1"), new byte[] {1},
                StorageKey.of("fine1", "incremental", "h2"), new byte[] {2},
                StorageKey.of("fine2", "snapshot", "h3"), new byte[] {3}));
        assertThat(failed).containsOnlyKeys(StorageKey.of("blocked", "incremental", "h1"));
        assertThat(store.load(StorageKey.of("fine1", "incremental", "h2"))).hasValueSatisfying(
                bytes -> assertThat(bytes).containsExactly(2));
        assertThat(store.load(StorageKey.of("fine2", "snapshot", "h3"))).hasValueSatisfying(
                bytes -> assertThat(bytes).containsExactly(3));
        try (var leftovers = Files.list(dir.resolve(FileChunkStore.TEMP_DIR))) {
            assertThat(leftovers).as("no temp file left behind").isEmpty();
        }
    }

    @Test
    void closeFinishesWhatWasSubmitted() throws Exception {
        FileChunkStore store = new FileChunkStore(dir);
        CountDownLatch told = new CountDownLatch(20);
        GroupCommit commit = new GroupCommit(store, 4, "test-commit");
        for (int i = 0; i < 20; i++) {
            commit.submit(new GroupCommit.Write(StorageKey.of("doc" + i + "xyz", "incremental", "h"), new byte[] {(byte) i},
                    outcome -> told.countDown()));
        }
        commit.close();
        assertThat(told.getCount()).isZero();
        assertThat(store.documentIds()).hasSize(20);
    }
}
