package rottsync.server;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.util.List;
import rottsync.cli.Commands;

/** Entry point of the jar and the image: a subcommand, or else the server after checking the environment. */
@QuarkusMain
public final class RottSyncMain {
    private RottSyncMain() {}

    public static void main(String... args) {
        if (Commands.isCommand(args)) {
            System.exit(Commands.run(args, System.out, System.err));
        }
        List<String> problems = EnvironmentCheck.problems(System.getenv());
        if (!problems.isEmpty()) {
            problems.forEach(System.err::println);
            System.err.println("rott-sync did not start: fix the variables above.");
            System.exit(2);
        }
        DataDirCheck.problem(DataDirCheck.dataDir(System.getenv())).ifPresent(problem -> {
            System.err.println(problem);
            System.err.println("rott-sync did not start: DATA_DIR must be writable.");
            System.exit(2);
        });
        NativeLibraryCheck.problem().ifPresent(problem -> {
            System.err.println(problem);
            System.err.println("rott-sync did not start.");
            System.exit(2);
        });
        Quarkus.run(args);
    }
}
