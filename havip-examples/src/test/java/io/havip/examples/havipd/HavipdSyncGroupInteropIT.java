package io.havip.examples.havipd;

import static org.assertj.core.api.Assertions.assertThat;

import io.havip.arp.testbed.Cmd;
import io.havip.arp.testbed.LinuxTestRequirements;
import io.havip.arp.testbed.Node;
import io.havip.arp.testbed.Testbed;
import io.havip.arp.testbed.TestbedExtension;
import io.havip.core.net.IpAddress;
import io.havip.examples.havipd.VrrpDaemon.Kind;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A keepalived 2.2.7 node and a havipd node run the same {@code vrrp_sync_group} of two
 * instances on two interfaces, as an LVS-NAT director's outside VIP (VI_OUT, eth0, VRID 51,
 * 198.51.100.50) and inside gateway VIP (VI_IN, eth1, VRID 52, 203.0.113.50): VRRPv3, 200 ms
 * adverts, preempt, a group {@code track_script} with weight 0. Each daemon is master (priority
 * 150) and backup (100) in turn. On the master's side either the tracked script fails or VI_IN's
 * interface goes down ({@code ip link set eth1 down} in its namespace): both VIPs must move to
 * the other node together, and come back together once it recovers. Who holds each VIP is read
 * from {@code ip -j addr} in both namespaces every few milliseconds throughout: the two VIPs
 * must never rest on different nodes (a split may last only as long as one loop turn and the
 * sampling take; the bound, 1 s, is five advert intervals, far below the seconds a
 * group that does not move together would stay split), and a client on both LANs must reach
 * both at the holder's MACs. The group's notify scripts append to a file: each daemon must
 * report the group's states in the same order ({@code GROUP VG_1 STATE 0}, as keepalived passes it).
 */
@ExtendWith(TestbedExtension.class)
class HavipdSyncGroupInteropIT {

    private static final IpAddress VIP_OUT = IpAddress.parse("198.51.100.50");
    private static final IpAddress VIP_IN = IpAddress.parse("203.0.113.50");
    private static final Duration CONVERGE = Duration.ofSeconds(15);
    private static final long MAX_SPLIT_MS = 1_000;

    /** Who is master first. */
    enum Roles {
        HAVIPD_MASTER_KEEPALIVED_BACKUP(Kind.HAVIPD, Kind.KEEPALIVED),
        KEEPALIVED_MASTER_HAVIPD_BACKUP(Kind.KEEPALIVED, Kind.HAVIPD);

        final Kind master;
        final Kind backup;

        Roles(Kind master, Kind backup) {
            this.master = master;
            this.backup = backup;
        }
    }

    /** What fails on the master's side. */
    enum Fault { TRACKED_SCRIPT, MEMBER_INTERFACE_DOWN }

    /** Both roles times both faults. */
    enum Case {
        HAVIPD_MASTER_SCRIPT(Roles.HAVIPD_MASTER_KEEPALIVED_BACKUP, Fault.TRACKED_SCRIPT),
        HAVIPD_MASTER_LINK(Roles.HAVIPD_MASTER_KEEPALIVED_BACKUP, Fault.MEMBER_INTERFACE_DOWN),
        KEEPALIVED_MASTER_SCRIPT(Roles.KEEPALIVED_MASTER_HAVIPD_BACKUP, Fault.TRACKED_SCRIPT),
        KEEPALIVED_MASTER_LINK(Roles.KEEPALIVED_MASTER_HAVIPD_BACKUP, Fault.MEMBER_INTERFACE_DOWN);

        final Roles roles;
        final Fault fault;

        Case(Roles roles, Fault fault) {
            this.roles = roles;
            this.fault = fault;
        }
    }

