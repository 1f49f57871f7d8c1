package rottsync.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;

/**
 * Checks before start-up that the data directory can be written by this process, so the commonest
 * container mistake (a volume or bind-mounted folder that belongs to another uid) ends with one clear
 * message that names DATA_DIR, the process's uid and the folder's owner, instead of a stack trace.
 */
public final class DataDirCheck {
    private DataDirCheck() {}

    /** The data directory as the server will read it: {@code -Drott.data-dir}, else DATA_DIR, else ./data. */
    public static Path dataDir(Map<String, String> env) {
        String value = System.getProperty("rott.data-dir");
        if (value == null || value.isBlank()) {
            value = env.getOrDefault("DATA_DIR", "./data");
        }
        return Path.of(value.trim());
    }

    /** A message for the operator when the directory cannot be used, empty when it can. */
    public static Optional<String> problem(Path dir) {
        Path absolute = dir.toAbsolutePath().normalize();
        String name = "DATA_DIR=" + absolute;
        if (Files.exists(absolute) && !Files.isDirectory(absolute)) {
            return Optional.of(name + " is not a directory. Point DATA_DIR at a directory (it is created if missing).");
        }
        Path existing = absolute;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return Optional.of(name + " cannot be created: no part of the path exists.");
        }
        if (!Files.isDirectory(existing)) {
            return Optional.of(name + " cannot be created: " + existing + " is not a directory.");
        }
        Optional<IOException> failure = probeWrite(existing);
        if (failure.isEmpty()) {
            return Optional.empty();
        }
        String readOnly = String.valueOf(failure.get().getMessage()).contains("Read-only file system")
                ? ", on a read-only file system" : "";
        String what = existing.equals(absolute) ? "is not writable" : "cannot be created: " + existing + " is not writable";
        return Optional.of(name + " " + what + " for this process (" + processIds() + "); " + existing + " is "
                + describe(existing) + readOnly + ".\n"
                + "  Fix: make the folder writable for uid " + processUid() + " (for a host folder or volume, e.g.\n"
                + "  `sudo chown -R " + processUid() + ":" + processGid() + " <folder>`), or run the server as the folder's owner\n"
                + "  (compose `user: \"<uid>:<gid>\"`, Kubernetes `fsGroup`), or set DATA_DIR to a writable directory.");
    }

    private static Optional<IOException> probeWrite(Path dir) {
        try {
            Path probe = Files.createTempFile(dir, ".rott-sync-write-check", ".tmp");
            Files.delete(probe);
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of(e);
        }
    }

    private static String describe(Path dir) {
        try {
            Object uid = Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            Object gid = Files.getAttribute(dir, "unix:gid", LinkOption.NOFOLLOW_LINKS);
            String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(dir));
            return "owned by " + uid + ":" + gid + " with mode " + mode;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "not writable (" + e.getMessage() + ")";
        }
    }

    private static String processIds() {
        return "uid " + processUid() + ", gid " + processGid();
    }

    static String processUid() {
        return attribute("unix:uid", System.getProperty("user.name"));
    }

    static String processGid() {
        return attribute("unix:gid", "?");
    }

    private static String attribute(String name, String fallback) {
        try {
            return String.valueOf(Files.getAttribute(Path.of("/proc/self"), name));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return fallback;
        }
    }
}
