package io.havip.vrrp.machine;

import io.havip.core.net.IpAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What a backup does with the liveness channel's reports about the master it follows, sans-IO.
 * The channel (a TCP connection per peer, {@code LivenessMonitor}) reports two things: the
 * channel to a peer ended without a goodbye ({@link #onChannelLost}, which decides nothing by
 * itself), and, once a reconnect was refused, that the peer's process died
 * ({@link #onProcessDied}). Then:
 * <ul>
 *   <li>A report is acted on only while this router is BACKUP and follows that peer (and no
 *       handover runs): the caller passes that as {@code followed}
 *       ({@link VrrpMachine#follows}).</li>
 *   <li>The <b>grace</b> counts from the end of the channel (the earliest moment the process
 *       can have died), side by side with the confirmation; without a recorded loss, from the
 *       report. An advert from that master within it cancels ({@link #onAdvert}); once it is
 *       over, {@link #onTimer} returns the peer and the caller gives the machine
 *       {@link VrrpMachine#onMasterProcessDied}.</li>
 *   <li>An advert from that master <b>after its channel ended</b> cancels the report that
 *       confirms that loss, whatever the refusal said: it lives.</li>
 *   <li>A loss older than {@link #LOST_CHANNEL_MAX_AGE} is not the one being confirmed: the
 *       report then counts its grace from now and ignores what happened since that loss.</li>
 *   <li>Once a peer's death was acted on, its reports are ignored for
 *       {@link #HOLDDOWN}, so a flapping channel makes at most one takeover per hold-down;
 *       the VRRP timers decide meanwhile.</li>
 * </ul>
 * Counters: {@link #triggered()}, {@link #cancelled()}, {@link #ignored()} (the engine's
 * {@code deathsTriggered} / {@code deathsCancelled} / {@code deathsIgnored}).
 *
 * <p>Like {@link VrrpMachine}: inputs carry {@code nowNanos}, outputs are values (the
 * {@link Verdict} to log), {@link #nextDeadlineNanos()} says when to call {@link #onTimer}. No
 * clock, no I/O, no threads, no logging; not thread-safe (the router's loop owns it).
 */
public final class LivenessDeaths {

    /** After acting on a peer's death report, ignore its next ones this long (flap guard). */
    public static final Duration HOLDDOWN = Duration.ofSeconds(10);
    /** Twice the monitor's 500 ms confirmation window: an older loss is not the one being confirmed. */
    public static final Duration LOST_CHANNEL_MAX_AGE = Duration.ofSeconds(1);
    private static final long HOLDDOWN_NANOS = HOLDDOWN.toNanos();
    private static final long LOST_CHANNEL_MAX_AGE_NANOS = LOST_CHANNEL_MAX_AGE.toNanos();

    /** What became of a death report ({@link #onProcessDied}). */
    public enum Verdict {
        /** Not the master this router follows (or not BACKUP, or handing over): nothing to do. Counted ignored. */
        NOT_FOLLOWED,
        /** A report about this master already waits out its grace. Counted ignored. */
        ALREADY_WAITING,
        /** Within the hold-down of the last report acted on for this peer: the VRRP timers decide. Counted ignored. */
        HOLD_DOWN,
        /** The master advertised after its channel ended: it lives, no takeover. Counted cancelled. */
        ADVERTISED_SINCE_LOSS,
        /** Taking over at {@link Decision#deadlineNanos()} unless the master advertises first. */
        WAITING
    }

    /**
     * The decision on one death report.
     *
     * @param lostAtNanos   when the channel that this report confirms ended, or -1 when no
     *                      recent loss of it was recorded
     * @param deadlineNanos with {@link Verdict#WAITING}, when the grace is over; else -1
     */
    public record Decision(Verdict verdict, IpAddress peer, long lostAtNanos, long deadlineNanos) {
    }

    private record Pending(IpAddress peer, long deadlineNanos) {
    }

    /** The followed master's channel ended at {@code lostAtNanos}; {@code advertSince} once it advertised after. */
    private static final class LostChannel {
        final IpAddress peer;
        final long lostAtNanos;
        boolean advertSince;

        LostChannel(IpAddress peer, long lostAtNanos) {
            this.peer = peer;
            this.lostAtNanos = lostAtNanos;
        }
    }

    private final long graceNanos;
    private final Duration grace;
    private Pending pending;
    private LostChannel lost;
    /** When each peer's death was last acted on; entries older than the hold-down are dropped. */
    private final Map<IpAddress, Long> actedAt = new HashMap<>();
    private long triggered;
    private long cancelled;
    private long ignored;

    /** @param grace how long after the channel ended an advert from the master still cancels (0 - 1 s) */
    public LivenessDeaths(Duration grace) {
        if (grace == null || grace.isNegative()) {
            throw new IllegalArgumentException("liveness grace " + grace + " must be zero or positive");
        }
        this.grace = grace;
        this.graceNanos = grace.toNanos();
    }

    /**
     * The channel to {@code peer} ended without a goodbye and is being confirmed. Recorded when
     * {@code followed}, so the grace can count from now; a loss of any other peer changes
     * nothing.
     *
     * @return true when recorded (worth a log line: the confirmation follows)
     */
    public boolean onChannelLost(long nowNanos, IpAddress peer, boolean followed) {
        if (peer == null) {
            return false;
        }
        if (followed) {
            lost = new LostChannel(peer, nowNanos);
            return true;
        }
        if (lost != null && lost.peer.equals(peer)) {
            lost = null; // no longer the master we follow
        }
        return false;
    }

    /**
     * The channel reports that {@code peer}'s process died (its port refused after the channel
     * ended). {@code followed}: this router is BACKUP, follows {@code peer}, and no handover runs.
     */
    public Decision onProcessDied(long nowNanos, IpAddress peer, boolean followed) {
        if (peer == null) {
            ignored++;
            return new Decision(Verdict.NOT_FOLLOWED, null, -1, -1);
        }
        Long last = actedAt.get(peer);
        // The loss is the one being confirmed: the monitor reports a loss before each confirmation,
        // which ends within its 500 ms window.
        LostChannel loss = lost != null && lost.peer.equals(peer) && nowNanos - lost.lostAtNanos < LOST_CHANNEL_MAX_AGE_NANOS
                ? lost : null;
        if (lost != null && lost.peer.equals(peer)) {
            lost = null;
        }
        long lostAt = loss == null ? -1 : loss.lostAtNanos;
        Verdict refusal = !followed ? Verdict.NOT_FOLLOWED
                : pending != null ? Verdict.ALREADY_WAITING
                : last != null && nowNanos - last < HOLDDOWN_NANOS ? Verdict.HOLD_DOWN
                : null;
        if (refusal != null) {
            ignored++;
            return new Decision(refusal, peer, lostAt, -1);
        }
        if (loss != null && loss.advertSince) {
            cancelled++;
            return new Decision(Verdict.ADVERTISED_SINCE_LOSS, peer, lostAt, -1);
        }
        long graceFrom = loss != null ? loss.lostAtNanos : nowNanos;
        long deadline = Math.max(nowNanos, graceFrom + graceNanos);
        pending = new Pending(peer, deadline);
        return new Decision(Verdict.WAITING, peer, lostAt, deadline);
    }

    /**
     * True when an advert from {@code source} matters here (its channel loss is recorded, or its
     * death waits out the grace): only then does the caller need its priority for {@link #onAdvert}.
     */
    public boolean watches(IpAddress source) {
        return lost != null && lost.peer.equals(source) || pending != null && pending.peer().equals(source);
    }

    /**
     * An advert received from {@code source} (before the machine gets it).
     *
     * @param priority its priority, or -1 when it is not a well-formed advert of this virtual
     *                 router ({@link VrrpMachine#advertPriority}); priority 0 is no sign of life
     * @return true when it cancelled a death waiting out its grace (counted cancelled)
     */
    public boolean onAdvert(long nowNanos, IpAddress source, int priority) {
        if (priority <= 0 || source == null) {
            return false;
        }
        if (lost != null && lost.peer.equals(source)) {
            lost.advertSince = true;
        }
        if (pending != null && pending.peer().equals(source)) {
            cancelled++;
            pending = null;
            return true;
        }
        return false;
    }

    /**
     * The grace of a waiting death is over at {@code nowNanos}: returns the peer (counted
     * triggered; its hold-down starts now); the caller gives the machine
     * {@link VrrpMachine#onMasterProcessDied}{@code (now, peer)}.
     */
    public Optional<IpAddress> onTimer(long nowNanos) {
        if (pending == null || pending.deadlineNanos() > nowNanos) {
            return Optional.empty();
        }
        IpAddress peer = pending.peer();
        pending = null;
        actedAt.values().removeIf(at -> nowNanos - at >= HOLDDOWN_NANOS);
        actedAt.put(peer, nowNanos);
        triggered++;
        return Optional.of(peer);
    }

    /** The router stops (or hands over): a waiting death is dropped. */
    public void clear() {
        pending = null;
    }

    /** When {@link #onTimer} should be called; {@link Long#MAX_VALUE} when no death waits. */
    public long nextDeadlineNanos() {
        return pending == null ? Long.MAX_VALUE : pending.deadlineNanos();
    }

    /** The peer whose death waits out its grace, if any. */
    public Optional<IpAddress> waitingFor() {
        return pending == null ? Optional.empty() : Optional.of(pending.peer());
    }

    public Duration grace() {
        return grace;
    }

    /** Deaths acted on (the machine was told). */
    public long triggered() {
        return triggered;
    }

    /** Deaths cancelled by an advert from that master (in the grace, or after its channel ended). */
    public long cancelled() {
        return cancelled;
    }

    /** Reports not acted on: not the followed master, one already waiting, or within the hold-down. */
    public long ignored() {
        return ignored;
    }

    @Override
    public String toString() {
        return "LivenessDeaths[grace " + grace + (pending == null ? "" : ", waiting for " + pending.peer() + " until "
                + pending.deadlineNanos()) + (lost == null ? "" : ", lost " + lost.peer + " at " + lost.lostAtNanos) + "]";
    }
}
