package io.havip.vrrp.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.havip.core.RouterId;
import io.havip.core.RouterState;
import io.havip.core.TransitionReason;
import io.havip.core.net.IpAddress;
import io.havip.core.net.IpFamily;
import io.havip.core.net.MacAddress;
import io.havip.vrrp.codec.VrrpVersion;
import io.havip.vrrp.machine.LivenessDeaths;
import io.havip.vrrp.machine.RouterConfig;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;

/**
 * Seeded random schedules on {@link Cluster}, 1000 per kind, for what the engine decided
 * outside the machine until now: planned handover, liveness deaths and refusals, address
 * conflicts, sync groups. Each schedule ends with the faults stopped (healed, no loss, every
 * process running again); then exactly one master per virtual router, the only holder of its
 * address, from Master_Down_Interval plus one advert interval (and the delays) after the last
 * start; and the step invariants of {@link Cluster} all along. A failing seed prints its plan
 * and the end of its trace; replay one with
 * {@code -Dhavip.sim.kind=handover|liveness|conflicts|syncgroups -Dhavip.sim.seed=N
 * -Dtest=ProtocolScheduleTest#replay} (the whole trace is printed).
 */
class ProtocolScheduleTest {

    static final int SCHEDULES = 1000;
    static final long MS = Cluster.MS;
    static final int TRACE_TAIL = 60;
    /** Conflict schedules that end with the client following a MAC the master never heard claim the address. */
    static final java.util.concurrent.atomic.AtomicLong CLIENTS_ELSEWHERE = new java.util.concurrent.atomic.AtomicLong();
    /** Handovers released on the advert of a router that had been master a moment and yielded ({@link Cluster}). */
    static final java.util.concurrent.atomic.AtomicLong STALE_ADVERT_RELEASES = new java.util.concurrent.atomic.AtomicLong();

    @Test
    void plannedHandoverNeverReleasesBeforeTheNewMasterAnnounced() {
        STALE_ADVERT_RELEASES.set(0);
        runAll("handover", ProtocolScheduleTest::handover);
        System.out.println("handover: " + STALE_ADVERT_RELEASES + " of " + SCHEDULES + " schedules released on an advert "
                + "sent just before the close by a router that had been master for a moment and yielded (known race "
                + "without visible announcements)");
    }

    @Test
    void livenessDeathsTakeOverFastAtMostOncePerHoldDownAndRefusalsHold() {
        runAll("liveness", ProtocolScheduleTest::liveness);
    }

    @Test
    void addressConflictsAreAnsweredByTheMasterThatHeardThem() {
        CLIENTS_ELSEWHERE.set(0);
        runAll("conflicts", ProtocolScheduleTest::conflicts);
        System.out.println("conflicts: " + CLIENTS_ELSEWHERE + " of " + SCHEDULES + " schedules end with the client at a "
                + "MAC whose claim the master could not hear (cut off by a partition, then gone)");
    }

    @Test
    void syncGroupMembersNeverRestApartAndMoveTogether() {
        runAll("syncgroups", ProtocolScheduleTest::syncGroups);
    }

    @Test
    void replay() {
        String kind = System.getProperty("havip.sim.kind", "handover");
        long seed = Long.getLong("havip.sim.seed", 1);
        Schedule s = switch (kind) {
            case "liveness" -> liveness(seed);
            case "conflicts" -> conflicts(seed);
            case "syncgroups" -> syncGroups(seed);
            default -> handover(seed);
        };
        s.cluster.traced();
        String failure = s.run();
        s.cluster.trace().forEach(System.out::println);
        assertThat(failure).as(kind + " seed " + seed).isNull();
    }