    @ParameterizedTest
    @EnumSource(Case.class)
    void bothVipsMoveTogetherAndComeBackTogether(Case c, Testbed net) throws Exception {
        LinuxTestRequirements.require("ip", "ping", "keepalived");
        long began = System.nanoTime();
        Node a = net.addNode("first");
        Node b = net.addNode("second");
        Node client = net.addNode("client");
        secondLan(net, List.of(a, b, client));
        List<Node> routers = List.of(a, b);
        List<VrrpDaemon> daemons = new ArrayList<>();
        Sampler sampler = new Sampler(routers);
        try (NodeDir da = NodeDir.create("first"); NodeDir db = NodeDir.create("second")) {
            Path confA = da.writeConf(conf(da, a, 150));
            Path confB = db.writeConf(conf(db, b, 100));
            try {
                VrrpDaemon master = VrrpDaemon.start(c.roles.master, a, confA);
                daemons.add(master);
                awaitGroup(da, List.of("BACKUP", "MASTER"), master);
                VrrpDaemon backup = VrrpDaemon.start(c.roles.backup, b, confB);
                daemons.add(backup);
                awaitGroup(db, List.of("BACKUP"), backup);
                awaitBothOn(routers, "first", client, a);
                sampler.start();
                VrrpDaemon.sleep(1_000); // five advert intervals: the backup hears the master and stays put
                assertThat(group(db)).as("backup group stays BACKUP; log:\n" + backup.log()).containsExactly("BACKUP");

                long faultAt = System.nanoTime();
                fail(c.fault, a, da, true);
                awaitGroup(da, List.of("BACKUP", "MASTER", "FAULT"), master);
                awaitGroup(db, List.of("BACKUP", "MASTER"), backup);
                awaitBothOn(routers, "second", client, b);
                long movedMs = (System.nanoTime() - faultAt) / 1_000_000;

                long recoverAt = System.nanoTime();
                fail(c.fault, a, da, false);
                awaitGroup(da, List.of("BACKUP", "MASTER", "FAULT", "BACKUP", "MASTER"), master);
                awaitGroup(db, List.of("BACKUP", "MASTER", "BACKUP"), backup);
                awaitBothOn(routers, "first", client, a);
                long backMs = (System.nanoTime() - recoverAt) / 1_000_000;
                sampler.stop();

                assertThat(sampler.samples).as("samples taken").isGreaterThan(20);
                assertThat(sampler.longestSplitMs).as("longest time the two VIPs sat on different nodes: "
                        + sampler.splits).isLessThanOrEqualTo(MAX_SPLIT_MS);
                System.out.printf("HavipdSyncGroupInteropIT %s: both VIPs on the other node %d ms after the fault, back %d ms"
                        + " after recovery; %d samples, %d split(s), longest %d ms %s%n", c, movedMs, backMs, sampler.samples,
                        sampler.splits.size(), sampler.longestSplitMs, sampler.splits);

                // both stop: each group's STOP comes last, after the daemon released its addresses
                assertThat(backup.terminate()).isZero();
                assertThat(master.terminate()).isZero();
                awaitGroup(db, List.of("BACKUP", "MASTER", "BACKUP", "STOP"), backup);
                awaitGroup(da, List.of("BACKUP", "MASTER", "FAULT", "BACKUP", "MASTER", "STOP"), master);
                for (NodeDir d : List.of(da, db)) {
                    assertSpecificScriptsRan(d, daemons.get(d == da ? 0 : 1));
                }
                awaitHolders(routers, VIP_OUT, List.of());
                awaitHolders(routers, VIP_IN, List.of());
                System.out.printf("HavipdSyncGroupInteropIT %s: %d ms in all%n", c, (System.nanoTime() - began) / 1_000_000);
            } finally {
                sampler.stop();
                daemons.forEach(VrrpDaemon::close);
                for (VrrpDaemon d : daemons) {
                    System.out.printf("--- %s: %s%n%s", d, String.join(" ", d.command()), HavipdDropInIT.tail(d.log(), 6000));
                }
                System.out.printf("--- notify first: %s%n--- notify second: %s%n", da.notifications(), db.notifications());
            }
        }
    }

    /**
     * The same file for both daemons but for priority and paths: VRRPv3 at 200 ms, a weight-0
     * group track_script that fails while {@code DIR/fail} exists, the group's notify scripts.
     */
    private static String conf(NodeDir dir, Node self, int priority) {
        String notify = dir.notifyScript().toString();
        StringBuilder b = new StringBuilder()
                .append("global_defs {\n  router_id havipd_sg_").append(self.name()).append("\n}\n")
                .append("vrrp_script chk {\n  script \"").append(dir.checkScript()).append("\"\n  interval 1\n  fall 1\n  rise 1\n}\n")
                .append("vrrp_sync_group VG_1 {\n  group {\n    VI_OUT\n    VI_IN\n  }\n  track_script {\n    chk\n  }\n")
                .append("  notify_master \"").append(notify).append(" GROUP_MASTER\"\n")
                .append("  notify_backup \"").append(notify).append(" GROUP_BACKUP\"\n")
                .append("  notify_fault \"").append(notify).append(" GROUP_FAULT\"\n")
                .append("  notify_stop \"").append(notify).append(" GROUP_STOP\"\n")
                .append("  notify ").append(notify).append("\n}\n");
        String[][] instances = {{"VI_OUT", "eth0", "51", VIP_OUT + "/24"}, {"VI_IN", "eth1", "52", VIP_IN + "/24"}};
        for (String[] i : instances) {
            b.append("vrrp_instance ").append(i[0]).append(" {\n  state BACKUP\n  interface ").append(i[1])
                    .append("\n  virtual_router_id ").append(i[2]).append("\n  priority ").append(priority)
                    .append("\n  version 3\n  advert_int 0.2\n  virtual_ipaddress {\n    ").append(i[3]).append(" dev ")
                    .append(i[1]).append("\n  }\n}\n");
        }
        return b.toString();
    }

