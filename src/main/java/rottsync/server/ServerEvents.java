package rottsync.server;

/**
 * What the driver reports as it works, for metrics and logs. Every method has a no-op default; a CDI bean
 * implementing this interface receives the events. Called on I/O and document threads: keep it cheap.
 */
public interface ServerEvents {
    default void connectionOpened() {}

    default void connectionClosed() {}

    /** A connection was turned away before it could join; {@code reason} is a short stable label. */
    default void connectionRefused(String reason) {}

    /** A frame decoded from a client ({@code type} is the protocol type, e.g. "sync"). */
    default void frameReceived(String type, int bytes) {}

    default void frameSent(String type, int bytes) {}

    /** Bad input or a storage failure; {@code kind} is a short stable label such as "malformed-frame". */
    default void problem(String kind) {}

    /** One document input handled, including the storage work it caused. */
    default void documentInputHandled(long nanos) {}

    /** One durable chunk write (write, fsync, rename, directory fsync). */
    default void chunkWritten(long nanos, int bytes) {}

    default void documentLoaded() {}

    default void documentUnloaded() {}
}
