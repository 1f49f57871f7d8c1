package rottsync.server;

import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.logging.Logger;

/** At most one line per key and interval, so a misbehaving client cannot flood the log. */
final class RateLimitedLog {
    private static final int MAX_KEYS = 1024;

    private final Logger log;
    private final long intervalMillis;
    private final Map<String, long[]> lastByKey = new LinkedHashMap<>(64, 0.75f, true);

    RateLimitedLog(Logger log, long intervalMillis) {
        this.log = log;
        this.intervalMillis = intervalMillis;
    }

    void warn(String key, String format, Object... args) {
        long now = System.currentTimeMillis();
        long suppressed;
        synchronized (lastByKey) {
            long[] state = lastByKey.get(key);
            if (state != null && now - state[0] < intervalMillis) {
                state[1]++;
                return;
            }
            suppressed = state == null ? 0 : state[1];
            lastByKey.put(key, new long[] {now, 0});
            if (lastByKey.size() > MAX_KEYS) {
                lastByKey.remove(lastByKey.keySet().iterator().next());
            }
        }
        String line = String.format(format, args);
        log.warn(suppressed == 0 ? line : line + " (" + suppressed + " similar suppressed)");
    }
}
