package io.havip.vrrp.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.havip.core.AddressHook;
import io.havip.core.RouterId;
import io.havip.core.RouterState;
import io.havip.core.StateChange;
import io.havip.core.TransitionReason;
import io.havip.core.net.IpFamily;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Hooks of one router never run side by side, even when one overruns its timeout and ignores interruption. */
class HookRunnerTest {

    private static final StateChange ACQUIRE = new StateChange(new RouterId("r", "eth0", 51, IpFamily.IPV4),
            RouterState.BACKUP, RouterState.MASTER, TransitionReason.MASTER_DOWN_TIMER, 100, Instant.EPOCH);

    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    /** A hook that ignores interruption until released; counts how many run at once. */
    private static final class Stubborn implements AddressHook {
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger running;
        final AtomicInteger maxRunning;

        Stubborn(AtomicInteger running, AtomicInteger maxRunning) {
            this.running = running;
            this.maxRunning = maxRunning;
        }

        @Override
        public void beforeAcquire(StateChange pending) {
            maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                while (true) {
                    try {
                        if (release.await(10, TimeUnit.SECONDS)) {
                            return;
                        }
                    } catch (InterruptedException e) {
                        // ignores interruption, as badly written hooks do
                    }
                }
            } finally {
                running.decrementAndGet();
            }
        }
    }

    @Test
    void aHookThatOverrunsItsTimeoutIsAbandonedAndTheNextIsRefusedRatherThanRunBesideIt() throws Exception {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        Stubborn stuck = new Stubborn(running, maxRunning);
        AtomicInteger laterRuns = new AtomicInteger();
        AddressHook later = new AddressHook() {
            @Override
            public void beforeAcquire(StateChange pending) {
                maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                laterRuns.incrementAndGet();
                running.decrementAndGet();
            }
        };
        HookRunner hooks = new HookRunner(pool);
        hooks.add(stuck, Duration.ofMillis(50));
        hooks.add(later, Duration.ofMillis(50));

        int completed = hooks.run(HookRunner.Phase.BEFORE_ACQUIRE, ACQUIRE);
        assertThat(completed).as("the stubborn hook timed out; the next was refused, not run beside it").isZero();
        assertThat(laterRuns).hasValue(0);

        stuck.release.countDown(); // the abandoned hook returns at last
        int second = hooks.run(HookRunner.Phase.BEFORE_ACQUIRE, ACQUIRE);
        assertThat(second).as("once it returned, both run again, one after the other").isEqualTo(2);
        assertThat(laterRuns).hasValue(1);
        assertThat(maxRunning).as("never two hooks of the router at once").hasValue(1);
    }

    @Test
    void hooksThatReturnInTimeRunInOrderOneAfterTheOther() {
        StringBuilder order = new StringBuilder();
        HookRunner hooks = new HookRunner(pool);
        for (String name : new String[] {"a", "b", "c"}) {
            hooks.add(new AddressHook() {
                @Override
                public void beforeRelease(StateChange pending) {
                    synchronized (order) {
                        order.append(name);
                    }
                }
            }, Duration.ofSeconds(1));
        }
        assertThat(hooks.run(HookRunner.Phase.BEFORE_RELEASE, ACQUIRE)).isEqualTo(3);
        assertThat(order).hasToString("abc");
    }
}
