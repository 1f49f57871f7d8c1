package rottsync.access;

/**
 * A token bucket for one connection's messages: {@code burst} messages at once, refilled at
 * {@code perSecond}. Generous enough for a client syncing thousands of documents at start-up; a flood
 * runs it dry. The caller passes the time, so the bucket is deterministic in tests.
 */
public final class RateBudget {
    private final double perMilli;
    private final double burst;
    private double tokens;
    private long lastMillis;

    public RateBudget(int perSecond, int burst, long nowMillis) {
        this.perMilli = perSecond / 1000.0;
        this.burst = burst;
        this.tokens = burst;
        this.lastMillis = nowMillis;
    }

    public synchronized boolean tryTake(long nowMillis) {
        long elapsed = Math.max(0, nowMillis - lastMillis);
        lastMillis = nowMillis;
        tokens = Math.min(burst, tokens + elapsed * perMilli);
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
