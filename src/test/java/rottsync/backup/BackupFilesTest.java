package rottsync.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupFilesTest {
    @TempDir
    Path dir;

    @Test
    void namesCarryTheTimeAndListInOrderIgnoringOtherFiles() throws Exception {
        Instant t1 = Instant.parse("2026-11-24T03:00:00Z");
        Instant t2 = Instant.parse("2026-11-25T03:00:00Z");
        assertThat(BackupFiles.fileName(t1)).isEqualTo("rott-sync-backup-20261124T030000Z.tar.gz");
        Files.writeString(dir.resolve(BackupFiles.fileName(t2)), "b");
        Files.writeString(dir.resolve(BackupFiles.fileName(t1)), "a");
        Files.writeString(dir.resolve("notes.txt"), "x");
        Files.writeString(dir.resolve("rott-sync-backup-latest.tar.gz"), "x");

        assertThat(BackupFiles.list(dir)).extracting(BackupFiles.Archive::time).containsExactly(t1, t2);
        assertThat(BackupFiles.newest(dir)).map(BackupFiles.Archive::time).hasValue(t2);
        assertThat(BackupFiles.list(dir.resolve("missing"))).isEmpty();
    }

    @Test
    void theNextRunIsOneIntervalAfterTheNewestArchiveOrNow() {
        Instant now = Instant.parse("2026-11-25T12:00:00Z");
        Duration day = Duration.ofHours(24);
        assertThat(BackupFiles.nextRun(Optional.empty(), day, now)).isEqualTo(now);
        assertThat(BackupFiles.nextRun(Optional.of(now.minus(Duration.ofHours(2))), day, now))
                .isEqualTo(now.plus(Duration.ofHours(22)));
        assertThat(BackupFiles.nextRun(Optional.of(now.minus(Duration.ofDays(3))), day, now)).isEqualTo(now);
    }

    @Test
    void pruneKeepsTheNewestAndNeverTheLastOne() throws Exception {
        for (int day = 1; day <= 5; day++) {
            Files.writeString(dir.resolve(BackupFiles.fileName(Instant.parse("2026-11-0" + day + "T00:00:00Z"))), "x");
        }
        assertThat(BackupFiles.prune(dir, 2)).extracting(p -> p.getFileName().toString()).containsExactly(
                "rott-sync-backup-20261101T000000Z.tar.gz", "rott-sync-backup-20261102T000000Z.tar.gz",
                "rott-sync-backup-20261103T000000Z.tar.gz");
        assertThat(BackupFiles.list(dir)).hasSize(2);
        BackupFiles.prune(dir, 0);
        assertThat(BackupFiles.list(dir)).hasSize(1);
    }

    @Test
    void stalePartialFilesOfInterruptedBackupsAreRemoved() throws Exception {
        Instant now = Instant.parse("2026-11-25T12:00:00Z");
        Path old = Files.writeString(dir.resolve(".rott-sync-backup-20261125T100000Z.tar.gz.partial-abc"), "x");
        Files.setLastModifiedTime(old, FileTime.from(now.minus(Duration.ofHours(2))));
        Path fresh = Files.writeString(dir.resolve(".rott-sync-backup-20261125T115959Z.tar.gz.partial-def"), "x");
        Files.setLastModifiedTime(fresh, FileTime.from(now.minusSeconds(10)));
        Path other = Files.writeString(dir.resolve(".hidden"), "x");
        Files.setLastModifiedTime(other, FileTime.from(now.minus(Duration.ofDays(2))));

        assertThat(BackupFiles.removeStalePartials(dir, Duration.ofHours(1), now)).isEqualTo(1);
        assertThat(old).doesNotExist();
        assertThat(fresh).exists();
        assertThat(other).exists();
    }
}
