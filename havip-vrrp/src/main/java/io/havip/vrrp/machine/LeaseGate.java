package io.havip.vrrp.machine;

import io.havip.core.RouterState;
import io.havip.core.StateChange;
import io.havip.core.TransitionReason;
import io.havip.core.net.InterfaceAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Stands between a router's {@link VrrpMachine} and its address work when an election
 * authority (a ZooKeeper lease, say) must agree before the addresses are bound, sans-IO.
 * <ul>
 *   <li>The machine's {@link Action.BindAddresses} (it became MASTER) passes only while a grant
 *       is held and valid; otherwise it, and the MASTER notification after it, are held back,
 *       the router "wants" the lease and the caller asks the authority for it
 *       ({@link Output#acquire()}). Listeners meanwhile still see the state they saw before.</li>
 *   <li>{@link #onGranted} while wanted releases what was held: bind, then the MASTER
 *       notification carrying the grant's token. A grant nobody wants any more is given back
 *       ({@link Output#release()}).</li>
 *   <li>When the machine leaves MASTER, the unbind passes only if the addresses were bound; the
 *       caller gives the lease back ({@link Output#release()}) <em>after</em> carrying out the
 *       unbind (its address work is ordered), so the next holder never binds before this one
 *       has unbound. A notification that only undoes a held one is dropped or rewritten, so
 *       listeners never see MASTER without the address.</li>
 *   <li>{@link #onRevoked} (the authority lost the lease or asks this holder to yield) and the
 *       grant's release deadline ({@link #nextDeadlineNanos()}, {@link #onTimer}) unbind at once,
 *       notify MASTER to BACKUP ({@link TransitionReason#LEASE_LOST} or
 *       {@link TransitionReason#LEASE_YIELDED}), give the lease back and, while the machine is
 *       still MASTER, ask for it again (a new grant, a new token).</li>
 *   <li>{@link Action.Reannounce} and {@link Action.RestoreAddresses} pass only while bound.</li>
 * </ul>
 * Like {@link VrrpMachine}: inputs carry {@code nowNanos}, outputs are values; no clock, no I/O,
 * no threads, no logging; not thread-safe (the router's loop owns it).
 */
public final class LeaseGate {

    /** No deadline. */
    public static final long NEVER = Long.MAX_VALUE;

    /** How the router elects. */
    public enum Mode {
        /** VRRP elects; the winner binds only while it holds the lease (quorum guard). */
        QUORUM_GUARD,
        /** No VRRP traffic: the lease holder binds (priorities and health decide who asks for it). */
        LEASE_ONLY
    }

    /** Why a grant ended (the authority's report, or the gate's own deadline). */
    public enum Loss {
        /** The authority lost the lease (session expired, lease node gone, the store says another holds it). */
        LOST,
        /** The grant's release deadline passed without a renewal (the authority could not be reached). */
        DEADLINE,
        /** The authority asks this holder to give the lease up (a higher-priority node that preempts wants it). */
        YIELD
    }

    /**
     * What to carry out, in order: {@code actions} now (as the machine's own), then, after the
     * address work those actions queue, give the lease back if {@code release} and ask for it
     * if {@code acquire}.
     *
     * @param token the fencing token of the lease the batch's MASTER notifications concern
     *              (granted, or being given up); {@link StateChange#NO_TOKEN} when none
     */
    public record Output(List<Action> actions, boolean release, boolean acquire, long token) {
        static final Output NOTHING = new Output(List.of(), false, false, StateChange.NO_TOKEN);

        public Output {
            actions = List.copyOf(actions);
        }
    }

    private final Mode mode;
    private final List<InterfaceAddress> addresses;

    /** The machine is MASTER: this router wants the lease. */
    private boolean wanted;
    /** The addresses are bound under the current grant (listeners saw MASTER). */
    private boolean bound;
    /** An acquire is outstanding (asked, not granted yet). */
    private boolean asked;
    private long token = StateChange.NO_TOKEN;
    private long validUntil = NEVER;
    /** The reason of the MASTER notification held back while waiting. */
    private TransitionReason waitReason;
    /** The state listeners last heard. */
    private RouterState published = RouterState.INITIALIZE;
    private long waitingSince = NEVER;

    private long grants;
    private long waits;
    private long losses;
    private long yields;
    private long staleGrants;

    public LeaseGate(Mode mode, List<InterfaceAddress> addresses) {
        if (mode == null) {
            throw new IllegalArgumentException("mode is null");
        }
        this.mode = mode;
        this.addresses = List.copyOf(addresses);
    }

    /** The machine's actions, filtered: see the class comment. */
    public Output filter(long nowNanos, List<Action> in) {
        List<Action> out = new ArrayList<>(in.size());
        boolean release = false;
        boolean acquire = false;
        long notifyToken = token;
        for (Action a : in) {
            if (a instanceof Action.BindAddresses) {
                wanted = true;
                if (token != StateChange.NO_TOKEN && nowNanos - validUntil < 0) {
                    out.add(a);
                    bound = true;
                } else if (!asked) {
                    asked = true;
                    acquire = true;
                    startWaiting(nowNanos);
                }
            } else if (a instanceof Action.NotifyStateChange n) {
                if (n.to() == RouterState.MASTER) {
                    if (bound) {
                        notify(out, n.to(), n.reason(), n.priority());
                    } else {
                        waitReason = n.reason();
                    }
                    continue;
                }
                if (n.from() == RouterState.MASTER) {
                    wanted = false;
                    waitingSince = NEVER;
                    if (token != StateChange.NO_TOKEN || asked) {
                        release = true;
                    }
                    notifyToken = token;
                    token = StateChange.NO_TOKEN;
                    validUntil = NEVER;
                    asked = false;
                }
                notify(out, n.to(), n.reason(), n.priority());
            } else if (a instanceof Action.UnbindAddresses) {
                if (bound) {
                    out.add(a);
                    bound = false;
                }
            } else if (a instanceof Action.Reannounce || a instanceof Action.RestoreAddresses) {
                if (bound) {
                    out.add(a);
                }
            } else {
                out.add(a);
            }
        }
        if (out.isEmpty() && !release && !acquire) {
            return Output.NOTHING;
        }
        return new Output(out, release, acquire, notifyToken);
    }

    /**
     * The authority granted the lease with {@code grantToken}, valid until {@code validUntilNanos}
     * (the holder must have released by then unless renewed; {@link #NEVER} for no bound).
     *
     * @param priority the machine's effective priority, for the MASTER notification
     */
    public Output onGranted(long nowNanos, long grantToken, long validUntilNanos, int priority) {
        if (grantToken < 0) {
            throw new IllegalArgumentException("fencing token " + grantToken + " is negative");
        }
        asked = false;
        if (!wanted) {
            staleGrants++;
            return new Output(List.of(), true, false, StateChange.NO_TOKEN);
        }
        if (grantToken == token) {
            validUntil = validUntilNanos;
            return Output.NOTHING;
        }
        grants++;
        token = grantToken;
        validUntil = validUntilNanos;
        if (nowNanos - validUntilNanos >= 0) {
            return drop(nowNanos, Loss.DEADLINE, priority);
        }
        if (bound) {
            return Output.NOTHING; // a new token while bound cannot happen: revoked first
        }
        List<Action> out = new ArrayList<>(2);
        out.add(new Action.BindAddresses(addresses));
        bound = true;
        TransitionReason reason = mode == Mode.LEASE_ONLY || waitReason == null ? TransitionReason.LEASE_GRANTED
                : waitReason;
        notify(out, RouterState.MASTER, reason, priority);
        waitReason = null;
        waitingSince = NEVER;
        return new Output(out, false, false, token);
    }

    /** The authority extended the grant {@code grantToken} (a stale token is ignored). */
    public void onRenewed(long grantToken, long validUntilNanos) {
        if (grantToken == token && token != StateChange.NO_TOKEN) {
            validUntil = validUntilNanos;
        }
    }

    /** The authority lost the grant {@code grantToken}, or asks to yield it (a stale token is ignored). */
    public Output onRevoked(long nowNanos, long grantToken, Loss loss, int priority) {
        if (grantToken != token || token == StateChange.NO_TOKEN) {
            return Output.NOTHING;
        }
        return drop(nowNanos, loss, priority);
    }

    /** The grant's release deadline: past it, the addresses go (see {@link #nextDeadlineNanos()}). */
    public Output onTimer(long nowNanos, int priority) {
        if (token == StateChange.NO_TOKEN || nowNanos - validUntil < 0) {
            return Output.NOTHING;
        }
        return drop(nowNanos, Loss.DEADLINE, priority);
    }

    private Output drop(long nowNanos, Loss loss, int priority) {
        long old = token;
        token = StateChange.NO_TOKEN;
        validUntil = NEVER;
        if (loss == Loss.YIELD) {
            yields++;
        } else {
            losses++;
        }
        List<Action> out = new ArrayList<>(2);
        if (bound) {
            out.add(new Action.UnbindAddresses(addresses));
            bound = false;
            notify(out, RouterState.BACKUP, loss == Loss.YIELD ? TransitionReason.LEASE_YIELDED
                    : TransitionReason.LEASE_LOST, priority);
        }
        if (wanted) {
            asked = true;
            waitReason = TransitionReason.LEASE_GRANTED;
            startWaiting(nowNanos);
        }
        return new Output(out, true, wanted, old);
    }

    private void startWaiting(long nowNanos) {
        waits++;
        waitingSince = nowNanos;
    }

    private void notify(List<Action> out, RouterState to, TransitionReason reason, int priority) {
        if (published != to) {
            out.add(new Action.NotifyStateChange(published, to, reason, priority));
            published = to;
        }
    }

    /** The grant's release deadline while one is held, else {@link #NEVER}. */
    public long nextDeadlineNanos() {
        return token == StateChange.NO_TOKEN ? NEVER : validUntil;
    }

    public Mode mode() {
        return mode;
    }

    /** The machine is MASTER: this router wants (or holds) the lease. */
    public boolean wanted() {
        return wanted;
    }

    /** The addresses are bound under a grant. */
    public boolean bound() {
        return bound;
    }

    /** A VRRP winner (or lease-only candidate) waiting for the lease. */
    public boolean waiting() {
        return wanted && !bound;
    }

    /** When the current wait began, or {@link #NEVER}. */
    public long waitingSinceNanos() {
        return waiting() ? waitingSince : NEVER;
    }

    /** The token of the grant held, or {@link StateChange#NO_TOKEN}. */
    public long token() {
        return token;
    }

    /** The state the listeners last heard of. */
    public RouterState published() {
        return published;
    }

    /** Grants taken up (a stale one given back is not counted). */
    public long grants() {
        return grants;
    }

    /** Times a VRRP winner (or candidate) began to wait for the lease. */
    public long waits() {
        return waits;
    }

    /** Grants lost: revoked by the authority or past their release deadline. */
    public long losses() {
        return losses;
    }

    /** Grants given up to a higher-priority node (lease only, preempt). */
    public long yields() {
        return yields;
    }

    /** Grants that arrived when no longer wanted and were given back. */
    public long staleGrants() {
        return staleGrants;
    }
}
