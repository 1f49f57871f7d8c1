package rottsync.access;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds the token check from {@code AUTH_TOKEN} or {@code AUTH_TOKEN_FILE} (Docker/Kubernetes secrets). */
public final class AccessSettings {
    private AccessSettings() {}

    public static TokenCheck token(String token, String tokenFile) {
        boolean hasToken = token != null && !token.isBlank();
        boolean hasFile = tokenFile != null && !tokenFile.isBlank();
        if (hasToken && hasFile) {
            throw new IllegalArgumentException("set AUTH_TOKEN or AUTH_TOKEN_FILE, not both");
        }
        if (hasFile) {
            try {
                String content = Files.readString(Path.of(tokenFile), StandardCharsets.UTF_8).strip();
                if (content.isEmpty()) {
                    throw new IllegalArgumentException("AUTH_TOKEN_FILE=" + tokenFile + " is empty");
                }
                return TokenCheck.requiring(content);
            } catch (IOException e) {
                throw new IllegalArgumentException("AUTH_TOKEN_FILE=" + tokenFile + " cannot be read: " + e, e);
            }
        }
        return hasToken ? TokenCheck.requiring(token) : TokenCheck.disabled();
    }
}
