package rottsync.graph;

/** Bytes that are not what they claim to be; the message is safe to show to the peer that sent them. */
public final class InvalidDataException extends Exception {
    public InvalidDataException(String message) {
        super(message, null, false, false);
    }
}
