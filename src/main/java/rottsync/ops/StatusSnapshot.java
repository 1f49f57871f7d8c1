package rottsync.ops;

import java.time.Duration;
import java.time.Instant;

/** The server's state for the status page, as plain values. {@code documentsStored} and {@code storageBytes}
 * are -1 until the first count of the data directory has finished; {@code lastBackup} is null before the
 * first one; {@code access} describes the allowed networks and whether a token is required. */
public record StatusSnapshot(
        String version,
        Instant startedAt,
        Duration uptime,
        int connectedPeers,
        int connections,
        int documentsInMemory,
        long documentsStored,
        long storageBytes,
        long diskFreeBytes,
        long minFreeBytes,
        boolean shuttingDown,
        boolean backupsEnabled,
        String backupDir,
        Duration backupInterval,
        ScheduledBackups.Outcome lastBackup,
        Instant nextBackup,
        String access) {
}