    private static void runAll(String kind, LongFunction<Schedule> make) {
        long cpu = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        List<String> failures = new ArrayList<>();
        for (long seed = 1; seed <= SCHEDULES; seed++) {
            String failure = make.apply(seed).run();
            if (failure != null) {
                Schedule s = make.apply(seed); // deterministic: the same run again, traced
                s.cluster.traced();
                s.run();
                List<String> trace = s.cluster.trace();
                failures.add(kind + " seed " + seed + ": " + failure + "\n  plan: " + s.plan + "\n  replay: -Dhavip.sim.kind="
                        + kind + " -Dhavip.sim.seed=" + seed + " -Dtest=ProtocolScheduleTest#replay\n  trace (last "
                        + TRACE_TAIL + " lines):\n    " + String.join("\n    ",
                        trace.subList(Math.max(0, trace.size() - TRACE_TAIL), trace.size())));
            }
        }
        System.out.printf(Locale.ROOT, "%s: %d schedules in %.1f s of CPU%n", kind, SCHEDULES,
                (ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpu) / 1e9);
        assertThat(failures).as(kind + ": failing seeds").isEmpty();
    }

    // ------------------------------------------------------------------ one schedule

    /** A cluster, its plan (for the failure message) and the end-of-run checks. */
    static final class Schedule {
        final long seed;
        final Random r;
        final Cluster cluster;
        final StringBuilder plan = new StringBuilder();
        final List<Cluster.Host> hosts = new ArrayList<>();
        final List<Integer> vrids = new ArrayList<>();
        final List<String> problems = new ArrayList<>();
        Duration interval;
        Duration longestHandover = Duration.ZERO;
        long i;
        long faultsEnd;
        boolean checkClientView;

        Schedule(long seed) {
            this.seed = seed;
            this.r = new Random(seed);
            this.cluster = new Cluster(seed);
        }

        void intervalAndDelays() {
            int v = r.nextInt(4);
            interval = v == 0 ? Duration.ofSeconds(1) : Duration.ofMillis(10 * (10 + r.nextInt(41)));
            i = interval.toNanos();
            cluster.setDelay(50_000, Math.max(100_000, r.nextInt(20) * i / 400));
            plan.append(interval.toMillis()).append(" ms:");
        }

        RouterConfig config(int vrid, int priority, boolean preempt) {
            return RouterConfig.builder(new RouterId("VI_" + vrid, "eth" + (vrid - 51), vrid, IpFamily.IPV4))
                    .version(VrrpVersion.V3).advertInterval(interval).priority(priority).preempt(preempt)
                    .virtualAddress(vip(vrid) + "/24").build();
        }

        static IpAddress vip(int vrid) {
            return IpAddress.parse("198.51.100." + (vrid + 100));
        }

        Cluster.Host host(int k) {
            Cluster.Host h = cluster.host("h" + k, "198.51.100." + (10 + k), 0x10 + k);
            hosts.add(h);
            return h;
        }

        int priority() {
            return r.nextInt(6) == 0 ? 100 : 1 + r.nextInt(254);
        }

        double lossValue() {
            return r.nextInt(3) == 0 ? 0 : r.nextDouble() * 0.3;
        }

        Cluster.Host pick() {
            return hosts.get(r.nextInt(hosts.size()));
        }

        /** The host of the first master of the first VRID at event time, else a random one. */
        Cluster.Host masterOrAny(Cluster.Host fallback) {
            for (Cluster.Router m : masters(vrids.get(0))) {
                return m.host;
            }
            return fallback;
        }

        /** The masters of {@code vrid} for its address (not a misconfigured router sharing the VRID). */
        List<Cluster.Router> masters(int vrid) {
            return cluster.masters(vrid).stream().filter(x -> x.config.addresses().contains(vip(vrid))).toList();
        }

        void startAll() {
            for (Cluster.Host h : hosts) {
                long at = r.nextInt(4) == 0 ? 0 : (long) (r.nextDouble() * 3 * i);
                cluster.at(at, null, () -> cluster.start(h));
            }
            plan.append(" |");
        }

