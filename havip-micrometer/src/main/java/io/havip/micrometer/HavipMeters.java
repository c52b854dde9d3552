package io.havip.micrometer;

import io.havip.core.FailoverListener;
import io.havip.core.RouterId;
import io.havip.core.RouterState;
import io.havip.core.StateChange;
import io.havip.vrrp.RouterStats;
import io.havip.vrrp.VirtualRouter;
import io.havip.vrrp.liveness.LivenessStats;
import io.havip.vrrp.machine.VrrpStats;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntSupplier;
import java.util.function.ToLongFunction;

/**
 * The meters of one {@link VirtualRouter} (names and tags in the {@linkplain io.havip.micrometer
 * package description}). The library owns the names, the application owns the registry:
 *
 * <pre>{@code
 * VirtualRouter router = Havip.builder()...start();
 * HavipMeters meters = HavipMeters.of(router);
 * meters.bindTo(registry);       // as many registries as you like
 * ...
 * meters.close();                // removes its meters and its listener; before or after router.close()
 * }</pre>
 *
 * <p>Counters and gauges read {@link VirtualRouter#stats()}, {@link VirtualRouter#state()} and
 * {@link VirtualRouter#priority()} when the registry asks (at a scrape or a publish), so they cost
 * nothing between. Only {@code havip.vrrp.transitions} is counted as changes happen: the binder
 * adds a {@link FailoverListener} to the router, which runs on the router's listener thread in
 * order, after the change is done; a registry scraped right after a change may not count it yet
 * (the listener lags the change by the time the listener queue takes to reach it). Transitions
 * are counted from the moment the binder is made ({@link #of}), which is after
 * {@code start()}: the start-up transition is counted only if the router's listener queue had
 * not delivered it yet (a race; do not alert on it). The counters read from the
 * router's stats ({@code havip.vrrp.became.master} and the others) are complete.
 *
 * <p>Thread-safe. {@link #bindTo} may be called before, while and after the router runs; a
 * transition is counted in every registry bound at the time the listener hears it. After
 * {@link #close()} the meters are removed from every registry it was bound to, and the listener
 * from the router.
 */
public final class HavipMeters implements MeterBinder, AutoCloseable {

    /** The prefix of every meter's name. */
    public static final String PREFIX = "havip.";

    private final VirtualRouter router;
    private final Tags tags;
    private final IntSupplier basePriority;
    private volatile io.havip.core.Clock clock = io.havip.core.Clock.system();
    private final FailoverListener transitions = this::countTransition;
    private final List<Bound> bound = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    private record Bound(MeterRegistry registry, List<Meter> meters) { }

    private HavipMeters(VirtualRouter router, Iterable<Tag> extraTags, IntSupplier basePriority) {
        this.router = Objects.requireNonNull(router, "router");
        this.tags = routerTags(router.id()).and(extraTags);
        this.basePriority = basePriority;
        router.addListener(transitions);
    }

    /** Meters for {@code router}, tagged with its {@linkplain #routerTags router tags}. */
    public static HavipMeters of(VirtualRouter router) {
        return new HavipMeters(router, Tags.empty(), null);
    }

    /**
     * Meters for {@code router} with more tags (a cluster or application name, say).
     *
     * @param basePriority the router's base priority (the configured one, or the last given to
     *                     {@link VirtualRouter#setPriority}), for {@code havip.vrrp.priority}
     *                     {@code {kind=base}}; {@code null} leaves that gauge out (the router does
     *                     not report its base priority itself)
     */
    public static HavipMeters of(VirtualRouter router, Iterable<Tag> extraTags, IntSupplier basePriority) {
        return new HavipMeters(router, extraTags == null ? Tags.empty() : extraTags, basePriority);
    }

    /** The tags every meter of a router carries: {@code router}, {@code interface}, {@code vrid}, {@code family}. */
    public static Tags routerTags(RouterId id) {
        return Tags.of("router", id.name(), "interface", id.interfaceName(), "vrid", Integer.toString(id.vrid()),
                "family", id.family().name());
    }

