package io.havip.examples.havipd;

import static org.assertj.core.api.Assertions.assertThat;

import io.havip.arp.testbed.Capture;
import io.havip.arp.testbed.LinuxTestRequirements;
import io.havip.arp.testbed.Node;
import io.havip.arp.testbed.Testbed;
import io.havip.arp.testbed.TestbedExtension;
import io.havip.core.net.IpAddress;
import io.havip.core.net.IpFamily;
import io.havip.core.net.MacAddress;
import io.havip.examples.havipd.VrrpDaemon.Kind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * keepalived's {@code use_vmac} in havipd, in namespaces: two routers and a client on one
 * bridge, VRID 51, VIP 198.51.100.50, 200 ms adverts. The client's neighbour entry for the VIP
 * is the virtual MAC 00:00:5e:00:01:33 before and after a failover (no cache has to learn
 * anything); adverts on the wire come from the virtual MAC, or from the master's own MAC with
 * {@code vmac_xmit_base}; a keepalived 2.2.7 peer with {@code use_vmac} shares the router in
 * both roles; the vmac deleted by hand while master comes back with the VIP; another
 * interface already holding the vmac's name is refused and left alone.
 */
@ExtendWith(TestbedExtension.class)
class HavipdVirtualMacIT {

    private static final IpAddress VIP = IpAddress.parse("198.51.100.50");
    private static final MacAddress VMAC = MacAddress.vrrp(IpFamily.IPV4, 51);
    private static final Duration CONVERGE = Duration.ofSeconds(15);

    /** Where adverts leave from. */
    enum Xmit { VMAC, BASE }

    /** Two havipd nodes; the master dies (SIGKILL and its link down: the node is lost), then comes back. */
    @ParameterizedTest
    @EnumSource(Xmit.class)
    void clientsKeepTheVirtualMacAcrossFailover(Xmit xmit, Testbed net) throws Exception {
        LinuxTestRequirements.require("ip", "ping", "tshark");
        Node a = net.addNode("first");
        Node b = net.addNode("second");
        Node client = net.addNode("client");
        String extra = xmit == Xmit.BASE ? "  vmac_xmit_base\n" : "";
        List<VrrpDaemon> daemons = new ArrayList<>();
        try (NodeDir da = NodeDir.create("first"); NodeDir db = NodeDir.create("second")) {
            try {
                VrrpDaemon first = VrrpDaemon.start(Kind.HAVIPD, a, da.writeConf(conf("first", 150, extra)));
                daemons.add(first);
                awaitHolder(a, first);
                // the bridge must never learn the virtual MAC at the backup's port: a backup sends nothing from its
                // vmac, not even the IGMP report of its join (keepalived moves those with nftables; havip turns off
                // reports for link-local groups)
                List<String> fdb = new java.util.concurrent.CopyOnWriteArrayList<>();
                java.util.concurrent.atomic.AtomicBoolean sampling = new java.util.concurrent.atomic.AtomicBoolean(true);
                Thread sampler = new Thread(() -> {
                    while (sampling.get()) {
                        fdb.add(vmacPort(net));
                        VrrpDaemon.sleep(10);
                    }
                });
                sampler.start();
                VrrpDaemon second;
                try {
                    second = VrrpDaemon.start(Kind.HAVIPD, b, db.writeConf(conf("second", 100, extra)));
                    daemons.add(second);
                    VrrpDaemon.sleep(2_500); // past the kernel's repeated unsolicited reports
                } finally {
                    sampling.set(false);
                    sampler.join();
                }
                assertThat(fdb).as("the bridge's port for " + VMAC + " while the backup starts").isNotEmpty()
                        .doesNotContain(b.bridgePort());
                assertThat(b.ip("-d", "link", "show", "vrrp.51")).as("the backup's vmac exists").contains("macvlan mode private");
                assertThat(b.ip("addr", "show", "dev", "vrrp.51")).as("the backup holds no VIP").doesNotContain(VIP.toString());

                awaitClientAt(client, VMAC);
                List<List<String>> adverts = adverts(client);
                MacAddress expected = xmit == Xmit.BASE ? a.mac() : VMAC;
                assertThat(adverts).as("adverts seen by the client (eth.src, ip.src, priority)").isNotEmpty()
                        .allSatisfy(r -> assertThat(r).containsExactly(expected.toString(), a.ipv4().toString(), "150"));

                long killedAt = System.nanoTime();
                first.kill();
                a.ip("link", "set", "eth0", "down"); // the node is gone, with its leftover vmac and address
                awaitHolder(b, second);
                long tookOverMs = (System.nanoTime() - killedAt) / 1_000_000;
                assertThat(client.neighbour(VIP)).as("the client's entry did not change").contains(VMAC);
                awaitClientAt(client, VMAC);
                MacAddress expectedB = xmit == Xmit.BASE ? b.mac() : VMAC;
                assertThat(adverts(client)).isNotEmpty()
                        .allSatisfy(r -> assertThat(r).containsExactly(expectedB.toString(), b.ipv4().toString(), "100"));

                // the node returns: havipd adopts the vmac the killed run left, and preempts
                a.ip("link", "set", "eth0", "up");
                VrrpDaemon again = VrrpDaemon.start(Kind.HAVIPD, a, da.writeConf(conf("first", 150, extra)));
                daemons.add(again);
                again.awaitLog("adopting vrrp.51", Duration.ofSeconds(5));
                awaitHolder(a, again);
                awaitNotHolder(b);
                awaitClientAt(client, VMAC);
                System.out.printf("HavipdVirtualMacIT %s: client at %s before, after the takeover (%d ms after the kill)"
                        + " and after the preemption; adverts from %s%n", xmit, VMAC, tookOverMs, expected);

                assertThat(again.terminate()).isZero();
                assertThat(a.ip("link", "show")).as("havipd deleted its vmac at exit").doesNotContain("vrrp.51");
                assertThat(second.terminate()).isZero();
            } finally {
                daemons.forEach(VrrpDaemon::close);
                for (VrrpDaemon d : daemons) {
                    System.out.printf("--- %s%n%s", d, HavipdDropInIT.tail(d.log(), 4000));
                }
            }
        }
    }