        void event(long at, String what, Runnable run) {
            plan.append(' ').append(Duration.ofNanos(at).toMillis()).append("ms ").append(what).append(';');
            cluster.at(at, what, run);
        }

        /** Heal everything at {@code faultsEnd}: no loss, one side, links up, every process running. */
        void endFaults() {
            event(faultsEnd, "end of faults", () -> {
                cluster.heal();
                cluster.setLoss(0);
                for (Cluster.Host h : hosts) {
                    if (!h.up) {
                        cluster.boot(h);
                    } else if (!h.process) {
                        cluster.start(h);
                    } else if (h.routers.stream().anyMatch(x -> x.stopped || x.handover.active())) {
                        cluster.restartAfterClose(h);
                    } else {
                        for (Cluster.Router x : h.routers) {
                            cluster.link(h, x.config.router().vrid(), true);
                        }
                    }
                }
            });
        }

        long bound() {
            // Master_Down_Interval at the lowest priority is under 4 intervals; then one advert and its delays.
            return 4 * i + i + 2 * cluster.maxDelay();
        }

        String run() {
            cluster.observe(c -> {
                if (c.now() >= Math.max(faultsEnd, c.lastStart()) + bound() && problems.isEmpty()) {
                    checkConverged();
                }
            });
            long end = faultsEnd + 30 * i + longestHandover.toNanos() + 1_000 * MS;
            cluster.runUntil(end);
            if (problems.isEmpty()) {
                if (Math.max(faultsEnd, cluster.lastStart()) + bound() > end) {
                    problems.add("a process started only at " + Duration.ofNanos(cluster.lastStart())
                            + ", too late to check");
                } else {
                    checkConverged();
                }
            }
            if (problems.isEmpty() && checkClientView) {
                // Every claim the master heard in its current mastership was answered after it, so clients that
                // followed the claim came back. (A claim it could not hear, say from a holder that was cut off and
                // then died, leaves the clients that followed it there until their ARP entry expires: nobody can
                // know; counted, not a failure.)
                for (int vrid : vrids) {
                    Cluster.Router m = masters(vrid).get(0);
                    if (m.lastClaimHeardAt >= m.masterSince && m.lastClaimHeardAt > m.lastAnswerAt) {
                        problems.add("the master " + m + " heard a claim at " + Duration.ofNanos(m.lastClaimHeardAt)
                                + " and never answered it (last answer " + Duration.ofNanos(m.lastAnswerAt) + ")");
                    }
                    if (!m.host.mac.equals(cluster.clientView(vip(vrid)))) {
                        CLIENTS_ELSEWHERE.incrementAndGet();
                    }
                }
            }
            STALE_ADVERT_RELEASES.addAndGet(cluster.staleAdvertReleases());
            List<String> all = new ArrayList<>(cluster.violations());
            all.addAll(problems);
            return all.isEmpty() ? null : all.get(0) + (all.size() > 1 ? " (and " + (all.size() - 1) + " more)" : "");
        }

        void checkConverged() {
            Set<String> masterHosts = new HashSet<>();
            for (int vrid : vrids) {
                List<Cluster.Router> masters = masters(vrid);
                List<Cluster.Host> holders = cluster.holders(vip(vrid));
                if (masters.size() != 1 || holders.size() != 1 || holders.get(0) != masters.get(0).host) {
                    problems.add("at " + Duration.ofNanos(cluster.now()) + " VRID " + vrid + ": masters " + masters
                            + ", holders " + holders.stream().map(h -> h.name).toList() + "; " + cluster);
                    cluster.log("CONVERGENCE " + problems.get(problems.size() - 1));
                    return;
                }
                masterHosts.add(masters.get(0).host.name);
            }
            if (hosts.get(0).groupRouters && masterHosts.size() != 1) {
                problems.add("at " + Duration.ofNanos(cluster.now()) + " the groups' masters are on " + masterHosts + "; "
                        + cluster);
            }
        }
    }

