package rottsync.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LogRateLimitTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final LogRateLimit limit = new LogRateLimit(3, 60_000, now::get);

    @Test
    void letsABurstThroughThenHoldsBackUntilTheWindowEndsAndSaysHowManyWereHeld() {
        for (int i = 0; i < 3; i++) {
            assertThat(limit.attempt("malformed-frame")).isEqualTo(new LogRateLimit.Decision(true, 0));
        }
        for (int i = 0; i < 5; i++) {
            assertThat(limit.attempt("malformed-frame").log()).isFalse();
        }
        now.addAndGet(59_999);
        assertThat(limit.attempt("malformed-frame").log()).isFalse();
        now.addAndGet(1);
        assertThat(limit.attempt("malformed-frame")).isEqualTo(new LogRateLimit.Decision(true, 6));
        assertThat(limit.attempt("malformed-frame")).isEqualTo(new LogRateLimit.Decision(true, 0));
    }

    @Test
    void eachKindHasItsOwnBudget() {
        for (int i = 0; i < 3; i++) {
            limit.attempt("text-frame");
        }
        assertThat(limit.attempt("text-frame").log()).isFalse();
        assertThat(limit.attempt("before-join").log()).isTrue();
    }
}
