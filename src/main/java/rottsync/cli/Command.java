package rottsync.cli;

import java.io.PrintStream;

/** A subcommand of the jar and the image ({@code java -jar quarkus-run.jar <name> …}); runs without the server. */
public interface Command {
    String name();

    /** One line for the command list. */
    String summary();

    /** The full {@code <name> --help} text. */
    String usage();

    /** Runs the command; the return value is the process exit code. */
    int run(String[] args, PrintStream out, PrintStream err) throws Exception;
}