    // ------------------------------------------------------------------ planned handover

    static Schedule handover(long seed) {
        Schedule s = new Schedule(seed);
        Random r = s.r;
        s.intervalAndDelays();
        int n = 2 + r.nextInt(3);
        boolean visible = r.nextBoolean();
        Duration timeout = switch (r.nextInt(8)) {
            case 0 -> Duration.ZERO;
            case 1, 2 -> Duration.ofMillis(200);
            case 3, 4 -> Duration.ofSeconds(1);
            default -> Duration.ofSeconds(5);
        };
        s.vrids.add(51);
        s.plan.append(" timeout ").append(timeout.toMillis()).append(" ms").append(visible ? " announcements visible" : "");
        for (int k = 0; k < n; k++) {
            Cluster.Host h = s.host(k);
            h.announcementsVisible = visible;
            h.handoverTimeout = timeout;
            s.longestHandover = timeout;
            int p = s.priority();
            boolean preempt = r.nextInt(10) >= 3;
            cluster(s).addRouter(h, s.config(51, p, preempt));
            s.plan.append(' ').append(h.name).append("/p").append(p).append(preempt ? "" : "/nopreempt");
        }
        if (r.nextInt(3) == 0) {
            // Another cluster's router on the segment with the same VRID and its own address (a common
            // misconfiguration): its adverts must neither end a handover nor count as a new master.
            Cluster.Host other = s.cluster.host("other", "198.51.100.99", 0x99);
            other.handoverTimeout = timeout;
            s.cluster.addRouter(other, RouterConfig.builder(new RouterId("OTHER", "eth0", 51, IpFamily.IPV4))
                    .version(VrrpVersion.V3).advertInterval(s.interval).priority(200)
                    .virtualAddress("198.51.100.199/24").build());
            s.cluster.at(0, null, () -> s.cluster.start(other));
            s.plan.append(" +other cluster on VRID 51");
        }
        s.startAll();
        double loss = s.lossValue();
        s.event(6 * s.i, String.format(Locale.ROOT, "loss %.2f", loss), () -> s.cluster.setLoss(loss));
        long closeAt = 10 * s.i + (long) (r.nextDouble() * 5 * s.i);
        Cluster.Host fallback = s.pick();
        s.event(closeAt, "close the master", () -> s.cluster.close(s.masterOrAny(fallback)));
        if (n >= 3 && r.nextBoolean()) {
            long second = closeAt + 4 * s.i + (long) (r.nextDouble() * 8 * s.i);
            s.event(second, "close the new master", () -> {
                Cluster.Host m = s.masterOrAny(null);
                long running = s.hosts.stream().filter(h -> h.process && h.routers.stream().noneMatch(x -> x.stopped))
                        .count();
                if (m != null && running > 1) {
                    s.cluster.close(m);
                }
            });
        }
        if (r.nextBoolean()) {
            long restart = closeAt + (long) (r.nextDouble() * 20 * s.i);
            s.event(restart, "restart the closed", () -> s.hosts.stream()
                    .filter(h -> h.process && h.routers.stream().anyMatch(x -> x.stopped || x.handover.active()))
                    .forEach(s.cluster::restartAfterClose));
        }
        if (r.nextInt(3) == 0) {
            Set<String> side = randomSide(s);
            long at = closeAt - s.i + (long) (r.nextDouble() * 2 * s.i);
            s.event(at, "partition " + side, () -> s.cluster.partition(side));
        }
        s.faultsEnd = 40 * s.i;
        s.endFaults();
        return s;
    }

    private static Cluster cluster(Schedule s) {
        return s.cluster;
    }

    private static Set<String> randomSide(Schedule s) {
        Set<String> side = new HashSet<>();
        for (Cluster.Host h : s.hosts) {
            if (s.r.nextBoolean()) {
                side.add(h.name);
            }
        }
        return side;
    }

    // ------------------------------------------------------------------ liveness deaths and refusals

