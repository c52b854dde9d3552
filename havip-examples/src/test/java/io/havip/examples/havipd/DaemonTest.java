package io.havip.examples.havipd;

import static org.assertj.core.api.Assertions.assertThat;

import io.havip.core.RouterState;
import io.havip.core.memory.InMemoryNetwork;
import io.havip.core.memory.Node;
import io.havip.core.net.IpAddress;
import io.havip.core.net.MacAddress;
import io.havip.vrrp.keepalived.KeepalivedRouters;
import io.havip.vrrp.keepalived.KeepalivedRouters.Settings;
import io.havip.vrrp.Havip;
import io.havip.vrrp.RouterGroup;
import io.havip.vrrp.VirtualRouter;
import io.havip.vrrp.config.KeepalivedConfigReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reload planning, and havipd run in-process on the in-memory network. */
class DaemonTest {

    private static String instance(String name, int vrid, int priority, String notifyLog) {
        return "vrrp_instance " + name + " {\n  interface eth0\n  virtual_router_id " + vrid + "\n  priority " + priority
                + "\n  version 3\n  advert_int 0.1\n  virtual_ipaddress {\n    198.51.100." + vrid + "/24\n  }\n"
                + "  notify \"/bin/sh -c 'echo \\\"$*\\\" >> " + notifyLog + "' notify\"\n}\n";
    }

    private static Map<String, Settings> settings(String text) {
        Map<String, Settings> out = new LinkedHashMap<>();
        KeepalivedRouters.map(KeepalivedConfigReader.parse(text, Path.of("k.conf")), c -> () -> true).routers()
                .forEach((n, r) -> out.put(n, r.settings()));
        return out;
    }

    @Test
    void diffKeepsUnchangedRestartsChangedAndHandlesAddedAndRemoved() {
        Map<String, Settings> before = settings(instance("A", 1, 100, "/tmp/x") + instance("B", 2, 100, "/tmp/x")
                + instance("C", 3, 100, "/tmp/x"));
        // A moved down the file (other lines), B changed priority, C removed, D added
        Map<String, Settings> after = settings("\n\n" + instance("B", 2, 110, "/tmp/x") + instance("A", 1, 100, "/tmp/x")
                + instance("D", 4, 100, "/tmp/x"));
        Daemon.Plan plan = Daemon.diff(before, after);
        assertThat(plan.keep()).containsExactly("A");
        assertThat(plan.stop()).containsExactly("B", "C");
        assertThat(plan.start()).containsExactly("B", "D");

        assertThat(Daemon.diff(before, before).keep()).containsExactly("A", "B", "C");
        assertThat(Daemon.diff(before, before).stop()).isEmpty();
        assertThat(Daemon.diff(Map.of(), before).start()).containsExactly("A", "B", "C");
    }

    @Test
    void aNotifyCommandChangeRestartsTheRouter() {
        Map<String, Settings> before = settings(instance("A", 1, 100, "/tmp/x"));
        Map<String, Settings> after = settings(instance("A", 1, 100, "/tmp/y"));
        assertThat(Daemon.diff(before, after).stop()).containsExactly("A");
    }

    /** Runs havipd on {@code conf} on a thread of its own until it is stopped; returns once its routers started. */
    private static Thread runDaemon(Path conf, Daemon.RouterStarter starter, Havipd.Control control, AtomicInteger status)
            throws InterruptedException {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread daemon = new Thread(() -> status.set(Havipd.run(new String[] {"-f", conf.toString()},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), starter, control)));
        daemon.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (control.daemon() == null && daemon.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(control.daemon()).as("daemon started; stderr: %s", err).isNotNull();
        return daemon;
    }

