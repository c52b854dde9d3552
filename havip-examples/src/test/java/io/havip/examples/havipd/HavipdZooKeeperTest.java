package io.havip.examples.havipd;

import static org.assertj.core.api.Assertions.assertThat;

import io.havip.core.RouterState;
import io.havip.core.memory.InMemoryNetwork;
import io.havip.core.memory.Node;
import io.havip.core.net.IpAddress;
import io.havip.core.net.MacAddress;
import io.havip.vrrp.VirtualRouter;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * havipd with {@code havip { zookeeper { ... } }}: in-process on the in-memory network against a
 * ZooKeeper server in this JVM, a bad block in {@code --check --json}, and, in a child JVM, that
 * Curator is not even loaded by {@code --check} (and so not by a file without the block).
 */
class HavipdZooKeeperTest {

    private static String conf(String connect) {
        return "vrrp_instance VI_7 {\n  interface eth0\n  virtual_router_id 7\n  priority 100\n  version 3\n"
                + "  advert_int 0.1\n  virtual_ipaddress {\n    198.51.100.7/24\n  }\n}\n"
                + "havip {\n  zookeeper {\n    connect " + connect + "\n    path /havip/d\n    session_timeout 2s\n"
                + "    node h1\n  }\n}\n";
    }

    @Test
    void everyInstanceWaitsForItsLeaseAndCarriesTheFencingToken(@TempDir Path dir) throws Exception {
        File data = Files.createTempDirectory("havip-zk").toFile();
        try (TestingServer zk = new TestingServer(new InstanceSpec(data, -1, -1, -1, true, -1, 100, -1), true);
             CuratorFramework stranger = CuratorFrameworkFactory.newClient(zk.getConnectString(), new RetryOneTime(100))) {
            stranger.start();
            stranger.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL).forPath("/havip/d/VI_7/holder",
                    "havip-lease 1\nnode=h9\npriority=100\n".getBytes(StandardCharsets.UTF_8));
            Path conf = dir.resolve("keepalived.conf");
            Files.writeString(conf, conf(zk.getConnectString()));
            InMemoryNetwork network = new InMemoryNetwork();
            Node host = network.attach("h1", MacAddress.parse("02:00:c6:33:64:0b"), IpAddress.parse("198.51.100.11"));
            Daemon.RouterStarter inMemory = (name, b) -> b.transport(host.openTransport("eth0")).binder(host.binder())
                    .start();
            Havipd.Control control = new Havipd.Control();
            AtomicInteger status = new AtomicInteger(-1);
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Thread daemon = new Thread(() -> status.set(Havipd.run(new String[] {"-f", conf.toString()},
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8), inMemory, control)));
            daemon.start();
            try {
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (control.daemon() == null && daemon.isAlive() && System.nanoTime() < end) {
                    Thread.sleep(10);
                }
                assertThat(control.daemon()).as("started; stderr %s", err).isNotNull();
                VirtualRouter r = control.daemon().routers().get("VI_7");
                Thread.sleep(1500); // past Master_Down_Interval: VRRP elected it
                assertThat(r.state()).isEqualTo(RouterState.BACKUP);
                assertThat(r.stats().lease().waiting()).isTrue();
                assertThat(r.stats().lease().holder().node()).isEqualTo("h9");
                assertThat(network.holders(IpAddress.parse("198.51.100.7"))).isEmpty();

                stranger.delete().forPath("/havip/d/VI_7/holder");
                assertThat(r.awaitState(RouterState.MASTER, Duration.ofSeconds(10))).isTrue();
                assertThat(r.stats().lease().token()).isPositive();
                assertThat(r.stats().lease().mode()).isEqualTo("quorum-guard");
            } finally {
                control.requestStop();
                daemon.join(30_000);
            }
            assertThat(status).hasValue(Havipd.OK);
            assertThat(stranger.checkExists().forPath("/havip/d/VI_7/holder")).as("lease given back at stop").isNull();
        }
    }

    @Test
    void modeLeaseRunsTheInstanceWithoutVrrpTraffic(@TempDir Path dir) throws Exception {
        File data = Files.createTempDirectory("havip-zk").toFile();
        try (TestingServer zk = new TestingServer(new InstanceSpec(data, -1, -1, -1, true, -1, 100, -1), true)) {
            Path conf = dir.resolve("keepalived.conf");
            Files.writeString(conf, conf(zk.getConnectString()).replace("    node h1\n", "    node h1\n    mode lease\n"));
            InMemoryNetwork network = new InMemoryNetwork();
            Node host = network.attach("h1", MacAddress.parse("02:00:c6:33:64:0b"), IpAddress.parse("198.51.100.11"));
            Daemon.RouterStarter inMemory = (name, b) -> b.transport(host.openTransport("eth0")).binder(host.binder())
                    .start();
            Havipd.Control control = new Havipd.Control();
            AtomicInteger status = new AtomicInteger(-1);
            Thread daemon = new Thread(() -> status.set(Havipd.run(new String[] {"-f", conf.toString()},
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), inMemory, control)));
            daemon.start();
            try {
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (control.daemon() == null && daemon.isAlive() && System.nanoTime() < end) {
                    Thread.sleep(10);
                }
                VirtualRouter r = control.daemon().routers().get("VI_7");
                assertThat(r.awaitState(RouterState.MASTER, Duration.ofSeconds(10))).isTrue();
                assertThat(r.stats().lease().mode()).isEqualTo("lease-only");
                assertThat(network.holders(IpAddress.parse("198.51.100.7"))).extracting(Node::name).containsExactly("h1");
                assertThat(network.traffic().sent()).as("no VRRP advert sent").isZero();
            } finally {
                control.requestStop();
                daemon.join(30_000);
            }
            assertThat(status).hasValue(Havipd.OK);
        }
    }

    @Test
    void aBadBlockIsReportedByCheckJsonWithFileLineAndKey(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("keepalived.conf");
        Files.writeString(conf, conf("zk1:2181").replace("    node h1\n", "    mode quorum\n"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = Havipd.run(new String[] {"--check", "--json", "-f", conf.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), (n, b) -> b.start(),
                new Havipd.Control());
        assertThat(code).isEqualTo(Havipd.CONFIG_ERROR);
        String json = out.toString(StandardCharsets.UTF_8);
        assertThat(json).contains("\"usable\": false").contains("\"line\": 16").contains("\"key\": \"mode\"")
                .contains("\\\"quorum\\\" is not a mode").doesNotContain("Exception");
    }

    @Test
    void checkShowsTheBlock(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("keepalived.conf");
        Files.writeString(conf, conf("zk1:2181,zk2:2181"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = Havipd.run(new String[] {"--check", "-f", conf.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), (n, b) -> b.start(),
                new Havipd.Control());
        assertThat(code).isEqualTo(Havipd.OK);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("zookeeper {", "connect zk1:2181,zk2:2181",
                "mode guard", "session_timeout 2000ms", "quorum guard: VRRP elects",
                "no auth_file: the lease znodes are open to every client of the ensemble");
    }

    @Test
    void withAnAuthFileTheLeaseIsTheDigestUsersAndCheckShowsNeitherPasswordNorItsBytes(@TempDir Path dir) throws Exception {
        Path auth = dir.resolve("zk-auth");
        Files.writeString(auth, "havipd:Zk-Secret-77\n");
        Files.setPosixFilePermissions(auth, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        File data = Files.createTempDirectory("havip-zk").toFile();
        try (TestingServer zk = new TestingServer(new InstanceSpec(data, -1, -1, -1, true, -1, 100, -1), true);
             CuratorFramework stranger = CuratorFrameworkFactory.newClient(zk.getConnectString(), new RetryOneTime(100))) {
            stranger.start();
            Path conf = dir.resolve("keepalived.conf");
            Files.writeString(conf, conf(zk.getConnectString()).replace("    node h1\n", "    node h1\n    mode lease\n"
                    + "    auth_file zk-auth\n"));
            for (String[] args : List.of(new String[] {"--check"}, new String[] {"--check", "--json"})) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(args),
                        java.util.stream.Stream.of("-f", conf.toString())).toArray(String[]::new);
                assertThat(Havipd.run(all, new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), (n, b) -> b.start(),
                        new Havipd.Control())).isEqualTo(Havipd.OK);
                assertThat(out.toString(StandardCharsets.UTF_8)).as(String.join(" ", args)).contains("auth_file", auth.toString())
                        .doesNotContain("Zk-Secret");
                if (args.length == 1) {
                    assertThat(out.toString(StandardCharsets.UTF_8)).contains("credentials: digest user havipd (password "
                            + "not shown)");
                }
            }
            InMemoryNetwork network = new InMemoryNetwork();
            Node host = network.attach("h1", MacAddress.parse("02:00:c6:33:64:0b"), IpAddress.parse("198.51.100.11"));
            Daemon.RouterStarter inMemory = (name, b) -> b.transport(host.openTransport("eth0")).binder(host.binder())
                    .start();
            Havipd.Control control = new Havipd.Control();
            AtomicInteger status = new AtomicInteger(-1);
            Thread daemon = new Thread(() -> status.set(Havipd.run(new String[] {"-f", conf.toString()},
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), inMemory, control)));
            daemon.start();
            try {
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (control.daemon() == null && daemon.isAlive() && System.nanoTime() < end) {
                    Thread.sleep(10);
                }
                VirtualRouter r = control.daemon().routers().get("VI_7");
                assertThat(r.awaitState(RouterState.MASTER, Duration.ofSeconds(10))).isTrue();
                var acl = stranger.getACL().forPath("/havip/d/VI_7/holder");
                assertThat(acl).extracting(a -> a.getId().getScheme() + ":" + a.getId().getId().split(":")[0])
                        .containsExactly("digest:havipd", "world:anyone");
                assertThat(new String(stranger.getData().forPath("/havip/d/VI_7/holder"), StandardCharsets.UTF_8))
                        .as("readable by anyone").contains("node=h1");
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> stranger.delete().forPath("/havip/d/VI_7/holder"))
                        .isInstanceOf(org.apache.zookeeper.KeeperException.NoAuthException.class);
            } finally {
                control.requestStop();
                daemon.join(30_000);
            }
            assertThat(status).hasValue(Havipd.OK);
        }
    }

    @Test
    void aWorldReadableAuthFileIsRefusedByCheckWithFileLineAndKey(@TempDir Path dir) throws Exception {
        Path auth = dir.resolve("zk-auth");
        Files.writeString(auth, "havipd:Zk-Secret-77\n");
        Files.setPosixFilePermissions(auth, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        Path conf = dir.resolve("keepalived.conf");
        Files.writeString(conf, conf("zk1:2181").replace("    node h1\n", "    auth_file zk-auth\n"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = Havipd.run(new String[] {"--check", "--json", "-f", conf.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), (n, b) -> b.start(),
                new Havipd.Control());
        assertThat(code).isEqualTo(Havipd.CONFIG_ERROR);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("\"line\": 16", "\"key\": \"auth_file\"",
                "is readable by every user", "chmod 600").doesNotContain("Zk-Secret", "Exception");
    }

    @Test
    void checkDoesNotLoadCurator(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("keepalived.conf");
        Files.writeString(conf, conf("zk1:2181"));
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-verbose:class", "-cp", System.getProperty("java.class.path"), Havipd.class.getName(), "--check", "-f",
                conf.toString()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        List<String> loaded = output.lines().filter(l -> l.contains("org.apache.curator") || l.contains("org.apache.zookeeper")
                || l.contains("io.havip.zookeeper")).toList();
        assertThat(output).contains("Havipd");
        assertThat(loaded).as("classes of Curator/ZooKeeper loaded by --check").isEmpty();
        assertThat(p.exitValue()).as(output.lines().filter(l -> !l.startsWith("[")).toList().toString())
                .isEqualTo(Havipd.OK);
    }
}