    /**
     * The clock the router runs on (default the system clock), for {@code havip.vrrp.listener.lag}:
     * the time from a change ({@link StateChange#at()}, the router's clock) to the moment this
     * binder's listener hears it. Give the router's own clock when it is not the system one.
     *
     * @return this
     */
    public HavipMeters clock(io.havip.core.Clock routerClock) {
        this.clock = Objects.requireNonNull(routerClock, "routerClock");
        return this;
    }

    /** The router these meters read. */
    public VirtualRouter router() {
        return router;
    }

    /**
     * The state as keepalived numbers it ({@code keepalived_vrrp_state}): INITIALIZE 0, BACKUP 1,
     * MASTER 2, FAULT 3, STOP 98.
     */
    public static int keepalivedStateNumber(RouterState state) {
        return switch (state) {
            case INITIALIZE -> 0;
            case BACKUP -> 1;
            case MASTER -> 2;
            case FAULT -> 3;
            case STOP -> 98;
        };
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        if (closed) {
            throw new IllegalStateException("the meters of " + router.id() + " were closed; make new ones with "
                    + "HavipMeters.of(router)");
        }
        List<Meter> meters = new ArrayList<>();
        gauges(registry, meters);
        vrrpCounters(registry, meters);
        engineCounters(registry, meters);
        livenessMeters(registry, meters);
        if (!"none".equals(router.stats().lease().mode())) {
            leaseMeters(registry, meters);
        }
        bound.add(new Bound(registry, meters));
    }

    private void gauges(MeterRegistry r, List<Meter> out) {
        out.add(Gauge.builder(PREFIX + "vrrp.state", router, v -> keepalivedStateNumber(v.state())).tags(tags)
                .description("State, numbered as keepalived does: 0 INITIALIZE, 1 BACKUP, 2 MASTER, 3 FAULT, 98 STOP")
                .register(r));
        out.add(Gauge.builder(PREFIX + "vrrp.master", router, v -> v.state().holdsAddress() ? 1 : 0).tags(tags)
                .description("1 while this node holds the virtual addresses (MASTER), else 0").register(r));
        out.add(Gauge.builder(PREFIX + "vrrp.priority", router, VirtualRouter::priority).tags(tags)
                .tag("kind", "effective").description("Effective priority: base plus tracker weights").register(r));
        if (basePriority != null) {
            out.add(Gauge.builder(PREFIX + "vrrp.priority", basePriority, IntSupplier::getAsInt).tags(tags)
                    .tag("kind", "base").description("Base priority (configured or set at run time)").register(r));
        }
    }

    private void vrrpCounters(MeterRegistry r, List<Meter> out) {
        out.add(vrrp(r, "vrrp.adverts.sent", VrrpStats::advertisementsSent, "Adverts sent, priority 0 included"));
        out.add(vrrp(r, "vrrp.adverts.received", VrrpStats::advertisementsReceived,
                "Valid adverts received for this virtual router"));
        out.add(vrrp(r, "vrrp.became.master", VrrpStats::becameMaster, "Transitions to MASTER"));
        out.add(vrrp(r, "vrrp.released.master", VrrpStats::releasedMaster,
                "Transitions out of MASTER (to BACKUP, FAULT or STOP)"));
        out.add(vrrp(r, "vrrp.priority.zero.sent", VrrpStats::priorityZeroSent, "Priority-0 adverts sent"));
        out.add(vrrp(r, "vrrp.priority.zero.received", VrrpStats::priorityZeroReceived, "Priority-0 adverts received"));
        out.add(vrrp(r, "vrrp.adverts.lower.priority", VrrpStats::lowerPriorityAdverts,
                "Valid adverts of a lower priority received as MASTER"));
        out.add(vrrp(r, "vrrp.adverts.lower.priority.answered", VrrpStats::lowerPriorityAnswers,
                "Lower-priority adverts answered with an advert and a re-announcement"));
        out.add(vrrp(r, "vrrp.adverts.other.router", VrrpStats::vridMismatch,
                "Adverts for another virtual router on the link (not an error)"));
        dropped(r, out, "packet_length", VrrpStats::packetLengthErrors);
        dropped(r, out, "advert_interval", VrrpStats::advertIntervalErrors);
        dropped(r, out, "ttl", VrrpStats::ttlErrors);
        dropped(r, out, "invalid_type", VrrpStats::invalidTypeReceived);
        dropped(r, out, "address_list", VrrpStats::addressListErrors);
        dropped(r, out, "invalid_auth_type", VrrpStats::invalidAuthType);
        dropped(r, out, "auth_type_mismatch", VrrpStats::authTypeMismatch);
        dropped(r, out, "auth_failure", VrrpStats::authFailures);
        dropped(r, out, "checksum", VrrpStats::checksumErrors);
        dropped(r, out, "version", VrrpStats::versionErrors);
        dropped(r, out, "unicast_source", VrrpStats::unicastSourceErrors);
        dropped(r, out, "other", VrrpStats::otherErrors);
        out.add(engine(r, "vrrp.adverts.dropped", RouterStats::overloadDrops, "Adverts dropped, by reason")
                .tag("reason", "overload").register(r));
    }

