package io.havip.examples.fabric;

import static org.assertj.core.api.Assertions.assertThat;

import io.havip.arp.testbed.LinuxTestRequirements;
import io.havip.arp.testbed.Node;
import io.havip.arp.testbed.Testbed;
import io.havip.arp.testbed.TestbedExtension;
import io.havip.core.cloud.HavipResource;
import io.havip.core.cloud.HavipEvent;
import io.havip.core.net.IpAddress;
import io.havip.core.net.MacAddress;
import io.havip.examples.havipd.VrrpDaemon;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 * HavipService and the pcap announcement listener); two havipd nodes, each running the
 * keepalived.conf a cloud guide would give it (unicast, advert_int 1), share the HAVIP the service
 * allocated under the Tencent rule; when node1's havipd is killed (SIGKILL) the fabric learns
 * node2 from its gratuitous ARP and HolderChanged fires.
 */
@ExtendWith(TestbedExtension.class)
class FabricDemoIT {

    @Test
    void theHolderFollowsTheMasterAcrossAFailover(Testbed net) throws Exception {
        LinuxTestRequirements.require("ip");
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
        Path dir = Files.createTempDirectory("havip-fabric-");
        VrrpDaemon n1 = null;
        VrrpDaemon n2 = null;
        try (FabricDemo demo = fabric.call(() -> FabricDemo.start("eth0", instances, Optional.empty(), out, Optional.of(csv),
                e -> {
                    if (e instanceof HavipEvent.HolderChanged h) {
                        holders.add(h);
                    }
                }))) {
            HavipResource havip = demo.applied();
            // Tencent reserves the network address and the gateway (.0, .1): the lowest free one is .2
            assertThat(havip.address()).isEqualTo(IpAddress.parse("198.51.100.2"));
            assertThat(havip.boundInstanceIds()).containsExactly("node1", "node2");

            n1 = VrrpDaemon.start(VrrpDaemon.Kind.HAVIPD, node1, conf(dir, "node1", node1, node2, havip, 150));
            HavipEvent.HolderChanged first = holders.poll(10, TimeUnit.SECONDS);
            assertThat(first).as("the fabric heard node1's announcement").isNotNull();
            assertThat(first.newHolder()).contains("node1");
            n2 = VrrpDaemon.start(VrrpDaemon.Kind.HAVIPD, node2, conf(dir, "node2", node2, node1, havip, 100));
            n2.awaitLog("VI_60: INITIALIZE -> BACKUP", Duration.ofSeconds(10));
            Thread.sleep(1500); // node2 settles as BACKUP: it must not announce
            assertThat(holders.poll()).as("no holder change while node1 is master").isNull();

            n1.kill();
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
            assertThat(n2.log()).contains("VI_60: BACKUP -> MASTER (master down timer");
        } finally {
            for (VrrpDaemon d : new VrrpDaemon[] {n1, n2}) {
                if (d != null) {
                    d.close();
                    System.out.printf("--- %s: %s%n%s", d, String.join(" ", d.command()), d.log());
                }
            }
            Files.deleteIfExists(csv);
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /**
     * The keepalived.conf a cloud guide would give a HAVIP node: one instance (VRID 60) holding the
     * address the service allocated, unicast to the other node as VPCs require, advert_int 1.
     */
    private static Path conf(Path dir, String name, Node self, Node peer, HavipResource havip, int priority) throws Exception {
        String text = "global_defs {\n  router_id fabric_" + name + "\n}\n"
                + "vrrp_instance VI_60 {\n"
                + "  state BACKUP\n"
                + "  interface eth0\n"
                + "  virtual_router_id 60\n"
                + "  priority " + priority + "\n"
                + "  advert_int 1\n"
                + "  unicast_src_ip " + self.ipv4() + "\n"
                + "  unicast_peer {\n    " + peer.ipv4() + "\n  }\n"
                + "  virtual_ipaddress {\n    " + havip.address() + "/24 dev eth0\n  }\n"
                + "}\n";
        Path nodeDir = Files.createDirectories(dir.resolve(name));
        return Files.writeString(nodeDir.resolve("keepalived.conf"), text);
    }
}
