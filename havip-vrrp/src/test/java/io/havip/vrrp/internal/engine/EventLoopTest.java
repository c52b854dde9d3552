package io.havip.vrrp.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.havip.core.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The loop's timer heap: deadlines that move (a BACKUP's Master_Down_Timer moves later on
 * every advert) fire once, in order, never early, and a deadline moved later does not wake the
 * loop at its old time.
 */
class EventLoopTest {

    private static final long MS = 1_000_000L;

    /** A driven thing whose deadline the test sets from the loop thread (through wake). */
    private static final class Timed implements EventLoop.Driven {
        final String name;
        final List<String> fired;
        volatile long deadline = EventLoop.NEVER;
        volatile long pending = EventLoop.NEVER;
        final AtomicInteger timers = new AtomicInteger();
        volatile long firedAt;
        CountDownLatch done = new CountDownLatch(1);

        Timed(String name, List<String> fired) {
            this.name = name;
            this.fired = fired;
        }

        @Override
        public void onEvents(long now) {
            deadline = pending;
        }

        @Override
        public void onTimer(long now) {
            timers.incrementAndGet();
            firedAt = now;
            fired.add(name);
            deadline = EventLoop.NEVER;
            done.countDown();
        }

        @Override
        public long nextDeadline() {
            return deadline;
        }
    }

    @Test
    void deadlinesFireInOrderOnceAndNeverEarly() throws InterruptedException {
        Clock clock = Clock.system();
        List<String> fired = Collections.synchronizedList(new ArrayList<>());
        try (EventLoop loop = new EventLoop("loop-test", clock)) {
            loop.start();
            List<Timed> all = new ArrayList<>();
            List<EventLoop.Slot> slots = new ArrayList<>();
            long base = clock.nanoTime();
            // 40 deadlines in reverse order of their names, so the heap has to sort them
            for (int i = 0; i < 40; i++) {
                Timed t = new Timed(String.format("t%02d", i), fired);
                t.pending = base + (200 + 5L * i) * MS;
                all.add(t);
                EventLoop.Slot s = loop.register(t);
                slots.add(s);
            }
            for (int i = 39; i >= 0; i--) {
                loop.wake(slots.get(i));
            }
            // move some later, some earlier: the heap re-sorts them in place
            Thread.sleep(20);
            all.get(0).pending = base + 450 * MS; // was first, now last
            loop.wake(slots.get(0));
            all.get(39).pending = base + 150 * MS; // was last, now first
            loop.wake(slots.get(39));
            for (Timed t : all) {
                assertThat(t.done.await(5, TimeUnit.SECONDS)).as(t.name).isTrue();
            }
            List<String> expected = new ArrayList<>();
            expected.add("t39");
            for (int i = 1; i < 39; i++) {
                expected.add(String.format("t%02d", i));
            }
            expected.add("t00");
            assertThat(fired).containsExactlyElementsOf(expected);
            for (Timed t : all) {
                assertThat(t.timers.get()).as(t.name + " fired once").isEqualTo(1);
                assertThat(t.firedAt - t.pending).as(t.name + " not early").isGreaterThanOrEqualTo(0);
            }
        }
    }

    @Test
    void aDeadlineMovedLaterLeavesNothingBehindAndAnUnregisteredSlotNeverFires() throws InterruptedException {
        Clock clock = Clock.system();
        List<String> fired = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger turns = new AtomicInteger();
        try (EventLoop loop = new EventLoop("loop-test", clock)) {
            loop.start();
            Timed moving = new Timed("moving", fired);
            Timed gone = new Timed("gone", fired);
            EventLoop.Slot m = loop.register(moving);
            EventLoop.Slot g = loop.register(new EventLoop.Driven() {
                @Override
                public void onEvents(long now) {
                    turns.incrementAndGet();
                    if (leave) {
                        loop.unregister(gonesSlot[0]);
                    } else {
                        gone.onEvents(now);
                    }
                }

                @Override
                public void onTimer(long now) {
                    gone.onTimer(now);
                }

                @Override
                public long nextDeadline() {
                    return gone.nextDeadline();
                }
            });
            gonesSlot[0] = g;
            long base = clock.nanoTime();
            gone.pending = base + 100 * MS;
            loop.wake(g);
            while (gone.deadline == EventLoop.NEVER) {
                Thread.sleep(1);
            }
            leave = true;
            loop.wake(g); // unregisters gone before its deadline
            // the moving deadline is pushed 300 ms ahead every 50 ms, as adverts push a backup's timer
            for (int i = 0; i < 6; i++) {
                moving.pending = clock.nanoTime() + 300 * MS;
                loop.wake(m);
                Thread.sleep(50);
            }
            assertThat(moving.timers.get()).as("never fired while pushed later").isZero();
            assertThat(moving.done.await(2, TimeUnit.SECONDS)).isTrue();
            assertThat(moving.timers.get()).isEqualTo(1);
            Thread.sleep(150);
            assertThat(gone.timers.get()).as("unregistered before its deadline").isZero();
            assertThat(fired).containsExactly("moving");
        }
    }

    private volatile boolean leave;
    private final EventLoop.Slot[] gonesSlot = new EventLoop.Slot[1];
}
