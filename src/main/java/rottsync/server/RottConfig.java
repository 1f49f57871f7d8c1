package rottsync.server;

import io.quarkus.runtime.configuration.MemorySize;
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

    /**
     * Documents kept in memory at most ({@code MAX_DOCUMENTS_IN_MEMORY}); the least recently used leave first.
     * Each small document costs about 400 KB of native memory in automerge-java 0.0.7.
     */
    @WithDefault("100")
    int maxDocumentsInMemory();

    /**
     * Stored size of the documents kept in memory together, at most ({@code MAX_DOCUMENT_BYTES_IN_MEMORY}); the
     * least recently used leave first. Automerge's memory for a document grows with its size (a text document
     * can take a hundred times its stored size), so this bounds what a few large documents can take.
     */
    @WithDefault("16M")
    MemorySize maxDocumentBytesInMemory();

    /** Ping interval; a peer with no traffic either way for two intervals is dropped ({@code KEEPALIVE_INTERVAL}). */
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

    /** Comma-separated CIDRs that may connect, or "any" ({@code ALLOWED_NETWORKS}); empty means LAN + tailnet. */
    Optional<String> allowedNetworks();

    /** Proxies whose X-Forwarded-For is believed ({@code TRUSTED_PROXIES}); none by default. */
    Optional<String> trustedProxies();

    /** Shared token clients must present ({@code AUTH_TOKEN}); off when unset. */
    Optional<String> authToken();

    /** File holding the token ({@code AUTH_TOKEN_FILE}), for Docker and Kubernetes secrets. */
    Optional<String> authTokenFile();

    /** Open WebSocket connections at most ({@code MAX_CONNECTIONS}). */
    @WithDefault("1000")
    int maxConnections();

    /** Open connections from one client address at most ({@code MAX_CONNECTIONS_PER_ADDRESS}). */
    @WithDefault("100")
    int maxConnectionsPerAddress();

    /** A new connection must send join within this time ({@code JOIN_TIMEOUT}). */
    @WithDefault("10s")
    Duration joinTimeout();

    /** Sustained messages per second one connection may send ({@code MESSAGE_RATE}). */
    @WithDefault("1000")
    int messageRate();

    /** Messages one connection may send at once before the rate applies ({@code MESSAGE_BURST}). */
    @WithDefault("20000")
    int messageBurst();

    /** Documents one connection may sync ({@code MAX_DOCUMENTS_PER_CONNECTION}). */
    @WithDefault("100000")
    int maxDocumentsPerConnection();

    /** Bytes queued for a client that is not reading before it is dropped ({@code MAX_PENDING_BYTES}). */
    @WithDefault("33554432")
    long maxPendingBytes();
}
