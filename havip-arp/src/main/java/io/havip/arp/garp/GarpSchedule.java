package io.havip.arp.garp;

import io.havip.core.net.IpFamily;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * When to announce a master's addresses, as keepalived does it, without I/O, threads or
 * clock reads (sans-IO, compare quinn-proto's {@code poll_timeout}): the caller passes the
 * time in, asks {@link #due} how many rounds to send now, and sleeps until
 * {@link #nextDeadlineNanos}. A round is one gratuitous ARP (or unsolicited NA) for each
 * address the caller announces, in the caller's order.
 *
 * <p>keepalived 2.2.7 semantics ({@code vrrp.c}):
 * <ul>
 * <li>{@link #start}: {@code vrrp_state_become_master} sends {@code garp_master_repeat}
 *     rounds at once ({@code vrrp_send_link_update}), arms the refresh timer at now +
 *     {@code garp_master_refresh}, and {@code vrrp_state_master_tx} adds a timer that sends
 *     {@code garp_master_repeat} rounds again after {@code garp_master_delay} (if non-zero).</li>
 * <li>Refresh: while master, once the refresh time has passed, {@code garp_master_refresh_repeat}
 *     rounds, and the timer is re-armed at now + {@code garp_master_refresh}. keepalived checks
 *     this only when it sends an advert, so its refreshes land on advert ticks; here they land
 *     on the deadline itself.</li>
 * <li>{@link #reannounce} (a lower-priority advert seen while master, {@code vrrp_state_master_rx}):
 *     {@code garp_lower_prio_repeat} rounds at once and, if {@code garp_lower_prio_delay} is
 *     non-zero, the same again after that delay; each such advert adds its own delayed burst
 *     (here at most {@link #MAX_DELAYED_BURSTS} wait at a time).</li>
 * <li>The gap ({@code vrrp_garp_interval} / {@code vrrp_gna_interval}): keepalived queues any
 *     packet that would follow the previous one on the interface sooner than the gap. Here the
 *     gap separates rounds of this schedule; with one address per schedule that is exactly
 *     keepalived's behaviour, with several addresses keepalived spaces every packet, so a
 *     binder that needs that should run one schedule per address or space a round itself.</li>
 * <li>{@link #stop} (leaving master) cancels everything pending, as keepalived's delayed
 *     sends do nothing once the VIPs are unset.</li>
 * </ul>
 *
 * <p>Times are {@link System#nanoTime()}-style readings (e.g. {@code io.havip.core.Clock#nanoTime});
 * only differences are used, so they may wrap. Not thread-safe: confine an instance to the
 * thread that drives it.
 */
public final class GarpSchedule {

    /**
     * Delayed bursts kept waiting at once. A peer flooding lower-priority adverts would
     * otherwise grow the queue by one entry per advert for {@code garp_lower_prio_delay}
     * (keepalived adds a timer thread per advert); the immediate rounds are not limited.
     */
    public static final int MAX_DELAYED_BURSTS = 16;

    private record DelayedBurst(long atNanos, int rounds) {
    }

    private final GarpConfig config;
    private final IpFamily family;
    private final long intervalNanos;
    private final long masterDelayNanos;
    private final long refreshNanos;
    private final long lowerPriorityDelayNanos;
    private final List<DelayedBurst> delayed = new ArrayList<>();

    private boolean running;
    private long owedRounds;
    private long owedSinceNanos;
    private boolean refreshArmed;
    private long refreshAtNanos;
    private boolean sentBefore;
    private long lastSentNanos;

    /**
     * @param config the timing
     * @param family which gap applies: {@code vrrp_garp_interval} for IPv4, {@code vrrp_gna_interval} for IPv6
     */
    public GarpSchedule(GarpConfig config, IpFamily family) {
        this.config = Objects.requireNonNull(config, "config");
        this.family = Objects.requireNonNull(family, "family");
        this.intervalNanos = config.intervalFor(family).toNanos();
        this.masterDelayNanos = config.masterDelay().toNanos();
        this.refreshNanos = config.masterRefresh().toNanos();
        this.lowerPriorityDelayNanos = config.lowerPriorityDelay().toNanos();
    }

    public GarpConfig config() {
        return config;
    }

    public IpFamily family() {
        return family;
    }

    /** True between {@link #start} and {@link #stop}. */
    public boolean isRunning() {
        return running;
    }

    /**
     * Became master at {@code nowNanos}: owes {@code garp_master_repeat} rounds now, arms the
     * second burst and the refresh. Calling it while running starts a new term afresh.
     */
    public void start(long nowNanos) {
        running = true;
        delayed.clear();
        owedRounds = 0;
        owe(nowNanos, config.masterRepeat());
        if (masterDelayNanos > 0) {
            delayed.add(new DelayedBurst(nowNanos + masterDelayNanos, config.masterRepeat()));
        }
        refreshArmed = refreshNanos > 0;
        refreshAtNanos = nowNanos + refreshNanos;
    }

    /**
     * A lower-priority advert was seen while master: owes {@code garp_lower_prio_repeat}
     * rounds now and, with a non-zero {@code garp_lower_prio_delay}, again after it.
     *
     * @return false when nothing was scheduled: not running, or {@code garp_lower_prio_repeat} is 0
     */
    public boolean reannounce(long nowNanos) {
        if (!running || config.lowerPriorityRepeat() == 0) {
            return false;
        }
        owe(nowNanos, config.lowerPriorityRepeat());
        if (lowerPriorityDelayNanos > 0 && delayed.size() < MAX_DELAYED_BURSTS) {
            delayed.add(new DelayedBurst(nowNanos + lowerPriorityDelayNanos, config.lowerPriorityRepeat()));
        }
        return true;
    }

    /** Left master (or the addresses were removed): nothing more is due until the next {@link #start}. */
    public void stop() {
        running = false;
        delayed.clear();
        owedRounds = 0;
        refreshArmed = false;
    }

    /**
     * The rounds to send at {@code nowNanos}: everything owed when there is no gap, else at
     * most one round, and none while the gap since the previous round has not passed. The
     * caller sends that many rounds right away; what it does not send is lost (announcements
     * are unreliable by nature, RFC 4861 section 7.2.6).
     */
    public int due(long nowNanos) {
        if (!running) {
            return 0;
        }
        for (int i = 0; i < delayed.size(); ) {
            DelayedBurst burst = delayed.get(i);
            if (burst.atNanos() - nowNanos <= 0) {
                owe(burst.atNanos(), burst.rounds());
                delayed.remove(i);
            } else {
                i++;
            }
        }
        if (refreshArmed && refreshAtNanos - nowNanos <= 0) {
            owe(refreshAtNanos, config.masterRefreshRepeat());
            refreshAtNanos = nowNanos + refreshNanos;
        }
        if (owedRounds == 0) {
            return 0;
        }
        if (intervalNanos == 0) {
            int rounds = (int) Math.min(owedRounds, Integer.MAX_VALUE);
            owedRounds -= rounds;
            return rounds;
        }
        if (sentBefore && nowNanos - lastSentNanos < intervalNanos) {
            return 0;
        }
        owedRounds--;
        sentBefore = true;
        lastSentNanos = nowNanos;
        return 1;
    }

    /**
     * When {@link #due} should next be called, or empty when nothing will ever be due until
     * the next {@link #start} / {@link #reannounce}. A deadline in the past means "now".
     */
    public OptionalLong nextDeadlineNanos() {
        if (!running) {
            return OptionalLong.empty();
        }
        boolean found = false;
        long earliest = 0;
        if (owedRounds > 0) {
            earliest = owedSinceNanos;
            if (intervalNanos > 0 && sentBefore && (lastSentNanos + intervalNanos) - earliest > 0) {
                earliest = lastSentNanos + intervalNanos;
            }
            found = true;
        }
        for (DelayedBurst burst : delayed) {
            if (!found || burst.atNanos() - earliest < 0) {
                earliest = burst.atNanos();
                found = true;
            }
        }
        if (refreshArmed && (!found || refreshAtNanos - earliest < 0)) {
            earliest = refreshAtNanos;
            found = true;
        }
        return found ? OptionalLong.of(earliest) : OptionalLong.empty();
    }

    /** Rounds owed but not yet handed out by {@link #due} (for diagnostics and tests). */
    public long owedRounds() {
        return owedRounds;
    }

    private void owe(long sinceNanos, int rounds) {
        if (owedRounds == 0) {
            owedSinceNanos = sinceNanos;
        }
        owedRounds += rounds;
    }

    @Override
    public String toString() {
        return "GarpSchedule[" + family + (running ? ", running, owed " + owedRounds + ", delayed bursts " + delayed.size()
                + (refreshArmed ? ", refresh armed" : "") : ", stopped") + "]";
    }
}
