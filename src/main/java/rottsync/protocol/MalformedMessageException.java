package rottsync.protocol;

/** A frame that is not a valid protocol message. The message is safe to show to the peer. */
public class MalformedMessageException extends Exception {
    public MalformedMessageException(String message) {
        super(message);
    }

    public MalformedMessageException(String message, Throwable cause) {
        super(message, cause);
    }
}
