package rottsync.ops;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** Operations settings; application.properties maps the environment variables onto them. */
@ConfigMapping(prefix = "rott.ops")
public interface OpsConfig {
    /** Readiness goes DOWN when the data directory's file system has less free space ({@code MIN_FREE_DISK}). */
    @WithDefault("100M")
    MemorySize minFreeDisk();

    /** How old the counts of stored documents and bytes may get before a reader triggers a recount. */
    @WithDefault("10s")
    Duration statsInterval();

    ScheduledBackup backup();

    interface ScheduledBackup {
        /** Where scheduled backups go ({@code BACKUP_DIR}); no scheduled backups when unset. */
        Optional<String> dir();

        /** Time between backups ({@code BACKUP_INTERVAL}). */
        @WithDefault("24h")
        Duration interval();

        /** Archives to keep; older ones are deleted after each successful backup ({@code BACKUP_KEEP}). */
        @WithDefault("7")
        int keep();
    }
}
