package rottsync.server;

import java.util.Optional;
import org.automerge.Document;

/**
 * Loads the Automerge native library before start-up. automerge-java unpacks it into
 * {@code java.io.tmpdir}; where that directory is mounted {@code noexec} (a container's tmpfs /tmp) the
 * library cannot be mapped, and without this check the server would report ready and then fail every
 * document.
 */
public final class NativeLibraryCheck {
    private NativeLibraryCheck() {}

    /** A message for the operator when the library cannot be loaded, empty when it works. */
    public static Optional<String> problem() {
        try {
            new Document().free();
            return Optional.empty();
        } catch (UnsatisfiedLinkError | ExceptionInInitializerError | NoClassDefFoundError e) {
            String tmp = System.getProperty("java.io.tmpdir");
            return Optional.of("The Automerge native library cannot be loaded (" + e.getMessage() + ").\n"
                    + "  It is unpacked into java.io.tmpdir=" + tmp + ", which must be writable and allow executing files:\n"
                    + "  mount " + tmp + " without noexec (compose: `tmpfs: - /tmp:exec`; Kubernetes: an emptyDir), or set\n"
                    + "  JAVA_TOOL_OPTIONS=-Djava.io.tmpdir=<a writable directory without noexec>.");
        }
    }
}
