package io.havip.zookeeper;

import io.havip.core.Clock;
import io.havip.vrrp.election.Lease;
import io.havip.vrrp.election.LeaseHolder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** What a lease reported, in order, with the clock reading when it came (the tests' router stand-in). */
class Recorder implements Lease.Events {

    record Event(String kind, long token, long validUntil, boolean flag, String detail, LeaseHolder holder, long at) {
    }

    private final List<Event> events = new ArrayList<>();
    private final Clock clock = Clock.system();

    private synchronized void add(Event e) {
        events.add(e);
        notifyAll();
    }

    @Override
    public void granted(long token, long validUntilNanos) {
        add(new Event("granted", token, validUntilNanos, false, null, null, clock.nanoTime()));
    }

    @Override
    public void renewed(long token, long validUntilNanos) {
        add(new Event("renewed", token, validUntilNanos, false, null, null, clock.nanoTime()));
    }

    @Override
    public void revoked(long token, boolean yield, String detail) {
        add(new Event("revoked", token, 0, yield, detail, null, clock.nanoTime()));
    }

    @Override
    public void reachable(boolean reachable, String detail) {
        add(new Event("reachable", -1, 0, reachable, detail, null, clock.nanoTime()));
    }

    @Override
    public void holderChanged(LeaseHolder holder) {
        add(new Event("holder", -1, 0, false, null, holder, clock.nanoTime()));
    }

    synchronized List<Event> all() {
        return List.copyOf(events);
    }

    synchronized List<Event> of(String kind) {
        return events.stream().filter(e -> e.kind().equals(kind)).toList();
    }

    /** Waits up to {@code timeout} for an event matching {@code p} after the first {@code skip} events; null if none. */
    synchronized Event await(Duration timeout, Predicate<Event> p) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        int seen = 0;
        while (true) {
            for (; seen < events.size(); seen++) {
                if (p.test(events.get(seen))) {
                    return events.get(seen);
                }
            }
            long left = end - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    Event awaitGrant(Duration timeout) throws InterruptedException {
        return await(timeout, e -> e.kind().equals("granted"));
    }

    /** The last grant (or null). */
    synchronized Event lastGrant() {
        Event g = null;
        for (Event e : events) {
            if (e.kind().equals("granted")) {
                g = e;
            }
        }
        return g;
    }
}
