package io.havip.vrrp.election;

import io.havip.core.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An election authority in memory for the engine tests: one lease per VRID, granted to the
 * highest-priority candidate when free, with a token that grows per grant; a candidate that
 * preempts makes a lower holder yield. The test takes leases away, makes the store unreachable,
 * or lets a stranger hold a lease. Grants are valid for {@code validity} on the router's clock
 * unless renewed ({@link #renewAll}); {@code null} validity: no bound.
 */
public final class InMemoryAuthority implements ElectionAuthority {

    private final Duration validity;
    private final Map<Integer, Slot> slots = new HashMap<>();
    private long nextToken = 100;
    /** Every grant in order: "vrid node token" (tests check tokens only grow). */
    private final List<String> grantLog = new ArrayList<>();

    public InMemoryAuthority(Duration validity) {
        this.validity = validity;
    }

    private final class Slot {
        final Map<String, Handle> candidates = new HashMap<>();
        Handle holder;
        String stranger;
        long token = -1;
    }

    private final class Handle implements Lease {
        final LeaseRequest request;
        final Events events;
        final Slot slot;
        int priority;
        boolean wants;
        boolean closed;

        Handle(LeaseRequest request, Events events, Slot slot) {
            this.request = request;
            this.events = events;
            this.slot = slot;
        }

        String node() {
            return request.router().name();
        }

        @Override
        public void acquire(int priority) {
            synchronized (InMemoryAuthority.this) {
                if (closed) {
                    return;
                }
                this.priority = priority;
                this.wants = true;
                if (slot.stranger != null) {
                    events.holderChanged(new LeaseHolder(slot.stranger, -1, null));
                }
                settle(slot);
            }
        }

        @Override
        public void release() {
            synchronized (InMemoryAuthority.this) {
                wants = false;
                if (slot.holder == this) {
                    slot.holder = null;
                    announce(slot, null);
                }
                settle(slot);
            }
        }

        @Override
        public Optional<LeaseHolder> holder() {
            synchronized (InMemoryAuthority.this) {
                return slot.holder == null ? Optional.empty()
                        : Optional.of(new LeaseHolder(slot.holder.node(), slot.token, null));
            }
        }

        @Override
        public void close() {
            release();
            synchronized (InMemoryAuthority.this) {
                closed = true;
                slot.candidates.values().remove(this);
            }
        }

        long validUntil() {
            Clock c = request.clock();
            return validity == null ? Long.MAX_VALUE : c.nanoTime() + validity.toNanos();
        }
    }

    @Override
    public synchronized Lease lease(LeaseRequest request, Lease.Events events) {
        Slot slot = slots.computeIfAbsent(request.router().vrid(), v -> new Slot());
        Handle h = new Handle(request, events, slot);
        slot.candidates.put(h.node(), h);
        return h;
    }

    @Override
    public String describe() {
        return "in-memory authority";
    }

    /** Grants a free lease to the best candidate; makes a lower holder yield to a preempting one. */
    private void settle(Slot slot) {
        Handle best = null;
        for (Handle c : slot.candidates.values()) {
            if (c.wants && !c.closed && (best == null || c.priority > best.priority)) {
                best = c;
            }
        }
        if (slot.stranger != null || best == null) {
            return;
        }
        if (slot.holder == null) {
            slot.holder = best;
            slot.token = nextToken++;
            grantLog.add(best.request.router().vrid() + " " + best.node() + " " + slot.token);
            announce(slot, new LeaseHolder(best.node(), slot.token, null));
            best.events.granted(slot.token, best.validUntil());
        } else if (best != slot.holder && best.priority > slot.holder.priority && best.request.preempt()) {
            slot.holder.events.revoked(slot.token, true, best.node() + " (priority " + best.priority + ") preempts");
        }
    }

    private void announce(Slot slot, LeaseHolder holder) {
        for (Handle c : slot.candidates.values()) {
            c.events.holderChanged(holder);
        }
    }

    /** The store drops the holder of {@code vrid}'s lease (its session expired, say). */
    public synchronized void expire(int vrid) {
        Slot slot = slots.get(vrid);
        Handle h = slot.holder;
        if (h != null) {
            slot.holder = null;
            h.wants = false;
            h.events.revoked(slot.token, false, "session expired (test)");
            announce(slot, null);
            settle(slot);
        }
    }

    /** A stranger holds (non-null) or lets go of (null) {@code vrid}'s lease; taken only when free. */
    public synchronized void stranger(int vrid, String who) {
        Slot slot = slots.computeIfAbsent(vrid, v -> new Slot());
        slot.stranger = who;
        if (who != null) {
            announce(slot, new LeaseHolder(who, -1, null));
        } else {
            announce(slot, null);
            settle(slot);
        }
    }

    /** Renews every grant for another {@code validity}. */
    public synchronized void renewAll() {
        for (Slot s : slots.values()) {
            if (s.holder != null) {
                s.holder.events.renewed(s.token, s.holder.validUntil());
            }
        }
    }

    /** Tells every lease of {@code node} that the store is (un)reachable. */
    public synchronized void reachable(String node, boolean reachable) {
        for (Slot s : slots.values()) {
            Handle h = s.candidates.get(node);
            if (h != null) {
                h.events.reachable(reachable, reachable ? "test: reachable" : "test: unreachable");
            }
        }
    }

    /** The holder of {@code vrid}'s lease, or null. */
    public synchronized String holder(int vrid) {
        Slot slot = slots.get(vrid);
        return slot == null || slot.holder == null ? slot == null ? null : slot.stranger : slot.holder.node();
    }

    public synchronized List<String> grantLog() {
        return List.copyOf(grantLog);
    }
}
