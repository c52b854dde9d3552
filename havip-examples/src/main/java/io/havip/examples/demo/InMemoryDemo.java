package io.havip.examples.demo;

import io.havip.core.RouterState;
import io.havip.core.StateChange;
import io.havip.core.TransitionReason;
import io.havip.core.memory.InMemoryNetwork;
import io.havip.core.memory.Node;
import io.havip.core.net.IpAddress;
import io.havip.core.net.MacAddress;
import io.havip.vrrp.Havip;
import io.havip.vrrp.VirtualRouter;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The README's first command: three havip nodes on the in-memory network (no root, no real
 * interfaces, the real system clock with 100 ms adverts) act out a failover and print it as a
 * timeline:
 * <ol>
 *   <li>n1 (priority 250), n2 (150) and n3 (50) start together as BACKUP; n1's
 *       Master_Down_Interval runs out first (its Skew_Time is shortest, RFC 5798 section 6.1)
 *       and it becomes MASTER;</li>
 *   <li>n1's host crashes: it leaves the segment without a priority-0 advert; n2 takes over
 *       after Master_Down_Interval and answers ARP for the VIP;</li>
 *   <li>n1 comes back with the highest priority, but every node runs with {@code nopreempt}, so it
 *       stays BACKUP while n2 keeps the VIP;</li>
 *   <li>everything is closed.</li>
 * </ol>
 * Exits 0 when the story happened as told, 1 otherwise (the reasons are printed).
 */
public final class InMemoryDemo {

    /** The virtual address the nodes share (RFC 5737 documentation range). */
    static final IpAddress VIP = IpAddress.parse("198.51.100.50");
    /** Short adverts so the demo finishes in seconds; Master_Down_Interval is then about 0.3-0.4 s. */
    static final Duration ADVERT_INTERVAL = Duration.ofMillis(100);
    /** How many adverts the restarted n1 must hear while staying BACKUP: ten intervals, well past its Master_Down_Interval. */
    static final int ADVERTS_HEARD_AS_BACKUP = 10;
    /** Generous bound for each step; a healthy run needs well under a second per step. */
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(10);

    private InMemoryDemo() {
    }

    public static void main(String[] args) {
        // The engines log at INFO (handovers, reconciliation); the timeline is the demo's output.
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        Outcome outcome = run(System.out);
        System.exit(outcome.ok() ? 0 : 1);
    }

    /** One line of the timeline: a state change a node reported, or a step of the story. */
    public record Entry(Duration elapsed, String node, Kind kind, RouterState from, RouterState to,
                        TransitionReason reason, int priority, String text, String arpAnswer) {

        public enum Kind { STEP, STATE }

        /** {@code node:STATE:REASON} for a state change, {@code step:text} for a step. */
        public String brief() {
            return kind == Kind.STEP ? "step:" + text : node + ":" + to + ":" + reason;
        }

        public String format() {
            String time = String.format(Locale.ROOT, "+%d.%03ds", elapsed.toSeconds(), elapsed.toMillisPart());
            if (kind == Kind.STEP) {
                return String.format(Locale.ROOT, "%9s  --- %s", time, text);
            }
            return String.format(Locale.ROOT, "%9s  %-3s %-19s %-28s ARP for %s answered by %s", time, node,
                    from + " -> " + to, words(reason) + " (prio " + priority + ")", VIP, arpAnswer);
        }

        private static String words(TransitionReason r) {
            return r.name().toLowerCase(Locale.ROOT).replace('_', ' ');
        }
    }

    /**
     * What happened.
     *
     * @param timeline every step and state change, in the order they were reported
     * @param failures what did not go as the story says; empty on success
     */
    public record Outcome(List<Entry> timeline, List<String> failures) {
        public Outcome {
            timeline = List.copyOf(timeline);
            failures = List.copyOf(failures);
        }

        public boolean ok() {
            return failures.isEmpty();
        }

        /** The state changes of one node incarnation ({@code n1}, {@code n1'} after the restart), as brief strings. */
        public List<String> statesOf(String node) {
            return timeline.stream().filter(e -> e.kind() == Entry.Kind.STATE && e.node().equals(node))
                    .map(e -> e.to() + ":" + e.reason()).toList();
        }
    }

    /** Runs the story, printing the timeline to {@code out} as it happens. */
    public static Outcome run(PrintStream out) {
        return new Story(out).play();
    }