    static Schedule liveness(long seed) {
        Schedule s = new Schedule(seed);
        Random r = s.r;
        s.intervalAndDelays();
        int n = 2 + r.nextInt(3);
        Duration grace = List.of(Duration.ZERO, Duration.ofMillis(2), Duration.ofMillis(20), Duration.ofMillis(200))
                .get(r.nextInt(4));
        s.vrids.add(51);
        s.plan.append(" grace ").append(grace.toMillis()).append(" ms");
        for (int k = 0; k < n; k++) {
            Cluster.Host h = s.host(k);
            h.liveness = true;
            h.grace = grace;
            int p = s.priority();
            s.cluster.addRouter(h, s.config(51, p, r.nextInt(10) >= 3));
            s.plan.append(' ').append(h.name).append("/p").append(p);
        }
        s.startAll();
        long t = 8 * s.i;
        if (r.nextBoolean()) {
            // A clean process death of the master: a backup must take over within the confirmation, the
            // grace and the 10 ms Skew_Time, far sooner than Master_Down_Interval.
            long confirm = 50 * MS + r.nextInt(350) * MS;
            s.cluster.setLivenessDelays(5 * MS, confirm);
            long killAt = t;
            long[] expectBy = {Long.MAX_VALUE};
            String[] killed = {null};
            s.event(killAt, "kill the master (clean)", () -> {
                Cluster.Host m = s.masterOrAny(null);
                if (m == null || s.cluster.routers(51).stream().noneMatch(x -> x.machine != null && x.machine.follows(m.address))) {
                    return;
                }
                killed[0] = m.name;
                s.cluster.kill(m);
                expectBy[0] = s.cluster.now() + 5 * MS + confirm + grace.toNanos() + 10 * MS + s.cluster.maxDelay();
            });
            long checkAt = killAt + 5 * MS + confirm + grace.toNanos() + 10 * MS + s.cluster.maxDelay() + 1;
            s.cluster.at(checkAt, "check the liveness takeover", () -> {
                if (killed[0] != null && s.cluster.masters(51).isEmpty()) {
                    s.problems.add("no takeover by " + Duration.ofNanos(expectBy[0]) + " after " + killed[0]
                            + "'s process died (Master_Down_Interval would be " + Duration.ofNanos(4 * s.i) + ")");
                } else if (killed[0] != null && s.cluster.transitions().stream().noneMatch(
                        x -> x.at() >= killAt && x.reason() == TransitionReason.MASTER_PROCESS_DIED)) {
                    s.problems.add("the takeover after " + killed[0] + "'s death was not the liveness channel's");
                }
            });
            t = checkAt + 2 * s.i;
        }
        int faults = r.nextInt(8);
        for (int f = 0; f < faults; f++) {
            long at = t + (long) (r.nextDouble() * 30 * s.i);
            Cluster.Host who = s.pick();
            switch (r.nextInt(8)) {
                case 0, 1 -> s.event(at, "kill the master", () -> s.cluster.kill(s.masterOrAny(who)));
                case 2 -> {
                    // A flapping channel to the live master: losses, some with a mistaken death report.
                    int flaps = 2 + r.nextInt(6);
                    long gap = 50 * MS + r.nextInt(700) * MS;
                    boolean[] reports = new boolean[flaps];
                    long[] confirm = new long[flaps];
                    for (int k = 0; k < flaps; k++) {
                        reports[k] = r.nextBoolean();
                        confirm[k] = r.nextInt(400) * MS;
                    }
                    s.event(at, "flap the channel to the master x" + flaps, () -> {
                        Cluster.Host m = s.masterOrAny(who);
                        for (int k = 0; k < flaps; k++) {
                            for (Cluster.Host peer : s.hosts) {
                                if (peer != m) {
                                    long lost = s.cluster.now() + k * gap;
                                    s.cluster.channelLost(peer, m, lost);
                                    if (reports[k]) {
                                        s.cluster.processDied(peer, m, lost + confirm[k]);
                                    }
                                }
                            }
                        }
                    });
                }
                case 3 -> {
                    boolean report = r.nextBoolean();
                    long confirm = r.nextInt(400) * MS;
                    s.event(at, "the live master's channel drops" + (report ? ", mistaken death report" : ""), () -> {
                        Cluster.Host m = s.masterOrAny(who);
                        for (Cluster.Host peer : s.hosts) {
                            if (peer != m) {
                                s.cluster.channelLost(peer, m, s.cluster.now());
                                if (report) {
                                    s.cluster.processDied(peer, m, s.cluster.now() + confirm);
                                }
                            }
                        }
                    });
                }
                case 4 -> s.event(at, "crash " + who.name, () -> s.cluster.crash(who));
                case 5 -> {
                    double loss = r.nextDouble() * 0.4;
                    s.event(at, String.format(Locale.ROOT, "loss %.2f", loss), () -> s.cluster.setLoss(loss));
                }
                case 6 -> s.event(at, "restart " + who.name, () -> {
                    if (who.up && !who.process) {
                        s.cluster.start(who);
                    }
                });
                default -> {
                    Set<String> side = randomSide(s);
                    s.event(at, "partition " + side, () -> s.cluster.partition(side));
                }
            }
        }
        s.faultsEnd = t + 32 * s.i;
        s.endFaults();
        return s;
    }

