package rottsync.ops;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.smallrye.health.api.Wellness;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;
import org.eclipse.microprofile.health.Startup;

/**
 * The health checks, served on the management port only ({@code /q/health/live}, {@code /ready},
 * {@code /started}, {@code /well}). Liveness does no I/O; readiness probes the data directory.
 */
@ApplicationScoped
public class HealthChecks {
    /** An event loop that takes longer than this to run a no-op is stuck. */
    static final Duration EVENT_LOOP_LIMIT = Duration.ofSeconds(5);

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger("rottsync.health");

    private final OpsState state;
    private final Vertx vertx;
    /** The storage check's last answer, to log once per change instead of once per probe. */
    private volatile String lastStorageProblem = "";

    HealthChecks(OpsState state, Vertx vertx) {
        this.state = state;
        this.vertx = vertx;
    }

    /** Live: every Vert.x event loop (the threads that carry all sockets) runs a no-op promptly. */
    @Produces
    @Liveness
    HealthCheck eventLoops() {
        return () -> {
            long deadline = System.nanoTime() + EVENT_LOOP_LIMIT.toNanos();
            long slowest = 0;
            int loops = 0;
            int stuck = 0;
            List<Future<?>> pending = new ArrayList<>();
            List<Long> submitted = new ArrayList<>();
            for (EventExecutor loop : vertx.nettyEventLoopGroup()) {
                loops++;
                submitted.add(System.nanoTime());
                pending.add(loop.submit(() -> { }));
            }
            for (int i = 0; i < pending.size(); i++) {
                boolean done = pending.get(i).awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()),
                        TimeUnit.NANOSECONDS);
                if (!done) {
                    stuck++;
                } else {
                    slowest = Math.max(slowest, System.nanoTime() - submitted.get(i));
                }
            }
            return HealthCheckResponse.named("event-loops").status(stuck == 0)
                    .withData("eventLoops", loops)
                    .withData("stuckEventLoops", stuck)
                    .withData("slowestResponseMs", TimeUnit.NANOSECONDS.toMillis(slowest))
                    .withData("uptimeSeconds", Duration.between(state.startedAt(), Instant.now()).toSeconds())
                    .build();
        };
    }

    /** Ready: the data directory takes writes, its disk has room above MIN_FREE_DISK, and no shutdown is under way. */
    @Produces
    @Readiness
    HealthCheck storage() {
        return () -> {
            StorageProbe.Status probe = state.probeStorage();
            StoreStatistics.Counts counts = state.counts();
            boolean roomy = probe.usableBytes() >= state.minFreeBytes();
            HealthCheckResponseBuilder r = HealthCheckResponse.named("storage")
                    .status(probe.writable() && roomy)
                    .withData("dataDir", state.storage().dataDir().toString())
                    .withData("writable", probe.writable())
                    .withData("freeBytes", probe.usableBytes())
                    .withData("totalBytes", probe.totalBytes())
                    .withData("minFreeBytes", state.minFreeBytes());
            if (counts.counted()) {
                r.withData("documentsStored", counts.documents()).withData("storageBytes", counts.bytes());
            }
            String problem = !probe.writable() ? probe.problem()
                    : !roomy ? "free disk space is below MIN_FREE_DISK" : null;
            if (problem != null) {
                r.withData("problem", problem);
            }
            logChange(problem, probe);
            addBackupData(r);
            return r.build();
        };
    }

    /** Ready: accepting connections (DOWN from the first moment of a shutdown). */
    @Produces
    @Readiness
    HealthCheck connections() {
        return () -> HealthCheckResponse.named("connections")
                .status(!state.driver().isShuttingDown())
                .withData("shuttingDown", state.driver().isShuttingDown())
                .withData("connectedPeers", state.driver().hub().peerCount())
                .withData("openConnections", state.driver().connectionCount())
                .withData("documentsInMemory", state.driver().documentsInMemory())
                .build();
    }

    /** Started: the store is open and the server has finished starting. */
    @Produces
    @Startup
    HealthCheck started() {
        return () -> HealthCheckResponse.named("started")
                .status(state.started())
                .withData("version", state.version())
                .withData("startedAt", state.startedAt().toString())
                .withData("storageId", state.storage().storageId())
                .withData("dataDir", state.storage().dataDir().toString())
                .build();
    }

    /** Well (not a probe target): DOWN when the last scheduled backup failed or backups are overdue. */
    @Produces
    @Wellness
    HealthCheck backups() {
        return () -> {
            ScheduledBackups b = state.backups();
            boolean failed = b.last().map(o -> !o.ok()).orElse(false);
            boolean overdue = b.overdue(Instant.now(), state.startedAt());
            HealthCheckResponseBuilder r = HealthCheckResponse.named("backups").status(!failed && !overdue)
                    .withData("overdue", overdue);
            addBackupData(r);
            return r.build();
        };
    }

    private synchronized void logChange(String problem, StorageProbe.Status probe) {
        String now = problem == null ? null : problem;
        if (java.util.Objects.equals(now, lastStorageProblem)) {
            return;
        }
        boolean first = "".equals(lastStorageProblem);
        lastStorageProblem = now;
        if (now != null) {
            LOG.warnf("readiness DOWN: %s (data dir %s, %d bytes free, MIN_FREE_DISK %d)", now,
                    state.storage().dataDir(), probe.usableBytes(), state.minFreeBytes());
        } else if (!first) {
            LOG.infof("readiness UP again: data dir %s is writable with %d bytes free", state.storage().dataDir(),
                    probe.usableBytes());
        }
    }

    private void addBackupData(HealthCheckResponseBuilder r) {
        ScheduledBackups b = state.backups();
        r.withData("backupsEnabled", b.enabled());
        if (!b.enabled()) {
            return;
        }
        r.withData("backupDir", b.directory().map(Object::toString).orElse(""));
        b.last().ifPresent(o -> {
            r.withData("lastBackupAt", o.at().toString());
            r.withData("lastBackupResult", o.ok() ? "ok" : "failed");
            if (o.archive() != null) {
                r.withData("lastBackupArchive", o.archive());
            }
            if (o.error() != null) {
                r.withData("lastBackupError", o.error());
            }
        });
        b.nextRun().ifPresent(t -> r.withData("nextBackupAt", t.toString()));
    }
}
