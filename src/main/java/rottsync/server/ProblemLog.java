package rottsync.server;

import org.jboss.logging.Logger;
import rottsync.sync.Effects;
import rottsync.sync.Hub;

/** One log line per bad-input or storage event, naming the peer's address; repeats are rate-limited. */
final class ProblemLog {
    private static final Logger LOG = Logger.getLogger("rottsync.problems");
    private final RateLimitedLog limited = new RateLimitedLog(LOG, 10_000);

    void report(Effects.Problem problem, Hub hub) {
        if (problem.connection() == null) {
            limited.warn(problem.kind() + ":" + problem.reason(), "[%s] %s", problem.kind(), problem.reason());
            return;
        }
        String address = hub.remoteAddress(problem.connection()).orElse("?");
        String peer = hub.peerId(problem.connection()).orElse("(not joined)");
        limited.warn(problem.kind() + ":" + address, "[%s] from %s peer %s on %s: %s", problem.kind(), address, peer,
                problem.connection(), problem.reason());
    }
}
