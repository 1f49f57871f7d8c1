package rottsync.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Set;
import rottsync.backup.Restore;

/** {@code restore --from FILE --to DIR}: a backup archive into an empty data directory. */
final class RestoreCommand implements Command {
    @Override
    public String name() {
        return "restore";
    }

    @Override
    public String summary() {
        return "restore a backup archive into an empty data directory (stop the server first)";
    }

    @Override
    public String usage() {
        return """
                Usage: java -jar quarkus-run.jar restore --from FILE --to DIR [--force] [--keep-storage-id]

                Verifies the whole archive first (nothing is written if any check fails), then writes its
                documents into DIR the way the server writes (temp file, fsync, rename). Run it while no
                server uses DIR; start the server on DIR afterwards.

                Options:
                  --from FILE          backup archive written by the backup command
                  --to DIR             data directory to restore into; must be empty or missing
                  --force              DIR may hold data: everything in it is deleted first
                  --keep-storage-id    keep the server identity stored in the archive. By default the
                                       restored server gets a new storage id, so that clients compare all
                                       their documents with it and send back changes the backup lacks.

                Exit status: 0 restored; 1 refused or failed (nothing restored if refused); 2 usage error.""";
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Args a;
        try {
            a = Args.parse(args, Set.of("from", "to"), Set.of("force", "keep-storage-id"));
            if (!a.positionals().isEmpty()) {
                throw new Args.UsageException("unexpected argument " + a.positionals().get(0));
            }
            if (a.value("from").isEmpty() || a.value("to").isEmpty()) {
                throw new Args.UsageException("--from FILE and --to DIR are required");
            }
        } catch (Args.UsageException e) {
            err.println("restore: " + e.getMessage() + " (see restore --help)");
            return 2;
        }
        try {
            Restore.Result r = Restore.run(Path.of(a.value("from").get()), Path.of(a.value("to").get()),
                    a.flag("force"), a.flag("keep-storage-id"));
            out.printf("restored %d documents (%d files, %d bytes) into %s; storage id %s (%s)%n", r.documents(),
                    r.files(), r.bytes(), Path.of(a.value("to").get()).toAbsolutePath().normalize(), r.storageId(),
                    r.storageIdKept() ? "kept from the archive" : "new");
            return 0;
        } catch (Restore.Refused e) {
            err.println("restore: " + e.getMessage());
            e.problems().forEach(p -> err.println("  " + p));
            return 1;
        }
    }
}
