package rottsync.ops;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import rottsync.server.ServerStorage;
import rottsync.server.AccessControl;
import rottsync.server.SyncDriver;

/**
 * What the status page, the health checks and the metrics report, gathered in one place: the server's
 * counts, the data directory's state (probed, or counted in the background) and the backup schedule.
 */
@ApplicationScoped
public class OpsState {
    private final SyncDriver driver;
    private final ServerStorage storage;
    private final ScheduledBackups backups;
    private final String version;
    private final long minFreeBytes;
    private final StorageProbe probe;
    private final StoreStatistics statistics;
    private final Duration statsInterval;
    private final ScheduledExecutorService statisticsThread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "rott-store-statistics");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        return t;
    });
    private final AccessControl access;
    private volatile Instant startedAt = Instant.now();
    private volatile boolean started;

    OpsState(SyncDriver driver, ServerStorage storage, ScheduledBackups backups, OpsConfig config, AccessControl access,
            @ConfigProperty(name = "quarkus.application.version", defaultValue = "dev") String version) {
        this.driver = driver;
        this.storage = storage;
        this.backups = backups;
        this.access = access;
        this.version = version;
        this.minFreeBytes = config.minFreeDisk().asLongValue();
        this.probe = new StorageProbe(storage.dataDir(), Duration.ofSeconds(5));
        this.statsInterval = config.statsInterval();
        this.statistics = new StoreStatistics(storage.dataDir(), statsInterval, statisticsThread,
                System::currentTimeMillis);
    }

    void start(@Observes StartupEvent event) {
        startedAt = Instant.now();
        // One stats interval after start, in the background: the walk takes as long as the store is large,
        // and neither readiness nor the clients that connect right after a start should wait for it.
        statistics.deferFirstCountUntil(System.currentTimeMillis() + statsInterval.toMillis());
        statisticsThread.schedule(statistics::refreshInBackground, statsInterval.toMillis(), TimeUnit.MILLISECONDS);
        started = true;
    }

    void stop(@Observes ShutdownEvent event) {
        statisticsThread.shutdownNow();
        probe.close();
    }

    public boolean started() {
        return started;
    }

    public Instant startedAt() {
        return startedAt;
    }

    public String version() {
        return version;
    }

    public SyncDriver driver() {
        return driver;
    }

    public ServerStorage storage() {
        return storage;
    }

    public ScheduledBackups backups() {
        return backups;
    }

    public long minFreeBytes() {
        return minFreeBytes;
    }

    /** Writes a probe file now (bounded by a timeout): use for readiness, not for every page view. */
    public StorageProbe.Status probeStorage() {
        return probe.probe();
    }

    public StoreStatistics.Counts counts() {
        return statistics.get();
    }

    /** Everything the status page shows, from counters and cached counts only (no disk access). */
    public StatusSnapshot snapshot() {
        StoreStatistics.Counts counts = statistics.get();
        Instant now = Instant.now();
        return new StatusSnapshot(version, startedAt, Duration.between(startedAt, now), driver.hub().peerCount(),
                driver.connectionCount(), driver.documentsInMemory(), counts.counted() ? counts.documents() : -1,
                counts.counted() ? counts.bytes() : -1,
                counts.diskUsableBytes(), minFreeBytes, driver.isShuttingDown(), backups.enabled(),
                backups.directory().map(Object::toString).orElse(null), backups.interval(), backups.last().orElse(null),
                backups.nextRun().orElse(null), access.describe());
    }
}