    // ------------------------------------------------------------------ address conflicts

    static Schedule conflicts(long seed) {
        Schedule s = new Schedule(seed);
        Random r = s.r;
        s.intervalAndDelays();
        int n = 2 + r.nextInt(2);
        boolean liveness = r.nextBoolean();
        s.vrids.add(51);
        s.checkClientView = true;
        for (int k = 0; k < n; k++) {
            Cluster.Host h = s.host(k);
            h.announcementsVisible = true;
            h.liveness = liveness;
            h.grace = Duration.ofMillis(2);
            int p = s.priority();
            s.cluster.addRouter(h, s.config(51, p, r.nextInt(10) >= 3));
            s.plan.append(' ').append(h.name).append("/p").append(p);
        }
        s.startAll();
        IpAddress vip = Schedule.vip(51);
        MacAddress virtualMac = MacAddress.vrrp(IpFamily.IPV4, 51);
        MacAddress stranger = new MacAddress(0x0200_0000_ee00L | r.nextInt(256));
        // Phase 1 (partitions, deaths, restarts), healed at t; phase 2 (claims, deaths, restarts) on one segment
        // without loss, so that every claim and every answer reaches the client and the master.
        int faults = 2 + r.nextInt(8);
        long t = 20 * s.i;
        for (int f = 0; f < faults; f++) {
            boolean first = r.nextInt(3) == 0;
            long at = first ? 8 * s.i + (long) (r.nextDouble() * 11 * s.i) : t + (long) (r.nextDouble() * 20 * s.i);
            Cluster.Host who = s.pick();
            int kind = r.nextInt(8);
            if (!first && (kind == 5 || kind == 6)) {
                kind = 1;
            } else if (first && kind >= 1 && kind <= 4) {
                kind = 5;
            }
            switch (kind) {
                case 0 -> s.event(at, "kill the master (its address stays)", () -> s.cluster.kill(s.masterOrAny(who)));
                case 1, 2 -> {
                    int times = 1 + r.nextInt(5);
                    long gap = r.nextInt(300) * MS;
                    for (int k = 0; k < times; k++) {
                        s.event(at + k * gap, "stale holders answer", () -> s.hosts.forEach(s.cluster::staleClaim));
                    }
                }
                case 3 -> s.event(at, "phantom claim from the virtual MAC", () -> s.cluster.phantomClaim(vip, virtualMac));
                case 4 -> s.event(at, "phantom claim from " + stranger, () -> s.cluster.phantomClaim(vip, stranger));
                case 5 -> {
                    Set<String> side = randomSide(s);
                    s.event(at, "partition " + side, () -> s.cluster.partition(side));
                }
                case 6 -> s.event(at, "heal", s.cluster::heal);
                default -> s.event(at, "restart " + who.name, () -> {
                    if (who.up && !who.process) {
                        s.cluster.start(who);
                    }
                });
            }
        }
        s.event(t, "heal", s.cluster::heal);
        s.faultsEnd = t + 22 * s.i;
        s.endFaults();
        return s;
    }

