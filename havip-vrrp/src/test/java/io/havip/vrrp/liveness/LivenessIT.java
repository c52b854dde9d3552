package io.havip.vrrp.liveness;

import static org.assertj.core.api.Assertions.assertThat;

import io.havip.arp.testbed.ChildJvm;
import io.havip.arp.testbed.Cmd;
import io.havip.arp.testbed.LinuxTestRequirements;
import io.havip.arp.testbed.Node;
import io.havip.arp.testbed.Testbed;
import io.havip.arp.testbed.TestbedExtension;
import io.havip.core.net.IpAddress;
import io.havip.vrrp.Havip;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The liveness channel between havip nodes running as separate JVMs, each in its own network
 * namespace on a test bridge, VRRP at a 1 s advert interval, unicast peers.
 */
@ExtendWith(TestbedExtension.class)
class LivenessIT {

    private static final String SECRET = "liveness IT secret of 32 bytes!!";
    private static final String VIP = "198.51.100.50";
    private static final int PORT = LivenessConfig.DEFAULT_PORT_BASE + 51;

    private Path dir;
    private final List<ChildJvm.Child> children = new ArrayList<>();

    @BeforeEach
    void statusDirectory() throws IOException {
        dir = Files.createTempDirectory("havip-liveness-it-");
    }

