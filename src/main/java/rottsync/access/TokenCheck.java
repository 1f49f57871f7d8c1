package rottsync.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * The optional shared token. Compared in constant time over SHA-256 digests, so neither the content nor
 * the length of the real token leaks through timing. The token itself is never part of any message.
 */
public final class TokenCheck {
    private final byte[] expectedDigest;

    private TokenCheck(byte[] expectedDigest) {
        this.expectedDigest = expectedDigest;
    }

    public static TokenCheck disabled() {
        return new TokenCheck(null);
    }

    public static TokenCheck requiring(String token) {
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("the token must not be empty");
        }
        return new TokenCheck(digest(token.strip()));
    }

    public boolean isRequired() {
        return expectedDigest != null;
    }

    /**
     * @param queryToken the {@code token} query parameter, if any
     * @param authorization the Authorization header, if any ({@code Bearer <token>})
     */
    public boolean accepts(Optional<String> queryToken, Optional<String> authorization) {
        if (!isRequired()) {
            return true;
        }
        Optional<String> offered = queryToken.or(() -> authorization
                .filter(h -> h.regionMatches(true, 0, "Bearer ", 0, 7))
                .map(h -> h.substring(7).strip()));
        return offered.isPresent() && MessageDigest.isEqual(expectedDigest, digest(offered.get()));
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JVM", e);
        }
    }
}
