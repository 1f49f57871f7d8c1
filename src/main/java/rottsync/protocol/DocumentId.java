package rottsync.protocol;

import java.util.UUID;
import java.nio.ByteBuffer;

/**
 * An automerge-repo document id: base58check of (normally) the 16 bytes of a v4 UUID.
 * Like automerge-repo, any valid base58check text is accepted; the length bound keeps file names sane.
 */
public record DocumentId(String value) {
    static final int MAX_PAYLOAD_BYTES = 64;
    private static final int MIN_TEXT_LENGTH = 3;

    public DocumentId {
        if (value == null) {
            throw new IllegalArgumentException("documentId is null");
        }
    }

    public static DocumentId parse(String text) throws MalformedMessageException {
        if (text == null || text.length() < MIN_TEXT_LENGTH || text.length() > 2 * MAX_PAYLOAD_BYTES) {
            throw new MalformedMessageException("invalid documentId");
        }
        byte[] payload;
        try {
            payload = Base58Check.decode(text);
        } catch (MalformedMessageException e) {
            throw new MalformedMessageException("invalid documentId: " + e.getMessage());
        }
        if (payload.length == 0 || payload.length > MAX_PAYLOAD_BYTES) {
            throw new MalformedMessageException("invalid documentId: payload of " + payload.length + " bytes");
        }
        return new DocumentId(text);
    }

    /** samod also sends ids as raw bytes; they name the same document as their base58check text. */
    public static DocumentId fromBytes(byte[] payload) throws MalformedMessageException {
        if (payload.length == 0 || payload.length > MAX_PAYLOAD_BYTES) {
            throw new MalformedMessageException("invalid documentId: payload of " + payload.length + " bytes");
        }
        return new DocumentId(Base58Check.encode(payload));
    }

    public static DocumentId random() {
        UUID uuid = UUID.randomUUID();
        ByteBuffer bytes = ByteBuffer.allocate(16);
        bytes.putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
        return new DocumentId(Base58Check.encode(bytes.array()));
    }

    /** The {@code automerge:} URL a client passes to {@code repo.find}. */
    public String url() {
        return "automerge:" + value;
    }

    @Override
    public String toString() {
        return value;
    }
}