    /** A second LAN: bridge br1 in the testbed's bridge namespace, eth1 in each node with 203.0.113.(10+n)/24. */
    private static void secondLan(Testbed net, List<Node> nodes) {
        String br = net.bridgeNamespace();
        Cmd.check("ip", "-n", br, "link", "add", "br1", "type", "bridge", "stp_state", "0", "forward_delay", "0");
        Cmd.check("ip", "-n", br, "link", "set", "br1", "up");
        int octet = 11;
        for (Node n : nodes) {
            String peer = "w" + n.name();
            Cmd.check("ip", "-n", n.namespace(), "link", "add", "eth1", "type", "veth", "peer", "name", peer, "netns", br);
            Cmd.check("ip", "-n", br, "link", "set", peer, "master", "br1", "up");
            Cmd.check("ip", "-n", n.namespace(), "addr", "add", "203.0.113." + octet++ + "/24", "dev", "eth1");
            Cmd.check("ip", "-n", n.namespace(), "link", "set", "eth1", "up");
        }
    }

    private static void fail(Fault fault, Node node, NodeDir dir, boolean failing) throws IOException {
        switch (fault) {
            case TRACKED_SCRIPT -> dir.failCheck(failing);
            case MEMBER_INTERFACE_DOWN -> node.ip("link", "set", "eth1", failing ? "down" : "up");
        }
    }

    /** The group's states as the generic notify saw them ({@code GROUP VG_1 STATE 0}). */
    private static List<String> group(NodeDir dir) {
        String prefix = "GROUP VG_1 ";
        return dir.notifications().stream().filter(l -> l.startsWith(prefix)).map(l -> {
            assertThat(l).as("a group's notify passes priority 0").endsWith(" 0");
            return l.substring(prefix.length(), l.length() - 2);
        }).toList();
    }

    private static void awaitGroup(NodeDir dir, List<String> expected, VrrpDaemon daemon) {
        long end = System.nanoTime() + CONVERGE.toNanos();
        List<String> now;
        while (!(now = group(dir)).equals(expected)) {
            if (System.nanoTime() > end || now.size() > expected.size()) {
                throw new AssertionError(daemon + ": group notify wrote " + now + ", expected " + expected
                        + "\n--- all notify lines: " + dir.notifications() + "\n--- log:\n" + daemon.log());
            }
            VrrpDaemon.sleep(20);
        }
    }

    /**
     * The state's own script ran for each group change, in the order of the changes. havipd runs
     * it before the generic one, one at a time; keepalived forks both without waiting, so only
     * the order of each kind is compared for it.
     */
    private static void assertSpecificScriptsRan(NodeDir dir, VrrpDaemon daemon) {
        List<String> states = group(dir);
        List<String> specific = dir.notifications().stream().filter(l -> l.startsWith("GROUP_")).toList();
        assertThat(specific).as(daemon + " notify_<state> of the group").containsExactlyElementsOf(
                states.stream().map(s -> "GROUP_" + s).toList());
        if (daemon.kind() == Kind.HAVIPD) {
            List<String> expected = new ArrayList<>();
            states.forEach(s -> expected.addAll(List.of("GROUP_" + s, "GROUP VG_1 " + s + " 0")));
            assertThat(dir.notifications()).as("havipd: notify_<state>, then notify, per change").containsExactlyElementsOf(expected);
        }
    }

    /** Both VIPs on {@code holder} alone, and the client reaches each at the MAC of the holder's interface. */
    private static void awaitBothOn(List<Node> routers, String holder, Node client, Node owner) {
        awaitHolders(routers, VIP_OUT, List.of(holder));
        awaitHolders(routers, VIP_IN, List.of(holder));
        awaitClientReaches(client, VIP_OUT, "eth0", owner);
        awaitClientReaches(client, VIP_IN, "eth1", owner);
    }