    /** One run of the demo: the network, the routers and the timeline. */
    private static final class Story {
        private final PrintStream out;
        private final InMemoryNetwork network = new InMemoryNetwork();
        private final long startNanos = System.nanoTime();
        private final List<Entry> timeline = new ArrayList<>();
        private final List<String> failures = new ArrayList<>();
        /** Running routers by incarnation name, in start order. */
        private final Map<String, VirtualRouter> routers = new LinkedHashMap<>();
        /** Cleared when an incarnation's host crashes: a dead host reports nothing more. */
        private final Map<String, AtomicBoolean> alive = new LinkedHashMap<>();
        private final Map<String, Crashable> hosts = new LinkedHashMap<>();

        Story(PrintStream out) {
            this.out = out;
        }

        Outcome play() {
            out.println("havip in-memory demo: 3 nodes, VRID 51, VIP " + VIP + ", adverts every "
                    + ADVERT_INTERVAL.toMillis() + " ms, all nopreempt");
            out.println();
            try {
                tell();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failures.add("interrupted");
            } catch (RuntimeException e) {
                failures.add("unexpected error: " + e);
            } finally {
                routers.values().forEach(VirtualRouter::close);
            }
            out.println();
            if (failures.isEmpty()) {
                out.println("OK: n1 was elected, n2 took over when n1 crashed, and n1 came back as BACKUP (nopreempt).");
            } else {
                out.println("FAILED: the story did not happen as expected:");
                failures.forEach(f -> out.println("  - " + f));
            }
            synchronized (timeline) {
                return new Outcome(timeline, failures);
            }
        }

        private void tell() throws InterruptedException {
            step("n1 (priority 250), n2 (150) and n3 (50) start; nobody holds " + VIP);
            VirtualRouter n1 = start("n1", "n1", 11, 250);
            start("n2", "n2", 12, 150);
            VirtualRouter n3 = start("n3", "n3", 13, 50);
            if (!expectState(n1, RouterState.MASTER, "n1 (highest priority) wins the first election")) {
                return;
            }
            expectAnswering("n1");

            step("n1's host crashes: it vanishes from the segment, no priority-0 advert");
            crash("n1");
            VirtualRouter n2 = routers.get("n2");
            if (!expectState(n2, RouterState.MASTER, "n2 takes over after Master_Down_Interval")) {
                return;
            }
            expectAnswering("n2");
            expect(n3.state() == RouterState.BACKUP, "n3 stays BACKUP (lower priority than n2), but it is " + n3.state());

            step("n1 restarts with priority 250; nopreempt: it must not take the VIP back from n2");
            VirtualRouter n1Again = start("n1'", "n1", 11, 250);
            if (!expectState(n1Again, RouterState.BACKUP, "the restarted n1 starts as BACKUP")) {
                return;
            }
            if (!awaitAdverts(n1Again, ADVERTS_HEARD_AS_BACKUP)) {
                return;
            }
            step("n1 heard " + ADVERTS_HEARD_AS_BACKUP + " adverts from n2 (priority 150) and is still "
                    + n1Again.state());
            expect(n1Again.state() == RouterState.BACKUP, "the restarted n1 stays BACKUP, but it is " + n1Again.state());
            expect(n2.state() == RouterState.MASTER, "n2 stays MASTER, but it is " + n2.state());
            expectAnswering("n2");

            step("shutdown: the backups close, then the master (it releases " + VIP + ")");
            List<String> order = List.of("n3", "n1'", "n2");
            for (String name : order) {
                routers.remove(name).close();
            }
            expect(network.whoAnswers(VIP).isEmpty(), "nobody answers ARP for " + VIP + " after shutdown, but "
                    + network.whoAnswers(VIP).map(Node::name).orElse("?") + " does");
            awaitStops(order);
            checkSequences();
        }

        /** Attaches a node and starts its router; {@code incarnation} names it in the timeline. */
        private VirtualRouter start(String incarnation, String host, int lastOctet, int priority) {
            Node node = network.attach(host, MacAddress.parse(String.format(Locale.ROOT, "02:00:c6:33:64:%02x", lastOctet)),
                    IpAddress.parse("198.51.100." + lastOctet));
            AtomicBoolean up = new AtomicBoolean(true);
            alive.put(incarnation, up);
            Crashable crashable = new Crashable(node.openTransport("eth0"), node.binder());
            hosts.put(incarnation, crashable);
            VirtualRouter r = Havip.builder().name(incarnation).interfaceName("eth0").vrid(51).priority(priority)
                    .virtualAddress(VIP + "/24").advertInterval(ADVERT_INTERVAL).preempt(false)
                    .transport(crashable.transport()).binder(crashable.binder())
                    .listener(change -> {
                        if (up.get()) {
                            record(incarnation, change);
                        }
                    })
                    .start();
            routers.put(incarnation, r);
            return r;
        }

