package rottsync.backup;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The archives of a backup directory: their names (which carry the time, so a listing sorts them), the
 * newest one, when the next scheduled backup is due, and which old ones to delete.
 */
public final class BackupFiles {
    static final String PREFIX = "rott-sync-backup-";
    static final String SUFFIX = ".tar.gz";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final Pattern NAME = Pattern.compile(Pattern.quote(PREFIX) + "(\\d{8}T\\d{6}Z)"
            + Pattern.quote(SUFFIX));
    private static final Pattern PARTIAL = Pattern.compile("\\." + Pattern.quote(PREFIX) + ".*\\.partial-.*");

    /** One archive in a backup directory and the time in its name. */
    public record Archive(Path path, Instant time) {}

    private BackupFiles() {}

    /** {@code rott-sync-backup-20261125T133000Z.tar.gz} */
    public static String fileName(Instant time) {
        return PREFIX + STAMP.format(time) + SUFFIX;
    }

    /** The archives in {@code dir}, oldest first; other files are ignored. */
    public static List<Archive> list(Path dir) throws IOException {
        List<Archive> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path file : stream) {
                Matcher m = NAME.matcher(file.getFileName().toString());
                if (m.matches() && Files.isRegularFile(file)) {
                    try {
                        out.add(new Archive(file, Instant.from(STAMP.parse(m.group(1)))));
                    } catch (DateTimeParseException e) {
                        // not one of ours after all
                    }
                }
            }
        }
        out.sort((a, b) -> a.time().compareTo(b.time()));
        return out;
    }

    public static Optional<Archive> newest(Path dir) throws IOException {
        List<Archive> all = list(dir);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /** When the next backup is due: one interval after the newest archive, or now if that has passed. */
    public static Instant nextRun(Optional<Instant> newest, Duration interval, Instant now) {
        if (newest.isEmpty()) {
            return now;
        }
        Instant due = newest.get().plus(interval);
        return due.isAfter(now) ? due : now;
    }

    /** Deletes the oldest archives so that {@code keep} remain; returns what was deleted. */
    public static List<Path> prune(Path dir, int keep) throws IOException {
        List<Archive> all = list(dir);
        List<Path> deleted = new ArrayList<>();
        for (int i = 0; i < all.size() - Math.max(1, keep); i++) {
            Files.deleteIfExists(all.get(i).path());
            deleted.add(all.get(i).path());
        }
        return deleted;
    }

    /** Removes temp files that interrupted backups left behind (older than {@code age}). */
    public static int removeStalePartials(Path dir, Duration age, Instant now) throws IOException {
        int removed = 0;
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path file : stream) {
                if (PARTIAL.matcher(file.getFileName().toString()).matches()
                        && Files.getLastModifiedTime(file).toInstant().isBefore(now.minus(age))) {
                    Files.deleteIfExists(file);
                    removed++;
                }
            }
        }
        return removed;
    }
}
