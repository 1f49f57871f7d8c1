package rottsync.server;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** Server settings; application.properties maps the user-facing environment variables onto them. */
@ConfigMapping(prefix = "rott")
public interface RottConfig {
    /** Where documents live ({@code DATA_DIR}), in automerge-repo-storage-nodefs layout. */
    @WithDefault("./data")
    String dataDir();

    /** A document with no traffic for this long leaves memory ({@code IDLE_TIMEOUT}). */
    @WithDefault("60s")
    Duration idleTimeout();

    /** Ping interval; a peer silent for two intervals is dropped ({@code KEEPALIVE_INTERVAL}). */
    @WithDefault("5s")
    Duration keepaliveInterval();

    /** Threads that run document work and storage I/O; 0 means twice the CPU count, at least 4. */
    @WithDefault("0")
    int documentThreads();

    /** After SIGTERM, how long connected clients keep syncing while readiness is DOWN ({@code SHUTDOWN_DELAY}). */
    @WithDefault("0s")
    Duration shutdownDelay();

    /** How long shutdown waits for pending document work (writes) after closing the sockets ({@code SHUTDOWN_TIMEOUT}). */
    @WithDefault("5s")
    Duration shutdownTimeout();

    /** The peer id announced to clients; the official server's {@code storage-server-<hostname>} by default. */
    Optional<String> peerId();
}