    /**
     * IPv6 (VRRPv3): the vmac vrrp6.51 carries 00:00:5e:00:02:33 and the base's link-local
     * address, adverts leave from it with that address; the client's neighbour entry for the VIP
     * is the virtual MAC before and after the master stops.
     */
    @Test
    void ipv6ClientsKeepTheVirtualMac(Testbed net) throws Exception {
        LinuxTestRequirements.require("ip", "ping", "tshark");
        IpAddress vip6 = IpAddress.parse("2001:db8::50");
        MacAddress vmac6 = MacAddress.vrrp(IpFamily.IPV6, 51);
        Node a = net.addNode("first");
        Node b = net.addNode("second");
        Node client = net.addNode("client");
        List<VrrpDaemon> daemons = new ArrayList<>();
        try (NodeDir da = NodeDir.create("first"); NodeDir db = NodeDir.create("second")) {
            try {
                VrrpDaemon first = VrrpDaemon.start(Kind.HAVIPD, a, da.writeConf(conf("first", 150, "")
                        .replace(VIP + "/24", vip6 + "/64")));
                daemons.add(first);
                awaitHolder(a, first, "vrrp6.51", vip6 + "/64");
                VrrpDaemon second = VrrpDaemon.start(Kind.HAVIPD, b, db.writeConf(conf("second", 100, "")
                        .replace(VIP + "/24", vip6 + "/64")));
                daemons.add(second);
                assertThat(b.ip("-d", "link", "show", "vrrp6.51")).contains(vmac6.toString());
                String ll = linkLocal(a);
                assertThat(a.ip("-6", "addr", "show", "dev", "vrrp6.51")).as("the base's link-local on the vmac")
                        .contains(ll);
                awaitClientAt(client, vip6, vmac6);
                try (Capture c = Capture.start(client, "ip6 proto 112", 4)) {
                    c.finish(3);
                    assertThat(c.fields("vrrp", List.of(), "eth.src", "ipv6.src", "vrrp.prio")).isNotEmpty()
                            .allSatisfy(r -> assertThat(r).containsExactly(vmac6.toString(), ll, "150"));
                }
                assertThat(first.terminate()).isZero();
                awaitHolder(b, second, "vrrp6.51", vip6 + "/64");
                assertThat(client.neighbour(vip6)).contains(vmac6);
                awaitClientAt(client, vip6, vmac6);
                System.out.printf("HavipdVirtualMacIT IPv6: client at %s before and after the failover%n", vmac6);
                assertThat(second.terminate()).isZero();
            } finally {
                daemons.forEach(VrrpDaemon::close);
                for (VrrpDaemon d : daemons) {
                    System.out.printf("--- %s%n%s", d, HavipdDropInIT.tail(d.log(), 4000));
                }
            }
        }
    }

    private static String linkLocal(Node n) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("inet6 (fe80::[0-9a-f:]+)/")
                .matcher(n.ip("-6", "addr", "show", "dev", "eth0", "scope", "link"));
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    /** Who is master first. */
    enum Roles {
        HAVIPD_MASTER(Kind.HAVIPD, Kind.KEEPALIVED), KEEPALIVED_MASTER(Kind.KEEPALIVED, Kind.HAVIPD);

        final Kind master;
        final Kind backup;

        Roles(Kind master, Kind backup) {
            this.master = master;
            this.backup = backup;
        }
    }