    private void engineCounters(MeterRegistry r, List<Meter> out) {
        out.add(engine(r, "router.errors", RouterStats::sendErrors, "I/O errors, by operation").tag("operation", "send")
                .register(r));
        out.add(engine(r, "router.errors", RouterStats::receiveErrors, "I/O errors, by operation")
                .tag("operation", "receive").register(r));
        out.add(engine(r, "router.errors", RouterStats::bindErrors, "I/O errors, by operation").tag("operation", "bind")
                .register(r));
        out.add(engine(r, "router.late.timers", RouterStats::lateTimers,
                "Wake-ups more than one advert interval past a deadline (GC pause, SIGSTOP, overload)").register(r));
        out.add(engine(r, "router.hook.timeouts", RouterStats::hookTimeouts,
                "Address hooks that ran out of time or threw").register(r));
        out.add(engine(r, "router.handovers", RouterStats::handovers,
                "Planned handovers where the address was kept until the new master spoke").register(r));
        out.add(engine(r, "address.conflicts", RouterStats::addressConflicts,
                "Claims of a virtual address by another MAC while MASTER").register(r));
        out.add(engine(r, "address.announcements", RouterStats::conflictAnswers,
                "Extra announcement bursts (gratuitous ARP / unsolicited NA), by cause").tag("cause", "conflict_answer")
                .register(r));
        out.add(engine(r, "address.announcements", RouterStats::announcedForNewMaster,
                "Extra announcement bursts (gratuitous ARP / unsolicited NA), by cause").tag("cause", "for_new_master")
                .register(r));
        out.add(engine(r, "address.announcements", RouterStats::macChanges,
                "Extra announcement bursts (gratuitous ARP / unsolicited NA), by cause").tag("cause", "mac_change")
                .register(r));
        out.add(engine(r, "address.announcement.frames", RouterStats::announcementsSent,
                "Gratuitous ARP / unsolicited NA frames sent for the router's addresses").register(r));
        out.add(io.micrometer.core.instrument.FunctionTimer.builder(PREFIX + "router.hooks", router,
                        v -> v.stats().hookRuns(), v -> v.stats().hookNanos(), java.util.concurrent.TimeUnit.NANOSECONDS)
                .tags(tags).description("Address hooks run, and the time spent in them").register(r));
        out.add(io.micrometer.core.instrument.FunctionTimer.builder(PREFIX + "router.takeover", router,
                        v -> v.stats().takeovers(), v -> v.stats().takeoverNanos(), java.util.concurrent.TimeUnit.NANOSECONDS)
                .tags(tags).description("Becoming MASTER: from the decision to the addresses bound and first announced")
                .register(r));
        out.add(engine(r, "address.restored", RouterStats::addressesRestored,
                "Virtual addresses put back as MASTER after someone else removed them").register(r));
        out.add(engine(r, "address.stray", RouterStats::strayAddresses,
                "Virtual addresses found on the interface while not MASTER").register(r));
    }

