package rottsync.server;

import org.jboss.logging.Logger;
import rottsync.sync.Effects;
import rottsync.sync.Hub;

/**
 * One log line per bad-input event, storage event or refused connection, naming the peer's address;
 * rate-limited per kind (10 lines a minute each) so that a misbehaving client cannot flood the log.
 */
final class ProblemLog {
    private static final Logger LOG = Logger.getLogger("rottsync.problems");
    static final int LINES_PER_MINUTE = 10;

    private final LogRateLimit limit = new LogRateLimit(LINES_PER_MINUTE, 60_000, System::currentTimeMillis);

    void report(Effects.Problem problem, Hub hub) {
        LogRateLimit.Decision decision = limit.attempt(problem.kind());
        if (!decision.log()) {
            return;
        }
        String held = held(decision, problem.kind());
        if (problem.connection() == null) {
            LOG.warnf("[%s] %s%s", problem.kind(), problem.reason(), held);
            return;
        }
        String address = hub.remoteAddress(problem.connection()).orElse("?");
        String peer = hub.peerId(problem.connection()).orElse("(not joined)");
        LOG.warnf("[%s] from %s peer %s on %s: %s%s", problem.kind(), address, peer, problem.connection(),
                problem.reason(), held);
    }

    /** A connection turned away before it could join (e.g. during shutdown). */
    void refused(String address, String reason) {
        LogRateLimit.Decision decision = limit.attempt("refused:" + reason);
        if (decision.log()) {
            LOG.infof("[connection-refused] from %s: %s%s", address, reason, held(decision, "connection-refused"));
        }
    }

    private static String held(LogRateLimit.Decision decision, String kind) {
        return decision.suppressedBefore() == 0 ? ""
                : " (" + decision.suppressedBefore() + " more [" + kind + "] lines were suppressed)";
    }
}
