package io.havip.vrrp.sim;

import io.havip.core.RouterState;
import io.havip.core.TransitionReason;
import io.havip.core.net.IpAddress;
import io.havip.core.net.MacAddress;
import io.havip.vrrp.codec.VrrpCodec;
import io.havip.vrrp.machine.Action;
import io.havip.vrrp.machine.ConflictAnswers;
import io.havip.vrrp.machine.Handover;
import io.havip.vrrp.machine.LivenessDeaths;
import io.havip.vrrp.machine.RouterConfig;
import io.havip.vrrp.machine.SyncGroup;
import io.havip.vrrp.machine.VrrpMachine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A discrete-event simulation of hosts on one segment, each running one havip process with one
 * or more virtual routers, driven the way {@code Engine} drives them once it is rewired
 * (ENGINE_WIRING.md): per router a {@link VrrpMachine}, a {@link Handover}, a
 * {@link LivenessDeaths} and a {@link ConflictAnswers}; per host optionally one
 * {@link SyncGroup} over all its routers. Under a virtual clock with seeded delay, loss and
 * partitions it carries adverts (encoded and decoded), gratuitous ARPs (announcements a client
 * follows, and the conflict reports the other hosts' routers get when announcements are
 * visible) and the liveness channel's reports (channel lost, process died).
 *
 * <p>Faults: a process dies (SIGKILL on a live host: no priority 0, no goodbye; its addresses
 * stay on the interface, a stale holder; its peers' channels end, then the death is confirmed),
 * a process closes (make-before-break handover), a host dies (nothing is reported), a live
 * master's channel drops (with or without a mistaken death report), links go down (trackers),
 * partitions, loss.
 *
 * <p>Invariants checked at every step, collected in {@link #violations()}: binds only as
 * MASTER and binds / unbinds alternate; a handover releases only after another host announced
 * the address since it began, or once its bound passed (checked against the times the
 * simulation saw, not the object's word); a liveness death is acted on at most once per
 * {@link LivenessDeaths#HOLDDOWN} per router and peer; and at <i>rest</i> (after every event at
 * one instant is processed, i.e. before virtual time moves on) the running members of a sync
 * group are all in one state. Every event is written to {@link #trace()}.
 */
final class Cluster {

    static final long MS = 1_000_000L;

    /** One virtual router of a host, driven as the engine drives it. */
    final class Router {
        final Host host;
        final RouterConfig config;
        VrrpMachine machine;
        Handover handover;
        LivenessDeaths deaths;
        ConflictAnswers conflicts;
        boolean bound;
        /** The process closed this router (handover over, or none needed). */
        boolean stopped;
        long timerGeneration;
        /** The deadline of the timer event queued for this router (valid while its generation is current). */
        long armedDeadline = Long.MAX_VALUE;
        long handoverBegan = -1;
        long advertHeardInHandover = -1;
        long othersAnnouncedSince = -1;
        final Map<IpAddress, Long> deathActedAt = new HashMap<>();
        long conflictAnswers;
        long masterSince = -1;
        /** When it last left MASTER for BACKUP. */
        long yieldedAt = -1;
        long lastClaimHeardAt = -1;
        long lastAnswerAt = -1;

        Router(Host host, RouterConfig config) {
            this.host = host;
            this.config = config;
        }

        String name() {
            return host.name + "/" + config.router().vrid();
        }

        RouterState state() {
            return host.process && machine != null ? machine.state() : RouterState.STOP;
        }

        /**
         * While a handover runs only its bound counts (the engine's deadline also took a pending
         * conflict answer, which nothing fires then: its loop spun until the handover ended).
         */
        long nextDeadline() {
            if (handover.active()) {
                return handover.nextDeadlineNanos();
            }
            return Math.min(machine.nextDeadlineNanos(), Math.min(conflicts.nextDeadlineNanos(), deaths.nextDeadlineNanos()));
        }

        @Override
        public String toString() {
            return name() + "[" + state() + (bound ? " bound" : "") + (handover != null && handover.active()
                    ? " handing over" : "") + "]";
        }
    }

    /** A host with one network interface per VRID (all on the segment) and one process. */
    final class Host {
        final String name;
        final IpAddress address;
        final MacAddress mac;
        final List<Router> routers = new ArrayList<>();
        boolean up = true;
        boolean process;
        boolean groupRouters;
        SyncGroup group;
        boolean announcementsVisible;
        boolean liveness;
        Duration grace = LivenessDeaths.HOLDDOWN;
        Duration handoverTimeout = Duration.ZERO;
        /** Virtual addresses on the host's interfaces (they outlive a killed process). */
        final Set<IpAddress> held = new HashSet<>();
        int incarnation;
        boolean restartWhenStopped;

        Host(String name, IpAddress address, MacAddress mac) {
            this.name = name;
            this.address = address;
            this.mac = mac;
        }

        Router router(int vrid) {
            return routers.stream().filter(r -> r.config.router().vrid() == vrid).findFirst().orElseThrow();
        }

        @Override
        public String toString() {
            return name + (up ? process ? "" : "(no process)" : "(down)") + routers + (held.isEmpty() ? "" : " holds "
                    + held);
        }
    }

    private record Event(long at, long seq, String label, Runnable run) {
    }

    private final Random random;
    private final PriorityQueue<Event> queue = new PriorityQueue<>(
            (a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
    private final Map<String, Host> hosts = new LinkedHashMap<>();
    private final Map<String, Integer> side = new HashMap<>();
    private final List<Simulation.Transition> transitions = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();
    private final List<String> trace = new ArrayList<>();
    private final List<Consumer<Cluster>> observers = new ArrayList<>();
    /** What a client on the segment last learnt for each address: the MAC it sends to. */
    private final Map<IpAddress, MacAddress> clientView = new HashMap<>();
    private final List<long[]> livenessTakeovers = new ArrayList<>();
    private long staleAdvertReleases;
    private boolean traced;
    private long now;
    private long lastStart;
    private long seq;
    private double loss;
    private long minDelay = 50_000;
    private long maxDelay = 2_000_000;
    /** Liveness report delays: the kernel's RST, then the confirmation (at most the monitor's 500 ms window). */
    private long maxLostDelay = 5 * MS;
    private long maxConfirmDelay = 400 * MS;

    Cluster(long seed) {
        this.random = new Random(seed);
    }

    // ---------------------------------------------------------------- set-up

    Host host(String name, String address, long macSuffix) {
        Host h = new Host(name, IpAddress.parse(address), new MacAddress(0x0200_0000_0000L | macSuffix));
        hosts.put(name, h);
        side.put(name, 0);
        return h;
    }

    void addRouter(Host h, RouterConfig config) {
        h.routers.add(new Router(h, config));
    }

    Host host(String name) {
        return hosts.get(name);
    }

    Collection<Host> hosts() {
        return hosts.values();
    }

    void setLoss(double p) {
        loss = p;
    }

    void setDelay(long min, long max) {
        minDelay = min;
        maxDelay = max;
    }

    long maxDelay() {
        return maxDelay;
    }

    void setLivenessDelays(long maxLost, long maxConfirm) {
        maxLostDelay = maxLost;
        maxConfirmDelay = maxConfirm;
    }

    void partition(Set<String> oneSide) {
        log("partition " + oneSide);
        side.replaceAll((k, v) -> oneSide.contains(k) ? 1 : 0);
    }

    void heal() {
        log("heal");
        side.replaceAll((k, v) -> 0);
    }

    void at(long at, String label, Runnable action) {
        queue.add(new Event(at, seq++, label, action));
    }

    /** Called at rest: after the last event of an instant, before virtual time moves on. */
    void observe(Consumer<Cluster> observer) {
        observers.add(observer);
    }

    // ---------------------------------------------------------------- processes and faults

    /** Starts the host's process: reconciliation (stale addresses removed unless owner), then every router. */
    void start(Host h) {
        if (!h.up || h.process) {
            return;
        }
        log("start " + h.name);
        h.process = true;
        lastStart = now;
        h.incarnation++;
        List<VrrpMachine> machines = new ArrayList<>();
        for (Router r : h.routers) {
            r.machine = new VrrpMachine(r.config, h.address);
            r.handover = new Handover(h.handoverTimeout);
            if (h.announcementsVisible) {
                r.handover.announcementsVisible();
            }
            r.deaths = new LivenessDeaths(h.grace);
            r.conflicts = new ConflictAnswers(r.config.router().vrid(), r.config.router().family(),
                    r.config.advertInterval());
            r.bound = false;
            r.stopped = false;
            r.handoverBegan = -1;
            r.armedDeadline = Long.MAX_VALUE;
            r.masterSince = -1;
            r.lastClaimHeardAt = -1;
            r.lastAnswerAt = -1;
            if (!r.config.addressOwner()) {
                r.config.addresses().forEach(h.held::remove);
            }
            machines.add(r.machine);
        }
        h.group = h.groupRouters && machines.size() > 1 ? new SyncGroup(h.name, machines) : null;
        for (Router r : h.routers) {
            apply(r, r.machine.start(now));
        }
        settle(h);
    }

    /** The process is killed on a live host: no goodbye; addresses stay; the peers' channels end. */
    void kill(Host h) {
        if (!h.process) {
            return;
        }
        log("kill " + h.name + " (process; the host lives)");
        h.process = false;
        for (Router r : h.routers) {
            r.bound = false; // the process no longer holds them; the kernel still does (h.held)
        }
        if (h.liveness) {
            for (Host peer : hosts.values()) {
                if (peer != h) {
                    // The segment delivers in order: the channel's end follows any advert sent before the death
                    // (an advert handled after the loss would read as a sign of life).
                    long lost = now + maxDelay + delay(50_000, maxLostDelay);
                    long died = lost + delay(200_000, maxConfirmDelay);
                    channelLost(peer, h, lost);
                    processDied(peer, h, died);
                }
            }
        }
    }

    /** The host dies: its addresses vanish, nothing is reported on the liveness channel. */
    void crash(Host h) {
        log("crash " + h.name);
        h.process = false;
        h.up = false;
        h.held.clear();
        h.routers.forEach(r -> r.bound = false);
    }

    void boot(Host h) {
        if (h.up) {
            return;
        }
        log("boot " + h.name);
        h.up = true;
        start(h);
    }

    /** A planned close (no hooks): each router as {@code Engine.beginShutdown}. */
    void close(Host h) {
        if (!h.process || h.routers.stream().allMatch(r -> r.stopped)) {
            return;
        }
        log("close " + h.name);
        for (Router r : h.routers) {
            if (r.stopped || r.machine.state() == RouterState.STOP) {
                continue;
            }
            r.deaths.clear();
            boolean wasBound = r.bound;
            List<Action> now = r.handover.begin(this.now, r.machine.shutdown(this.now));
            apply(r, now);
            if (wasBound && !h.handoverTimeout.isZero() && (!r.handover.active() || !r.bound)) {
                violation(r.name() + " released its address at close without waiting for a new master");
            }
            if (r.handover.active()) {
                r.handoverBegan = this.now;
                r.advertHeardInHandover = -1;
                r.othersAnnouncedSince = -1;
            } else {
                r.stopped = true;
            }
        }
        settle(h);
        maybeExit(h);
    }

    /** After a close, restart the process as soon as every router stopped (a handover may still run). */
    void restartAfterClose(Host h) {
        h.restartWhenStopped = true;
        maybeExit(h);
    }

    private void maybeExit(Host h) {
        if (h.process && h.routers.stream().allMatch(r -> r.stopped)) {
            log("exit " + h.name);
            h.process = false;
            if (h.restartWhenStopped) {
                h.restartWhenStopped = false;
                start(h);
            }
        }
    }

    /** The host's interface for {@code vrid} goes down or up (the router's weight-0 tracker). */
    void link(Host h, int vrid, boolean upNow) {
        if (!h.process) {
            return;
        }
        Router r = h.router(vrid);
        log("link " + r.name() + (upNow ? " up" : " down"));
        apply(r, r.machine.onInterfaceChange(now, r.config.router().interfaceName(), upNow));
        settle(h);
    }

    void setPriority(Host h, int priority) {
        if (!h.process) {
            return;
        }
        log("priority " + h.name + "=" + priority);
        for (Router r : h.routers) {
            if (r.machine.state() != RouterState.STOP) {
                apply(r, r.machine.setPriority(now, priority));
            }
        }
        settle(h);
    }

    /** The channel from {@code to} to {@code about} ends without goodbye at {@code at} (reported to {@code to}). */
    void channelLost(Host to, Host about, long at) {
        int incarnation = to.incarnation;
        at(at, "channel to " + about.name + " lost, reported to " + to.name, () -> {
            if (!to.process || to.incarnation != incarnation || !to.liveness) {
                return;
            }
            for (Router r : to.routers) {
                if (!r.stopped) {
                    r.deaths.onChannelLost(now, about.address, !r.handover.active() && r.machine.follows(about.address));
                }
            }
            settle(to);
        });
    }

    /** {@code to} hears that {@code about}'s process died (true or mistaken, the channel cannot tell). */
    void processDied(Host to, Host about, long at) {
        int incarnation = to.incarnation;
        at(at, "process of " + about.name + " died, reported to " + to.name, () -> {
            if (!to.process || to.incarnation != incarnation || !to.liveness) {
                return;
            }
            for (Router r : to.routers) {
                if (!r.stopped) {
                    LivenessDeaths.Decision d = r.deaths.onProcessDied(now, about.address,
                            !r.handover.active() && r.machine.follows(about.address));
                    log("  " + r.name() + ": " + d.verdict() + (d.deadlineNanos() >= 0 ? " until "
                            + Duration.ofNanos(d.deadlineNanos()) : ""));
                }
            }
            settle(to);
        });
    }

    /** A host whose process is dead and whose kernel still holds an address answers for it (a stale holder). */
    void staleClaim(Host h) {
        if (h.up && !h.process && !h.held.isEmpty()) {
            log("stale " + h.name + " answers for " + h.held);
            for (IpAddress a : List.copyOf(h.held)) {
                announce(h, a, h.mac);
            }
        }
    }

    /** Someone announces {@code address} from {@code mac} (a stale FRR macvlan, a forger): no advert follows. */
    void phantomClaim(IpAddress address, MacAddress mac) {
        log("phantom " + mac + " claims " + address);
        announce(null, address, mac);
    }

    // ---------------------------------------------------------------- running

    long now() {
        return now;
    }

    void runUntil(long until) {
        while (!queue.isEmpty() && queue.peek().at <= until) {
            Event e = queue.poll();
            now = e.at;
            if (e.label != null) {
                log(e.label);
            }
            e.run.run();
            if (queue.isEmpty() || queue.peek().at > now) {
                atRest();
                for (Consumer<Cluster> o : observers) {
                    o.accept(this);
                }
            }
        }
        now = Math.max(now, until);
    }

    // ---------------------------------------------------------------- observations

    List<Router> routers(int vrid) {
        List<Router> out = new ArrayList<>();
        for (Host h : hosts.values()) {
            for (Router r : h.routers) {
                if (r.config.router().vrid() == vrid) {
                    out.add(r);
                }
            }
        }
        return out;
    }

    List<Router> masters(int vrid) {
        return routers(vrid).stream().filter(r -> r.state() == RouterState.MASTER).toList();
    }

    /** Hosts whose interface holds {@code address} (bound by the process, or left by a killed one). */
    List<Host> holders(IpAddress address) {
        return hosts.values().stream().filter(h -> h.up && h.held.contains(address)).toList();
    }

    /** Handovers ended by an advert a router sent as master just before it yielded to us (see release). */
    long staleAdvertReleases() {
        return staleAdvertReleases;
    }

    /** When a process last started. */
    long lastStart() {
        return lastStart;
    }

    MacAddress clientView(IpAddress address) {
        return clientView.get(address);
    }

    List<Simulation.Transition> transitions() {
        return transitions;
    }

    /** Liveness takeovers: {at, vrid} of each MASTER transition with reason MASTER_PROCESS_DIED. */
    List<long[]> livenessTakeovers() {
        return livenessTakeovers;
    }

    List<String> violations() {
        return violations;
    }

    List<String> trace() {
        return trace;
    }

    /** Writes every event to {@link #trace()} from now on (off by default: a run is replayed traced). */
    void traced() {
        traced = true;
    }

    boolean isTraced() {
        return traced;
    }

    void log(String line) {
        if (traced) {
            trace.add(Duration.ofNanos(now) + " " + line);
        }
    }

    void violation(String what) {
        violations.add(Duration.ofNanos(now) + ": " + what);
        log("VIOLATION " + what);
    }

    // ---------------------------------------------------------------- the engine, as rewired

    private void onPacket(Router r, IpAddress src, IpAddress dst, byte[] bytes) {
        if (r.stopped) {
            return;
        }
        if (r.handover.active()) {
            int priority = r.machine.advertPriority(src, dst, VrrpMachine.REQUIRED_TTL, bytes);
            boolean fromPeer = !src.equals(r.host.address) && r.machine.acceptsSource(src);
            if (priority > 0 && fromPeer && r.advertHeardInHandover < 0) {
                r.advertHeardInHandover = now;
            }
            r.handover.onAdvert(now, src, priority, fromPeer).ifPresent(rel -> release(r, rel));
            return;
        }
        if (r.deaths.watches(src)
                && r.deaths.onAdvert(now, src, r.machine.advertPriority(src, dst, VrrpMachine.REQUIRED_TTL, bytes))) {
            log("  " + r.name() + ": advert from " + src + " within the grace; it lives");
        }
        apply(r, r.machine.onPacket(now, src, dst, VrrpMachine.REQUIRED_TTL, bytes));
    }

    private void onTimer(Router r) {
        if (r.stopped) {
            return;
        }
        if (r.handover.active()) {
            r.handover.onTimer(now).ifPresent(rel -> release(r, rel));
            return;
        }
        r.deaths.onTimer(now).ifPresent(peer -> {
            Long last = r.deathActedAt.put(peer, now);
            if (last != null && now - last < LivenessDeaths.HOLDDOWN.toNanos()) {
                violation(r.name() + " acted on " + peer + "'s death twice within the hold-down ("
                        + Duration.ofNanos(now - last) + ")");
            }
            log("  " + r.name() + ": acting on " + peer + "'s death");
            apply(r, r.machine.onMasterProcessDied(now, peer));
        });
        if (r.machine.nextDeadlineNanos() <= now) {
            apply(r, r.machine.onTimer(now));
        }
        answerConflictIfDue(r);
    }

    private void release(Router r, Handover.Release rel) {
        log("  " + r.name() + ": handover ends, " + rel.reason());
        switch (rel.reason()) {
            case NEW_MASTER_ADVERTISED, NEW_MASTER_ANNOUNCED -> {
                // Announced since the handover began, or earlier by a master that still holds it (two masters
                // before the close: the other one's advert ends the handover).
                boolean othersHold = routers(r.config.router().vrid()).stream()
                        .anyMatch(x -> x != r && x.bound && x.config.addresses().equals(r.config.addresses()));
                // Known race without visible announcements: a router that was master moments before (loss made
                // it take over, it yielded to us) has an advert in flight when we close; it ends the handover
                // although that router holds nothing any more. It takes over Skew_Time later on our priority 0.
                boolean staleAdvert = rel.reason() == Handover.Reason.NEW_MASTER_ADVERTISED
                        && routers(r.config.router().vrid()).stream().anyMatch(x -> x != r && x.yieldedAt >= 0
                        && x.yieldedAt >= r.handoverBegan - maxDelay && x.config.addresses().equals(r.config.addresses()));
                if (r.othersAnnouncedSince < 0 && !othersHold && staleAdvert) {
                    staleAdvertReleases++;
                    log("  (released on an advert sent before the close by a master that has yielded since)");
                } else if (r.othersAnnouncedSince < 0 && !othersHold) {
                    violation(r.name() + " released (" + rel.reason() + ") before another host announced the address");
                }
            }
            case ANNOUNCEMENT_NOT_SEEN -> {
                if (r.advertHeardInHandover < 0
                        || now < r.advertHeardInHandover + Handover.ANNOUNCEMENT_AFTER_ADVERT.toNanos()
                        && now < r.handoverBegan + r.handover.timeout().toNanos()) {
                    violation(r.name() + " released (" + rel.reason() + ") before the bound after the advert");
                }
            }
            case TIMED_OUT -> {
                if (now < r.handoverBegan + r.handover.timeout().toNanos()) {
                    violation(r.name() + " released (timed out) before the timeout");
                }
            }
        }
        apply(r, rel.actions());
        r.stopped = true;
        settle(r.host);
        maybeExit(r.host);
    }

    private void addressConflict(Router r, IpAddress address, MacAddress mac) {
        if (r.stopped) {
            return;
        }
        if (r.handover.active()) {
            r.handover.onAnnouncement(now).ifPresent(rel -> release(r, rel));
            return;
        }
        if (r.machine.state() != RouterState.MASTER) {
            return;
        }
        r.lastClaimHeardAt = now;
        long due = r.conflicts.onClaim(now, address, mac);
        log("  " + r.name() + ": " + mac + " claims " + address + ", answer due " + Duration.ofNanos(due));
    }

    private void answerConflictIfDue(Router r) {
        if (r.conflicts.nextDeadlineNanos() > now) {
            return;
        }
        if (r.machine.state() != RouterState.MASTER || r.handover.active()) {
            r.conflicts.onLeftMaster(now, 0);
            return;
        }
        r.conflicts.poll(now).ifPresent(answer -> {
            r.conflictAnswers++;
            r.lastAnswerAt = now;
            log("  " + r.name() + ": answers " + answer.claimant() + "'s claim of " + answer.address());
            r.config.addresses().forEach(a -> announce(r.host, a, r.host.mac));
        });
    }

    private void leftMaster(Router r, RouterState to) {
        long interval = to == RouterState.BACKUP ? r.machine.masterAdverInterval().toNanos() : 0;
        r.conflicts.onLeftMaster(now, interval).ifPresent(mac -> {
            log("  " + r.name() + ": announcing at " + mac + " for the new master");
            r.config.addresses().forEach(a -> announce(r.host, a, mac));
        });
    }

    /** After any input to a host: the sync group follows up, then every router's timer is armed again. */
    private void settle(Host h) {
        if (h.group != null && h.process) {
            for (SyncGroup.MemberActions m : h.group.reconcile(now)) {
                Router r = h.routers.stream().filter(x -> x.machine == m.member()).findFirst().orElseThrow();
                apply(r, m.actions());
            }
        }
        for (Router r : h.routers) {
            if (r.machine != null) {
                arm(r);
            }
        }
    }

    private void arm(Router r) {
        long deadline = !r.host.process || r.stopped ? Long.MAX_VALUE : Math.max(r.nextDeadline(), now);
        if (deadline == r.armedDeadline) {
            return; // the queued timer event stands
        }
        long generation = ++r.timerGeneration;
        r.armedDeadline = deadline;
        if (deadline == Long.MAX_VALUE) {
            return;
        }
        int incarnation = r.host.incarnation;
        at(deadline, null, () -> {
            if (r.host.process && r.host.incarnation == incarnation && r.timerGeneration == generation) {
                r.armedDeadline = Long.MAX_VALUE;
                onTimer(r);
                settle(r.host);
            }
        });
    }

    private void apply(Router r, List<Action> actions) {
        Host h = r.host;
        for (Action a : actions) {
            if (a instanceof Action.SendAdvert s) {
                send(h, s);
            } else if (a instanceof Action.BindAddresses) {
                check(r.machine.state() == RouterState.MASTER, r, "binds in state " + r.machine.state());
                check(!r.bound, r, "binds twice");
                r.bound = true;
                h.held.addAll(r.config.addresses());
                r.config.addresses().forEach(ad -> announce(h, ad, h.mac));
            } else if (a instanceof Action.UnbindAddresses) {
                check(r.bound, r, "unbinds what it does not hold");
                check(r.machine.state() != RouterState.MASTER, r, "unbinds while MASTER");
                r.bound = false;
                r.config.addresses().forEach(h.held::remove);
            } else if (a instanceof Action.Reannounce) {
                check(r.bound, r, "reannounces what it does not hold");
                r.config.addresses().forEach(ad -> announce(h, ad, h.mac));
            } else if (a instanceof Action.NotifyStateChange c) {
                log("  " + r.name() + ": " + c.from() + " -> " + c.to() + " (" + c.reason() + ", priority "
                        + c.priority() + ")");
                transitions.add(new Simulation.Transition(now, r.name(), c.from(), c.to(), c.reason(), 0));
                if (c.to() == RouterState.MASTER) {
                    r.masterSince = now;
                }
                if (c.to() == RouterState.MASTER && c.reason() == TransitionReason.MASTER_PROCESS_DIED) {
                    livenessTakeovers.add(new long[] {now, r.config.router().vrid()});
                }
                if (c.from() == RouterState.MASTER) {
                    if (c.to() == RouterState.BACKUP) {
                        r.yieldedAt = now;
                    }
                    leftMaster(r, c.to());
                }
            }
        }
    }

    private void check(boolean ok, Router r, String what) {
        if (!ok) {
            violation(r.name() + " " + what);
        }
    }

    /** Members of a sync group that run must rest in one state (after all events of an instant). */
    private void atRest() {
        for (Host h : hosts.values()) {
            if (h.group == null || !h.process) {
                continue;
            }
            Set<RouterState> states = new HashSet<>();
            for (Router r : h.routers) {
                RouterState s = r.machine.state();
                if (s != RouterState.INITIALIZE && s != RouterState.STOP) {
                    states.add(s);
                }
            }
            if (states.size() > 1) {
                violation("sync group of " + h.name + " rests split: " + h.routers);
            }
        }
    }

    private long delay(long min, long max) {
        return min + (max > min ? (long) (random.nextDouble() * (max - min)) : 0);
    }

    private boolean reaches(String from, String to) {
        return side.get(from).equals(side.get(to)) && random.nextDouble() >= loss;
    }

    private void send(Host from, Action.SendAdvert s) {
        for (IpAddress dst : s.destinations()) {
            byte[] bytes = VrrpCodec.encode(s.advertisement(), from.address, dst);
            for (Host to : hosts.values()) {
                if (to == from || !dst.equals(RouterConfig.MULTICAST_V4) && !to.address.equals(dst) || !reaches(from.name, to.name)) {
                    continue;
                }
                int incarnation = to.incarnation;
                at(now + delay(minDelay, maxDelay), null, () -> {
                    if (!to.process || to.incarnation != incarnation) {
                        return;
                    }
                    for (Router r : to.routers) {
                        if (r.config.router().vrid() == (bytes[1] & 0xff)) { // the runtime demuxes by VRID
                            onPacket(r, from.address, dst, bytes);
                        }
                    }
                    settle(to);
                });
            }
        }
    }

    /**
     * A gratuitous ARP for {@code address} from {@code mac} (from host {@code from}, or from no
     * host): the client follows it; every other host's routers that have the address
     * get a conflict report when announcements are visible there.
     */
    private void announce(Host from, IpAddress address, MacAddress mac) {
        String origin = from == null ? null : from.name;
        boolean byAMaster = from != null && from.routers.stream()
                .anyMatch(r -> r.bound && r.config.addresses().contains(address));
        for (Router r : routers(vridOf(address))) {
            if (byAMaster && r.host != from && r.handover != null && r.handover.active()
                    && r.config.addresses().contains(address)) {
                r.othersAnnouncedSince = now; // the new master's own announcement (a stale holder's does not count)
            }
        }
        // The client hears every announcement (a partition cuts the routers' VRRP traffic, not the client's
        // segment; loss applies).
        if (random.nextDouble() >= loss) {
            at(now + delay(minDelay, maxDelay), null, () -> clientView.put(address, mac));
        }
        for (Host to : hosts.values()) {
            if (to == from || !to.announcementsVisible || origin != null && !reaches(origin, to.name)) {
                continue;
            }
            int incarnation = to.incarnation;
            at(now + delay(minDelay, maxDelay), null, () -> {
                if (!to.process || to.incarnation != incarnation || mac.equals(to.mac)) {
                    return;
                }
                for (Router r : to.routers) {
                    if (r.config.addresses().contains(address)) {
                        addressConflict(r, address, mac);
                    }
                }
                settle(to);
            });
        }
    }

    private int vridOf(IpAddress address) {
        for (Host h : hosts.values()) {
            for (Router r : h.routers) {
                if (r.config.addresses().contains(address)) {
                    return r.config.router().vrid();
                }
            }
        }
        return -1;
    }

    @Override
    public String toString() {
        return "t=" + Duration.ofNanos(now) + " " + hosts.values();
    }
}
