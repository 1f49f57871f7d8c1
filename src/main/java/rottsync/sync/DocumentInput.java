package rottsync.sync;

import java.util.Map;
import rottsync.protocol.WireMessage.DocumentMessage;
import rottsync.storage.StorageKey;

/** Everything that can happen to one document; fed to {@link DocumentSynchronizer#handle}. */
public sealed interface DocumentInput {

    /** A sync, request, doc-unavailable or ephemeral message from a joined peer. */
    record PeerMessage(PeerRef peer, DocumentMessage message) implements DocumentInput {}

    /** The peer's connection closed or was replaced. */
    record PeerLeft(PeerRef peer) implements DocumentInput {}

    /** Answer to {@link StorageTask.LoadChunks}: every stored chunk of the document. */
    record ChunksLoaded(Map<StorageKey, byte[]> chunks) implements DocumentInput {}

    record LoadFailed(String reason) implements DocumentInput {}

    /** Answer to {@link StorageTask.WriteChunk}: the chunk is durable and the superseded ones are gone. */
    record ChunkWritten(StorageTask.WriteChunk task) implements DocumentInput {}

    record WriteFailed(StorageTask.WriteChunk task, String reason) implements DocumentInput {}

    /** Time passes: idle documents leave memory, failed writes are retried. */
    record Tick() implements DocumentInput {}

    /** Leave memory now if nothing is pending (a memory cap was exceeded). */
    record Unload() implements DocumentInput {}
}
