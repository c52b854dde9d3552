package io.havip.examples.havipd;

import static org.assertj.core.api.Assertions.assertThat;

import io.havip.core.RouterState;
import io.havip.core.memory.InMemoryNetwork;
import io.havip.core.memory.Node;
import io.havip.core.net.IpAddress;
import io.havip.core.net.MacAddress;
import io.havip.vrrp.KeepalivedRouters;
import io.havip.vrrp.KeepalivedRouters.Settings;
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
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        AtomicInteger status = new AtomicInteger(-1);
        Thread daemon = new Thread(() -> status.set(Havipd.run(new String[] {"-f", conf.toString()},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), inMemory, control)));
        daemon.start();
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (control.daemon() == null && daemon.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(control.daemon()).as("daemon started; stderr: %s", err).isNotNull();
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
}
