package rottsync.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import rottsync.backup.DocumentCheck;
import rottsync.backup.Verify;

/** {@code verify [PATH]}: loads every document of a data directory or a backup archive. */
final class VerifyCommand implements Command {
    private final Map<String, String> env;

    VerifyCommand(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public String name() {
        return "verify";
    }

    @Override
    public String summary() {
        return "check that every document of a data directory or backup archive loads";
    }

    @Override
    public String usage() {
        return """
                Usage: java -jar quarkus-run.jar verify [--data-dir DIR | --archive FILE | PATH] [--verbose]

                Loads every document with Automerge's strict loader and reports each corrupt or unreadable
                chunk by document id. For a backup archive it also checks every file against the manifest
                (size and SHA-256) and every document's heads against those recorded at backup time.
                Safe to run on the data directory of a running server; it changes nothing.

                Options:
                  --data-dir DIR   a data directory (default: $DATA_DIR, else ./data)
                  --archive FILE   a backup archive written by the backup command
                  PATH             either of the above, by what it is
                  --verbose        one line per document (id, heads, chunks) as well

                Exit status: 0 everything loads; 1 something is wrong (each problem is listed); 2 usage error.""";
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Args a;
        Path path;
        boolean archive;
        try {
            a = Args.parse(args, Set.of("data-dir", "archive"), Set.of("verbose"));
            int given = a.positionals().size() + (a.value("data-dir").isPresent() ? 1 : 0)
                    + (a.value("archive").isPresent() ? 1 : 0);
            if (given > 1) {
                throw new Args.UsageException("give one data directory or archive");
            }
            if (a.value("archive").isPresent()) {
                path = Path.of(a.value("archive").get());
                archive = true;
            } else if (a.value("data-dir").isPresent()) {
                path = Path.of(a.value("data-dir").get());
                archive = false;
            } else if (!a.positionals().isEmpty()) {
                path = Path.of(a.positionals().get(0));
                archive = Files.isRegularFile(path);
            } else {
                path = Args.defaultDataDir(env);
                archive = false;
            }
        } catch (Args.UsageException e) {
            err.println("verify: " + e.getMessage() + " (see verify --help)");
            return 2;
        }
        boolean verbose = a.flag("verbose");
        java.util.function.Consumer<DocumentCheck.Result> each = r -> {
            if (verbose) {
                out.printf("%s %s heads=%s%n", r.ok() ? "ok     " : "DAMAGED", r.documentId(), String.join(",", r.heads()));
            }
        };
        Verify.Report report = archive ? Verify.archive(path, each) : Verify.dataDirectory(path, each);
        report.warnings().forEach(w -> out.println("warning: " + w));
        for (Verify.Problem p : report.problems()) {
            out.println("PROBLEM " + p);
        }
        out.printf("%s %s: %d documents, %d chunks, %d bytes; %s%n", archive ? "archive" : "data directory",
                report.source(), report.documents(), report.chunks(), report.bytes(),
                report.ok() ? "everything loads" : report.problems().size() + " problem(s)");
        return report.ok() ? 0 : 1;
    }
}
