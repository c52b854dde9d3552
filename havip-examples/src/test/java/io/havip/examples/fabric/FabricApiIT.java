package io.havip.examples.fabric;

import static org.assertj.core.api.Assertions.assertThat;

import io.havip.arp.testbed.LinuxTestRequirements;
import io.havip.arp.testbed.Node;
import io.havip.arp.testbed.Testbed;
import io.havip.arp.testbed.TestbedExtension;
import io.havip.controlplane.ControlPlaneServer;
import io.havip.controlplane.Databases;
import io.havip.examples.havipd.VrrpDaemon;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The README's path from an empty control plane to a described HAVIP whose holder was learned
 * from a real ARP announcement: a control plane (embedded database) gets its network, a HAVIP
 * and two bound instances through its HTTP API; {@code FabricDemo --netns fabric --api URL}, as
 * README runs it, captures the gratuitous ARP of the havipd node that takes the address in the
 * fabric's namespace and posts it to the API ({@link AnnouncementReporter}); DescribeHaVips then
 * names that node as the holder, and the other one after a SIGKILL failover; SIGTERM stops the
 * fabric also once the segment is quiet.
 */
@ExtendWith(TestbedExtension.class)
class FabricApiIT {

    private static final Pattern HOLDER = Pattern.compile("\"InstanceId\" : \"([^\"]*)\",\\s*\"HolderSince\"");
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void describeHaVipsNamesTheHolderTheFabricSaw(Testbed net) throws Exception {
        LinuxTestRequirements.require("ip");
        Node node1 = net.addNode("node1");
        Node node2 = net.addNode("node2");
        Node fabric = net.addNode("fabric");
        Path dir = Files.createTempDirectory("havip-fabric-api-");
        VrrpDaemon n1 = null;
        VrrpDaemon n2 = null;
        try (ControlPlaneServer server = ControlPlaneServer.start(ControlPlaneServer.Options.defaults()
                .withListen(new InetSocketAddress("127.0.0.1", 0)).withJdbcUrl(Databases.h2Memory("fabric-api")))) {
            URI api = URI.create("http://127.0.0.1:" + server.address().getPort() + "/");
            post(api, "CreateVpc", "{\"VpcId\": \"vpc-demo\", \"CidrBlock\": \"198.51.0.0/16\"}");
            post(api, "CreateSubnet", "{\"SubnetId\": \"subnet-demo\", \"VpcId\": \"vpc-demo\", \"CidrBlock\": \"198.51.100.0/24\"}");
            post(api, "RegisterInstance", "{\"InstanceId\": \"node1\", \"VpcId\": \"vpc-demo\", \"SubnetId\": \"subnet-demo\","
                    + " \"MacAddresses\": [\"" + node1.mac() + "\"]}");
            post(api, "RegisterInstance", "{\"InstanceId\": \"node2\", \"VpcId\": \"vpc-demo\", \"SubnetId\": \"subnet-demo\","
                    + " \"MacAddresses\": [\"" + node2.mac() + "\"]}");
            String created = post(api, "CreateHaVip", "{\"VpcId\": \"vpc-demo\", \"SubnetId\": \"subnet-demo\", "
                    + "\"HaVipName\": \"web\"}");
            Matcher idm = Pattern.compile("\"HaVipId\" : \"([^\"]+)\"").matcher(created);
            assertThat(idm.find()).isTrue();
            String id = idm.group(1);
            assertThat(created).contains("\"Vip\" : \"198.51.100.2\"");
            post(api, "AssociateHaVipInstance", "{\"HaVipAssociationSet\": [{\"HaVipId\": \"" + id + "\", \"InstanceId\": "
                    + "\"node1\"}, {\"HaVipId\": \"" + id + "\", \"InstanceId\": \"node2\"}]}");

            // the README's command: FabricDemo captures in the fabric's namespace (--netns) and posts
            // from this one, where the API listens on 127.0.0.1
            Path fabricLog = dir.resolve("fabric.log");
            Process demo = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), FabricDemo.class.getName(),
                    "--netns", fabric.namespace(), "--interface", "eth0", "--api", api.toString())
                    .redirectErrorStream(true).redirectOutput(fabricLog.toFile()).start();
            try {
                awaitText(fabricLog, "reporting the announcements seen on eth0 in network namespace " + fabric.namespace());
                n1 = VrrpDaemon.start(VrrpDaemon.Kind.HAVIPD, node1, conf(dir, "node1", node1, node2, 150));
                assertThat(awaitHolder(api, id, "node1")).as("DescribeHaVips after node1 announced").isEqualTo("node1");
                n2 = VrrpDaemon.start(VrrpDaemon.Kind.HAVIPD, node2, conf(dir, "node2", node2, node1, 100));
                n2.awaitLog("VI_60: INITIALIZE -> BACKUP", Duration.ofSeconds(10));
                n1.kill();
                assertThat(awaitHolder(api, id, "node2")).as("DescribeHaVips after the failover").isEqualTo("node2");
                n2.close(); // a quiet segment: FabricDemo must still stop on SIGTERM
                n2 = null;
                demo.destroy();
                assertThat(demo.waitFor(10, TimeUnit.SECONDS)).as("FabricDemo exited within 10 s of SIGTERM; it printed:\n"
                        + Files.readString(fabricLog)).isTrue();
            } finally {
                demo.destroyForcibly();
            }
            String text = Files.readString(fabricLog);
            System.out.println("FabricApiIT: the fabric printed\n" + text);
            assertThat(text).contains("reported 198.51.100.2 by " + node1.mac() + ": Accepted (" + id + " held by node1)")
                    .contains("reported 198.51.100.2 by " + node2.mac() + ": Accepted (" + id + " held by node2)")
                    .doesNotContain("cannot post").doesNotContain("refused");
        } finally {
            for (VrrpDaemon d : new VrrpDaemon[] {n1, n2}) {
                if (d != null) {
                    d.close();
                }
            }
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void awaitText(Path log, String text) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!(Files.exists(log) && Files.readString(log).contains(text))) {
            if (System.nanoTime() > end) {
                throw new AssertionError("FabricDemo never printed '" + text + "'; it printed:\n"
                        + (Files.exists(log) ? Files.readString(log) : ""));
            }
            Thread.sleep(100);
        }
    }

    private String post(URI api, String action, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(api.resolve("/" + action))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("%s answered %s", action, r.body()).isEqualTo(200);
        return r.body();
    }

    /** The holder DescribeHaVips reports once it is {@code expected}, or the last one seen after 10 s. */
    private String awaitHolder(URI api, String id, String expected) throws Exception {
        String holder = "";
        for (int i = 0; i < 100 && !holder.equals(expected); i++) {
            Matcher m = HOLDER.matcher(post(api, "DescribeHaVips", "{\"HaVipIds\": [\"" + id + "\"]}"));
            holder = m.find() ? m.group(1) : "";
            if (!holder.equals(expected)) {
                Thread.sleep(100);
            }
        }
        return holder;
    }

    private static Path conf(Path dir, String name, Node self, Node peer, int priority) throws Exception {
        String text = "vrrp_instance VI_60 {\n  state BACKUP\n  interface eth0\n  virtual_router_id 60\n"
                + "  priority " + priority + "\n  advert_int 1\n  unicast_src_ip " + self.ipv4() + "\n"
                + "  unicast_peer {\n    " + peer.ipv4() + "\n  }\n"
                + "  virtual_ipaddress {\n    198.51.100.2/24 dev eth0\n  }\n}\n";
        Path nodeDir = Files.createDirectories(dir.resolve(name));
        return Files.writeString(nodeDir.resolve("keepalived.conf"), text);
    }
}
