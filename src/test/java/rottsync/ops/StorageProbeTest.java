package rottsync.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rottsync.storage.FileChunkStore;
import rottsync.storage.StorageKey;

/** The readiness probe and the background counts on real directories (plain Java, no server needed). */
class StorageProbeTest {
    @TempDir
    Path tmp;

    @Test
    void aWritableDirectoryIsReadyAndTheProbeLeavesNothingBehind() throws Exception {
        Path data = tmp.resolve("data");
        new FileChunkStore(data);
        try (StorageProbe probe = new StorageProbe(data, Duration.ofSeconds(5))) {
            StorageProbe.Status status = probe.probe();
            assertThat(status.writable()).isTrue();
            assertThat(status.problem()).isNull();
            assertThat(status.usableBytes()).isPositive();
            assertThat(status.totalBytes()).isGreaterThanOrEqualTo(status.usableBytes());
        }
        try (Stream<Path> left = Files.list(data.resolve(".tmp"))) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void aDataDirectoryThatCannotTakeFilesIsNotReady() throws Exception {
        Path notADirectory = Files.writeString(tmp.resolve("data"), "a file where the store should be");
        try (StorageProbe probe = new StorageProbe(notADirectory, Duration.ofSeconds(5))) {
            StorageProbe.Status status = probe.probe();
            assertThat(status.writable()).isFalse();
            assertThat(status.problem()).contains("cannot write in " + notADirectory);
        }
    }

    @Test
    void countsDocumentsChunksAndBytesAndRecountsOnlyWhenStale() throws Exception {
        Path data = tmp.resolve("data");
        FileChunkStore store = new FileChunkStore(data);
        store.put(StorageKey.storageAdapterId(), "id".getBytes());
        store.put(StorageKey.of("4NMNnkMhL8jXrdJ9jamS58PAVdXu", "snapshot", "s1"), new byte[100]);
        store.put(StorageKey.of("4NMNnkMhL8jXrdJ9jamS58PAVdXu", "incremental", "i1"), new byte[10]);
        store.put(StorageKey.of("2bX3sJ7N6VZCkzCQv8iL1uHHqDeF", "snapshot", "s2"), new byte[50]);
        Files.write(data.resolve(".tmp").resolve("in-flight.tmp"), new byte[1000]);

        AtomicLong clock = new AtomicLong(1_000);
        StoreStatistics stats = new StoreStatistics(data, Duration.ofSeconds(10), Runnable::run, clock::get);
        StoreStatistics.Counts first = stats.get();
        assertThat(first.counted()).as("nothing counted yet").isFalse();
        StoreStatistics.Counts counted = stats.get();
        assertThat(counted.counted()).isTrue();
        assertThat(counted.documents()).isEqualTo(2);
        assertThat(counted.chunks()).isEqualTo(3);
        assertThat(counted.bytes()).isEqualTo(100 + 10 + 50 + 2);
        assertThat(counted.diskUsableBytes()).isPositive();

        store.put(StorageKey.of("2bX3sJ7N6VZCkzCQv8iL1uHHqDeF", "incremental", "i2"), new byte[5]);
        clock.addAndGet(9_999);
        assertThat(stats.get().chunks()).as("still fresh: no recount").isEqualTo(3);
        clock.addAndGet(1);
        stats.get();
        assertThat(stats.get().chunks()).isEqualTo(4);
    }

    @Test
    void aStoreWhoseWalkIsSlowIsWalkedLessOften() throws Exception {
        FileChunkStore store = storeWithOneDocument("slow");
        // Every reading of this clock moves it 500 ms on, so the walk itself "takes" 500 ms.
        AtomicLong now = new AtomicLong(1_000);
        StoreStatistics stats = new StoreStatistics(tmp.resolve("slow"), Duration.ofSeconds(10), Runnable::run,
                () -> now.addAndGet(500));
        stats.get();
        assertThat(stats.get().chunks()).isEqualTo(1);

        store.put(StorageKey.of("4NMNnkMhL8jXrdJ9jamS58PAVdXu", "incremental", "i1"), new byte[5]);
        now.addAndGet(20_000);
        stats.get();
        assertThat(stats.get().chunks()).as("past maxAge, but not 100 walks' time: no recount").isEqualTo(1);
        now.addAndGet(30_000);
        stats.get();
        assertThat(stats.get().chunks()).isEqualTo(2);
    }

    @Test
    void theFirstCountWaitsUntilItIsDue() throws Exception {
        storeWithOneDocument("deferred");
        AtomicLong now = new AtomicLong(1_000);
        StoreStatistics stats = new StoreStatistics(tmp.resolve("deferred"), Duration.ofSeconds(10), Runnable::run,
                now::get);
        stats.deferFirstCountUntil(11_000);

        assertThat(stats.get().counted()).as("a reader right after start does not start the walk").isFalse();
        assertThat(stats.get().counted()).isFalse();
        now.set(11_000);
        stats.get();
        assertThat(stats.get().documents()).isEqualTo(1);
    }

    private FileChunkStore storeWithOneDocument(String name) throws Exception {
        FileChunkStore store = new FileChunkStore(tmp.resolve(name));
        store.put(StorageKey.of("4NMNnkMhL8jXrdJ9jamS58PAVdXu", "snapshot", "s1"), new byte[10]);
        return store;
    }
}
