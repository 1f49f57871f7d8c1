package rottsync.ops;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import rottsync.backup.Backup;
import rottsync.backup.BackupFiles;
import rottsync.server.ServerStorage;

/**
 * Backups inside the server ({@code BACKUP_DIR}, {@code BACKUP_INTERVAL}, {@code BACKUP_KEEP}), off unless
 * BACKUP_DIR is set. Runs the same online backup as the {@code backup} command on one low-priority thread;
 * the interval is counted from the newest archive in the directory, so restarts do not cause extra backups.
 */
@ApplicationScoped
public class ScheduledBackups {
    private static final Logger LOG = Logger.getLogger("rottsync.backup");
    /** After a failure, try again sooner than a whole interval, but not in a tight loop. */
    private static final Duration RETRY_AFTER_FAILURE = Duration.ofMinutes(15);

    /** One backup attempt; {@code error} is null for a backup in which every document loaded. */
    public record Outcome(Instant at, boolean ok, String archive, int documents, long archiveBytes, Duration took,
            String error) {}

    private final Optional<Path> dir;
    private final Duration interval;
    private final int keep;
    private final Path dataDir;
    private final String version;
    private final Clock clock = Clock.systemUTC();
    private ScheduledExecutorService thread;
    private volatile Outcome last;
    private volatile Instant nextRun;
    private volatile long succeeded;
    private volatile long failed;

    ScheduledBackups(OpsConfig config, ServerStorage storage,
            @ConfigProperty(name = "quarkus.application.version", defaultValue = "dev") String version) {
        this.dir = config.backup().dir().filter(d -> !d.isBlank()).map(d -> Path.of(d).toAbsolutePath().normalize());
        Duration configured = config.backup().interval();
        this.interval = configured.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : configured;
        this.keep = Math.max(1, config.backup().keep());
        this.dataDir = storage.dataDir();
        this.version = version;
    }

    void start(@Observes StartupEvent event) {
        if (dir.isEmpty()) {
            return;
        }
        Path backupDir = dir.get();
        if (backupDir.startsWith(dataDir) || dataDir.startsWith(backupDir)) {
            throw new IllegalStateException("BACKUP_DIR=" + backupDir + " and DATA_DIR=" + dataDir
                    + " overlap: keep backups outside the data directory (and the other way round)");
        }
        thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "rott-backup");
            t.setDaemon(true);
            t.setPriority(Thread.MIN_PRIORITY);
            return t;
        });
        Optional<BackupFiles.Archive> newest = Optional.empty();
        try {
            Files.createDirectories(backupDir);
            BackupFiles.removeStalePartials(backupDir, Duration.ofHours(1), clock.instant());
            newest = BackupFiles.newest(backupDir);
        } catch (IOException e) {
            LOG.errorf("BACKUP_DIR=%s is not usable yet (%s); the first backup will try again", backupDir, e);
        }
        newest.ifPresent(a -> last = new Outcome(a.time(), true, a.path().toString(), -1, size(a.path()),
                Duration.ZERO, null));
        Instant next = BackupFiles.nextRun(newest.map(BackupFiles.Archive::time), interval, clock.instant());
        schedule(next);
        LOG.infof("scheduled backups: every %s into %s, keeping %d; next at %s", human(interval), backupDir, keep,
                next.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    }

    void stop(@Observes ShutdownEvent event) {
        if (thread != null) {
            thread.shutdownNow();
        }
    }

    private void schedule(Instant at) {
        nextRun = at;
        long delay = Math.max(0, Duration.between(clock.instant(), at).toMillis());
        thread.schedule(this::runOnce, delay, TimeUnit.MILLISECONDS);
    }

    private void runOnce() {
        Path backupDir = dir.orElseThrow();
        Instant started = clock.instant();
        Outcome outcome;
        try {
            Files.createDirectories(backupDir);
            Path archive = backupDir.resolve(BackupFiles.fileName(started));
            Backup.Result result = Backup.create(dataDir, archive, version, clock);
            String error = result.ok() ? null
                    : result.problems().size() + " damaged document(s), copied as they are: " + result.problems().get(0);
            outcome = new Outcome(started, result.ok(), result.archive().toString(), result.documents(),
                    result.archiveBytes(), result.took(), error);
            List<Path> deleted = BackupFiles.prune(backupDir, keep);
            if (result.ok()) {
                LOG.infof("backup written: %s (%d documents, %d bytes, %d ms)%s", result.archive(), result.documents(),
                        result.archiveBytes(), result.took().toMillis(),
                        deleted.isEmpty() ? "" : "; deleted " + deleted.size() + " old archive(s)");
            } else {
                LOG.errorf("backup written with problems: %s: %s", result.archive(), String.join("; ", result.problems()));
            }
        } catch (IOException | RuntimeException e) {
            outcome = new Outcome(started, false, null, 0, 0, Duration.between(started, clock.instant()), String.valueOf(e));
            LOG.errorf("backup into %s failed: %s", backupDir, e);
        }
        last = outcome;
        if (outcome.ok()) {
            succeeded++;
        } else {
            failed++;
        }
        if (!thread.isShutdown()) {
            Duration wait = outcome.ok() || interval.compareTo(RETRY_AFTER_FAILURE) < 0 ? interval : RETRY_AFTER_FAILURE;
            schedule(started.plus(wait));
        }
    }

    /** 24h, 30m, 2s or 1500ms: the way BACKUP_INTERVAL is written. */
    static String human(Duration d) {
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return -1;
        }
    }

    public boolean enabled() {
        return dir.isPresent();
    }

    public Optional<Path> directory() {
        return dir;
    }

    public Duration interval() {
        return interval;
    }

    public int keep() {
        return keep;
    }

    public Optional<Outcome> last() {
        return Optional.ofNullable(last);
    }

    public Optional<Instant> nextRun() {
        return Optional.ofNullable(nextRun);
    }

    public long succeeded() {
        return succeeded;
    }

    public long failed() {
        return failed;
    }

    /** Overdue: enabled, and no successful backup for two intervals (plus a minute for the backup itself). */
    public boolean overdue(Instant now, Instant startedAt) {
        if (!enabled()) {
            return false;
        }
        Instant lastGood = last != null && last.ok() ? last.at() : startedAt;
        return lastGood.plus(interval.multipliedBy(2)).plus(Duration.ofMinutes(1)).isBefore(now);
    }
}
