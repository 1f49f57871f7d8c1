package rottsync.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start-up check of DATA_DIR on real directories. The non-root cases (a volume owned by another uid,
 * Synology's 1026:100) are run against the image by deploy/image/build-and-run.sh, since tests may run
 * as root, for whom every directory is writable; /proc stands in here for a directory no one may write.
 */
class DataDirCheckTest {
    @TempDir
    Path temp;

    @Test
    void anExistingWritableDirectoryPasses() {
        assertThat(DataDirCheck.problem(temp)).isEmpty();
        try (var files = java.nio.file.Files.list(temp)) {
            assertThat(files).as("the write probe leaves nothing behind").isEmpty();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aMissingDirectoryUnderAWritableParentPasses() {
        assertThat(DataDirCheck.problem(temp.resolve("a/b/data"))).isEmpty();
    }

    @Test
    void aFileIsNotADataDirectory() throws Exception {
        Path file = Files.writeString(temp.resolve("data"), "x");
        assertThat(DataDirCheck.problem(file)).get().asString()
                .startsWith("DATA_DIR=" + file + " is not a directory");
        assertThat(DataDirCheck.problem(file.resolve("sub"))).get().asString().contains("is not a directory");
    }

    @Test
    void anUnwritableLocationNamesDataDirTheUidAndTheOwner() {
        assertThat(DataDirCheck.problem(Path.of("/proc/rott-sync-data"))).get().asString()
                .startsWith("DATA_DIR=/proc/rott-sync-data cannot be created: /proc is not writable for this process (uid ")
                .contains("owned by 0:0", "Fix:", "chown", "fsGroup");
    }

    @Test
    void theDirectoryComesFromDataDirOrDefaultsToDotData() {
        assertThat(DataDirCheck.dataDir(Map.of("DATA_DIR", "/srv/rott"))).isEqualTo(Path.of("/srv/rott"));
        assertThat(DataDirCheck.dataDir(Map.of())).isEqualTo(Path.of("./data"));
    }
}
