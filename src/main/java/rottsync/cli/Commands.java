package rottsync.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The jar's subcommands. With no arguments (or only options) the jar runs the server; a first argument
 * that names a command runs that command instead and exits.
 */
public final class Commands {
    private static final List<Command> ALL = List.of(
            new HealthcheckCommand(),
            new BackupCommand(System.getenv(), java.time.Clock.systemUTC()),
            new VerifyCommand(System.getenv()),
            new RestoreCommand());

    private Commands() {}

    static Map<String, Command> byName() {
        Map<String, Command> map = new LinkedHashMap<>();
        ALL.forEach(c -> map.put(c.name(), c));
        return map;
    }

    /** The command the arguments ask for, if any; {@code --help} is a command too. */
    public static boolean isCommand(String[] args) {
        return args.length > 0 && (byName().containsKey(args[0]) || isHelp(args[0]));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (isHelp(args[0])) {
            out.println(overview());
            return 0;
        }
        Command command = byName().get(args[0]);
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        if (Arrays.stream(rest).anyMatch(Commands::isHelp)) {
            out.println(command.usage());
            return 0;
        }
        try {
            return command.run(rest, out, err);
        } catch (Exception e) {
            err.println(command.name() + ": " + e.getMessage());
            return 1;
        }
    }

    public static Optional<Command> find(String name) {
        return Optional.ofNullable(byName().get(name));
    }

    static String overview() {
        StringBuilder text = new StringBuilder("""
                rott-sync: a self-hosted Automerge sync server.

                Usage:
                  java -jar quarkus-run.jar              run the server (configured by environment variables)
                  java -jar quarkus-run.jar COMMAND …    run a command and exit
                  java -jar quarkus-run.jar COMMAND --help

                Commands:
                """);
        for (Command c : ALL) {
            text.append(String.format("  %-12s %s%n", c.name(), c.summary()));
        }
        return text.toString().stripTrailing();
    }

    private static boolean isHelp(String arg) {
        return arg.equals("--help") || arg.equals("-h") || arg.equals("help");
    }
}