    @Test
    void havipdRunsReloadsLeavingUnchangedRoutersAloneAndStopsGracefully(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("keepalived.conf");
        Path notifyLog = dir.resolve("notify.log");
        Files.writeString(conf, instance("A", 1, 100, notifyLog.toString()) + instance("B", 2, 100, notifyLog.toString()));
        InMemoryNetwork network = new InMemoryNetwork();
        Node host = network.attach("h1", MacAddress.parse("02:00:c6:33:64:0b"), IpAddress.parse("198.51.100.11"));
        AtomicInteger started = new AtomicInteger();
        Daemon.RouterStarter inMemory = (name, b) -> {
            started.incrementAndGet();
            return b.transport(host.openTransport("eth0")).binder(host.binder()).start();
        };
        Havipd.Control control = new Havipd.Control();
        AtomicInteger status = new AtomicInteger(-1);
        Thread daemon = runDaemon(conf, inMemory, control, status);
        try {
            Map<String, VirtualRouter> first = control.daemon().routers();
            assertThat(first).containsOnlyKeys("A", "B");
            VirtualRouter a = first.get("A");
            VirtualRouter b = first.get("B");
            assertThat(a.awaitState(RouterState.MASTER, Duration.ofSeconds(10))).isTrue();

            Files.writeString(conf, "! edited\n" + instance("A", 1, 100, notifyLog.toString())
                    + instance("B", 2, 120, notifyLog.toString()));
            control.requestReload();
            Daemon.Plan plan = control.awaitReload(Duration.ofSeconds(10));
            assertThat(plan).isNotNull();
            assertThat(plan.keep()).containsExactly("A");
            assertThat(plan.stop()).containsExactly("B");
            assertThat(plan.start()).containsExactly("B");
            Map<String, VirtualRouter> second = control.daemon().routers();
            assertThat(second.get("A")).as("unchanged router left alone").isSameAs(a);
            assertThat(a.state()).isEqualTo(RouterState.MASTER);
            assertThat(b.state()).isEqualTo(RouterState.STOP);
            assertThat(second.get("B")).isNotSameAs(b);
            assertThat(second.get("B").priority()).isEqualTo(120);
            assertThat(started).hasValue(3);

            Files.writeString(conf, "vrrp_instance A {\n  advert_int abc\n}\n");
            control.requestReload();
            Daemon.Plan refused = control.awaitReload(Duration.ofSeconds(10));
            assertThat(refused.keep()).containsExactly("A", "B");
            assertThat(refused.stop()).isEmpty();
            assertThat(control.daemon().routers().get("A")).isSameAs(a);
        } finally {
            control.requestStop();
            daemon.join(30_000);
        }
        assertThat(daemon.isAlive()).isFalse();
        assertThat(status).hasValue(Havipd.OK);
        assertThat(network.holders(IpAddress.parse("198.51.100.1"))).isEmpty();
        List<String> notified = Files.readAllLines(notifyLog);
        assertThat(notified.stream().filter(l -> l.contains(" A ")).toList()).containsExactly(
                "INSTANCE A BACKUP 100", "INSTANCE A MASTER 100", "INSTANCE A STOP 100");
        assertThat(notified.stream().filter(l -> l.contains(" B ")).toList()).startsWith("INSTANCE B BACKUP 100")
                .contains("INSTANCE B STOP 100", "INSTANCE B BACKUP 120").endsWith("INSTANCE B STOP 120");
    }

    private static String groupConf(int priorityB, String notifyLog, String groupNotifyArg) {
        String notify = "\"/bin/sh -c 'echo \\\"$*\\\" >> " + notifyLog + "' notify\"";
        return "vrrp_sync_group G {\n  group {\n    A\n    B\n  }\n  notify " + notify + "\n"
                + "  notify_master \"/bin/sh -c 'echo \\\"$*\\\" >> " + notifyLog + "' notify " + groupNotifyArg + "\"\n}\n"
                + "vrrp_instance A {\n  interface eth0\n  virtual_router_id 1\n  priority 100\n  version 3\n"
                + "  advert_int 0.1\n  virtual_ipaddress {\n    198.51.100.1/24\n  }\n}\n"
                + "vrrp_instance B {\n  interface eth1\n  virtual_router_id 2\n  priority " + priorityB + "\n  version 3\n"
                + "  advert_int 0.1\n  virtual_ipaddress {\n    203.0.113.2/24\n  }\n}\n"
                + instance("C", 3, 100, notifyLog);
    }

