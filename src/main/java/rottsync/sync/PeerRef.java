package rottsync.sync;

/** A joined peer on one connection, with what it announced about its storage. */
public record PeerRef(ConnectionId connection, String peerId, String storageId, boolean ephemeral) {}
