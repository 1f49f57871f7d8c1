package rottsync.backup;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/** Streams the regular files of a backup archive (tar.gz) in order, one at a time. */
final class Archive {
    /** A file larger than this cannot be a chunk we wrote; refuse instead of exhausting memory. */
    static final long MAX_ENTRY_BYTES = Integer.MAX_VALUE - 64;

    interface Visitor {
        void file(String path, byte[] bytes) throws IOException;
    }

    private Archive() {}

    static void read(Path file, Visitor visitor) throws IOException {
        try (InputStream in = Files.newInputStream(file);
                TarArchiveInputStream tar = new TarArchiveInputStream(
                        new GZIPInputStream(new BufferedInputStream(in, 1 << 16), 1 << 16))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                if (!entry.isFile()) {
                    continue;
                }
                if (entry.getSize() > MAX_ENTRY_BYTES) {
                    throw new IOException("entry " + entry.getName() + " is too large (" + entry.getSize() + " bytes)");
                }
                visitor.file(normalize(entry.getName()), tar.readAllBytes());
            }
        }
    }

    /** {@code ./data/x} and {@code data/x} are the same entry. */
    static String normalize(String name) {
        String n = name;
        while (n.startsWith("./")) {
            n = n.substring(2);
        }
        return n;
    }
}