    /** havipd and keepalived 2.2.7, both with use_vmac on VRID 51; the master stops (SIGTERM), then returns. */
    @ParameterizedTest
    @EnumSource(Roles.class)
    void interoperatesWithKeepalivedUsingVmac(Roles roles, Testbed net) throws Exception {
        LinuxTestRequirements.require("ip", "ping", "tshark", "keepalived");
        Node a = net.addNode("first");
        Node b = net.addNode("second");
        Node client = net.addNode("client");
        List<VrrpDaemon> daemons = new ArrayList<>();
        try (NodeDir da = NodeDir.create("first"); NodeDir db = NodeDir.create("second")) {
            Path confA = da.writeConf(conf("first", 150, ""));
            try {
                VrrpDaemon master = VrrpDaemon.start(roles.master, a, confA);
                daemons.add(master);
                awaitHolder(a, master);
                VrrpDaemon backup = VrrpDaemon.start(roles.backup, b, db.writeConf(conf("second", 100, "")));
                daemons.add(backup);
                VrrpDaemon.sleep(1_000); // five intervals: the backup hears the master's adverts and stays put
                assertThat(holds(b)).as("the backup stays backup; log:\n" + backup.log()).isFalse();
                // the routers learn the client on eth0 first: keepalived 2.2.7 otherwise answers the client's
                // first packet to the VIP after an ARP request with the VIP as sender from eth0's MAC, which
                // moves the client's entry off the virtual MAC (havipd sets arp_announce=2 on the base against it)
                client.exec("ping", "-c", "1", "-W", "1", a.ipv4().toString());
                client.exec("ping", "-c", "1", "-W", "1", b.ipv4().toString());
                awaitClientAt(client, VMAC);
                assertThat(adverts(client)).isNotEmpty()
                        .allSatisfy(r -> assertThat(r).containsExactly(VMAC.toString(), a.ipv4().toString(), "150"));

                long stoppedAt = System.nanoTime();
                assertThat(master.terminate()).isZero();
                awaitHolder(b, backup);
                long tookOverMs = (System.nanoTime() - stoppedAt) / 1_000_000;
                assertThat(client.neighbour(VIP)).contains(VMAC);
                awaitClientAt(client, VMAC);
                assertThat(adverts(client)).isNotEmpty()
                        .allSatisfy(r -> assertThat(r).containsExactly(VMAC.toString(), b.ipv4().toString(), "100"));
                assertThat(a.ip("link", "show")).as(roles.master + " deleted its vmac").doesNotContain("vrrp.51");

                VrrpDaemon again = VrrpDaemon.start(roles.master, a, confA);
                daemons.add(again);
                awaitHolder(a, again);
                awaitNotHolder(b);
                awaitClientAt(client, VMAC);
                System.out.printf("HavipdVirtualMacIT %s: %s took over %d ms after SIGTERM; client at %s throughout%n",
                        roles, roles.backup, tookOverMs, VMAC);
                assertThat(backup.terminate()).isZero();
                assertThat(again.terminate()).isZero();
            } finally {
                daemons.forEach(VrrpDaemon::close);
                for (VrrpDaemon d : daemons) {
                    System.out.printf("--- %s%n%s", d, HavipdDropInIT.tail(d.log(), 4000));
                }
            }
        }
    }

    /** The vmac deleted by hand while master: recreated, the VIP put back on it, logged once; the client follows. */
    @Test
    void deletedByHandWhileMasterIsRecreated(Testbed net) throws Exception {
        LinuxTestRequirements.require("ip", "ping");
        Node a = net.addNode("first");
        Node client = net.addNode("client");
        try (NodeDir da = NodeDir.create("first");
             VrrpDaemon d = VrrpDaemon.start(Kind.HAVIPD, a, da.writeConf(conf("first", 150, "")))) {
            awaitHolder(a, d);
            awaitClientAt(client, VMAC);
            for (int i = 0; i < 3; i++) {
                long at = System.nanoTime();
                a.ip("link", "del", "vrrp.51");
                awaitHolder(a, d);
                System.out.printf("HavipdVirtualMacIT: vmac deleted by hand, back with the VIP in %d ms%n",
                        (System.nanoTime() - at) / 1_000_000);
                assertThat(a.ip("-d", "link", "show", "vrrp.51")).contains(VMAC.toString()).contains("macvlan mode private");
                awaitClientAt(client, VMAC);
            }
            String log = d.log();
            assertThat(log.split("was deleted by someone else", -1)).as("logged once:\n" + log).hasSize(2);
            // the conflict monitor watches the recreated vmac: a stale holder's ARP (the client holding the VIP
            // too and asking for the master's address from it) is seen and answered
            client.ip("addr", "add", VIP + "/32", "dev", "eth0");
            client.ip("neigh", "flush", "all");
            client.exec("ping", "-c", "1", "-W", "1", "-I", VIP.toString(), a.ipv4().toString());
            d.awaitLog("claims " + VIP, Duration.ofSeconds(5));
            client.ip("addr", "del", VIP + "/32", "dev", "eth0");
            assertThat(d.terminate()).isZero();
        }
    }

