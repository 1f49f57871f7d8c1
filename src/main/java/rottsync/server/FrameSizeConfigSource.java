package rottsync.server;

import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Sets the WebSocket frame cap to twice {@code MAX_MESSAGE_SIZE}. Automerge clients send each message as one
 * frame; a frame over the message limit but under this cap is read and refused with close 1009 and a reason
 * the client can show, while a frame over the cap makes the WebSocket codec cut the connection at once (the
 * client sees only 1006). The margin turns "this document has grown a bit too big" into a clear error.
 * Config has no arithmetic, hence a source; an explicit Quarkus setting (environment, ordinal 300) still wins.
 */
public final class FrameSizeConfigSource implements ConfigSource {
    static final String PROPERTY = "quarkus.websockets-next.server.max-frame-size";
    static final long DEFAULT_MESSAGE_SIZE = 64L * 1024 * 1024;

    @Override
    public Set<String> getPropertyNames() {
        return Set.of(PROPERTY);
    }

    @Override
    public Map<String, String> getProperties() {
        String value = getValue(PROPERTY);
        return value == null ? Map.of() : Map.of(PROPERTY, value);
    }

    @Override
    public String getValue(String propertyName) {
        if (!PROPERTY.equals(propertyName)) {
            return null;
        }
        return frameCap(System.getenv("MAX_MESSAGE_SIZE"));
    }

    /** Null for a value that is not a positive number: EnvironmentCheck reports it by name. */
    static String frameCap(String maxMessageSize) {
        long message;
        try {
            message = maxMessageSize == null || maxMessageSize.isBlank() ? DEFAULT_MESSAGE_SIZE
                    : Long.parseLong(maxMessageSize.trim());
        } catch (NumberFormatException e) {
            return null;
        }
        if (message <= 0) {
            return null;
        }
        return String.valueOf(Math.min(Integer.MAX_VALUE, 2 * message));
    }

    @Override
    public int getOrdinal() {
        return 260; // above application.properties (250), below environment variables (300)
    }

    @Override
    public String getName() {
        return "rott-sync frame cap (2 x MAX_MESSAGE_SIZE)";
    }
}
