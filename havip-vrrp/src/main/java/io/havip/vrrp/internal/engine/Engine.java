package io.havip.vrrp.internal.engine;

import io.havip.core.AdvertTransport;
import io.havip.core.Clock;
import io.havip.core.FailoverListener;
import io.havip.core.RouterId;
import io.havip.core.RouterState;
import io.havip.core.StateChange;
import io.havip.core.TransitionReason;
import io.havip.core.VipBinder;
import io.havip.core.net.InterfaceAddress;
import io.havip.core.net.IpAddress;
import io.havip.vrrp.HavipRuntime;
import io.havip.vrrp.HealthCheck;
import io.havip.vrrp.RouterStats;
import io.havip.vrrp.VirtualRouter;
import io.havip.vrrp.machine.Action;
import io.havip.vrrp.machine.ConflictAnswers;
import io.havip.vrrp.machine.RouterConfig;
import io.havip.vrrp.machine.VrrpMachine;
import io.havip.vrrp.liveness.LivenessConfig;
import io.havip.vrrp.liveness.LivenessEndpoints;
import io.havip.vrrp.liveness.LivenessMonitor;
import io.havip.vrrp.liveness.LivenessStats;
import java.util.HashSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives one {@link VrrpMachine} for real, on its {@link HavipRuntime}. Threads:
 * <ul>
 *   <li>the runtime's loop thread owns the machine (and those of the runtime's other routers):
 *       it calls {@link #onEvents} when input is queued (packet, tracker result, priority
 *       change, close) and {@link #onTimer} at the router's next deadline, feeds the machine
 *       with {@link Clock#nanoTime()}, sends adverts at once and hands address work on;</li>
 *   <li>packets are queued by a receive thread, at most {@link #PACKET_QUEUE}: under a flood it
 *       drops what does not fit (counted in {@link RouterStats#overloadDrops()}, logged at most
 *       every {@link #OVERLOAD_LOG_EVERY}) instead of queueing without end, and the loop handles
 *       at most {@link #PACKET_BUDGET} of them before it looks at the timers again, so a
 *       master's adverts never wait behind received packets;</li>
 *   <li>the router's address work runs on the runtime's address pool, one task at a time and in
 *       transition order: the hooks, the binder and then the listener dispatch, so adverts never
 *       wait for an address change or a listener;</li>
 *   <li>listener callbacks run on {@link ListenerDispatcher}'s executor (by default the
 *       runtime's listener pool, in order per router);</li>
 *   <li>health checks run on the runtime's check pool, scheduled and timed out by the loop on
 *       the runtime's clock ({@link HealthChecks});</li>
 *   <li>with a liveness secret, the runtime's one liveness thread (a {@link LivenessMonitor} per
 *       router on the runtime's {@code LivenessLoop}, timed by the runtime's clock) keeps
 *       authenticated TCP channels to the peers and queues "peer process died" reports;</li>
 *   <li>on Linux, the namespace's shared link monitor thread queues the interface's link
 *       changes, its MAC changes and the router's addresses coming and going, which the
 *       machine turns into repairs (restore as master, a stray removed or reported otherwise)
 *       that the address thread carries out after checking the kernel.</li>
 * </ul>
 *
 * <h2>Liveness reports</h2>
 * A report is acted on only if, on the engine thread, the router is BACKUP and follows that
 * peer; then, unless an advert from it arrives within the grace, the machine gets
 * {@link VrrpMachine#onMasterProcessDied}. The grace counts from the end of the channel (the
 * monitor's {@code peerChannelLost}, which decides nothing by itself), so it overlaps the
 * confirmation; an advert from that master after the channel ended cancels the takeover. A peer's report is acted on at most once per
 * hold-down ({@link #LIVENESS_HOLDDOWN}), so a flapping channel cannot make a router
 * flap: at most one transition per hold-down, and the VRRP timers decide meanwhile.
 */
public final class Engine implements VirtualRouter, EventLoop.Driven {

    private static final Logger log = LoggerFactory.getLogger(Engine.class);
    /** How long one receive call waits; close() wakes it sooner (interrupt, transport close). */
    private static final Duration RECEIVE_SLICE = Duration.ofSeconds(1);
    /** After a failed receive, wait this long before the next (a broken socket must not spin). */
    private static final Duration RECEIVE_ERROR_BACKOFF = Duration.ofMillis(200);
    /** After acting on a peer's death report, ignore its next ones this long (flap guard). */
    static final Duration LIVENESS_HOLDDOWN = io.havip.vrrp.machine.LivenessDeaths.HOLDDOWN;
    /** Twice the monitor's 500 ms confirmation window: an older loss is not the one being confirmed. */
    private static final Duration LOST_CHANNEL_MAX_AGE = Duration.ofSeconds(1);
    /**
     * Packets waiting for the engine thread: 20 ms of a 100k packets/s flood, so a busy host's
     * scheduling gap does not drop the peer's adverts with the flood; beyond that the flood is
     * dropped (and counted) here rather than held (an unbounded queue grew to gigabytes).
     */
    static final int PACKET_QUEUE = 2048;
    /**
     * Packets handled per engine loop turn before the timers are looked at again: at a few
     * microseconds each, a due advert waits well under a millisecond behind a flood.
     */
    static final int PACKET_BUDGET = 64;
    /** The overload warning is repeated at most this often, with the count since the last one. */
    static final Duration OVERLOAD_LOG_EVERY = Duration.ofSeconds(10);

    private final RouterConfig config;
    private final RouterId id;
    private final VrrpMachine machine;
    private final AdvertTransport transport;
    private final VipBinder binder;
    private final Clock clock;
    private final Duration handoverTimeout;
    private final List<AutoCloseable> resources;

    /** Engine thread only: a master's steady adverts reuse their bytes. */
    private final io.havip.vrrp.codec.AdvertEncoder encoder = new io.havip.vrrp.codec.AdvertEncoder();
    private final ListenerDispatcher listeners;
    private final HookRunner hooks;
    private final RuntimeServices runtime;
    private final EventLoop loop;
    private EventLoop.Slot slot;
    private final SerialExecutor addressExecutor;
    private final HealthChecks healthChecks;
    private final java.util.Queue<Consumer<Long>> events = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicInteger queuedEvents = new java.util.concurrent.atomic.AtomicInteger();
    /** Events handled per {@link #onEvents} call before the loop serves the other routers again. */
    private static final int EVENT_BUDGET = 256;
    /** Received packets for the engine thread (bounded, see {@link #PACKET_QUEUE}). */
    private final java.util.Queue<AdvertTransport.Received> packets = new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** Packets in {@link #packets}: bounded by {@link #PACKET_QUEUE}, with no memory taken while empty. */
    private final java.util.concurrent.atomic.AtomicInteger packetCount = new java.util.concurrent.atomic.AtomicInteger();
    /** True while an event to handle {@link #packets} is queued: one at a time, not one per packet. */
    private final AtomicBoolean packetsPosted = new AtomicBoolean();
    private final Consumer<Long> handlePackets = this::handlePackets;
    /** Made at construction: the first close links no lambda on its way to the priority-0 advert. */
    private final Consumer<Long> prepareShutdown = this::prepareShutdown;
    /** Engine thread: the counters moved without actions since {@link #lastStats} was taken. */
    private boolean statsStale;

    private final Object stateLock = new Object();
    private RouterState appliedState = RouterState.INITIALIZE;
    /**
     * The machine's counters as of the last handling, for {@link #stats()} on any thread: written
     * by the loop under {@link #statsLock}'s write lock, read optimistically; reused, so
     * publishing them after every advert allocates nothing.
     */
    private final long[] publishedStats = new long[io.havip.vrrp.machine.VrrpStats.COUNT];
    private final java.util.concurrent.locks.StampedLock statsLock = new java.util.concurrent.locks.StampedLock();
    private volatile int priority;

    private final AtomicLong lateTimers = new AtomicLong();
    private final AtomicLong sendErrors = new AtomicLong();
    private final AtomicLong receiveErrors = new AtomicLong();
    private final AtomicLong bindErrors = new AtomicLong();
    private final AtomicLong hookTimeouts = new AtomicLong();
    private final AtomicLong hookRuns = new AtomicLong();
    private final AtomicLong hookNanos = new AtomicLong();
    private final AtomicLong takeovers = new AtomicLong();
    private final AtomicLong takeoverNanos = new AtomicLong();
    private final AtomicLong addressConflicts = new AtomicLong();
    private final AtomicLong conflictAnswersSent = new AtomicLong();
    private final AtomicLong announcedForNewMaster = new AtomicLong();
    /** When and whether a claim of our addresses is answered (engine thread only). */
    private final io.havip.vrrp.machine.ConflictAnswers conflicts;
    private final AtomicLong addressesRestored = new AtomicLong();
    private final AtomicLong strayAddresses = new AtomicLong();
    private final AtomicLong macChanges = new AtomicLong();
    /** Packets taken off the transport, and packets the engine thread has handled (tests compare them). */
    private final AtomicLong packetsReceived = new AtomicLong();
    private final AtomicLong packetsHandled = new AtomicLong();
    private final AtomicLong overloadDrops = new AtomicLong();
    /** Receive thread: the drop count and time of the last overload warning. */
    private long overloadDropsLogged;
    private long overloadLoggedAt;
    /** Receive thread: the transport's {@link AdvertTransport#overflowDrops()} as last seen. */
    private volatile long overflowSeen;

    private final AtomicReference<Lifecycle> lifecycle = new AtomicReference<>(Lifecycle.LATENT);
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    /** Completes when the router has left the loop (handover done, or a failure). */
    private final CompletableFuture<Void> loopDone = new CompletableFuture<>();
    private final AtomicBoolean finished = new AtomicBoolean();
    private Thread receiveThread;
    /**
     * Loop thread: a deadline was found late by more than an advert interval (GC pause,
     * SIGSTOP); until this time the queued input is read before acting on it. {@link EventLoop#NEVER} otherwise.
     */
    private long lateCheckUntil = EventLoop.NEVER;

    /** The make-before-break handover on close (sans-IO; loop thread only). */
    private final io.havip.vrrp.machine.Handover handover;

    /** The liveness channel, when a secret is configured; null otherwise. */
    private final LivenessMonitor liveness;
    /** What a peer's reported death leads to: grace, hold-down, adverts that cancel (sans-IO; loop thread only). */
    private final io.havip.vrrp.machine.LivenessDeaths deaths;
    /** The counters of {@link #handover} and {@link #deaths}, published by the loop for other threads. */
    private volatile long[] decisionCounters = new long[4];

    /** Liveness settings as the builder resolved them. */
    public record Liveness(LivenessConfig config, LivenessEndpoints endpoints) { }

    // ------------------------------------------------------------------ election authority

    /** The name of the weight-0 tracker fed with the authority's reachability (FAULT while unreachable). */
    public static final String AUTHORITY_CHECK = "election authority";
    /** Between the machine and the address work when an election authority is set (loop thread only); else null. */
    private io.havip.vrrp.machine.LeaseGate gate;
    private io.havip.vrrp.election.Lease lease;
    private String authorityName;
    private volatile io.havip.vrrp.election.LeaseHolder leaseHolder;
    private volatile boolean authorityReachable = true;
    /** The lease counters published by the loop for {@link #stats()}. */
    private volatile io.havip.vrrp.election.LeaseStats leaseStats = io.havip.vrrp.election.LeaseStats.none();
    /** Loop thread: the priority the lease was last asked with. */
    private int leasePriority;

    /**
     * Puts the router under {@code authority} (before start; the builder adds the
     * {@link #AUTHORITY_CHECK} tracker): the machine's binds wait for a grant ({@link
     * io.havip.vrrp.machine.LeaseGate}). The lease is closed with the router, after its address
     * work, so it is given up only once the addresses are gone.
     */
    public void useElection(io.havip.vrrp.machine.LeaseGate.Mode mode, io.havip.vrrp.election.ElectionAuthority authority) {
        if (lifecycle.get() != Lifecycle.LATENT) {
            throw new IllegalStateException(id + " has started: the election authority is set before start");
        }
        this.gate = new io.havip.vrrp.machine.LeaseGate(mode, config.virtualAddresses());
        this.authorityName = authority.describe();
        this.lease = authority.lease(new io.havip.vrrp.election.LeaseRequest(id, clock, config.preempt()),
                new io.havip.vrrp.election.Lease.Events() {
                    @Override
                    public void granted(long token, long validUntilNanos) {
                        post(now -> {
                            kernelValidUntil = validUntilNanos;
                            leaseGranted(now, token, validUntilNanos);
                        });
                    }

                    @Override
                    public void renewed(long token, long validUntilNanos) {
                        post(now -> {
                            gate.onRenewed(token, releaseBy(validUntilNanos));
                            gateAnnouncements();
                            if (gate.token() == token) {
                                kernelValidUntil = validUntilNanos;
                                if (kernelLifetime && gate.bound()) {
                                    addressWork(Engine.this::refreshLifetime);
                                }
                            }
                        });
                    }

                    @Override
                    public void revoked(long token, boolean yield, String detail) {
                        post(now -> leaseRevoked(now, token, yield, detail));
                    }

                    @Override
                    public void reachable(boolean reachable, String detail) {
                        post(now -> authorityReachable(now, reachable, detail));
                    }

                    @Override
                    public void holderChanged(io.havip.vrrp.election.LeaseHolder holder) {
                        leaseHolder = holder;
                        post(now -> {
                            if (gate.waiting()) {
                                logWaiting();
                            }
                            publishLease();
                        });
                    }
                });
        announceUntil = Long.MIN_VALUE;
        binder.announceOnlyWhile(this::announcementAllowed);
        kernelLifetime = binder.limitLifetime(this::kernelLifetimeSeconds);
        publishLease();
    }

    // ------------------------------------------------------------------ kernel address lifetime

    /**
     * How late the kernel may remove an address after its lifetime ran out: IPv4 {@code
     * check_lifetime} and IPv6 {@code addrconf_verify} run at the expiry (rounded up by at most
     * {@code HZ/4}) but never sooner than {@code HZ} after their previous run, so at most 1 s
     * late, plus the workqueue's delay (see {@code RtNetlink#replaceLifetime}).
     */
    static final long KERNEL_EXPIRY_LATE_NANOS = 1_000_000_000L;
    /** And how early: {@code ADDRCONF_TIMER_FUZZ_MINUS}, {@code HZ/50}. */
    static final long KERNEL_EXPIRY_EARLY_NANOS = 20_000_000L;
    /** Whether the binder enforces {@link #kernelLifetimeSeconds} (set before start). */
    private boolean kernelLifetime;
    /** The authority's deadline of the grant held ({@link Long#MAX_VALUE}: no bound); loop thread writes. */
    private volatile long kernelValidUntil = Long.MAX_VALUE;
    /** When the kernel removes the addresses unless refreshed: the last lifetime given, from when it was given. */
    private volatile long kernelExpiresAt = Long.MAX_VALUE;
    private volatile boolean kernelShortWarned;
    private final AtomicLong kernelRefreshes = new AtomicLong();
    private final AtomicLong kernelRefreshFailures = new AtomicLong();
    private final AtomicLong kernelExpiries = new AtomicLong();

    /**
     * The kernel lifetime of an address bound or refreshed now, in whole seconds: the time left
     * to the authority's deadline less {@link #KERNEL_EXPIRY_LATE_NANOS}, rounded down. The
     * kernel then removes the address by the deadline (plus its workqueue's delay), which the
     * authority keeps ahead of any grant elsewhere by its margin (ZooKeeper: {@code
     * SessionDeadline}'s pause allowance and more), even when this process is frozen or killed.
     * Below 1 s (a lease valid for less than 2 s) it is 1 s, the kernel's least, logged once:
     * the kernel still removes a dead process's address, but up to 1 s after the deadline. 0
     * (permanent) for a grant without a deadline. Any thread (the binder asks on the thread
     * that binds).
     */
    private int kernelLifetimeSeconds() {
        long until = kernelValidUntil;
        if (until == Long.MAX_VALUE) {
            return 0;
        }
        long now = clock.nanoTime();
        long left = until - now - KERNEL_EXPIRY_LATE_NANOS;
        int seconds = (int) Math.min(Integer.MAX_VALUE - 1, Math.max(1, left / 1_000_000_000L));
        if (left < 1_000_000_000L && !kernelShortWarned) {
            kernelShortWarned = true;
            log.warn("{}: the lease from {} is valid for only {} ms: the kernel lifetime of the address (1 s at least) "
                    + "cannot end before it with the kernel's 1 s of lateness, so a frozen or killed process may answer "
                    + "for the address up to {} ms past the lease's deadline. Kernel enforcement needs the lease valid "
                    + "for 2 s or more at each renewal (ZooKeeper: a session timeout of 4 s or more)",
                    id, authorityName, (until - now) / 1_000_000, 1000 - left / 1_000_000);
        }
        kernelExpiresAt = now + seconds * 1_000_000_000L;
        return seconds;
    }

    /** Address thread: the renewal moves the kernel lifetime of the bound addresses on. */
    private void refreshLifetime() {
        try {
            binder.refreshLifetime(id.interfaceName(), config.virtualAddresses());
            kernelRefreshes.incrementAndGet();
        } catch (VipBinder.BindException | RuntimeException e) {
            kernelRefreshFailures.incrementAndGet();
            bindErrors.incrementAndGet();
            log.error("{}: refreshing the kernel lifetime of {} on {} failed: {}; the kernel removes them when it runs "
                    + "out unless a later renewal succeeds", id, config.virtualAddresses(), id.interfaceName(),
                    e.getMessage(), e);
        }
    }

    /**
     * Address thread, before a restore: true when the address went because its kernel lifetime
     * ran out (counted) and must stay gone, as the lease's deadline is too near for a new one.
     * The lease is still granted (the gate passed the restore), so this process was late
     * refreshing the lifetime (a pause, a starved address thread).
     */
    private boolean expiredForGood(List<InterfaceAddress> addresses) {
        if (!kernelLifetime || clock.nanoTime() - kernelExpiresAt < -KERNEL_EXPIRY_EARLY_NANOS) {
            return false;
        }
        kernelExpiries.incrementAndGet();
        long left = kernelValidUntil - clock.nanoTime() - KERNEL_EXPIRY_LATE_NANOS;
        if (left < 1_000_000_000L) {
            driftLog.warn("expired " + addresses, "{}: the kernel removed {} from {} as its lifetime ran out, {} ms before "
                    + "the lease's deadline, no renewal since (counted in lease kernelExpiries); not restoring it",
                    id, addresses, id.interfaceName(), (left + KERNEL_EXPIRY_LATE_NANOS) / 1_000_000);
            return true;
        }
        driftLog.warn("expired " + addresses, "{}: the kernel removed {} from {} as its lifetime ran out while the "
                + "lease is still granted: this process was late refreshing it (paused? address thread busy?); putting "
                + "it back with a fresh lifetime (counted in lease kernelExpiries)", id, addresses, id.interfaceName());
        return false;
    }

    /**
     * Under an election authority: the binder's own announcements (repeats, refreshes) go out
     * only until the grant's release deadline. The engine releases the address by then; this
     * covers the moment after a SIGSTOP past the deadline when every thread resumes at once and
     * the binder's overdue repeats would announce before the engine has run. {@code
     * Long.MAX_VALUE}: no bound; {@code Long.MIN_VALUE}: no grant. Written on the loop thread,
     * read on the binder's.
     */
    private volatile long announceUntil = Long.MAX_VALUE;

    private boolean announcementAllowed() {
        long until = announceUntil;
        return until == Long.MAX_VALUE || until != Long.MIN_VALUE && clock.nanoTime() - until < 0;
    }

    /** Loop thread: what the gate holds now bounds the binder's announcements (before any bind of it). */
    private void gateAnnouncements() {
        announceUntil = gate.bound() ? gate.nextDeadlineNanos() : Long.MIN_VALUE;
    }

    /**
     * The grant's deadline moved earlier by the release hooks' time: the hooks run before the
     * unbind, and the unbind must be done by the authority's deadline.
     */
    private long releaseBy(long validUntilNanos) {
        if (validUntilNanos == Long.MAX_VALUE) {
            return validUntilNanos;
        }
        return validUntilNanos - hooks.totalTimeout().toNanos();
    }

    private void leaseGranted(long now, long token, long validUntilNanos) {
        if (!hooks.isEmpty() && validUntilNanos != Long.MAX_VALUE
                && validUntilNanos - now <= hooks.totalTimeout().toNanos() && gate.wanted()) {
            // asking again would only churn the store: this needs the operator
            log.error("{}: the lease from {} (fencing token {}) is valid for {} ms, no more than the release hooks may "
                    + "take ({} ms), so the address could not be released in time; giving the lease back and not asking "
                    + "again. Lower the hook timeouts or raise the session timeout", id, authorityName, token,
                    (validUntilNanos - now) / 1_000_000, hooks.totalTimeout().toMillis());
            addressWork(lease::release);
            return;
        }
        boolean waited = gate.waiting();
        long since = gate.waitingSinceNanos();
        io.havip.vrrp.machine.LeaseGate.Output out = gate.onGranted(now, token, releaseBy(validUntilNanos),
                machine.priority());
        if (waited && gate.bound()) {
            log.info("{}: lease granted by {} (fencing token {}) after {} ms; binding", id, authorityName, token,
                    (now - since) / 1_000_000);
        } else if (!gate.wanted()) {
            log.info("{}: lease granted (fencing token {}) but no longer wanted; giving it back", id, token);
        }
        carryOut(out);
    }

    private void leaseRevoked(long now, long token, boolean yield, String detail) {
        boolean held = gate.token() == token;
        carryOut(gate.onRevoked(now, token, yield ? io.havip.vrrp.machine.LeaseGate.Loss.YIELD
                : io.havip.vrrp.machine.LeaseGate.Loss.LOST, machine.priority()));
        if (held) {
            if (yield) {
                log.info("{}: yielding the lease (fencing token {}): {}; released the address", id, token, detail);
            } else {
                log.warn("{}: lease lost (fencing token {}): {}; released the address", id, token, detail);
            }
        }
    }

    /** Loop thread: the grant's release deadline passed without a renewal. */
    private void leaseDeadline(long now) {
        long token = gate.token();
        carryOut(gate.onTimer(now, machine.priority()));
        log.warn("{}: the lease (fencing token {}) could not be renewed before its release deadline ({} unreachable?); "
                + "released the address, as another node may obtain the lease from now on", id, token, authorityName);
    }

    private void authorityReachable(long now, boolean reachable, String detail) {
        if (authorityReachable != reachable) {
            authorityReachable = reachable;
            if (reachable) {
                log.info("{}: {} reachable again: {}", id, authorityName, detail);
            } else {
                log.warn("{}: {} unreachable: {}; FAULT until it answers (a node that cannot obtain the lease must "
                        + "not hold the VRRP election)", id, authorityName, detail);
            }
        }
        apply(machine.onHealthResult(now, AUTHORITY_CHECK, reachable));
    }

    private void logWaiting() {
        io.havip.vrrp.election.LeaseHolder h = leaseHolder;
        String who = gate.mode() == io.havip.vrrp.machine.LeaseGate.Mode.LEASE_ONLY ? "lease candidate"
                : "VRRP winner";
        if (h == null) {
            log.info("{}: {}, waiting for the lease from {} (free or unknown; asked with priority {})", id, who,
                    authorityName, leasePriority);
        } else {
            log.info("{}: {}, waiting for the lease held by {}", id, who, h);
        }
    }

    /** Loop thread: carries out what the gate returned, then the lease calls behind the address work. */
    private void carryOut(io.havip.vrrp.machine.LeaseGate.Output out) {
        boolean wasWaiting = gate.waiting();
        gateAnnouncements();
        applyNow(out.actions(), out.token());
        if (out.release() || out.acquire()) {
            boolean release = out.release();
            boolean acquire = out.acquire();
            int p = machine.priority();
            leasePriority = p;
            addressWork(() -> {
                if (release) {
                    lease.release();
                }
                if (acquire) {
                    lease.acquire(p);
                }
            });
        }
        if (out.acquire() && gate.waiting() && !wasWaiting) {
            logWaiting();
        }
        publishLease();
    }

    /** Loop thread (and once before start): the lease counters for {@link #stats()}. */
    private void publishLease() {
        if (gate == null) {
            return;
        }
        leaseStats = new io.havip.vrrp.election.LeaseStats(
                gate.mode() == io.havip.vrrp.machine.LeaseGate.Mode.LEASE_ONLY ? "lease-only" : "quorum-guard",
                gate.bound(), gate.waiting(), authorityReachable, gate.token(), gate.grants(), gate.waits(),
                gate.losses(), gate.yields(), leaseHolder, 0, 0, 0);
    }

    private enum Lifecycle { LATENT, STARTED, CLOSED }

    /**
     * Another MAC's claims of our addresses are reported to {@link #addressConflict} (Linux: ARP
     * for IPv4, Neighbor Advertisements for IPv6): a handover then releases on the new master's
     * gratuitous ARP or unsolicited NA, the moment clients move, instead of on its advert, which
     * precedes the GARP by the time the new master needs to add the address. Before start.
     */
    public void announcementsVisible() {
        handover.announcementsVisible();
    }

    public Engine(RuntimeServices runtime, RouterConfig config, AdvertTransport transport, VipBinder binder,
           Duration handoverTimeout, List<HealthCheck> checks, List<HookRegistration> hookRegistrations,
           List<ListenerRegistration> listenerRegistrations, List<AutoCloseable> resources, Liveness livenessSettings) {
        Clock clock = runtime.clock();
        this.runtime = runtime;
        this.loop = runtime.loop();
        this.config = config;
        this.id = config.router();
        this.transport = transport;
        this.binder = binder;
        this.clock = clock;
        this.handoverTimeout = handoverTimeout;
        this.resources = List.copyOf(resources);
        this.machine = new VrrpMachine(config, transport.sourceAddress());
        this.conflicts = new io.havip.vrrp.machine.ConflictAnswers(id.vrid(), id.family(), config.advertInterval());
        this.handover = new io.havip.vrrp.machine.Handover(handoverTimeout);
        this.deaths = new io.havip.vrrp.machine.LivenessDeaths(livenessSettings == null ? Duration.ZERO
                : livenessSettings.config().grace());
        this.listeners = new ListenerDispatcher(runtime.listenerExecutor(id.name()));
        this.hooks = new HookRunner(runtime.hookPool());
        for (HookRegistration h : hookRegistrations) {
            hooks.add(h.hook(), h.timeout());
        }
        for (ListenerRegistration l : listenerRegistrations) {
            if (l.executor() == null) {
                listeners.add(l.listener());
            } else {
                listeners.add(l.listener(), l.executor());
            }
        }
        this.addressExecutor = runtime.addressExecutor(id.name());
        this.healthChecks = new HealthChecks(id.name(), checks, runtime.checkPool(), this::post,
                (now, name, ok) -> apply(machine.onHealthResult(now, name, ok)));
        if (livenessSettings != null) {
            this.liveness = new LivenessMonitor(id.name(), id.vrid(), transport.sourceAddress(),
                    new HashSet<>(config.unicastPeers()), livenessSettings.config(), livenessSettings.endpoints(),
                    new LivenessMonitor.Events() {
                        @Override
                        public void peerProcessDied(IpAddress peer) {
                            post(new PeerReport(Engine.this, peer, true));
                        }

                        @Override
                        public void peerChannelLost(IpAddress peer) {
                            post(new PeerReport(Engine.this, peer, false));
                        }
                    }, runtime.livenessLoop());
        } else {
            this.liveness = null;
        }
        this.priority = machine.priority();
        publishStats();
        preload(AddressReport.class, PeerReport.class);
        ProtocolWarmUp.warm(config, transport.sourceAddress());
    }

    /**
     * Loads the classes of the events that come with a takeover (our own bind's address event,
     * a peer's death on the liveness channel) now, so the takeover path loads nothing.
     */
    private static void preload(Class<?>... classes) {
        // referencing the class literals loaded them
    }

    public record HookRegistration(io.havip.core.AddressHook hook, Duration timeout) { }

    public record ListenerRegistration(FailoverListener listener, Executor executor) { }

    // ------------------------------------------------------------------ lifecycle

    public void start() {
        if (!lifecycle.compareAndSet(Lifecycle.LATENT, Lifecycle.STARTED)) {
            throw new IllegalStateException("router " + id + " was already started");
        }
        if (liveness != null) {
            try {
                liveness.start();
            } catch (RuntimeException e) {
                lifecycle.set(Lifecycle.CLOSED);
                finishClose();
                throw e;
            }
        }
        reconcile();
        if (liveness != null) {
            config.unicastPeers().forEach(liveness::dial);
        }
        runtime.add(this);
        slot = loop.register(this);
        post(now -> {
            apply(machine.start(now));
            healthChecks.start(now);
        });
        if (!transport.deliverTo(this::received)) {
            receiveThread = daemon("havip-receive-" + id.name()).newThread(this::runReceive);
            receiveThread.start();
        }
    }

    /**
     * Start-up reconciliation: a previous process killed with SIGKILL leaves its addresses on
     * the interface (keepalived's too). Remove them before the election, unless this node owns
     * the addresses and will take over at once, in which case they are adopted.
     */
    private void reconcile() {
        List<InterfaceAddress> vips = config.virtualAddresses();
        try {
            Set<InterfaceAddress> present = binder.present(id.interfaceName(), vips);
            if (present.isEmpty()) {
                return;
            }
            if (config.addressOwner() && gate == null) {
                log.info("{}: {} already on {} (left by a previous run); adopting them as address owner", id, present,
                        id.interfaceName());
            } else {
                log.warn("{}: {} already on {} (left by a previous run that did not release them); removing them "
                        + "before the election", id, present, id.interfaceName());
                binder.unbind(id.interfaceName(), List.copyOf(present));
            }
        } catch (VipBinder.BindException e) {
            bindErrors.incrementAndGet();
            log.error("{}: start-up reconciliation failed: {}", id, e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        beginClose();
        awaitClose();
    }

    /**
     * Starts closing without waiting: the handover (priority-0 advert, address kept until a new
     * master is heard) runs on the loop. {@link #awaitClose()} finishes it. Lets a runtime close
     * all its routers at once, so none waits for another's handover.
     */
    @Override
    public void beginClose() {
        if (loop.inLoop()) {
            throw new IllegalStateException(id + ": close() called on the event loop thread");
        }
        Lifecycle was = lifecycle.getAndSet(Lifecycle.CLOSED);
        if (was == Lifecycle.STARTED) {
            post(prepareShutdown);
        } else if (was == Lifecycle.LATENT) {
            loopDone.complete(null);
        }
    }

    /** Waits for the handover begun by {@link #beginClose()}, then closes what the router holds. */
    public void awaitClose() {
        try {
            loopDone.get(handoverTimeout.toMillis() + hooks.totalTimeout().toMillis() + 30_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("{}: close did not complete cleanly: {}", id, e.toString());
            post(now -> requestStop());
        }
        finishClose();
    }

    /**
     * A master with release hooks runs them first, while it still holds the address and keeps
     * advertising, so a proxy can drain its connections before any client is sent elsewhere;
     * only then does the priority-0 advert go out (see {@link #beginShutdown}).
     */
    private void prepareShutdown(long now) {
        if (machine.state() != RouterState.MASTER || hooks.isEmpty() || (gate != null && !gate.bound())) {
            beginShutdown(now);
            return;
        }
        StateChange pending = new StateChange(id, RouterState.MASTER, RouterState.STOP, TransitionReason.SHUTDOWN,
                machine.priority(), clock.instant(), gate == null ? StateChange.NO_TOKEN : gate.token());
        log.info("{}: closing as master: running release hooks before handing over", id);
        addressWork(() -> {
            runHooks(HookRunner.Phase.BEFORE_RELEASE, pending);
            post(this::beginShutdownAfterHooks);
        });
    }

    private boolean releaseHooksRan;

    private void beginShutdownAfterHooks(long now) {
        releaseHooksRan = true;
        beginShutdown(now);
    }

    private void beginShutdown(long now) {
        deaths.clear();
        // Make-before-break: the priority-0 advert goes out now; as master the address stays until
        // the new master is heard, so clients keep reaching us during its Skew_Time.
        apply(handover.begin(now, machine.shutdown(now)));
        if (liveness != null) {
            // The goodbye after the advert: on each channel TCP delivers it before the close, so no
            // peer reads this close as a death whatever the order, and the advert does not wait for
            // the TCP writes (on a veth or loopback each runs the peer's receive path inline, 0.1-1 ms).
            // Only the frames here (non-blocking writes): the sockets close on the liveness thread
            // from finishClose, which may wait for it; this loop thread never does.
            liveness.sayGoodbye();
        }
        healthChecks.close();
        if (handover.active()) {
            log.info("{}: handing over: priority 0 sent; keeping the address until a new master is heard (at most {})",
                    id, handover.timeout());
            return;
        }
        requestStop();
    }

    private void releaseIfDue(java.util.Optional<io.havip.vrrp.machine.Handover.Release> release) {
        if (release.isPresent()) {
            release(release.get());
        }
    }

    /** The handover ends: the address and the STOP notification held back go out, and the router stops. */
    private void release(io.havip.vrrp.machine.Handover.Release r) {
        switch (r.reason()) {
            case NEW_MASTER_ADVERTISED, NEW_MASTER_ANNOUNCED -> log.info("{}: new master heard; releasing the address", id);
            case ANNOUNCEMENT_NOT_SEEN -> log.info("{}: new master advertised but its announcement was not seen within "
                    + "{}; releasing the address", id, io.havip.vrrp.machine.Handover.ANNOUNCEMENT_AFTER_ADVERT);
            case TIMED_OUT -> log.info("{}: no new master within {}; releasing the address", id, handover.timeout());
        }
        apply(r.actions());
        requestStop();
    }

    private volatile boolean stopRequested;

    /** Loop thread: the router leaves the loop; {@link #finishClose} follows on the closing thread. */
    private void requestStop() {
        stopRequested = true;
        if (slot != null) {
            loop.unregister(slot);
        }
        healthChecks.close();
        loopDone.complete(null);
    }

    /** Closes what the router holds (off the loop thread; once). */
    private void finishClose() {
        if (!finished.compareAndSet(false, true)) {
            try {
                stopped.get(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                log.warn("{}: waiting for close: {}", id, e.toString());
            }
            return;
        }
        healthChecks.close();
        if (liveness != null) {
            liveness.close();
        }
        if (receiveThread != null) {
            receiveThread.interrupt();
        }
        try {
            transport.close();
        } catch (RuntimeException e) {
            log.debug("{}: closing transport: {}", id, e.toString());
        }
        addressExecutor.shutdown();
        try {
            addressExecutor.terminated().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("{}: address work still running at close", id);
        }
        if (lease != null) {
            try {
                lease.close(); // after the address work: the unbind is done
            } catch (RuntimeException e) {
                log.warn("{}: closing the lease at {}: {}", id, authorityName, e.getMessage());
            }
        }
        hooks.close();
        listeners.close();
        try {
            binder.close();
        } catch (RuntimeException e) {
            log.debug("{}: closing binder: {}", id, e.toString());
        }
        for (AutoCloseable r : resources) {
            try {
                r.close();
            } catch (Exception e) {
                log.debug("{}: closing {}: {}", id, r, e.toString());
            }
        }
        synchronized (stateLock) {
            if (appliedState == RouterState.INITIALIZE) {
                appliedState = RouterState.STOP;
            }
            stateLock.notifyAll();
        }
        stopped.complete(null);
        runtime.removed(this);
    }

    // ------------------------------------------------------------------ engine loop

    /** Any thread: queues {@code event} for the loop thread, which calls it with the clock's now. */
    private void post(Consumer<Long> event) {
        queuedEvents.incrementAndGet();
        events.add(event);
        if (slot != null) {
            loop.wake(slot);
        }
    }

    /**
     * Loop thread: handles the events already queued, at most {@link #EVENT_BUDGET}, then lets
     * the loop serve the other routers and its timers: a steady stream of packets (a flood from
     * a foreign router, say) must never starve the timers.
     */
    @Override
    public void onEvents(long now) {
        guarded(false, now);
    }

    private void events() {
        // Only what was queued on entry: handlePackets queues itself again behind the rest,
        // and the timers must get their turn between two batches of a flood.
        int budget = Math.min(EVENT_BUDGET, queuedEvents.get());
        Consumer<Long> event;
        int handled = 0;
        for (; handled < budget && !stopRequested && (event = events.poll()) != null; handled++) {
            queuedEvents.decrementAndGet();
            if (event == handlePackets) {
                handlePackets(0); // reads the clock per packet itself; no Long boxed per batch
            } else {
                event.accept(clock.nanoTime());
            }
        }
        if (lateCheckUntil != EventLoop.NEVER && handled > 0 && !stopRequested) {
            // what the receive side read after the late wake-up is in: act on the deadline now
            fireDueTimers(clock.nanoTime());
        }
        if (!events.isEmpty() && !stopRequested) {
            loop.wake(slot);
        }
    }

    /**
     * Loop thread: a deadline passed. When the loop finds it late by more than an advert interval
     * (GC pause, SIGSTOP), the receive side gets a moment to read the socket's backlog first:
     * the deadline is acted on after the next input handled, or after 20 ms (an interval if
     * shorter) without any, so stale state is not acted on blindly; the loop goes on serving the
     * other routers meanwhile.
     */
    @Override
    public void onTimer(long now) {
        guarded(true, now);
    }

    private void timer(long now) {
        if (stopRequested) {
            return;
        }
        if (gate != null && gate.nextDeadlineNanos() - now <= 0) {
            // before anything else, late or not: past it another node may hold the lease
            leaseDeadline(now);
        }
        if (lateCheckUntil != EventLoop.NEVER) {
            if (now - lateCheckUntil >= 0) {
                fireDueTimers(now);
            }
            return;
        }
        long lateBy = now - protocolDeadline();
        if (!handover.active() && lateBy > config.advertInterval().toNanos()) {
            lateTimers.incrementAndGet();
            log.warn("{}: woke {} ms past a deadline (state {}); checking for adverts before acting", id,
                    lateBy / 1_000_000, machine.state());
            lateCheckUntil = now + Math.min(TimeUnit.MILLISECONDS.toNanos(20), config.advertInterval().toNanos());
            return;
        }
        fireDueTimers(now);
    }

    /** Loop thread: copies the counters of the handover and liveness decisions for {@link #stats()} when they moved. */
    private void publishDecisions() {
        long[] c = decisionCounters;
        if (c[0] != handover.handovers() || c[1] != deaths.triggered() || c[2] != deaths.cancelled()
                || c[3] != deaths.ignored()) {
            decisionCounters = new long[] {handover.handovers(), deaths.triggered(), deaths.cancelled(), deaths.ignored()};
        }
    }

    /** The sync group this router belongs to, or null; set before start. */
    private SyncGroupDriver group;

    void joinGroup(SyncGroupDriver driver) {
        if (lifecycle.get() != Lifecycle.LATENT) {
            throw new IllegalStateException(id + " has started: routers join a sync group before they start");
        }
        this.group = driver;
    }

    VrrpMachine machine() {
        return machine;
    }

    /** Loop thread: what the sync group made this router's machine do, carried out as its own input would be. */
    void applyForGroup(List<Action> actions) {
        apply(actions);
        loop.reschedule(slot);
    }

    /** Loop thread. */
    @Override
    public long nextDeadline() {
        if (stopRequested) {
            return EventLoop.NEVER;
        }
        return lateCheckUntil != EventLoop.NEVER ? lateCheckUntil : protocolDeadline();
    }

    private long protocolDeadline() {
        long leaseDeadline = gate == null ? EventLoop.NEVER : gate.nextDeadlineNanos();
        if (handover.active()) {
            // only its bound: nothing else fires during a handover (a pending conflict answer would spin)
            return Math.min(handover.nextDeadlineNanos(), leaseDeadline);
        }
        long d = Math.min(Math.min(machine.nextDeadlineNanos(), conflicts.nextDeadlineNanos()), leaseDeadline);
        d = Math.min(d, healthChecks.nextDeadline());
        return Math.min(d, deaths.nextDeadlineNanos());
    }

    /**
     * Runs a handler on the loop thread; a failure (a bug) releases the address and stops the
     * router rather than leave a half-applied state, and the router's close follows at once.
     */
    private void guarded(boolean timer, long now) {
        try {
            // no lambda per call: this runs for every advert sent and every batch received
            if (timer) {
                timer(now);
            } else {
                events();
            }
            if (group != null && !stopRequested) {
                group.reconcile(clock.nanoTime());
            }
            publishDecisions();
        } catch (RuntimeException | Error e) {
            log.error("{}: event handling failed; releasing the address and stopping", id, e);
            try {
                apply(machine.shutdown(clock.nanoTime()));
            } catch (RuntimeException again) {
                log.error("{}: shutdown after failure also failed", id, again);
            }
            if (!stopRequested) {
                requestStop();
                Thread closer = daemon("havip-close-" + id.name()).newThread(this::finishClose);
                closer.start();
            }
        }
    }

    /**
     * Fires every timer due at {@code now} (loop thread): the handover's bound, a liveness
     * death past its grace, the machine's timers, the health checks, a pending conflict answer.
     * Also used by {@link #sync()} so that a test's time step is complete when it returns.
     */
    private void fireDueTimers(long now) {
        lateCheckUntil = EventLoop.NEVER;
        if (stopRequested) {
            return;
        }
        if (gate != null && gate.nextDeadlineNanos() - now <= 0) {
            leaseDeadline(now);
        }
        // No lambdas on the timer path: a backup's timer first fires when it takes over, and a
        // lambda's first run links it then (a fraction of a millisecond, cold).
        if (handover.active()) {
            releaseIfDue(handover.onTimer(now));
            return;
        }
        java.util.Optional<IpAddress> died = deaths.onTimer(now);
        if (died.isPresent()) {
            IpAddress peer = died.get();
            log.info("{}: no advert from {} within the grace of {}; acting as on priority 0 at t={} ns", id, peer,
                    deaths.grace(), now);
            apply(machine.onMasterProcessDied(now, peer));
        }
        if (machine.nextDeadlineNanos() <= now) {
            apply(machine.onTimer(now));
        }
        healthChecks.onTimer(now);
        answerConflictIfDue(now);
    }

    private void runReceive() {
        while (!Thread.currentThread().isInterrupted() && lifecycle.get() != Lifecycle.LATENT && !stopped.isDone()) {
            try {
                AdvertTransport.Received r = transport.receive(RECEIVE_SLICE);
                if (r != null) {
                    received(r);
                } else {
                    checkOverflow();
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                if (stopped.isDone() || stopRequested) {
                    return;
                }
                receiveErrors.incrementAndGet();
                log.warn("{}: receive failed: {}", id, e.toString());
                try {
                    Thread.sleep(RECEIVE_ERROR_BACKOFF.toMillis());
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    /**
     * The transport's receive side (its delivery thread, or the router's receive thread): queues
     * {@code r} for the loop, or drops it when {@link #PACKET_QUEUE} are waiting. Never blocks.
     */
    private void received(AdvertTransport.Received r) {
        checkOverflow();
        if (stopRequested) {
            return;
        }
        packetsReceived.incrementAndGet();
        if (packetCount.incrementAndGet() > PACKET_QUEUE) {
            packetCount.decrementAndGet();
            overloaded();
            return;
        }
        packets.add(r);
        if (packetsPosted.compareAndSet(false, true)) {
            post(handlePackets);
        }
    }

    private void checkOverflow() {
        if (transport.overflowDrops() != overflowSeen) {
            checkOverflowLocked(); // rare: the lock only when the count moved, not per packet
        }
    }

    private synchronized void checkOverflowLocked() {
        long overflow = transport.overflowDrops();
        if (overflow != overflowSeen) {
            overflowSeen = overflow;
            logOverload();
        }
    }

    /**
     * Receive thread: the engine is {@link #PACKET_QUEUE} packets behind; this one is dropped.
     * Counted, and logged at most every {@link #OVERLOAD_LOG_EVERY} with the count since.
     */
    private void overloaded() {
        packetsHandled.incrementAndGet();
        overloadDrops.incrementAndGet();
        logOverload();
    }

    /** Receive thread: logs the drops (queue full, or the transport's own) at most every {@link #OVERLOAD_LOG_EVERY}. */
    private synchronized void logOverload() {
        long dropped = overloadDrops.get() + overflowSeen;
        long now = clock.nanoTime();
        if (overloadDropsLogged == 0 || now - overloadLoggedAt >= OVERLOAD_LOG_EVERY.toNanos()) {
            log.warn("{}: {} VRRP packets on {} dropped without a look{}: more arrive than this router reads (a flood?); "
                    + "own adverts keep their schedule, counted in overloadDrops", id, dropped - overloadDropsLogged,
                    id.interfaceName(), overloadDropsLogged == 0 ? "" : " in the last "
                            + (now - overloadLoggedAt) / 1_000_000_000L + " s");
            overloadDropsLogged = dropped;
            overloadLoggedAt = now;
        }
    }

    /**
     * Engine thread: handles at most {@link #PACKET_BUDGET} queued packets, then queues itself
     * again behind whatever else waits, so timers and other events get their turn.
     */
    private void handlePackets(long now) {
        packetsPosted.set(false);
        for (int i = 0; i < PACKET_BUDGET && !stopRequested; i++) {
            AdvertTransport.Received r = packets.poll();
            if (r != null) {
                packetCount.decrementAndGet();
            }
            if (r == null) {
                break;
            }
            onPacket(clock.nanoTime(), r);
        }
        if (statsStale) {
            statsStale = false;
            publishStats();
        }
        if (!packets.isEmpty() && packetsPosted.compareAndSet(false, true)) {
            post(handlePackets);
        }
    }

    private void onPacket(long now, AdvertTransport.Received r) {
        packetsHandled.incrementAndGet();
        byte[] payload = r.payload(); // a copy (Received is immutable): taken once
        if (handover.active()) {
            boolean fromPeer = !r.source().equals(transport.sourceAddress()) && machine.acceptsSource(r.source());
            int priority = fromPeer ? machine.advertPriority(r.source(), r.destination(), r.ttl(), payload) : -1;
            releaseIfDue(handover.onAdvert(now, r.source(), priority, fromPeer));
            return;
        }
        if (deaths.watches(r.source()) && deaths.onAdvert(now, r.source(),
                machine.advertPriority(r.source(), r.destination(), r.ttl(), payload))) {
            log.info("{}: advert from {} within the grace; it lives, no takeover", id, r.source());
        }
        List<Action> actions = machine.onPacket(now, r.source(), r.destination(), r.ttl(), payload);
        if (actions.isEmpty()) {
            statsStale = true; // only counters moved: the snapshot is taken once per batch
        } else {
            apply(actions);
        }
        if (liveness != null && config.unicastPeers().isEmpty()) {
            // Multicast: the peers are not configured; keep a channel to every master we follow.
            machine.masterAddress().ifPresent(liveness::dial);
        }
    }

    /**
     * The liveness channel says {@code peer}'s process died. Acted on only when we are BACKUP
     * following it, not during a handover, and not within the hold-down of the last report acted
     * on for it; then the machine hears of it after the grace unless the peer advertises
     * ({@link io.havip.vrrp.machine.LivenessDeaths} decides).
     */
    private void livenessReport(long now, IpAddress peer) {
        io.havip.vrrp.machine.LivenessDeaths.Decision d = deaths.onProcessDied(now, peer,
                !handover.active() && machine.follows(peer));
        switch (d.verdict()) {
            case NOT_FOLLOWED -> log.info("{}: {} process died; not the master we follow, nothing to do", id, peer);
            case ALREADY_WAITING -> log.info("{}: {} process died; already waiting", id, peer);
            case HOLD_DOWN -> log.info("{}: {} process died; within the hold-down of the last one, the VRRP timers "
                    + "decide", id, peer);
            case ADVERTISED_SINCE_LOSS -> log.info("{}: {} advertised after its liveness channel ended; it lives, no "
                    + "takeover", id, peer);
            case WAITING -> log.info("{}: master {} process died (confirmed at t={} ns, {} us after the channel ended); "
                    + "taking over unless it advertises within {} us", id, peer, now,
                    d.lostAtNanos() < 0 ? -1 : (now - d.lostAtNanos()) / 1000, (d.deadlineNanos() - now) / 1000);
        }
    }

    /**
     * The channel to {@code peer} ended without goodbye and is being confirmed: noted, so the
     * grace can start now. Decides nothing: only {@link #livenessReport} can lead to a takeover.
     */
    private void livenessLost(long now, IpAddress peer) {
        if (deaths.onChannelLost(now, peer, !handover.active() && machine.follows(peer))) {
            log.info("{}: liveness channel to master {} ended without goodbye at t={} ns; confirming", id, peer, now);
        }
    }

    // ------------------------------------------------------------------ actions

    /**
     * Carries out the machine's actions in order; adverts now, address work on the address thread.
     * Under an election authority they pass its {@link io.havip.vrrp.machine.LeaseGate} first.
     */
    private void apply(List<Action> actions) {
        if (gate == null) {
            applyNow(actions, StateChange.NO_TOKEN);
            return;
        }
        carryOut(gate.filter(clock.nanoTime(), actions));
        if (gate.wanted() && machine.priority() != leasePriority) {
            int p = machine.priority(); // the priority moved (a weighted check, setPriority): lease only decides by it
            leasePriority = p;
            addressWork(() -> lease.acquire(p));
        }
    }

    /** The fencing token of the batch {@link #applyNow} carries out (loop thread). */
    private long batchToken = StateChange.NO_TOKEN;

    private void applyNow(List<Action> actions, long token) {
        batchToken = token;
        long decidedAt = clock.nanoTime();
        for (int i = 0; i < actions.size(); i++) {
            Action a = actions.get(i);
            if (a instanceof Action.SendAdvert send) {
                send(send);
            } else if (a instanceof Action.BindAddresses bind) {
                StateChange change = pendingChange(actions, i);
                if (hooks.isEmpty() && binder.isLowLatency() && addressExecutor.pending() == 0) {
                    // Right after the advert, on this thread, as keepalived does: a hand-off to the
                    // address thread would delay the address and its first GARP by a thread wake-up.
                    // Only with nothing queued there, so address work keeps its order.
                    bind(bind.addresses(), decidedAt);
                    continue;
                }
                addressWork(() -> {
                    if (change != null) {
                        runHooks(HookRunner.Phase.BEFORE_ACQUIRE, change);
                    }
                    bind(bind.addresses(), decidedAt);
                });
            } else if (a instanceof Action.UnbindAddresses unbind) {
                StateChange change = pendingChange(actions, i);
                boolean hooksDone = releaseHooksRan && change != null && change.to() == RouterState.STOP;
                addressWork(() -> {
                    if (change != null && !hooksDone) {
                        runHooks(HookRunner.Phase.BEFORE_RELEASE, change);
                    }
                    unbind(unbind.addresses());
                });
            } else if (a instanceof Action.Reannounce re) {
                addressWork(() -> reannounce(re.addresses()));
            } else if (a instanceof Action.RestoreAddresses r) {
                addressWork(() -> restore(r.addresses()));
            } else if (a instanceof Action.RemoveStrayAddresses r) {
                RouterState in = machine.state();
                addressWork(() -> removeStrays(r.addresses(), in));
            } else if (a instanceof Action.ReportStrayAddresses r) {
                RouterState in = machine.state();
                addressWork(() -> reportStrays(r.addresses(), in));
            } else if (a instanceof Action.NotifyStateChange n) {
                StateChange change = change(n);
                if (n.from() == RouterState.MASTER) {
                    leftMaster(n.to());
                }
                addressWork(() -> publish(change));
            }
        }
        priority = machine.priority();
        publishStats();
        logTransitions(actions);
    }

    /** The state changes of {@code actions}, logged after they are carried out (off the advert's path). */
    private void logTransitions(List<Action> actions) {
        for (int i = 0; i < actions.size(); i++) {
            if (actions.get(i) instanceof Action.NotifyStateChange n) {
                log.info("{}: {} -> {} ({}, priority {})", id, n.from(), n.to(), n.reason(), n.priority());
            }
        }
    }

    private StateChange pendingChange(List<Action> actions, int from) {
        for (int j = from + 1; j < actions.size(); j++) {
            if (actions.get(j) instanceof Action.NotifyStateChange n) {
                return change(n);
            }
        }
        return null;
    }

    private StateChange change(Action.NotifyStateChange n) {
        boolean masterChange = n.to() == RouterState.MASTER || n.from() == RouterState.MASTER;
        return new StateChange(id, n.from(), n.to(), n.reason(), n.priority(), clock.instant(),
                masterChange ? batchToken : StateChange.NO_TOKEN);
    }

    private void send(Action.SendAdvert send) {
        IpAddress source = transport.sourceAddress();
        List<IpAddress> destinations = send.destinations();
        for (int i = 0; i < destinations.size(); i++) {
            IpAddress destination = destinations.get(i);
            try {
                transport.send(destination, encoder.encode(send.advertisement(), source, destination));
            } catch (Exception e) {
                sendErrors.incrementAndGet();
                log.warn("{}: sending an advert to {} failed: {}", id, destination, e.toString());
            }
        }
    }

    /** Queues {@code work} behind the router's earlier address work; false when the router is closing. */
    private boolean addressWork(Runnable work) {
        try {
            addressExecutor.execute(work);
            return true;
        } catch (java.util.concurrent.RejectedExecutionException e) {
            log.warn("{}: address work after close dropped", id);
            return false;
        }
    }

    private void runHooks(HookRunner.Phase phase, StateChange change) {
        if (hooks.isEmpty()) {
            return;
        }
        int total = hooks.size();
        long t0 = clock.nanoTime();
        int done = hooks.run(phase, change);
        hookRuns.addAndGet(total);
        hookNanos.addAndGet(Math.max(0, clock.nanoTime() - t0));
        if (done < total) {
            hookTimeouts.addAndGet(total - done);
        }
    }

    /** Binds the addresses as new master; {@code decidedAt}: when the machine decided (the takeover timer). */
    private void bind(List<InterfaceAddress> addresses, long decidedAt) {
        try {
            long t0 = clock.nanoTime();
            List<VipBinder.AddressOutcome> outcome = binder.bind(id.interfaceName(), addresses);
            long t1 = clock.nanoTime();
            takeovers.incrementAndGet();
            takeoverNanos.addAndGet(Math.max(0, t1 - decidedAt));
            log.info("{}: bound {} in {} us on {} ({} us after the decision)", id, outcome, (t1 - t0) / 1000,
                    Thread.currentThread().getName(), (t1 - decidedAt) / 1000);
        } catch (VipBinder.BindException | RuntimeException | LinkageError e) {
            // LinkageError: a broken native library must not stop the loop thread (bind may run on it).
            bindErrors.incrementAndGet();
            log.error("{}: binding {} on {} failed: {}", id, addresses, id.interfaceName(), e.getMessage(), e);
        }
    }

    private void unbind(List<InterfaceAddress> addresses) {
        try {
            List<VipBinder.AddressOutcome> outcome = binder.unbind(id.interfaceName(), addresses);
            log.info("{}: released {}", id, outcome);
        } catch (VipBinder.BindException | RuntimeException e) {
            bindErrors.incrementAndGet();
            log.error("{}: releasing {} on {} failed: {}", id, addresses, id.interfaceName(), e.getMessage(), e);
        }
    }

    private void reannounce(List<InterfaceAddress> addresses) {
        try {
            binder.reannounce(id.interfaceName(), addresses);
        } catch (VipBinder.BindException | RuntimeException e) {
            bindErrors.incrementAndGet();
            log.warn("{}: re-announcing {} failed: {}", id, addresses, e.getMessage());
        }
    }

    /**
     * Address thread, so after every bind and unbind the machine asked for before: the addresses
     * a master lost are bound again; only those really missing count (a report of our own unbind
     * from an earlier term may be stale), though each one bound is announced afresh.
     */
    private void restore(List<InterfaceAddress> addresses) {
        if (expiredForGood(addresses)) {
            return;
        }
        repair("restoring", addresses, () -> {
            for (VipBinder.AddressOutcome o : binder.bind(id.interfaceName(), addresses)) {
                if (o.outcome() == VipBinder.AddressOutcome.Outcome.ADDED) {
                    addressesRestored.incrementAndGet();
                    driftLog.warn("restored " + o.address(), "{}: {} was removed from {} while this node is master "
                            + "(by hand, a network manager, a DHCP client?); put it back and re-announced it (counted in "
                            + "addressesRestored)", id, o.address(), id.interfaceName());
                } else {
                    log.debug("{}: {} reported lost but present again; re-announced", id, o.address());
                }
            }
        });
    }

    /** Address thread: removes the stray addresses still present (a report may be stale), counting those removed. */
    private void removeStrays(List<InterfaceAddress> addresses, RouterState in) {
        repair("removing stray", addresses, () -> {
            for (VipBinder.AddressOutcome o : binder.unbind(id.interfaceName(), addresses)) {
                if (o.outcome() == VipBinder.AddressOutcome.Outcome.REMOVED) {
                    strayAddresses.incrementAndGet();
                    driftLog.warn("stray " + o.address(), "{}: {} found on {} while this node is {}; removed it: only "
                            + "the master may hold it, two holders break clients (strayAddressPolicy REMOVE; counted in "
                            + "strayAddresses)", id, o.address(), id.interfaceName(), in);
                }
            }
        });
    }

    /** Address thread: reports the stray addresses still present and leaves them. */
    private void reportStrays(List<InterfaceAddress> addresses, RouterState in) {
        repair("checking stray", addresses, () -> {
            for (InterfaceAddress a : binder.present(id.interfaceName(), addresses)) {
                strayAddresses.incrementAndGet();
                driftLog.warn("stray " + a, "{}: {} found on {} while this node is {}; left in place "
                        + "(strayAddressPolicy REPORT): clients may reach this node instead of the master until it is "
                        + "removed (ip addr del {} dev {}); counted in strayAddresses", id, a, id.interfaceName(), in, a,
                        id.interfaceName());
            }
        });
    }

    /** A binder call of an address repair. */
    private interface BinderCall {
        void run() throws VipBinder.BindException;
    }

    private void repair(String attempted, List<InterfaceAddress> addresses, BinderCall call) {
        try {
            call.run();
        } catch (VipBinder.BindException | RuntimeException e) {
            bindErrors.incrementAndGet();
            log.error("{}: {} {} on {} failed: {}", id, attempted, addresses, id.interfaceName(), e.getMessage(), e);
        }
    }

    /**
     * Address repairs are logged at WARN once per address and kind per {@link #DRIFT_WARN_EVERY},
     * at DEBUG in between; the next WARN says how many there were meanwhile. A tool that keeps
     * removing an address must not fill the log (the counters keep the totals).
     */
    static final Duration DRIFT_WARN_EVERY = Duration.ofMinutes(1);
    private final RepeatLog driftLog = new RepeatLog();

    /** WARN the first time per key and then once per {@link #DRIFT_WARN_EVERY}; address thread only. */
    private final class RepeatLog {
        /** Per key: when the last WARN went out and how many were held back since; at most 2 keys per address. */
        private final Map<String, long[]> warned = new HashMap<>();

        void warn(String key, String format, Object... args) {
            long now = clock.nanoTime();
            long[] w = warned.get(key);
            if (w != null && now - w[0] < DRIFT_WARN_EVERY.toNanos()) {
                w[1]++;
                log.debug(format, args);
                return;
            }
            long held = w == null ? 0 : w[1];
            warned.put(key, new long[] {now, 0});
            log.warn(format + (held == 0 ? "" : " (" + held + " more like it since the last warning)"), args);
        }
    }

    /** Runs on the address thread, after the bind or unbind of this change: the listener-visible state. */
    private void publish(StateChange change) {
        synchronized (stateLock) {
            appliedState = change.to();
            stateLock.notifyAll();
        }
        listeners.dispatch(change);
    }

    // ------------------------------------------------------------------ VirtualRouter

    @Override
    public RouterId id() {
        return id;
    }

    @Override
    public RouterState state() {
        synchronized (stateLock) {
            return appliedState;
        }
    }

    @Override
    public boolean awaitState(RouterState state, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (stateLock) {
            while (appliedState != state) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(stateLock, left);
            }
            return true;
        }
    }

    @Override
    public RouterStats stats() {
        io.havip.vrrp.machine.VrrpStats vrrp = publishedVrrpStats();
        LivenessStats live = liveness == null ? LivenessStats.disabled()
                : liveness.stats().withDecisions(decisionCounters[1], decisionCounters[2], decisionCounters[3]);
        return new RouterStats(vrrp, lateTimers.get(), sendErrors.get(), receiveErrors.get(), bindErrors.get(),
                hookTimeouts.get(), decisionCounters[0], addressConflicts.get(), live, conflictAnswersSent.get(),
                announcedForNewMaster.get(), addressesRestored.get(), strayAddresses.get(), macChanges.get(),
                overloadDrops.get() + transport.overflowDrops(),
                binder.announcementsSent(id.interfaceName(), config.virtualAddresses()), hookRuns.get(), hookNanos.get(),
                takeovers.get(), takeoverNanos.get(),
                leaseStats.withKernel(kernelRefreshes.get(), kernelRefreshFailures.get(), kernelExpiries.get()));
    }

    /** Loop thread (or the constructor): publishes the machine's counters for {@link #stats()}. */
    private void publishStats() {
        long stamp = statsLock.writeLock();
        try {
            machine.statsInto(publishedStats);
        } finally {
            statsLock.unlockWrite(stamp);
        }
    }

    /** Any thread: the counters as last published. */
    private io.havip.vrrp.machine.VrrpStats publishedVrrpStats() {
        long[] copy = new long[publishedStats.length];
        long stamp = statsLock.tryOptimisticRead();
        System.arraycopy(publishedStats, 0, copy, 0, copy.length);
        if (!statsLock.validate(stamp)) {
            stamp = statsLock.readLock();
            try {
                System.arraycopy(publishedStats, 0, copy, 0, copy.length);
            } finally {
                statsLock.unlockRead(stamp);
            }
        }
        return io.havip.vrrp.machine.VrrpStats.of(copy);
    }

    /** The liveness monitor, or null without a secret (tests simulate a crash with it). */
    LivenessMonitor liveness() {
        return liveness;
    }

    @Override
    public int priority() {
        return priority;
    }

    @Override
    public void setPriority(int newPriority) {
        if (newPriority < 1 || newPriority > 255) {
            throw new IllegalArgumentException("priority " + newPriority + " is outside 1-255");
        }
        post(now -> apply(machine.setPriority(now, newPriority)));
    }

    /**
     * Waits until the engine thread has handled everything queued before this call (tests
     * under a {@link io.havip.core.ManualClock} advance the clock, then sync).
     */
    void sync() throws InterruptedException {
        CompletableFuture<Void> done = new CompletableFuture<>();
        post(now -> {
            fireDueTimers(now);
            done.complete(null);
        });
        try {
            // a router that left the loop handles no more events
            CompletableFuture.anyOf(done, stopped, loopDone).get(10, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(id + ": engine did not answer a sync", e);
        }
    }

    /** Waits until queued address work and listener hand-offs are done. */
    void syncAddressWork() throws InterruptedException {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (!addressWork(() -> done.complete(null))) {
            return; // closing: nothing more runs there
        }
        try {
            CompletableFuture.anyOf(done, stopped).get(10, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(id + ": address thread did not answer a sync", e);
        }
        // the task counts as pending until its executor has seen it return
        for (int i = 0; i < 10_000 && addressExecutor.pending() > 0 && !stopped.isDone(); i++) {
            Thread.onSpinWait();
        }
    }

    /** True when every packet taken off the transport has been handled by the engine thread (tests). */
    boolean packetsSettled() {
        return packetsReceived.get() == packetsHandled.get();
    }

    /** Packets taken off the transport and not handled or dropped yet (tests: bounded under a flood). */
    long packetsPending() {
        return packetsReceived.get() - packetsHandled.get();
    }

    /** Waits until address work and then the listener callbacks queued so far have run (tests). */
    void syncListeners() throws InterruptedException {
        syncAddressWork();
        listeners.flush();
    }

    /**
     * Another MAC claimed one of our addresses (a GARP, ARP reply or request, or an NA sent
     * from it). During a handover it is the new master's announcement. As master it is
     * counted and, when {@link ConflictAnswers} says so, answered with a fresh announcement
     * burst so clients come back to us (the usual cause is a stale holder left by a killed
     * process); a claim from this VRID's virtual MAC is another VRRP router taking over and
     * is answered only if it does not advertise in time.
     */
    public void addressConflict(IpAddress address, io.havip.core.net.MacAddress foreignMac) {
        post(now -> {
            if (handover.active()) {
                log.debug("{}: {} announced {} during the handover: clients follow the new master", id, foreignMac,
                        address);
                handover.onAnnouncement(now).ifPresent(this::release);
                return;
            }
            if (machine.state() != RouterState.MASTER) {
                return;
            }
            addressConflicts.incrementAndGet();
            long due = conflicts.onClaim(now, address, foreignMac);
            log.debug("{}: {} claims {}{}; answering in {} ms if still master", id, foreignMac, address,
                    conflicts.isVirtualMac(foreignMac) ? " (the virtual MAC of VRID " + id.vrid() + ")" : "",
                    Math.max(0, due - now) / 1_000_000);
        });
    }

    /** Sends the answer to a claim if one is due (engine thread; only a master answers). */
    private void answerConflictIfDue(long now) {
        if (conflicts.nextDeadlineNanos() > now) {
            return;
        }
        if (machine.state() != RouterState.MASTER || handover.active() || (gate != null && !gate.bound())) {
            conflicts.onLeftMaster(now, 0);
            return;
        }
        conflicts.poll(now).ifPresent(answer -> {
            conflictAnswersSent.incrementAndGet();
            boolean virtual = conflicts.isVirtualMac(answer.claimant());
            if (answer.firstForClaimant()) {
                log.warn("{}: {} claims {} which this master holds ({}); re-announcing", id, answer.claimant(),
                        answer.address(), virtual ? "the virtual MAC of VRID " + id.vrid()
                                + ", yet no router of it advertised in time: a stale holder?" : "a stale holder?");
            } else {
                log.debug("{}: {} claims {} again; re-announcing", id, answer.claimant(), answer.address());
            }
            addressWork(() -> reannounce(config.virtualAddresses()));
        });
    }

    /**
     * Called as the machine leaves MASTER (engine thread): a pending answer is dropped; if an
     * answer of ours overrode the new master's own announcement from the virtual MAC, the
     * addresses are announced at that MAC after they are released, so clients follow it.
     */
    private void leftMaster(RouterState to) {
        long now = clock.nanoTime();
        long newMasterInterval = to == RouterState.BACKUP ? machine.masterAdverInterval().toNanos() : 0;
        conflicts.onLeftMaster(now, newMasterInterval).ifPresent(mac -> {
            announcedForNewMaster.incrementAndGet();
            log.info("{}: yielded soon after answering a claim from {}, the virtual MAC of VRID {}: announcing {} at "
                    + "it so clients follow the new master", id, mac, id.vrid(), config.virtualAddresses());
            addressWork(() -> {
                try {
                    binder.announceAt(id.interfaceName(), config.virtualAddresses(), mac);
                } catch (VipBinder.BindException | RuntimeException e) {
                    bindErrors.incrementAndGet();
                    log.warn("{}: announcing {} at {} failed: {}", id, config.virtualAddresses(), mac, e.getMessage());
                }
            });
        });
    }

    /**
     * {@code address} disappeared from {@code interfaceName} (the link monitor's thread; every
     * address of the namespace comes here): the router's own addresses on its interface go to
     * the machine, which decides by its state whether that needs repair.
     */
    public void addressRemoved(String interfaceName, InterfaceAddress address) {
        addressReport(interfaceName, address, true);
    }

    /** {@code address} appeared on {@code interfaceName}; see {@link #addressRemoved}. */
    public void addressAdded(String interfaceName, InterfaceAddress address) {
        addressReport(interfaceName, address, false);
    }

    private void addressReport(String interfaceName, InterfaceAddress address, boolean lost) {
        if (id.interfaceName().equals(interfaceName) && config.addresses().contains(address.address())) {
            post(new AddressReport(this, address, lost));
        }
    }

    /** A peer's death ({@code died}) or lost channel from the liveness monitor, for the loop; see {@link AddressReport}. */
    private record PeerReport(Engine engine, IpAddress peer, boolean died) implements Consumer<Long> {
        @Override
        public void accept(Long now) {
            if (died) {
                engine.livenessReport(now, peer);
            } else {
                engine.livenessLost(now, peer);
            }
        }
    }

    /**
     * An address event for the loop. A class loaded with the engine rather than a lambda: the
     * first event is usually our own bind's, right at a takeover, when linking a lambda (a
     * millisecond of interpreted work) would compete with the first GARP.
     */
    private record AddressReport(Engine engine, InterfaceAddress address, boolean lost) implements Consumer<Long> {
        @Override
        public void accept(Long now) {
            List<InterfaceAddress> addresses = List.of(address);
            VrrpMachine machine = engine.machine;
            engine.apply(lost ? machine.onAddressesLost(now, addresses) : machine.onAddressesFound(now, addresses));
        }
    }

    /** The MAC of {@code interfaceName} changed to {@code mac} (the link monitor's thread). */
    public void macChanged(String interfaceName, io.havip.core.net.MacAddress mac) {
        if (!id.interfaceName().equals(interfaceName)) {
            return;
        }
        post(now -> {
            List<Action> actions = machine.onMacChanged(now, interfaceName);
            if (!actions.isEmpty()) {
                macChanges.incrementAndGet();
                log.info("{}: the MAC of {} changed to {}; re-announcing {} from it (counted in macChanges)", id,
                        interfaceName, mac, config.addresses());
            }
            apply(actions);
        });
    }

    /** Feeds a link up/down event (from the link monitor) to the machine's interface trackers. */
    public void interfaceChanged(String interfaceName, boolean up) {
        post(now -> apply(machine.onInterfaceChange(now, interfaceName, up)));
    }

    @Override
    public void addListener(FailoverListener listener) {
        listeners.add(listener);
    }

    @Override
    public void addListener(FailoverListener listener, Executor executor) {
        listeners.add(listener, executor);
    }

    @Override
    public void removeListener(FailoverListener listener) {
        listeners.remove(listener);
    }

    @Override
    public String toString() {
        return "VirtualRouter[" + id + " " + state() + " priority " + priority + "]";
    }

    static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
