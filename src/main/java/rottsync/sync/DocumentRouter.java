package rottsync.sync;

import rottsync.protocol.DocumentId;

/**
 * Hands an input to the document's own lane. The {@link Hub} calls it while it holds the connection's
 * lock, so a connection's inputs reach each document in the order they happened, and a peer's
 * departure is never overtaken by a message it sent earlier.
 */
@FunctionalInterface
public interface DocumentRouter {
    void route(DocumentId document, DocumentInput input);
}