    /** An interface already named vrrp.51 that is not a macvlan of eth0: havipd refuses to start and leaves it. */
    @Test
    void anotherInterfaceWithTheNameIsRefusedAndLeftAlone(Testbed net) throws Exception {
        Node a = net.addNode("first");
        a.ip("link", "add", "vrrp.51", "type", "bridge");
        try (NodeDir da = NodeDir.create("first")) {
            Path conf = da.writeConf(conf("first", 150, ""));
            List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", a.namespace()));
            cmd.addAll(VrrpDaemon.havipdCommand());
            cmd.addAll(List.of("-f", conf.toString(), "--run-dir", da.dir().resolve("run").toString()));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            try {
                assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("havipd exits").isTrue();
                String out = new String(p.getInputStream().readAllBytes());
                assertThat(p.exitValue()).as(out).isEqualTo(Havipd.START_FAILED);
                assertThat(out).contains("cannot use vrrp.51 as the virtual MAC interface on eth0: an interface named"
                        + " vrrp.51 exists already and is a bridge").contains("havip leaves it alone")
                        .contains("ip link del vrrp.51").doesNotContain("Exception:");
                assertThat(a.ip("-d", "link", "show", "vrrp.51")).contains("bridge");
            } finally {
                p.destroyForcibly();
            }
        }
    }

    private static String conf(String node, int priority, String extra) {
        return "global_defs {\n  router_id vmac_" + node + "\n}\n"
                + "vrrp_instance VI_1 {\n  state BACKUP\n  interface eth0\n  virtual_router_id 51\n  priority " + priority
                + "\n  version 3\n  advert_int 0.2\n  use_vmac\n" + extra + "  virtual_ipaddress {\n    " + VIP
                + "/24\n  }\n}\n";
    }

    /** The bridge port the testbed's bridge has learnt the virtual MAC at ("" when none). */
    private static String vmacPort(Testbed net) {
        for (String line : io.havip.arp.testbed.Cmd.run("bridge", "-n", net.bridgeNamespace(), "fdb", "show", "br", "br0")
                .stdout().split("\n")) {
            if (line.startsWith(VMAC.toString() + " dev ")) {
                return line.split(" ")[2];
            }
        }
        return "";
    }

    /** VRRP seen on the client's eth0 for a second: source MAC, source address, priority. */
    private static List<List<String>> adverts(Node client) throws Exception {
        try (Capture c = Capture.start(client, "ip proto 112", 4)) {
            c.finish(3);
            return c.fields("vrrp", List.of(), "eth.src", "ip.src", "vrrp.prio");
        }
    }

    private static boolean holds(Node n) {
        return holds(n, "vrrp.51", VIP + "/24");
    }

    private static boolean holds(Node n, String vmac, String vip) {
        return n.exec("ip", "addr", "show", "dev", vmac).stdout().contains(" " + vip + " ");
    }

    private static void awaitHolder(Node n, VrrpDaemon d) {
        awaitHolder(n, d, "vrrp.51", VIP + "/24");
    }

    private static void awaitHolder(Node n, VrrpDaemon d, String vmac, String vip) {
        long end = System.nanoTime() + CONVERGE.toNanos();
        while (!holds(n, vmac, vip)) {
            if (System.nanoTime() > end || !d.isAlive()) {
                throw new AssertionError(n + " does not hold " + VIP + " on vrrp.51 within " + CONVERGE + ":\n"
                        + n.exec("ip", "addr").stdout() + "\n" + d.log());
            }
            VrrpDaemon.sleep(10);
        }
    }

    private static void awaitNotHolder(Node n) {
        long end = System.nanoTime() + CONVERGE.toNanos();
        while (holds(n)) {
            if (System.nanoTime() > end) {
                throw new AssertionError(n + " still holds " + VIP);
            }
            VrrpDaemon.sleep(10);
        }
    }

    /** Pings the VIP from the client until it answers, then checks the client's entry is {@code mac}. */
    private static void awaitClientAt(Node client, MacAddress mac) {
        awaitClientAt(client, VIP, mac);
    }

    private static void awaitClientAt(Node client, IpAddress vip, MacAddress mac) {
        long end = System.nanoTime() + CONVERGE.toNanos();
        while (client.exec("ping", "-c", "1", "-W", "1", vip.toString()).exit() != 0) {
            if (System.nanoTime() > end) {
                throw new AssertionError("the client cannot reach " + vip + ": " + client.neighboursJson());
            }
        }
        Optional<MacAddress> at = client.neighbour(vip);
        assertThat(at).as("the client's neighbour entry for " + vip).contains(mac);
    }
}