        /** The host vanishes; its engine is closed only to free this JVM's threads, and reports nothing more. */
        private void crash(String incarnation) {
            alive.get(incarnation).set(false);
            hosts.get(incarnation).crash();
            network.detach(incarnation);
            routers.remove(incarnation).close();
        }

        private void record(String node, StateChange c) {
            String arp = network.whoAnswers(VIP).map(Node::name).orElse("nobody");
            add(new Entry(elapsed(), node, Entry.Kind.STATE, c.from(), c.to(), c.reason(), c.priority(), "", arp));
        }

        private void step(String text) {
            String arp = network.whoAnswers(VIP).map(Node::name).orElse("nobody");
            add(new Entry(elapsed(), "", Entry.Kind.STEP, null, null, null, 0, text, arp));
        }

        private void add(Entry e) {
            synchronized (timeline) {
                timeline.add(e);
                out.println(e.format());
            }
        }

        private Duration elapsed() {
            return Duration.ofNanos(System.nanoTime() - startNanos);
        }

        private boolean expectState(VirtualRouter r, RouterState state, String what) throws InterruptedException {
            boolean reached = r.awaitState(state, STEP_TIMEOUT);
            if (!expect(reached, what + ": " + r.id().name() + " did not reach " + state + " within " + STEP_TIMEOUT
                    + " (it is " + r.state() + ")")) {
                return false;
            }
            // Listeners hear the change just after state() shows it; keep the timeline in story order.
            String name = r.id().name();
            return awaitTimeline(e -> e.kind() == Entry.Kind.STATE && e.node().equals(name) && e.to() == state,
                    name + " reported " + state + " to its listener");
        }

        /** Waits until an entry matching {@code reported} is on the timeline. */
        private boolean awaitTimeline(java.util.function.Predicate<Entry> reported, String what)
                throws InterruptedException {
            long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                synchronized (timeline) {
                    if (timeline.stream().anyMatch(reported)) {
                        return true;
                    }
                }
                Thread.sleep(5);
            }
            return expect(false, "not on the timeline within " + STEP_TIMEOUT + ": " + what);
        }

        private void expectAnswering(String host) {
            String answering = network.whoAnswers(VIP).map(Node::name).orElse("nobody");
            expect(answering.equals(host), host + " answers ARP for " + VIP + ", but " + answering + " does");
            List<String> holders = network.holders(VIP).stream().map(Node::name).toList();
            expect(holders.equals(List.of(host)), "only " + host + " holds " + VIP + ", but the holders are " + holders);
        }

        /** Waits (polling the router's counters) until it has received {@code count} adverts. */
        private boolean awaitAdverts(VirtualRouter r, long count) throws InterruptedException {
            long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
            while (r.stats().vrrp().advertisementsReceived() < count) {
                if (System.nanoTime() > deadline) {
                    return expect(false, r.id().name() + " received only " + r.stats().vrrp().advertisementsReceived()
                            + " adverts within " + STEP_TIMEOUT + "; expected " + count);
                }
                Thread.sleep(ADVERT_INTERVAL.toMillis() / 2);
            }
            return true;
        }

        /** close() queues STOP for the listeners; waits until they have reported it. */
        private void awaitStops(List<String> names) throws InterruptedException {
            for (String name : names) {
                awaitTimeline(e -> e.node().equals(name) && e.to() == RouterState.STOP, name + " reported STOP");
            }
        }

        /** Each incarnation went exactly through the states the story tells, for the reasons it gives. */
        private void checkSequences() {
            Outcome o;
            synchronized (timeline) {
                o = new Outcome(timeline, List.of());
            }
            String startup = "BACKUP:STARTUP";
            String stop = "STOP:SHUTDOWN";
            String masterDown = "MASTER:MASTER_DOWN_TIMER";
            Map<String, List<String>> expected = new LinkedHashMap<>();
            expected.put("n1", List.of(startup, masterDown));
            expected.put("n2", List.of(startup, masterDown, stop));
            expected.put("n3", List.of(startup, stop));
            expected.put("n1'", List.of(startup, stop));
            expected.forEach((node, states) -> expect(o.statesOf(node).equals(states), node + " went through "
                    + o.statesOf(node) + ", expected " + states));
        }

        private boolean expect(boolean ok, String failure) {
            if (!ok) {
                failures.add(failure);
            }
            return ok;
        }
    }
}