    @Test
    void aSyncGroupRunsAsOneRouterGroupIsReloadedAsAUnitAndNotifiesAsKeepalived(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("keepalived.conf");
        Path notifyLog = dir.resolve("notify.log");
        Files.writeString(conf, groupConf(100, notifyLog.toString(), "GROUP_MASTER"));
        InMemoryNetwork network = new InMemoryNetwork();
        Node host = network.attach("h1", MacAddress.parse("02:00:c6:33:64:0b"), IpAddress.parse("198.51.100.11"));
        Map<String, String> interfaces = Map.of("A", "eth0", "B", "eth1", "C", "eth0");
        List<String> groupsStarted = new java.util.concurrent.CopyOnWriteArrayList<>();
        Daemon.RouterStarter inMemory = new Daemon.RouterStarter() {
            @Override
            public VirtualRouter start(String instance, Havip.Builder b) {
                return b.transport(host.openTransport(interfaces.get(instance))).binder(host.binder()).start();
            }

            @Override
            public RouterGroup startGroup(String group, Map<String, Havip.Builder> members,
                                          RouterGroup.GroupListener listener) {
                groupsStarted.add(group + " " + members.keySet());
                RouterGroup.Builder g = Havip.syncGroup(group).listener(listener);
                members.forEach((name, b) -> g.router(b.transport(host.openTransport(interfaces.get(name)))
                        .binder(host.binder())));
                return g.start();
            }
        };
        Havipd.Control control = new Havipd.Control();
        AtomicInteger status = new AtomicInteger(-1);
        Thread daemon = runDaemon(conf, inMemory, control, status);
        try {
            assertThat(groupsStarted).containsExactly("G [A, B]");
            assertThat(control.daemon().routers()).containsOnlyKeys("A", "B", "C");
            RouterGroup g = control.daemon().groups().get("G");
            assertThat(g.routers()).containsExactly(control.daemon().routers().get("A"), control.daemon().routers().get("B"));
            assertThat(g.awaitState(RouterState.MASTER, Duration.ofSeconds(10))).isTrue();
            VirtualRouter c = control.daemon().routers().get("C");

            // a member's priority changes: the whole group restarts, the lone C is left alone
            Files.writeString(conf, groupConf(120, notifyLog.toString(), "GROUP_MASTER"));
            control.requestReload();
            Daemon.Plan plan = control.awaitReload(Duration.ofSeconds(10));
            assertThat(plan.keep()).containsExactly("C");
            assertThat(plan.stop()).containsExactly("A", "B");
            assertThat(plan.start()).containsExactly("A", "B");
            assertThat(control.daemon().routers().get("C")).isSameAs(c);
            RouterGroup g2 = control.daemon().groups().get("G");
            assertThat(g2).isNotSameAs(g);
            assertThat(g.routers()).allSatisfy(r -> assertThat(r.state()).isEqualTo(RouterState.STOP));
            assertThat(g2.awaitState(RouterState.MASTER, Duration.ofSeconds(10))).isTrue();

            // only the group's notify_master changes: the group restarts (its members' settings did not change)
            Files.writeString(conf, groupConf(120, notifyLog.toString(), "GROUP_MASTER_2"));
            control.requestReload();
            plan = control.awaitReload(Duration.ofSeconds(10));
            assertThat(plan.stop()).containsExactly("A", "B");
            RouterGroup g3 = control.daemon().groups().get("G");
            assertThat(g3.awaitState(RouterState.MASTER, Duration.ofSeconds(10))).isTrue();

            // the same file again: nothing restarts
            control.requestReload();
            plan = control.awaitReload(Duration.ofSeconds(10));
            assertThat(plan.keep()).containsExactlyInAnyOrder("A", "B", "C");
            assertThat(plan.stop()).isEmpty();
            assertThat(control.daemon().groups().get("G")).isSameAs(g3);
            assertThat(groupsStarted).hasSize(3);
        } finally {
            control.requestStop();
            daemon.join(30_000);
        }
        assertThat(daemon.isAlive()).isFalse();
        assertThat(status).hasValue(Havipd.OK);
        assertThat(network.holders(IpAddress.parse("203.0.113.2"))).isEmpty();
        List<String> notified = Files.readAllLines(notifyLog);
        assertThat(notified.stream().filter(l -> l.startsWith("GROUP") || l.contains(" G ")).toList()).containsExactly(
                "GROUP G BACKUP 0", "GROUP_MASTER", "GROUP G MASTER 0", "GROUP G STOP 0",
                "GROUP G BACKUP 0", "GROUP_MASTER", "GROUP G MASTER 0", "GROUP G STOP 0",
                "GROUP G BACKUP 0", "GROUP_MASTER_2", "GROUP G MASTER 0", "GROUP G STOP 0");
        // a member's own STOP runs before its group's
        assertThat(notified.lastIndexOf("INSTANCE B STOP 120")).isLessThan(notified.lastIndexOf("GROUP G STOP 0"));
        assertThat(notified.stream().filter(l -> l.contains(" C ")).toList()).containsExactly(
                "INSTANCE C BACKUP 100", "INSTANCE C MASTER 100", "INSTANCE C STOP 100");
    }
}
