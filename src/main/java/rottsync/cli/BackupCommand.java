package rottsync.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import rottsync.backup.Backup;
import rottsync.backup.BackupFiles;

/** {@code backup --to FILE|DIR}: one tar.gz archive of a data directory, safe while the server runs. */
final class BackupCommand implements Command {
    private final Map<String, String> env;
    private final Clock clock;

    BackupCommand(Map<String, String> env, Clock clock) {
        this.env = env;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "backup";
    }

    @Override
    public String summary() {
        return "write a tar.gz backup of the data directory (safe while the server runs)";
    }

    @Override
    public String usage() {
        return """
                Usage: java -jar quarkus-run.jar backup --to FILE|DIR [--data-dir DIR]

                Writes one archive (tar.gz) of the data directory. The server may keep running and clients may
                keep writing: each document is read as one consistent set of chunks and loaded before it goes
                into the archive, so every document in it is a state the server really had. The archive holds
                data/ (the data directory's own layout) and manifest.json (format version, document ids and
                heads, and the size and SHA-256 of every file). It appears under its name only once complete.

                Options:
                  --to FILE|DIR    archive to write; for a directory the name is rott-sync-backup-<UTC time>.tar.gz
                  --data-dir DIR   data directory to back up (default: $DATA_DIR, else ./data)

                Exit status: 0 archive written and every document loads; 1 failed, or written but some
                documents are damaged (each is listed; the damaged ones are still copied byte for byte);
                2 usage error.""";
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Args a;
        try {
            a = Args.parse(args, Set.of("to", "data-dir"), Set.of());
            if (!a.positionals().isEmpty()) {
                throw new Args.UsageException("unexpected argument " + a.positionals().get(0));
            }
            if (a.value("to").isEmpty()) {
                throw new Args.UsageException("--to FILE|DIR is required");
            }
        } catch (Args.UsageException e) {
            err.println("backup: " + e.getMessage() + " (see backup --help)");
            return 2;
        }
        Path dataDir = a.value("data-dir").map(Path::of).orElseGet(() -> Args.defaultDataDir(env));
        Path to = Path.of(a.value("to").get());
        if (Files.isDirectory(to)) {
            to = to.resolve(BackupFiles.fileName(clock.instant()));
        }
        Backup.Result result = Backup.create(dataDir, to, Version.current(), clock);
        out.printf("backup written: %s (%d documents, %d bytes of data, %d bytes archived, %.1f s)%n",
                result.archive(), result.documents(), result.dataBytes(), result.archiveBytes(),
                result.took().toMillis() / 1000.0);
        if (!result.ok()) {
            err.println("backup: " + result.problems().size() + " problem(s); the damaged documents were copied as"
                    + " they are:");
            result.problems().forEach(p -> err.println("  " + p));
            return 1;
        }
        return 0;
    }
}