    /** A router under an election authority (quorum guard, lease only): its lease. */
    private void leaseMeters(MeterRegistry r, List<Meter> out) {
        String mode = router.stats().lease().mode();
        out.add(Gauge.builder(PREFIX + "lease.held", router, v -> v.stats().lease().held() ? 1 : 0).tags(tags)
                .tag("mode", mode).description("1 while the addresses are bound under the router's lease").register(r));
        out.add(Gauge.builder(PREFIX + "lease.waiting", router, v -> v.stats().lease().waiting() ? 1 : 0).tags(tags)
                .tag("mode", mode).description("1 while the VRRP winner (lease only: the candidate) waits for the lease")
                .register(r));
        out.add(Gauge.builder(PREFIX + "lease.reachable", router, v -> v.stats().lease().reachable() ? 1 : 0).tags(tags)
                .tag("mode", mode).description("1 while the election authority answers (0 puts the router in FAULT)")
                .register(r));
        out.add(Gauge.builder(PREFIX + "lease.token", router, v -> v.stats().lease().token()).tags(tags)
                .tag("mode", mode).description("Fencing token of the lease held, -1 when none").register(r));
        String events = "Lease events, by kind";
        out.add(engine(r, "lease.events", s -> s.lease().grants(), events).tag("event", "grant").register(r));
        out.add(engine(r, "lease.events", s -> s.lease().waits(), events).tag("event", "wait").register(r));
        out.add(engine(r, "lease.events", s -> s.lease().losses(), events).tag("event", "loss").register(r));
        out.add(engine(r, "lease.events", s -> s.lease().yields(), events).tag("event", "yield").register(r));
        String kernel = "Kernel lifetime of the leased addresses (Linux): renewals, failed renewals, and expiries"
                + " while the lease was held (the process was late refreshing)";
        out.add(engine(r, "lease.kernel.lifetime", s -> s.lease().kernelRefreshes(), kernel).tag("event", "refresh")
                .register(r));
        out.add(engine(r, "lease.kernel.lifetime", s -> s.lease().kernelRefreshFailures(), kernel)
                .tag("event", "failure").register(r));
        out.add(engine(r, "lease.kernel.lifetime", s -> s.lease().kernelExpiries(), kernel).tag("event", "expiry")
                .register(r));
    }

    private void livenessMeters(MeterRegistry r, List<Meter> out) {
        out.add(Gauge.builder(PREFIX + "liveness.channels.open", router, v -> v.stats().liveness().channelsUp())
                .tags(tags).description("Authenticated liveness channels open now").register(r));
        out.add(Gauge.builder(PREFIX + "liveness.unauthenticated.open", router,
                        v -> v.stats().liveness().unauthenticatedOpen())
                .tags(tags).description("Accepted liveness connections waiting for their handshake").register(r));
        out.add(live(r, "liveness.channels.established", LivenessStats::channelsEstablished,
                "Authenticated liveness connections made, both directions").register(r));
        out.add(live(r, "liveness.peers.without.listener", LivenessStats::peersWithoutListener,
                "Peers whose liveness port refused the first connection (plain VRRP timing)").register(r));
        refused(r, out, "bad_proof", LivenessStats::refusedBadProof);
        refused(r, out, "unknown_peer", LivenessStats::refusedUnknownPeer);
        refused(r, out, "malformed", LivenessStats::refusedMalformed);
        refused(r, out, "over_limit", LivenessStats::refusedOverLimit);
        refused(r, out, "handshake_timeout", LivenessStats::handshakesTimedOut);
        refused(r, out, "evicted", LivenessStats::evictedUnauthenticated);
        out.add(live(r, "liveness.goodbyes", LivenessStats::goodbyesSent, "Goodbyes of a graceful close")
                .tag("direction", "sent").register(r));
        out.add(live(r, "liveness.goodbyes", LivenessStats::goodbyesReceived, "Goodbyes of a graceful close")
                .tag("direction", "received").register(r));
        out.add(live(r, "liveness.half.open.closed", LivenessStats::halfOpenClosed,
                "Channels closed after three heartbeat intervals of silence").register(r));
        String deaths = "Peer process deaths seen on the liveness channel, by what this node did";
        out.add(live(r, "liveness.process.deaths", LivenessStats::takeoversTriggered, deaths)
                .tag("decision", "takeover").register(r));
        out.add(live(r, "liveness.process.deaths", LivenessStats::cancelledByAdvert, deaths)
                .tag("decision", "cancelled_by_advert").register(r));
        out.add(live(r, "liveness.process.deaths", LivenessStats::ignored, deaths).tag("decision", "ignored")
                .register(r));
        out.add(live(r, "liveness.process.deaths.reported", LivenessStats::processDeaths,
                "Peer process deaths reported by the liveness channel, whatever was done").register(r));
    }

