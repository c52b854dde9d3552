package io.havip.examples.fabric;

import static org.assertj.core.api.Assertions.assertThat;

import io.havip.arp.testbed.ChildJvm;
import io.havip.arp.testbed.Cmd;
import io.havip.arp.testbed.LinuxTestRequirements;
import io.havip.arp.testbed.Node;
import io.havip.arp.testbed.Testbed;
import io.havip.arp.testbed.TestbedExtension;
import io.havip.core.cloud.Havip;
import io.havip.core.cloud.HavipEvent;
import io.havip.core.net.IpAddress;
import io.havip.core.net.MacAddress;
import io.havip.examples.proxy.VipProxy;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The fabric's view of a HAVIP moving: a "fabric" namespace runs {@link FabricDemo} (the
 * HavipService and the pcap announcement listener); two havip nodes (VipProxy JVMs, 100 ms
 * adverts) share the HAVIP the service allocated; when node1's JVM is killed the fabric learns
 * node2 from its gratuitous ARP and HolderChanged fires.
 */
@ExtendWith(TestbedExtension.class)
class FabricDemoIT {

    @Test
    void theHolderFollowsTheMasterAcrossAFailover(Testbed net) throws Exception {
        LinuxTestRequirements.require("ip", "setpriv");
        Node node1 = net.addNode("node1");
        Node node2 = net.addNode("node2");
        Node fabric = net.addNode("fabric");
        Map<String, MacAddress> instances = new LinkedHashMap<>();
        instances.put("node1", node1.mac());
        instances.put("node2", node2.mac());
        BlockingQueue<HavipEvent.HolderChanged> holders = new LinkedBlockingQueue<>();
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        Path csv = Files.createTempFile("havip-fabric-", ".csv");
        ChildJvm.Child n1 = null;
        ChildJvm.Child n2 = null;
        try (FabricDemo demo = fabric.call(() -> FabricDemo.start("eth0", instances, Optional.empty(), out, Optional.of(csv),
                e -> {
                    if (e instanceof HavipEvent.HolderChanged h) {
                        holders.add(h);
                    }
                }))) {
            Havip havip = demo.applied();
            // Tencent reserves the network address and the gateway (.0, .1): the lowest free one is .2
            assertThat(havip.address()).isEqualTo(IpAddress.parse("198.51.100.2"));
            assertThat(havip.boundInstanceIds()).containsExactly("node1", "node2");

            n1 = node(node1, havip, 150, fabric);
            HavipEvent.HolderChanged first = holders.poll(10, TimeUnit.SECONDS);
            assertThat(first).as("the fabric heard node1's announcement").isNotNull();
            assertThat(first.newHolder()).contains("node1");
            n2 = node(node2, havip, 100, fabric);
            Thread.sleep(1000); // node2 settles as BACKUP; it must not announce
            assertThat(holders.poll()).as("no holder change while node1 is master").isNull();

            n1.kill();
            Cmd.Result killed = n1.await(10);
            // ip_nonlocal_bind is 0 in these namespaces: the proxy main falls back to listening once MASTER
            assertThat(killed.stderr()).contains("binding once MASTER instead").contains("listening on /198.51.100.2:3306");
            HavipEvent.HolderChanged second = holders.poll(10, TimeUnit.SECONDS);
            assertThat(second).as("the fabric heard node2 take over").isNotNull();
            assertThat(second.oldHolder()).contains("node1");
            assertThat(second.newHolder()).contains("node2");
            assertThat(demo.service().get(havip.id()).orElseThrow().holder()).contains("node2");

            String text = printed.toString(StandardCharsets.UTF_8);
            System.out.println("FabricDemoIT: the fabric printed\n" + text);
            assertThat(text).contains("holder of " + havip.id() + ": (none) -> node1")
                    .contains("holder of " + havip.id() + ": node1 -> node2");
            String exported = Files.readString(csv, StandardCharsets.UTF_8);
            assertThat(exported).contains(havip.id()).contains("198.51.100.2").contains("node1; node2");
            assertThat(exported.lines().skip(1).findFirst().orElseThrow()).endsWith(",node2,," + havip.createdAt());
        } finally {
            for (ChildJvm.Child c : new ChildJvm.Child[] {n1, n2}) {
                if (c != null) {
                    c.kill();
                    Cmd.Result r = c.await(10);
                    System.out.printf("--- node pid %d exit %d%n%s%s", c.pid(), r.exit(), r.stdout(), r.stderr());
                }
            }
            Files.deleteIfExists(csv);
        }
    }

    /** A havip node: the proxy main, its backend an unused port on the fabric (no client connects here). */
    private static ChildJvm.Child node(Node node, Havip havip, int priority, Node fabric) {
        return node.java(VipProxy.class, "--interface", "eth0", "--vrid", "60", "--priority", Integer.toString(priority),
                "--vip", havip.address() + "/24", "--port", "3306", "--backend", fabric.ipv4() + ":3306",
                "--advert-interval-ms", "100", "--drain-timeout-ms", "500").withClassesOf(io.havip.vrrp.Havip.class).start();
    }
}
