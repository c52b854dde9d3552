package io.havip.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.havip.core.Clock;
import io.havip.core.ManualClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The release arithmetic on a {@link ManualClock}: margins, answers out of order, sessions, clock jumps. */
class SessionDeadlineTest {

    private final ManualClock clock = Clock.manual(Instant.parse("2026-12-07T17:00:00Z"));
    private final SessionDeadline d = new SessionDeadline(Duration.ofSeconds(10), Duration.ofMillis(500));

    @Test
    void theMarginIsAQuarterOnePercentAndThePauseAllowance() {
        assertThat(d.margin()).isEqualTo(Duration.ofMillis(2500 + 100 + 500));
        assertThat(d.releaseDeadline()).as("nothing heard yet").isEqualTo(SessionDeadline.NEVER);
        assertThat(d.valid(clock.nanoTime())).isFalse();
        long sent = clock.nanoTime();
        clock.advance(Duration.ofMillis(30));
        d.answered(sent, 0x11);
        assertThat(d.releaseDeadline() - sent).isEqualTo(Duration.ofMillis(6900).toNanos());
    }

    /**
     * A session too short for the kernel to enforce its grants is said at start: 4 s leaves a
     * grant 2.46 s (enough), 3 s leaves 1.72 s and 2 s (the fast failover an operator may want)
     * 0.98 s (not).
     */
    @Test
    void aSessionTooShortForTheKernelLifetimeIsWarnedAtStart() {
        assertThat(warning(Duration.ofSeconds(10))).isEmpty();
        assertThat(warning(Duration.ofSeconds(4))).isEmpty();
        assertThat(warning(Duration.ofSeconds(3))).hasValueSatisfying(w -> assertThat(w)
                .startsWith("ZooKeeper session timeout 3000 ms: a grant is valid for 1720 ms").contains("4 s or more"));
        assertThat(warning(Duration.ofSeconds(2))).hasValueSatisfying(w -> assertThat(w).contains("valid for 980 ms"));
        assertThat(warning(Duration.ofSeconds(1))).hasValueSatisfying(w -> assertThat(w).contains("valid for 240 ms"));
    }

    private static java.util.Optional<String> warning(Duration sessionTimeout) {
        return ZooKeeperAuthority.shortSessionWarning(sessionTimeout,
                new SessionDeadline(sessionTimeout, SessionDeadline.DEFAULT_PAUSE_ALLOWANCE).margin());
    }

    @Test
    void theCountdownRunsFromTheSendingOfTheLastAnsweredRequestNotFromItsAnswer() {
        long first = clock.nanoTime();
        clock.advance(Duration.ofSeconds(1));
        long second = clock.nanoTime();
        clock.advance(Duration.ofSeconds(3)); // a slow answer
        d.answered(second, 0x11);
        d.answered(first, 0x11); // an older request answered later moves nothing back
        assertThat(d.lastHeardNanos()).isEqualTo(second);
        assertThat(d.valid(second + Duration.ofMillis(6899).toNanos())).isTrue();
        assertThat(d.valid(second + Duration.ofMillis(6900).toNanos())).isFalse();
    }

    @Test
    void aPauseOrAJumpOfTheMonotonicClockPastTheDeadlineEndsIt() {
        long sent = clock.nanoTime();
        d.answered(sent, 0x11);
        clock.advance(Duration.ofSeconds(20)); // SIGSTOP, a long GC
        assertThat(d.valid(clock.nanoTime())).isFalse();
        // the wall clock going back changes nothing: only nanoTime counts
        assertThat(d.valid(sent + Duration.ofSeconds(1).toNanos())).isTrue();
    }

    @Test
    void anAnswerInANewSessionStartsOverAndALostSessionProvesNothing() {
        long t = clock.nanoTime();
        d.answered(t, 0x11);
        clock.advance(Duration.ofSeconds(2));
        d.lost();
        assertThat(d.valid(clock.nanoTime())).isFalse();
        long t2 = clock.nanoTime();
        d.answered(t2, 0x22);
        assertThat(d.session()).isEqualTo(0x22);
        assertThat(d.lastHeardNanos()).isEqualTo(t2);
        // (a late answer of the old session never gets here: ZooKeeperAuthority passes only answers whose
        // session is still the client's)
    }

    @Test
    void theNegotiatedTimeoutReplacesTheAskedOneAndTooShortATimeoutIsRefused() {
        SessionDeadline n = d.withSessionTimeout(Duration.ofSeconds(4));
        assertThat(n.margin()).isEqualTo(Duration.ofMillis(1000 + 40 + 500));
        assertThatThrownBy(() -> new SessionDeadline(Duration.ofMillis(600), Duration.ofMillis(500)))
                .hasMessageContaining("leaves no time to hold a lease");
    }
}