    private Meter vrrp(MeterRegistry r, String name, ToLongFunction<VrrpStats> f, String description) {
        return engine(r, name, s -> f.applyAsLong(s.vrrp()), description).register(r);
    }

    private void dropped(MeterRegistry r, List<Meter> out, String reason, ToLongFunction<VrrpStats> f) {
        out.add(engine(r, "vrrp.adverts.dropped", s -> f.applyAsLong(s.vrrp()), "Adverts dropped, by reason")
                .tag("reason", reason).register(r));
    }

    private void refused(MeterRegistry r, List<Meter> out, String reason, ToLongFunction<LivenessStats> f) {
        out.add(live(r, "liveness.connections.refused", f,
                "Liveness connections closed before or instead of a channel, by reason").tag("reason", reason)
                .register(r));
    }

    private FunctionCounter.Builder<VirtualRouter> live(MeterRegistry r, String name, ToLongFunction<LivenessStats> f,
                                                        String description) {
        return engine(r, name, s -> f.applyAsLong(s.liveness()), description);
    }

    private FunctionCounter.Builder<VirtualRouter> engine(MeterRegistry r, String name, ToLongFunction<RouterStats> f,
                                                          String description) {
        return FunctionCounter.builder(PREFIX + name, router, v -> f.applyAsLong(v.stats())).tags(tags)
                .description(description);
    }

    private void countTransition(StateChange change) {
        if (closed) {
            return;
        }
        Duration lag = Duration.between(change.at(), clock.instant());
        for (Bound b : bound) {
            if (!lag.isNegative()) {
                Timer.builder(PREFIX + "vrrp.listener.lag").tags(tags)
                        .description("From a state change to its delivery on the router's listener thread (this "
                                + "binder's listener: the queue's lag, including slower listeners ahead of it)")
                        .register(b.registry()).record(lag);
            }
            Counter.builder(PREFIX + "vrrp.transitions").tags(tags)
                    .tag("from", change.from().name()).tag("to", change.to().name())
                    .tag("reason", change.reason().name().toLowerCase(Locale.ROOT))
                    .description("State changes, by from, to and reason (counted when the listener hears them)")
                    .register(b.registry()).increment();
        }
    }

    /**
     * Removes this binder's meters from every registry it was bound to (the transition counters
     * too) and its listener from the router. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        router.removeListener(transitions);
        for (Bound b : bound) {
            b.meters().forEach(b.registry()::remove);
            for (Meter m : List.copyOf(b.registry().getMeters())) {
                String meter = m.getId().getName();
                if ((meter.equals(PREFIX + "vrrp.transitions") || meter.equals(PREFIX + "vrrp.listener.lag"))
                        && m.getId().getTags().containsAll(tags.stream().toList())) {
                    b.registry().remove(m);
                }
            }
        }
        bound.clear();
    }

    @Override
    public String toString() {
        return "HavipMeters[" + router.id() + "]";
    }
}
