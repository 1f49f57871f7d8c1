package rottsync.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import rottsync.server.ServerEvents;

/**
 * The server's Prometheus meters (all named {@code rott_…}), fed by the driver's {@link ServerEvents}
 * and by gauges over the server's state. Served at {@code /q/metrics} on the management port.
 */
@ApplicationScoped
public class SyncMetrics implements ServerEvents {
    /** Problem kinds that are about storage, not about a client's input. */
    static final Set<String> STORAGE_PROBLEMS = Set.of("storage-write", "storage-read", "corrupt-chunk");
    private static final Duration[] LATENCY_BUCKETS = {
        Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofMillis(2),
        Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
        Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
        Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)
    };

    private final MeterRegistry registry;
    private final OpsState state;
    private final Map<String, Counter> received = new ConcurrentHashMap<>();
    private final Map<String, Counter> sent = new ConcurrentHashMap<>();
    private final Map<String, Counter> rejected = new ConcurrentHashMap<>();
    private final Map<String, Counter> storageErrors = new ConcurrentHashMap<>();
    private final Map<String, Counter> refused = new ConcurrentHashMap<>();
    private final Counter receivedBytes;
    private final Counter sentBytes;
    private final Counter connectionsOpened;
    private final Counter peerErrors;
    private final Counter loads;
    private final Counter evictions;
    private final Counter writtenBytes;
    private final Timer handling;
    private final Timer writes;
    private final Timer fsyncs;

    SyncMetrics(MeterRegistry registry, OpsState state) {
        this.registry = registry;
        this.state = state;
        receivedBytes = Counter.builder("rott.received").baseUnit("bytes")
                .description("Bytes of decoded protocol messages received from clients").register(registry);
        sentBytes = Counter.builder("rott.sent").baseUnit("bytes")
                .description("Bytes of protocol messages sent to clients").register(registry);
        connectionsOpened = Counter.builder("rott.connections").description("WebSocket connections accepted")
                .register(registry);
        peerErrors = Counter.builder("rott.peer.errors").description("Error messages received from clients")
                .register(registry);
        loads = Counter.builder("rott.document.loads").description("Documents loaded from disk into memory")
                .register(registry);
        evictions = Counter.builder("rott.evictions")
                .description("Documents that left memory (idle or memory cap); they stay on disk").register(registry);
        writtenBytes = Counter.builder("rott.storage.written").baseUnit("bytes")
                .description("Bytes written durably to the data directory").register(registry);
        handling = latency("rott.sync.handling", "Time to handle one document input, including its storage work");
        writes = latency("rott.storage.write", "One durable chunk write, from hand-over to the group commit until durable");
        fsyncs = latency("rott.storage.fsync", "One fsync of a chunk file or directory");
    }

    private Timer latency(String name, String description) {
        return Timer.builder(name).description(description).serviceLevelObjectives(LATENCY_BUCKETS)
                .minimumExpectedValue(LATENCY_BUCKETS[0]).maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
    }

    void start(@Observes StartupEvent event) {
        state.storage().files().onFsync(nanos -> fsyncs.record(nanos, TimeUnit.NANOSECONDS));
        DistributionSummary batches = DistributionSummary.builder("rott.storage.commit.batch")
                .description("Chunks made durable together by one group commit").register(registry);
        state.storage().commit().onBatch(batches::record);
        Gauge.builder("rott.connected.peers", state, s -> s.driver().hub().peerCount())
                .description("Peers that completed the join handshake").register(registry);
        Gauge.builder("rott.connections.open", state, s -> s.driver().connectionCount())
                .description("Open WebSocket connections").register(registry);
        Gauge.builder("rott.documents.in.memory", state, s -> s.driver().documentsInMemory())
                .description("Documents loaded in memory").register(registry);
        Gauge.builder("rott.documents.stored", state, s -> counted(s, StoreStatistics.Counts::documents))
                .description("Documents in the data directory (counted in the background)").register(registry);
        Gauge.builder("rott.storage.chunks", state, s -> counted(s, StoreStatistics.Counts::chunks))
                .description("Chunk files in the data directory").register(registry);
        Gauge.builder("rott.storage.size", state, s -> counted(s, StoreStatistics.Counts::bytes)).baseUnit("bytes")
                .description("Bytes in the data directory").register(registry);
        Gauge.builder("rott.disk.free", state, s -> counted(s, StoreStatistics.Counts::diskUsableBytes)).baseUnit("bytes")
                .description("Free bytes on the data directory's file system").register(registry);
        Gauge.builder("rott.shutting.down", state, s -> s.driver().isShuttingDown() ? 1 : 0)
                .description("1 once a shutdown has begun").register(registry);
        ScheduledBackups b = state.backups();
        Gauge.builder("rott.backup.enabled", b, x -> x.enabled() ? 1 : 0)
                .description("1 when scheduled backups are on (BACKUP_DIR)").register(registry);
        FunctionCounter.builder("rott.backups", b, ScheduledBackups::succeeded).tag("result", "ok")
                .description("Scheduled backups, by result").register(registry);
        FunctionCounter.builder("rott.backups", b, ScheduledBackups::failed).tag("result", "failed")
                .description("Scheduled backups, by result").register(registry);
        backupGauge("rott.backup.last.timestamp", "seconds", "When the last backup ran (Unix time)",
                o -> o.at().toEpochMilli() / 1000.0);
        backupGauge("rott.backup.last.success", null, "1 if the last backup succeeded, 0 if it failed",
                o -> o.ok() ? 1 : 0);
        backupGauge("rott.backup.last.duration", "seconds", "How long the last backup took",
                o -> o.took().toMillis() / 1000.0);
        backupGauge("rott.backup.last.size", "bytes", "Size of the last backup archive", o -> o.archiveBytes());
    }

    private void backupGauge(String name, String unit, String description,
            Function<ScheduledBackups.Outcome, Number> value) {
        Gauge.builder(name, state.backups(),
                        b -> b.last().map(o -> value.apply(o).doubleValue()).orElse(Double.NaN))
                .baseUnit(unit).description(description).register(registry);
    }

    @Override
    public void connectionOpened() {
        connectionsOpened.increment();
    }

    @Override
    public void connectionRefused(String reason) {
        refused.computeIfAbsent(reason, r -> Counter.builder("rott.connections.refused").tag("reason", r)
                .description("Connections turned away before they could join").register(registry)).increment();
    }

    @Override
    public void frameReceived(String type, int bytes) {
        received.computeIfAbsent(type, t -> Counter.builder("rott.messages.received").tag("type", t)
                .description("Protocol messages received, by type").register(registry)).increment();
        receivedBytes.increment(bytes);
    }

    @Override
    public void frameSent(String type, int bytes) {
        sent.computeIfAbsent(type, t -> Counter.builder("rott.messages.sent").tag("type", t)
                .description("Protocol messages sent, by type").register(registry)).increment();
        sentBytes.increment(bytes);
    }

    @Override
    public void problem(String kind) {
        if (STORAGE_PROBLEMS.contains(kind)) {
            storageErrors.computeIfAbsent(kind, k -> Counter.builder("rott.storage.errors").tag("kind", k)
                    .description("Storage reads and writes that failed, and corrupt chunks found").register(registry))
                    .increment();
        } else if ("peer-error".equals(kind)) {
            peerErrors.increment();
        } else {
            rejected.computeIfAbsent(kind, k -> Counter.builder("rott.rejected.frames").tag("reason", k)
                    .description("Frames rejected, by reason").register(registry)).increment();
        }
    }

    @Override
    public void documentInputHandled(long nanos) {
        handling.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void chunkWritten(long nanos, int bytes) {
        writes.record(nanos, TimeUnit.NANOSECONDS);
        writtenBytes.increment(bytes);
    }

    @Override
    public void documentLoaded() {
        loads.increment();
    }

    @Override
    public void documentUnloaded() {
        evictions.increment();
    }

    /** Unknown (NaN) until the first count of the data directory has finished, rather than a false 0. */
    private static double counted(OpsState state, ToLongFunction<StoreStatistics.Counts> field) {
        StoreStatistics.Counts counts = state.counts();
        return counts.counted() ? field.applyAsLong(counts) : Double.NaN;
    }
}
