package io.havip.vrrp.machine;

import io.havip.core.net.IpAddress;
import io.havip.core.net.IpFamily;
import io.havip.core.net.MacAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Whether and when a master answers another MAC's claim of its addresses with a fresh
 * announcement burst. Sans-IO: every input carries {@code now}, {@link #nextDeadlineNanos}
 * says when to {@link #poll}; the engine sends, logs and counts.
 *
 * <h2>Who claims</h2>
 * <ul>
 *   <li><b>A foreign MAC</b> (not a VRRP virtual MAC of this router): usually a stale holder,
 *       a node whose process was killed with SIGKILL and whose kernel still answers for the
 *       address. Answered after {@code min(advert interval, 100 ms)}: long enough for a loser
 *       that meets us after a partition to hear our advert and step down rather than answer
 *       burst with burst (an ARP war), short enough that clients come back at once. keepalived
 *       and havip peers advertise before they announce (RFC 5798 section 6.4.1), so such a claim
 *       is never a legitimate takeover in progress: by the time their announcement arrives we
 *       have heard their advert and yielded.</li>
 *   <li><b>This VRID's virtual MAC</b> ({@code 00:00:5e:00:01:<vrid>} for IPv4,
 *       {@code 00:00:5e:00:02:<vrid>} for IPv6, RFC 5798 section 7.3): another VRRP router of
 *       this same virtual router says it is master. FRR, preempting, sends its unsolicited NA
 *       (or gratuitous ARP) from the virtual MAC one advert interval <i>before</i> its first
 *       advert. Answering that would send the clients back to us just before we yield, and the
 *       new master does not announce again. So it is not fought: it is answered only if this
 *       node is still master {@value #VIRTUAL_MAC_WAIT_INTERVALS} of its own advert intervals
 *       later (it has advertised at least twice since; a router taking over would have spoken
 *       by then, RFC 5798's Master_Down_Interval is three intervals too). What remains is a
 *       virtual-MAC holder that never advertises, e.g. an FRR killed with SIGKILL whose
 *       macvlan still answers; it is out-announced then, like any stale holder.</li>
 * </ul>
 * Leaving MASTER drops a pending answer. If an answer to a virtual-MAC claim did go out and
 * this node then yields to a master whose advert came within three of its advert intervals
 * of that claim (a peer whose interval is longer than three of ours), the claim was the new
 * master's own announcement and our burst overrode it: {@link #onLeftMaster} then returns the
 * virtual MAC, and the engine announces the addresses at it, which is exactly what the new
 * master announced (and what it answers for, RFC 5798 section 7.3), so clients follow it.
 * Only the virtual MAC is announced on another's behalf: a foreign MAC that claimed may be a
 * stale holder, never to be advertised.
 *
 * <p>One answer is pending at a time; claims meanwhile are folded into it (a busy segment
 * makes one claim per client that asks). The first answer to a MAC is the one worth a warning
 * ({@link Answer#firstForClaimant}); the caller logs only answers that go out.
 */
public final class ConflictAnswers {

    public static final long NONE = Long.MAX_VALUE;
    /** Cap of the wait before answering a foreign claim (see the class comment). */
    public static final long FOREIGN_WAIT_CAP_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** Own advert intervals a claim from this VRID's virtual MAC waits before it is answered. */
    public static final int VIRTUAL_MAC_WAIT_INTERVALS = 3;
    /**
     * How many of the new master's advert intervals its own announcement may precede its first
     * advert (FRR: one; three as Master_Down_Interval allows).
     */
    public static final int NEW_MASTER_LEAD_INTERVALS = 3;

    /** An answer due now: re-announce; {@code claimant} claimed {@code address} last. */
    public record Answer(IpAddress address, MacAddress claimant, boolean firstForClaimant) { }

    private final MacAddress virtualMac;
    private final long foreignWaitNanos;
    private final long virtualWaitNanos;

    private long dueAt = NONE;
    private IpAddress pendingAddress;
    private MacAddress pendingClaimant;
    /** The pending answer waits for a virtual-MAC claim (the longer wait). */
    private boolean heldByVirtualMac;
    /** Latest claim from the virtual MAC, and whether an answer went out after it. */
    private long virtualClaimAt = NONE;
    private boolean virtualClaimAnswered;
    /** Claimants answered so far, for the log (bounded: forged claims from random MACs must not grow it). */
    private final Set<MacAddress> answered = new HashSet<>();
    private static final int MAX_REMEMBERED = 64;

    public ConflictAnswers(int vrid, IpFamily family, Duration advertInterval) {
        this.virtualMac = MacAddress.vrrp(family, vrid);
        long interval = advertInterval.toNanos();
        this.foreignWaitNanos = Math.min(interval, FOREIGN_WAIT_CAP_NANOS);
        this.virtualWaitNanos = VIRTUAL_MAC_WAIT_INTERVALS * interval;
    }

    /** This router's virtual MAC (RFC 5798 section 7.3). */
    public MacAddress virtualMac() {
        return virtualMac;
    }

    /** True when {@code mac} is this VRID's virtual MAC: another VRRP router of this virtual router. */
    public boolean isVirtualMac(MacAddress mac) {
        return virtualMac.equals(mac);
    }

    /**
     * {@code mac} claimed {@code address} at {@code now} while this node is master. Returns
     * when the answer is due: an earlier pending answer keeps its time, except that the first
     * virtual-MAC claim holds it back (another router of this VRID is announcing); later
     * virtual-MAC claims do not, so a stale holder that answers every client cannot put the
     * answer off for ever.
     */
    public long onClaim(long now, IpAddress address, MacAddress mac) {
        boolean virtual = isVirtualMac(mac);
        if (virtual) {
            virtualClaimAt = now;
            virtualClaimAnswered = false;
        }
        long due = now + (virtual ? virtualWaitNanos : foreignWaitNanos);
        if (dueAt == NONE) {
            dueAt = due;
            heldByVirtualMac = virtual;
        } else if (virtual && !heldByVirtualMac) {
            dueAt = Math.max(dueAt, due);
            heldByVirtualMac = true;
        }
        pendingAddress = address;
        pendingClaimant = mac;
        return dueAt;
    }

    /** When {@link #poll} has an answer ({@link #NONE}: none pending). */
    public long nextDeadlineNanos() {
        return dueAt;
    }

    /** The answer due at {@code now}, if any; the caller re-announces (as master) and logs it. */
    public Optional<Answer> poll(long now) {
        if (dueAt == NONE || now < dueAt) {
            return Optional.empty();
        }
        dueAt = NONE;
        MacAddress claimant = pendingClaimant;
        IpAddress address = pendingAddress;
        pendingClaimant = null;
        pendingAddress = null;
        heldByVirtualMac = false;
        if (virtualClaimAt != NONE) {
            virtualClaimAnswered = true;
        }
        boolean first = !answered.contains(claimant) && answered.size() < MAX_REMEMBERED && answered.add(claimant);
        return Optional.of(new Answer(address, claimant, first));
    }

    /**
     * This node left MASTER at {@code now} (to a master advertising every
     * {@code newMasterIntervalNanos}, or for any other reason with 0): a pending answer is
     * dropped. Returns the virtual MAC when an answer of ours overrode a virtual-MAC claim that
     * came within {@value #NEW_MASTER_LEAD_INTERVALS} of the new master's intervals: the caller
     * announces the addresses at it so clients follow the new master.
     */
    public Optional<MacAddress> onLeftMaster(long now, long newMasterIntervalNanos) {
        dueAt = NONE;
        pendingClaimant = null;
        pendingAddress = null;
        heldByVirtualMac = false;
        boolean handBack = virtualClaimAt != NONE && virtualClaimAnswered
                && now - virtualClaimAt <= NEW_MASTER_LEAD_INTERVALS * newMasterIntervalNanos;
        virtualClaimAt = NONE;
        virtualClaimAnswered = false;
        return handBack ? Optional.of(virtualMac) : Optional.empty();
    }
}