    @AfterEach
    void stopChildren() throws IOException {
        for (ChildJvm.Child c : children) {
            c.close();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private ChildJvm.Child start(Node node, int priority, Node peer) {
        ChildJvm.Child c = node.java(LivenessNode.class, dir.toString(), node.name(), String.valueOf(priority), "1000",
                SECRET, peer.ipv4().toString()).withClassesOf(Havip.class).start();
        children.add(c);
        return c;
    }

    /** A node without unicast peers: VRRP multicast, the liveness channel dials the master it follows. */
    private ChildJvm.Child startMulticast(Node node, int priority) {
        ChildJvm.Child c = node.java(LivenessNode.class, dir.toString(), node.name(), String.valueOf(priority), "1000",
                SECRET).withClassesOf(Havip.class).start();
        children.add(c);
        return c;
    }

    private Map<String, String> status(Node node) {
        Map<String, String> out = new HashMap<>();
        try {
            for (String kv : Files.readString(dir.resolve(node.name() + ".status")).trim().split(" ")) {
                String[] p = kv.split("=", 2);
                out.put(p[0], p[1]);
            }
        } catch (IOException e) {
            // not written yet
        }
        return out;
    }

    private long counter(Node node, String key) {
        return Long.parseLong(status(node).getOrDefault(key, "0"));
    }

    private List<String> events(Node node) {
        try {
            return Files.readAllLines(dir.resolve(node.name() + ".events"));
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Polls (20 ms) for a state the children reach; not a timing assertion. */
    private static void await(String what, int seconds, java.util.function.BooleanSupplier condition)
            throws InterruptedException {
        await(what, seconds, condition, () -> "");
    }

    /** As above; on a timeout the message ends with {@code detail} (the nodes' status, say). */
    private static void await(String what, int seconds, java.util.function.BooleanSupplier condition,
                              java.util.function.Supplier<String> detail) throws InterruptedException {
        if (!poll(seconds, condition)) {
            throw new AssertionError("timed out after " + seconds + " s waiting until " + what + detail.get());
        }
    }

    /** Whether {@code condition} holds within {@code seconds} (polled every 20 ms). */
    private static boolean poll(int seconds, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /** Both nodes' status lines and the end of their logs, for a failure message. */
    private String describe(Node... nodes) {
        StringBuilder b = new StringBuilder();
        for (Node n : nodes) {
            b.append(String.format("%n%s status: %s%n%s events: %s%n%s log (end):%n%s", n.name(), status(n), n.name(),
                    events(n), n.name(), log(n)));
        }
        return b.toString();
    }

    /** The first event after {@code from} (an index into the events file) matching {@code p}. */
    private String awaitEvent(Node node, int from, Predicate<String> p, int seconds) throws InterruptedException {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            List<String> e = events(node);
            for (int i = from; i < e.size(); i++) {
                if (p.test(e.get(i))) {
                    return e.get(i);
                }
            }
            Thread.sleep(5);
        }
        throw new AssertionError(node.name() + " had no such event within " + seconds + " s: " + events(node));
    }

    private String log(Node node) {
        try {
            List<String> lines = Files.readAllLines(dir.resolve(node.name() + ".log"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static boolean holdsVip(Node node) {
        return node.ip("-4", "addr", "show", "dev", "eth0").contains("inet " + VIP + "/");
    }

    /** A backup ready for a fast takeover: it follows the master and both channels are up (unicast). */
    private void awaitReady(Node master, Node backup) throws InterruptedException {
        awaitReady(master, backup, 2);
    }

    /**
     * As above with at least {@code channels} up on each node: 2 with unicast peers (each dials the
     * other), 1 in multicast (the backup dials the master it follows; the master also dials the
     * backup only if it followed it once).
     */
    private void awaitReady(Node master, Node backup, int channels) throws InterruptedException {
        await(master.name() + " is MASTER and " + backup.name() + " follows it over live channels", 15,
                () -> ready(master, backup, channels), () -> describe(master, backup));
    }

    private boolean ready(Node master, Node backup, int channels) {
        return "MASTER".equals(status(master).get("state")) && "BACKUP".equals(status(backup).get("state"))
                && counter(backup, "advertsReceived") >= 1 && counter(backup, "channelsUp") >= channels
                && counter(master, "channelsUp") >= channels;
    }

    /**
     * Waits until one of two nodes of equal priority is MASTER and the other follows it over live
     * channels, the same for 1.5 s (more than one advert interval), and returns the master. Two
     * nodes started together may both time out of BACKUP within the same few milliseconds and
     * both become MASTER; the one with the lower address then yields on the other's first advert
     * (RFC 5798 6.4.3). Choosing the first MASTER seen could choose the one about to yield: that
     * was the start-up flake of this test ("a is MASTER and b follows it" never held).
     */
    private Node awaitSettledPair(Node a, Node b) throws InterruptedException {
        long[] since = {0};
        Node[] master = {null};
        await("one of " + a.name() + " and " + b.name() + " is MASTER and the other follows it, for 1.5 s", 20, () -> {
            Node m = ready(a, b, 2) ? a : ready(b, a, 2) ? b : null;
            if (m == null || m != master[0]) {
                master[0] = m;
                since[0] = System.nanoTime();
                return false;
            }
            return System.nanoTime() - since[0] >= 1_500_000_000L;
        }, () -> describe(a, b));
        return master[0];
    }

    private static final Pattern LOST = Pattern.compile("LivenessMonitor - .* lost without goodbye at t=(\\d+) ns");
    private static final Pattern REFUSED = Pattern.compile("its process died \\(refused at t=(\\d+) ns");
    private static final Pattern ACTED = Pattern.compile("acting as on priority 0 at t=(\\d+) ns");

    /** The last {@code p} timestamp in {@code node}'s log, or -1. */
    private long lastStamp(Node node, Pattern p) {
        long found = -1;
        try {
            for (String line : Files.readAllLines(dir.resolve(node.name() + ".log"))) {
                Matcher m = p.matcher(line);
                if (m.find()) {
                    found = Long.parseLong(m.group(1));
                }
            }
        } catch (IOException e) {
            // no log yet
        }
        return found;
    }

    private static String stats(String what, List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return String.format("%s ms: runs %s; min %.1f median %.1f max %.1f", what,
                values.stream().map(m -> String.format("%.1f", m)).toList(), sorted.get(0),
                sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1));
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    /**
     * The test: SIGKILL of the master JVM at a 1 s advert interval, while a client in
     * its own namespace runs a TCP request against the service on the virtual address every
     * 2 ms. The backup's log stamps (nanoTime) each step between the kill and the takeover.
     */
    @Test
    void sigkillOfTheMastersJvmMovesTheAddressWithinTensOfMillisecondsAndClientsBarelyNotice(Testbed net)
            throws Exception {
        Node a = net.addNode("a");
        Node b = net.addNode("b");
        Node client = net.addNode("client");
        Map<Node, ChildJvm.Child> jvm = new HashMap<>();
        Map<Node, Node> peer = Map.of(a, b, b, a);
        jvm.put(a, start(a, 100, b));
        jvm.put(b, start(b, 100, a));
        Node master = awaitSettledPair(a, b);
        TcpProbe probe = new TcpProbe(new InetSocketAddress(VIP, LivenessNode.SERVICE_PORT), 2_000_000L);
        Thread probing = client.call(() -> {
            Thread t = new Thread(probe, "tcp-probe"); // created here, so it runs in the client's namespace
            t.setDaemon(true);
            t.start();
            return t;
        });
        List<Double> takeover = new ArrayList<>();
        List<Double> outage = new ArrayList<>();
        List<String> steps = new ArrayList<>();
        try {
            for (int run = 0; run < 5; run++) {
                Node backup = peer.get(master);
                awaitReady(master, backup);
                long readyAt = System.nanoTime();
                await("the client is served through " + VIP, 10, () -> probe.succeededAfter(readyAt));
                int seen = events(backup).size();
                long killedAt = System.nanoTime();
                jvm.get(master).kill();
                String event = awaitEvent(backup, seen, l -> l.startsWith("MASTER "), 10);
                long masterAt = Long.parseLong(event.split(" ")[2]);
                takeover.add((masterAt - killedAt) / 1e6);
                assertThat(event).as("run %d: %s; log of %s:%n%s", run, status(backup), backup.name(), log(backup))
                        .startsWith("MASTER MASTER_PROCESS_DIED");
                assertThat(holdsVip(backup)).as("%s holds %s", backup, VIP).isTrue();
                await("the client is served again", 10, () -> probe.succeededAfter(masterAt));
                Thread.sleep(200); // let the window after the takeover fill
                TcpProbe.Outage o = probe.outageAround(killedAt, 2_000_000_000L);
                outage.add(o.millis());
                long lost = lastStamp(backup, LOST);
                long refused = lastStamp(backup, REFUSED);
                long acted = lastStamp(backup, ACTED);
                steps.add(String.format("run %d: kill->EOF %.1f, EOF->refused %.1f, refused->grace over %.1f, "
                        + "grace over->MASTER (skew, bind, GARP, listener) %.1f, total %.1f ms; outage %.1f ms, "
                        + "%d of %d requests failed", run, (lost - killedAt) / 1e6, (refused - lost) / 1e6,
                        (acted - refused) / 1e6, (masterAt - acted) / 1e6, (masterAt - killedAt) / 1e6, o.millis(),
                        o.failedRequests(), o.requests()));
                if (Boolean.getBoolean("havip.it.traceLog")) {
                    List<String> lines = Files.readAllLines(dir.resolve(backup.name() + ".log"));
                    int from = 0;
                    for (int i = 0; i < lines.size(); i++) {
                        from = LOST.matcher(lines.get(i)).find() ? i : from;
                    }
                    steps.add(String.join("\n", lines.subList(from, lines.size())));
                }
                jvm.get(master).await(10);
                children.remove(jvm.get(master));
                // The killed node comes back (its leftover address is reconciled away) and follows.
                Files.deleteIfExists(dir.resolve(master.name() + ".status"));
                jvm.put(master, start(master, 100, backup));
                master = backup;
            }
        } finally {
            probe.close();
            probing.join(1_000);
        }
        steps.forEach(System.out::println);
        System.out.println("liveness takeover after SIGKILL (1 s adverts), " + stats("kill to MASTER", takeover));
        System.out.println("liveness takeover after SIGKILL (1 s adverts), client " + stats("outage", outage));
        // Plain VRRP would take Master_Down_Interval = 3 x 1 s + Skew_Time = 3.6 s. The targets
        // are 50 ms to the takeover and 100 ms of outage; measured on an idle 2-CPU machine the
        // takeover median is about 18 ms (5-10 ms of it the kernel tearing down the killed JVM
        // before it closes the sockets) and the outage about 23 ms (CI: 18.7 and 22.9 ms). The bounds
        // are the targets doubled, for a 2-CPU machine shared with other work; the numbers
        // are printed either way.
        assertThat(median(takeover)).as(stats("takeover", takeover)).isLessThan(100.0);
        assertThat(Collections.max(takeover)).as(stats("takeover", takeover)).isLessThan(500.0);
        assertThat(median(outage)).as(stats("outage", outage)).isLessThan(200.0);
        assertThat(Collections.max(outage)).as(stats("outage", outage)).isLessThan(500.0);
    }

    /**
     * Issue 17 item 4, unicast peers: an attacker in its own namespace keeps 40 idle connections
     * open to the liveness port of each node. The backup restarts during the attack and must still
     * get its channel to the master, so a SIGKILL of the master moves the address on the liveness
     * path (MASTER_PROCESS_DIED, tens of ms) instead of the VRRP timers (3.6 s at 1 s adverts).
     * Before the listener's limits, the 32 idle connections filled its slots and the takeover was
     * MASTER_DOWN_TIMER.
     */
    @Test
    void idleConnectionsOfAStrangerDoNotCostTheBackupItsChannelNorTheFastTakeover(Testbed net) throws Exception {
        slowloris(net, true);
    }

    /** The same in multicast, where peers are learnt (the master followed, a backup by its handshake). */
    @Test
    void idleConnectionsOfAStrangerDoNotCostTheBackupItsChannelInMulticastEither(Testbed net) throws Exception {
        slowloris(net, false);
    }

    private void slowloris(Testbed net, boolean unicast) throws Exception {
        Node a = net.addNode("a");
        Node b = net.addNode("b");
        Node x = net.addNode("x");
        int channels = unicast ? 2 : 1;
        Map<Node, ChildJvm.Child> jvm = new HashMap<>();
        jvm.put(a, unicast ? start(a, 150, b) : startMulticast(a, 150));
        jvm.put(b, unicast ? start(b, 100, a) : startMulticast(b, 100));
        awaitReady(a, b, channels);
        IdleFlood onA = new IdleFlood(new InetSocketAddress(a.ipv4().toInetAddress(), PORT), 40);
        IdleFlood onB = new IdleFlood(new InetSocketAddress(b.ipv4().toInetAddress(), PORT), 40);
        try {
            x.run(() -> {
                onA.start();
                onB.start();
            });
            await("the attacker has connected 40 times to each node", 15,
                    () -> onA.connected() >= 40 && onB.connected() >= 40, () -> "\n" + onA + "\n" + onB);
            // The backup restarts (a crash, a deploy) during the attack: its new channel must get through.
            jvm.get(b).kill();
            jvm.get(b).await(10);
            children.remove(jvm.get(b));
            Files.deleteIfExists(dir.resolve(b.name() + ".status"));
            jvm.put(b, unicast ? start(b, 100, a) : startMulticast(b, 100));
            await(b.name() + " is back and follows " + a.name(), 20, () -> "BACKUP".equals(status(b).get("state"))
                    && counter(b, "advertsReceived") >= 1, () -> describe(a, b));
            // Not asserted here but by the takeover below (without its channel, b falls back to the timers).
            boolean channelUp = poll(10, () -> ready(a, b, channels));
            Map<String, String> statusOfA = status(a);
            Map<String, String> statusOfB = status(b);
            String attack = onA + "\n" + onB;
            int seen = events(b).size();
            long killedAt = System.nanoTime();
            jvm.get(a).kill();
            String event = awaitEvent(b, seen, l -> l.startsWith("MASTER "), 10);
            double tookMs = (Long.parseLong(event.split(" ")[2]) - killedAt) / 1e6;
            System.out.printf("slowloris (%s): takeover after SIGKILL of the master %.1f ms (%s); channel up before "
                    + "the kill: %s%n  a: %s%n  b: %s%n  %s%n", unicast ? "unicast" : "multicast", tookMs, event,
                    channelUp, statusOfA, statusOfB, attack.replace("\n", "\n  "));
            if (Boolean.getBoolean("havip.it.traceLog")) {
                System.out.println(log(b));
            }
            String context = String.format("%s after %.1f ms; channel up before the kill: %s%n%s%nbefore the kill: "
                    + "a %s, b %s%s", event, tookMs, channelUp, attack, statusOfA, statusOfB, describe(b));
            assertThat(event).as(context).startsWith("MASTER MASTER_PROCESS_DIED");
            // Master_Down_Interval is 3.6 s; the liveness path takes ~20 ms on an idle machine.
            assertThat(tookMs).as(context).isLessThan(500.0);
            assertThat(holdsVip(b)).as("%s holds %s", b, VIP).isTrue();
            // The attacker's connections were closed and counted, on both nodes.
            for (Map<String, String> st : List.of(statusOfA, statusOfB)) {
                long counted = Long.parseLong(st.get(unicast ? "refusedUnknownPeer" : "refusedOverLimit"))
                        + Long.parseLong(st.get("handshakesTimedOut"))
                        + Long.parseLong(st.get("evictedUnauthenticated"));
                assertThat(counted).as(context).isGreaterThanOrEqualTo(36);
                assertThat(Long.parseLong(st.get("unauthenticatedOpen"))).as(context)
                        .isLessThanOrEqualTo(unicast ? 0 : LivenessMonitor.MAX_UNAUTHENTICATED_PER_SOURCE);
            }
            assertThat(onA.closedByServer()).as(attack).isGreaterThanOrEqualTo(36);
            assertThat(onB.closedByServer()).as(attack).isGreaterThanOrEqualTo(36);
        } finally {
            onA.close();
            onB.close();
        }
    }

    @Test
    void anIsolatedMasterIsReplacedByTheRfcTimersAndOneMasterRemainsAfterHealing(Testbed net) throws Exception {
        LinuxTestRequirements.require("nft");
        Node a = net.addNode("a");
        Node b = net.addNode("b");
        start(a, 150, b);
        start(b, 100, a);
        awaitReady(a, b);
        // b may have been master for a moment before a preempted it; its listener writes the event
        // lines after the state changed, so wait until its log has caught up with BACKUP.
        await(b.name() + "'s event log ends in BACKUP", 10, () -> {
            List<String> lines = events(b);
            return !lines.isEmpty() && lines.get(lines.size() - 1).startsWith("BACKUP ");
        });
        int seen = events(b).size();
        String table = "hvlive" + net.suffix();
        String bridge = net.bridgeNamespace();
        long isolatedAt = System.nanoTime();
        Cmd.check("ip", "netns", "exec", bridge, "nft", "add", "table", "bridge", table);
        Cmd.check("ip", "netns", "exec", bridge, "nft", "add", "chain", "bridge", table, "isolate",
                "{ type filter hook forward priority 0 ; policy accept ; }");
        Cmd.check("ip", "netns", "exec", bridge, "nft", "add", "rule", "bridge", table, "isolate", "iifname",
                a.bridgePort(), "drop");
        Cmd.check("ip", "netns", "exec", bridge, "nft", "add", "rule", "bridge", table, "isolate", "oifname",
                a.bridgePort(), "drop");
        try {
            String event = awaitEvent(b, seen, l -> l.startsWith("MASTER "), 10);
            double tookMs = (Long.parseLong(event.split(" ")[2]) - isolatedAt) / 1e6;
            System.out.printf("isolated master replaced after %.0f ms (%s)%n", tookMs, event);
            assertThat(event).startsWith("MASTER MASTER_DOWN_TIMER");
            // Master_Down_Interval at priority 100 and 1 s: 3 s + 156/256 s = 3.61 s.
            assertThat(tookMs).isGreaterThan(3_000.0);
            assertThat(counter(b, "takeoversTriggered")).isZero();
        } finally {
            Cmd.run("ip", "netns", "exec", bridge, "nft", "delete", "table", "bridge", table);
        }
        await("exactly one master after healing", 10, () -> "MASTER".equals(status(a).get("state"))
                && "BACKUP".equals(status(b).get("state")) && holdsVip(a) && !holdsVip(b));
        assertThat(counter(b, "takeoversTriggered")).isZero();
        assertThat(counter(a, "takeoversTriggered")).isZero();
    }

    @Test
    void forgedHellosWrongSecretsAndStrangersAreRefusedAndCounted(Testbed net) throws Exception {
        Node a = net.addNode("a");
        Node b = net.addNode("b");
        Node c = net.addNode("c");
        start(a, 150, b);
        start(b, 100, a);
        awaitReady(a, b);
        // Start-up on a loaded host may pass through a short MASTER of b before a's first advert;
        // what matters is that nothing changes from here on.
        int eventsOfA = events(a).size();
        int eventsOfB = events(b).size();
        IpAddress aAddress = a.ipv4();
        // c is not among a's unicast peers: a closes (resets) its connections at the accept, so the
        // hello may already fail to send.
        c.run(() -> {
            assertThat(RawClient.refused(aAddress.toInetAddress(), PORT, new LivenessMessage.Hello(51, c.ipv4(),
                    aAddress, LivenessAuth.newNonce(), new byte[0]))).as("c is not among a's peers").isTrue();
            assertThat(RawClient.refused(aAddress.toInetAddress(), PORT, new LivenessMessage.Hello(51, b.ipv4(),
                    aAddress, LivenessAuth.newNonce(), new byte[0]))).as("claims to be b but connects from c").isTrue();
        });
        b.run(() -> {
            try (RawClient forged = new RawClient(aAddress.toInetAddress(), PORT, 51)) {
                forged.hello(b.ipv4(), aAddress, LivenessAuth.newNonce());
                forged.send(new LivenessMessage.Hello(51, b.ipv4(), aAddress, forged.nonce, new byte[32]));
                assertThat(forged.closedByPeer()).as("forged proof").isTrue();
            }
            try (RawClient wrong = new RawClient(aAddress.toInetAddress(), PORT, 51)) {
                LivenessMessage.Hello answer = wrong.hello(b.ipv4(), aAddress, LivenessAuth.newNonce());
                wrong.prove("a wrong secret that is long enough", answer);
                assertThat(wrong.closedByPeer()).as("wrong secret").isTrue();
            }
        });
        await("a counts two bad proofs and two strangers", 5, () -> counter(a, "refusedBadProof") == 2
                && counter(a, "refusedUnknownPeer") == 2);
        assertThat(status(a).get("state")).isEqualTo("MASTER");
        assertThat(status(b).get("state")).isEqualTo("BACKUP");
        assertThat(counter(b, "processDeaths")).isZero();
        assertThat(events(a)).hasSize(eventsOfA);
        assertThat(events(b)).hasSize(eventsOfB);
    }
}