    // ------------------------------------------------------------------ sync groups

    static Schedule syncGroups(long seed) {
        Schedule s = new Schedule(seed);
        Random r = s.r;
        s.intervalAndDelays();
        int n = 2 + r.nextInt(2);
        int members = 2 + r.nextInt(2);
        for (int m = 0; m < members; m++) {
            s.vrids.add(51 + m);
        }
        Duration timeout = r.nextBoolean() ? Duration.ZERO : Duration.ofSeconds(1);
        for (int k = 0; k < n; k++) {
            Cluster.Host h = s.host(k);
            h.groupRouters = true;
            h.handoverTimeout = timeout;
            s.longestHandover = timeout;
            h.announcementsVisible = r.nextBoolean();
            // One priority per host for every member (keepalived's advice: the group's members must agree on
            // who should be master, else each host wins one VRID and the groups hold each other back).
            int p = s.priority();
            boolean preempt = r.nextInt(10) >= 3;
            for (int vrid : s.vrids) {
                s.cluster.addRouter(h, s.config(vrid, p, preempt));
            }
            s.plan.append(' ').append(h.name).append("/p").append(p).append(preempt ? "" : "/nopreempt");
        }
        s.startAll();
        int faults = r.nextInt(10);
        long t = 6 * s.i;
        for (int f = 0; f < faults; f++) {
            long at = t + (long) (r.nextDouble() * 30 * s.i);
            Cluster.Host who = s.pick();
            int vrid = s.vrids.get(r.nextInt(members));
            switch (r.nextInt(10)) {
                case 0, 1, 2 -> {
                    long back = at + (long) (r.nextDouble() * 6 * s.i);
                    s.event(at, "link " + who.name + "/" + vrid + " down", () -> s.cluster.link(who, vrid, false));
                    if (r.nextBoolean()) {
                        s.event(back, "link " + who.name + "/" + vrid + " up", () -> s.cluster.link(who, vrid, true));
                    }
                }
                case 3 -> {
                    Set<String> side = randomSide(s);
                    s.event(at, "partition " + side, () -> s.cluster.partition(side));
                }
                case 4 -> s.event(at, "heal", s.cluster::heal);
                case 5 -> {
                    double loss = r.nextDouble() * 0.3;
                    s.event(at, String.format(Locale.ROOT, "loss %.2f", loss), () -> s.cluster.setLoss(loss));
                }
                case 6 -> s.event(at, "close " + who.name, () -> s.cluster.close(who));
                case 7 -> s.event(at, "crash " + who.name, () -> s.cluster.crash(who));
                case 8 -> s.event(at, "restart " + who.name, () -> {
                    if (!who.up) {
                        s.cluster.boot(who);
                    } else if (!who.process) {
                        s.cluster.start(who);
                    } else if (who.routers.stream().anyMatch(x -> x.stopped || x.handover.active())) {
                        s.cluster.restartAfterClose(who);
                    }
                });
                default -> {
                    int p = 1 + r.nextInt(254);
                    s.event(at, "priority " + who.name + "=" + p, () -> s.cluster.setPriority(who, p));
                }
            }
        }
        s.faultsEnd = t + 32 * s.i;
        s.endFaults();
        return s;
    }

    static boolean master(Cluster.Router x) {
        return x.state() == RouterState.MASTER;
    }
}