    private static final Pattern LOCAL = Pattern.compile("\"local\":\"([^\"]+)\"");

    /** Whether {@code node} carries {@code vip} on any interface ({@code ip -j addr}). */
    private static boolean holds(Node node, IpAddress vip) {
        Matcher m = LOCAL.matcher(node.ip("-j", "addr"));
        while (m.find()) {
            if (IpAddress.parse(m.group(1)).equals(vip)) {
                return true;
            }
        }
        return false;
    }

    private static void awaitHolders(List<Node> routers, IpAddress vip, List<String> expected) {
        long end = System.nanoTime() + CONVERGE.toNanos();
        List<String> now;
        while (!(now = routers.stream().filter(n -> holds(n, vip)).map(Node::name).toList()).equals(expected)) {
            if (System.nanoTime() > end) {
                throw new AssertionError("expected " + expected + " to carry " + vip + " within " + CONVERGE + " but " + now
                        + " do");
            }
            VrrpDaemon.sleep(20);
        }
    }

    private static final Pattern ETHER = Pattern.compile("link/ether ([0-9a-f:]{17})");
    private static final Pattern LLADDR = Pattern.compile("lladdr ([0-9a-f:]{17})");

    private static Optional<String> mac(String text, Pattern p) {
        Matcher m = p.matcher(text);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    private static void awaitClientReaches(Node client, IpAddress vip, String ifname, Node owner) {
        String want = mac(owner.ip("link", "show", ifname), ETHER).orElseThrow();
        long end = System.nanoTime() + CONVERGE.toNanos();
        while (true) {
            Cmd.Result ping = client.exec("ping", "-n", "-c", "1", "-W", "1", "-I", ifname, vip.toString());
            Optional<String> seen = mac(client.ip("neigh", "show", "to", vip.toString(), "dev", ifname), LLADDR);
            if (ping.exit() == 0 && seen.equals(Optional.of(want))) {
                return;
            }
            if (System.nanoTime() > end) {
                throw new AssertionError(client.name() + " did not reach " + vip + " on " + ifname + " at " + owner.name()
                        + "'s MAC " + want + " within " + CONVERGE + ": ping exit " + ping.exit() + ", neighbour " + seen);
            }
            VrrpDaemon.sleep(50);
        }
    }

    /**
     * Reads who holds each VIP ({@code ip -j addr} of each router namespace, one dump per node
     * per sample) on its own thread and measures every stretch in which the two VIPs were not
     * held by the same set of nodes.
     */
    private static final class Sampler {
        private final List<Node> routers;
        private final AtomicBoolean running = new AtomicBoolean();
        private final List<String> splits = new java.util.concurrent.CopyOnWriteArrayList<>();
        private volatile long longestSplitMs;
        private volatile int samples;
        private Thread thread;

        Sampler(List<Node> routers) {
            this.routers = routers;
        }

        void start() {
            running.set(true);
            thread = new Thread(this::run, "vip-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            running.set(false);
            if (thread != null) {
                thread.join(5_000);
            }
        }

        private void run() {
            long splitSince = -1;
            String splitSeen = null;
            while (running.get()) {
                List<String> out = new ArrayList<>();
                List<String> in = new ArrayList<>();
                for (Node n : routers) {
                    Matcher m = LOCAL.matcher(n.ip("-j", "addr"));
                    while (m.find()) {
                        IpAddress a = IpAddress.parse(m.group(1));
                        if (a.equals(VIP_OUT)) {
                            out.add(n.name());
                        } else if (a.equals(VIP_IN)) {
                            in.add(n.name());
                        }
                    }
                }
                samples++;
                long now = System.nanoTime();
                if (!out.equals(in)) {
                    if (splitSince < 0) {
                        splitSince = now;
                        splitSeen = "outside on " + out + ", inside on " + in;
                    }
                } else if (splitSince >= 0) {
                    long ms = (now - splitSince) / 1_000_000;
                    splits.add(splitSeen + " for " + ms + " ms");
                    longestSplitMs = Math.max(longestSplitMs, ms);
                    splitSince = -1;
                }
                VrrpDaemon.sleep(5);
            }
            if (splitSince >= 0) {
                long ms = (System.nanoTime() - splitSince) / 1_000_000;
                splits.add(splitSeen + " for " + ms + " ms (still split when sampling ended)");
                longestSplitMs = Math.max(longestSplitMs, ms);
            }
        }
    }
}
