package rottsync.server;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.util.List;

/** Entry point of the jar and the image: validates the environment, then starts the server. */
@QuarkusMain
public final class RottSyncMain {
    private RottSyncMain() {}

    public static void main(String... args) {
        List<String> problems = EnvironmentCheck.problems(System.getenv());
        if (!problems.isEmpty()) {
            problems.forEach(System.err::println);
            System.err.println("rott-sync did not start: fix the variables above.");
            System.exit(2);
        }
        Quarkus.run(args);
    }
}
