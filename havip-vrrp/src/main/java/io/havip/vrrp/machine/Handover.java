package io.havip.vrrp.machine;

import io.havip.core.net.IpAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The make-before-break handover of a master that closes, sans-IO: the priority-0 advert goes
 * out at once (RFC 5798 section 6.4.3, Shutdown), but the address stays bound until a new
 * master is heard, so clients keep reaching this node during the backups' Skew_Time; at most
 * the handover timeout.
 *
 * <h2>When the address is released</h2>
 * <ul>
 *   <li>Without visible announcements: on the first advert of this virtual router with a
 *       priority above 0 from a source the machine would accept (not our own, a unicast peer
 *       when only peers count).</li>
 *   <li>With visible announcements ({@link #announcementsVisible()}: another MAC's gratuitous
 *       ARP or unsolicited NA for our addresses is reported, on Linux through the conflict
 *       monitor): on that announcement ({@link #onAnnouncement}), the moment clients move. The
 *       new master's advert only bounds the wait to {@link #ANNOUNCEMENT_AFTER_ADVERT} after
 *       it (it announces right after it advertises; a lost GARP must not hold us for the whole
 *       timeout).</li>
 *   <li>Otherwise when the handover timeout passes.</li>
 * </ul>
 * An advert the machine would not accept ({@link VrrpMachine#advertPriority}: a non-peer when only
 * peers count, another cluster's router on the same VRID with other addresses, an off-link sender,
 * garbage) or one with priority 0 neither ends the handover nor shortens its wait.
 *
 * <p>Like {@link VrrpMachine}: every input carries {@code nowNanos}, the output is a value (the
 * actions held back, with the {@link Reason}), {@link #nextDeadlineNanos()} says when to call
 * {@link #onTimer}. No clock, no I/O, no threads; not thread-safe (the router's loop owns it).
 */
public final class Handover {

    /**
     * How long after the new master's advert the handover still waits for its announcement
     * when announcements are visible: the new master binds and announces right after its
     * advert (a few ms); 500 ms covers a slow bind and is still far below any client timeout.
     */
    public static final Duration ANNOUNCEMENT_AFTER_ADVERT = Duration.ofMillis(500);
    private static final long ANNOUNCEMENT_AFTER_ADVERT_NANOS = ANNOUNCEMENT_AFTER_ADVERT.toNanos();

    /** Why the address was released. */
    public enum Reason {
        /** A new master advertised (announcements are not visible here). */
        NEW_MASTER_ADVERTISED(true),
        /** Another MAC announced our address: the new master's gratuitous ARP or NA. */
        NEW_MASTER_ANNOUNCED(true),
        /** A new master advertised, but its announcement was not seen within {@link #ANNOUNCEMENT_AFTER_ADVERT}. */
        ANNOUNCEMENT_NOT_SEEN(true),
        /** No new master within the handover timeout. */
        TIMED_OUT(false);

        private final boolean newMasterHeard;

        Reason(boolean newMasterHeard) {
            this.newMasterHeard = newMasterHeard;
        }

        /** True when a new master was heard: counted in {@link #handovers()}. */
        public boolean newMasterHeard() {
            return newMasterHeard;
        }
    }

    /** The handover ended: carry out {@code actions} (the unbind and the STOP notification), then stop. */
    public record Release(Reason reason, List<Action> actions) {
        public Release {
            actions = List.copyOf(actions);
        }
    }

    private final long timeoutNanos;
    private final Duration timeout;
    private boolean announcementsVisible;
    /** The actions held back while the handover runs; null when none runs. */
    private List<Action> deferred;
    private long deadline = Long.MAX_VALUE;
    private boolean advertHeard;
    private long handovers;

    /** @param timeout how long at most the address is kept for a new master; zero releases at once */
    public Handover(Duration timeout) {
        if (timeout == null || timeout.isNegative()) {
            throw new IllegalArgumentException("handover timeout " + timeout + " must be zero or positive");
        }
        this.timeout = timeout;
        this.timeoutNanos = timeout.toNanos();
    }

    /** Another MAC's announcements of our addresses are reported to {@link #onAnnouncement} from now on. */
    public void announcementsVisible() {
        announcementsVisible = true;
    }

    /**
     * The master closes: {@code shutdownActions} are what {@link VrrpMachine#shutdown} returned.
     * If they release the addresses and the timeout is not zero, the handover starts: the
     * adverts (priority 0) are returned to send now and the rest is held back until
     * {@link Release}. Otherwise every action is returned and no handover runs
     * ({@link #active()} false: stop after carrying them out).
     */
    public List<Action> begin(long nowNanos, List<Action> shutdownActions) {
        boolean releases = false;
        for (Action a : shutdownActions) { // a loop, not a stream: the first close must not link a lambda
            releases |= a instanceof Action.UnbindAddresses;
        }
        if (!releases || timeoutNanos == 0 || deferred != null) {
            return shutdownActions;
        }
        List<Action> now = new ArrayList<>();
        List<Action> later = new ArrayList<>();
        for (Action a : shutdownActions) {
            (a instanceof Action.SendAdvert ? now : later).add(a);
        }
        deferred = later;
        deadline = nowNanos + timeoutNanos;
        advertHeard = false;
        return now;
    }

    /** True while the address is kept for a new master. */
    public boolean active() {
        return deferred != null;
    }

    /**
     * A received advert during the handover.
     *
     * @param source   its IP source
     * @param priority its priority, or -1 when it is not a well-formed advert of this virtual
     *                 router ({@link VrrpMachine#advertPriority})
     * @param fromPeer true when the advert may count at all: not from our own address, and from
     *                 a source the machine accepts ({@link VrrpMachine#acceptsSource})
     * @return the release, when this advert ends the handover
     */
    public Optional<Release> onAdvert(long nowNanos, IpAddress source, int priority, boolean fromPeer) {
        if (deferred == null || !fromPeer || priority <= 0 || source == null) {
            return Optional.empty();
        }
        if (!announcementsVisible) {
            return Optional.of(release(Reason.NEW_MASTER_ADVERTISED));
        }
        advertHeard = true;
        long bound = nowNanos + ANNOUNCEMENT_AFTER_ADVERT_NANOS;
        if (bound < deadline) {
            deadline = bound;
        }
        return Optional.empty();
    }

    /** Another MAC announced one of our addresses (Linux: seen by the conflict monitor). */
    public Optional<Release> onAnnouncement(long nowNanos) {
        return deferred == null ? Optional.empty() : Optional.of(release(Reason.NEW_MASTER_ANNOUNCED));
    }

    /** Ends the handover if its wait is over at {@code nowNanos}. */
    public Optional<Release> onTimer(long nowNanos) {
        if (deferred == null || nowNanos < deadline) {
            return Optional.empty();
        }
        return Optional.of(release(advertHeard ? Reason.ANNOUNCEMENT_NOT_SEEN : Reason.TIMED_OUT));
    }

    /** When {@link #onTimer} should be called; {@link Long#MAX_VALUE} when no handover runs. */
    public long nextDeadlineNanos() {
        return deferred == null ? Long.MAX_VALUE : deadline;
    }

    /** Handovers that ended because a new master was heard ({@link Reason#newMasterHeard()}). */
    public long handovers() {
        return handovers;
    }

    public Duration timeout() {
        return timeout;
    }

    private Release release(Reason reason) {
        Release r = new Release(reason, deferred);
        deferred = null;
        deadline = Long.MAX_VALUE;
        if (reason.newMasterHeard()) {
            handovers++;
        }
        return r;
    }

    @Override
    public String toString() {
        return "Handover[" + (deferred == null ? "idle" : "until " + deadline + (advertHeard ? ", advert heard" : ""))
                + ", timeout " + timeout + "]";
    }
}
