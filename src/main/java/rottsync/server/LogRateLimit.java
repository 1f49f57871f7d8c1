package rottsync.server;

import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Lets through at most {@code burst} log lines per key in each window; once a window has passed, the
 * next line for that key is allowed again and learns how many were held back, so a flood of bad input
 * costs a few lines a minute instead of filling the disk.
 */
final class LogRateLimit {
    /** Whether to log now, and how many lines of this key were suppressed since the last one logged. */
    record Decision(boolean log, long suppressedBefore) {}

    private final int burst;
    private final long windowMillis;
    private final LongSupplier clock;
    private final Map<String, Window> windows = new HashMap<>();

    private static final class Window {
        long start;
        int logged;
        long suppressed;
    }

    LogRateLimit(int burst, long windowMillis, LongSupplier clock) {
        this.burst = burst;
        this.windowMillis = windowMillis;
        this.clock = clock;
    }

    synchronized Decision attempt(String key) {
        long now = clock.getAsLong();
        Window w = windows.computeIfAbsent(key, k -> new Window());
        if (now - w.start >= windowMillis) {
            w.start = now;
            w.logged = 0;
        }
        if (w.logged < burst) {
            w.logged++;
            long suppressed = w.suppressed;
            w.suppressed = 0;
            return new Decision(true, suppressed);
        }
        w.suppressed++;
        return new Decision(false, 0);
    }
}
