package rottsync.protocol;

/**
 * One frame of the automerge-repo WebSocket protocol (version "1"), as sent by
 * {@code @automerge/automerge-repo-network-websocket}. Every frame is one CBOR map.
 */
public sealed interface WireMessage
        permits WireMessage.Join, WireMessage.Peer, WireMessage.Leave, WireMessage.Error,
                WireMessage.DocumentMessage, WireMessage.Ignored {

    String senderId();

    /** The protocol's name for this message type, as in the {@code type} field. */
    default String type() {
        if (this instanceof Ignored ignored) {
            return ignored.type();
        }
        if (this instanceof Join) {
            return "join";
        }
        if (this instanceof Peer) {
            return "peer";
        }
        if (this instanceof Leave) {
            return "leave";
        }
        if (this instanceof Error) {
            return "error";
        }
        if (this instanceof Sync) {
            return "sync";
        }
        if (this instanceof Request) {
            return "request";
        }
        if (this instanceof DocUnavailable) {
            return "doc-unavailable";
        }
        return "ephemeral";
    }

    /** The peer's first frame: who it is and which protocol versions it speaks. */
    record Join(String senderId, PeerMetadata peerMetadata, java.util.List<String> supportedProtocolVersions)
            implements WireMessage {}

    /** The server's answer to {@link Join}. */
    record Peer(String senderId, PeerMetadata peerMetadata, String selectedProtocolVersion, String targetId)
            implements WireMessage {}

    /** Advisory "about to disconnect" (samod); carries no obligations. */
    record Leave(String senderId) implements WireMessage {}

    /** A human-readable complaint; the JS client only logs it. */
    record Error(String senderId, String message, String targetId) implements WireMessage {}

    /**
     * A message type this server deliberately does not act on (remote-heads gossip is off, as on the
     * official server). Kept so it can be counted rather than treated as malformed.
     */
    record Ignored(String senderId, String type) implements WireMessage {}

    /** A message about one document. */
    sealed interface DocumentMessage extends WireMessage permits Sync, Request, DocUnavailable, Ephemeral {
        String targetId();

        DocumentId documentId();
    }

    /** An Automerge sync message for a document. */
    record Sync(String senderId, String targetId, DocumentId documentId, byte[] data) implements DocumentMessage {}

    /** Same payload as {@link Sync}; means "I don't have this document, do you?". */
    record Request(String senderId, String targetId, DocumentId documentId, byte[] data) implements DocumentMessage {}

    /** "Neither I nor my peers have this document." */
    record DocUnavailable(String senderId, String targetId, DocumentId documentId) implements DocumentMessage {}

    /** Application payload relayed to the document's other peers, never stored. */
    record Ephemeral(String senderId, String targetId, DocumentId documentId, byte[] data, String sessionId, long count)
            implements DocumentMessage {}

    /** Per-peer flags announced in join/peer. {@code storageId} is null when absent. */
    record PeerMetadata(String storageId, boolean isEphemeral) {}
}
