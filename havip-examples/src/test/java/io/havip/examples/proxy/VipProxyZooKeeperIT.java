package io.havip.examples.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.havip.arp.testbed.ChildJvm;
import io.havip.arp.testbed.Cmd;
import io.havip.arp.testbed.LinuxTestRequirements;
import io.havip.arp.testbed.Node;
import io.havip.arp.testbed.Testbed;
import io.havip.arp.testbed.TestbedExtension;
import io.havip.vrrp.Havip;
import io.havip.zookeeper.it.ZkEnsemble;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The fencing token end to end: two proxy JVMs ({@code VipProxy --zookeeper ... --fence-mysql},
 * the quorum guard on a real 3-server ZooKeeper ensemble, 6 s sessions: the proxy's 2 s hook timeout comes off each grant's validity), MariaDB with the fence of
 * {@link MySqlFencing}'s comment, and a client, each in its own namespace. The client writes
 * through node1 (token N); node1 is SIGSTOPped and the client's next INSERT goes out at once,
 * into node1's socket buffer: nothing forwards it while node1 is frozen. node2 obtains the lease
 * once node1's session has expired (token M &gt; N) and a second client session writes through it.
 * Then node1 resumes and forwards the buffered INSERT in its old session: MariaDB refuses it
 * ("havip fence"), and the table holds the writes before the pause and through node2, not the
 * late one. Without the fence that INSERT would commit after node2's.
 */
@ExtendWith(TestbedExtension.class)
class VipProxyZooKeeperIT {

    private static final String VIP = "198.51.100.50";
    private static final Pattern TOKEN = Pattern.compile("-> MASTER \\(\\w+\\) token (\\d+)");

    @Test
    void aPausedOldMastersBufferedWriteIsRefusedOnceTheNewHolderHasWritten(Testbed net) throws Exception {
        LinuxTestRequirements.require("ip", "setpriv", "nft", "mariadbd", "mariadb-install-db");
        Node node1 = net.addNode("node1");
        Node node2 = net.addNode("node2");
        Node db = net.addNode("db");
        Node client = net.addNode("client");
        for (Node n : new Node[] {node1, node2}) {
            n.exec("sysctl", "-q", "-w", "net.ipv4.ip_nonlocal_bind=1").check();
        }
        List<ChildJvm.Child> proxies = new ArrayList<>();
        try (ZkEnsemble zk = ZkEnsemble.start(net, 3); MariaDbServer mariadb = MariaDbServer.start(db)) {
            VipProxyFencingIT.installFence(db, mariadb);
            String backend = db.ipv4() + ":" + MariaDbServer.PORT;
            ChildJvm.Child proxy1 = proxy(node1, 150, backend, zk);
            proxies.add(proxy1);
            VipProxyIT.await("node1 holds " + VIP, () -> VipProxyIT.holdsVip(node1), 30);
            ChildJvm.Child proxy2 = proxy(node2, 100, backend, zk);
            proxies.add(proxy2);
            Thread.sleep(1_000);
            assertThat(VipProxyIT.holdsVip(node2)).isFalse();

            String url = "jdbc:mariadb://" + VIP + ":3306/havip?connectTimeout=3000";
            Connection old = client.call(() -> DriverManager.getConnection(url, MariaDbServer.USER, MariaDbServer.PASSWORD));
            try {
                client.run(() -> insert(old, 1));
                Cmd.check("kill", "-STOP", Long.toString(proxy1.pid()));
                // the late write: sent now, into frozen node1's socket buffer (on a thread of the client namespace)
                CompletableFuture<String> late = new CompletableFuture<>();
                client.run(() -> {
                    Thread t = new Thread(() -> {
                        try {
                            insert(old, 2);
                            late.complete("committed");
                        } catch (SQLException e) {
                            late.complete(e.getMessage());
                        }
                    }, "late-insert");
                    t.setDaemon(true);
                    t.start();
                });
                VipProxyIT.await("node2 holds " + VIP + " under a new lease", () -> VipProxyIT.holdsVip(node2), 30);
                client.run(() -> {
                    try (Connection fresh = DriverManager.getConnection(url, MariaDbServer.USER, MariaDbServer.PASSWORD)) {
                        insert(fresh, 3);
                    }
                });
                assertThat(late).as("nothing forwards the late write while node1 is frozen").isNotDone();
                Cmd.check("kill", "-CONT", Long.toString(proxy1.pid()));
                String outcome = late.get(30, TimeUnit.SECONDS);
                assertThat(outcome).as("the late write through the resumed old master").contains("havip fence");
            } finally {
                client.run(() -> old.close());
            }
            List<Long> rows = client.call(() -> {
                List<Long> out = new ArrayList<>();
                try (Connection c = DriverManager.getConnection(mariadb.directUrl(), MariaDbServer.USER,
                        MariaDbServer.PASSWORD); ResultSet r = c.createStatement().executeQuery("SELECT seq FROM t ORDER BY seq")) {
                    while (r.next()) {
                        out.add(r.getLong(1));
                    }
                }
                return out;
            });
            assertThat(rows).containsExactly(1L, 3L);
        } finally {
            for (ChildJvm.Child c : proxies) {
                Cmd.run("kill", "-CONT", Long.toString(c.pid()));
                c.kill();
                Cmd.Result r = c.await(10);
                System.out.printf("--- proxy pid %d exit %d%n%s%s", c.pid(), r.exit(), r.stdout(), r.stderr());
                Matcher m = TOKEN.matcher(r.stdout());
                while (m.find()) {
                    System.out.println("MEASURED VipProxyZooKeeperIT: proxy pid " + c.pid() + " MASTER with fencing token "
                            + m.group(1));
                }
            }
        }
    }

    private static ChildJvm.Child proxy(Node node, int priority, String backend, ZkEnsemble zk) {
        List<String> args = List.of("--interface", "eth0", "--vrid", "50", "--priority", Integer.toString(priority),
                "--vip", VIP + "/24", "--port", "3306", "--backend", backend, "--advert-interval-ms", "100",
                "--drain-timeout-ms", "2000", "--zookeeper", zk.connectString(), "--zookeeper-path", "/havip-it/proxy",
                "--zookeeper-session-ms", "6000", "--node-name", node.name(), "--fence-mysql");
        return node.java(VipProxy.class, args.toArray(String[]::new)).withClassesOf(Havip.class)
                .withClassesOf(ZkEnsemble.clientClassPath()).start();
    }

    private static void insert(Connection c, long seq) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO t (seq) VALUES (?)")) {
            s.setLong(1, seq);
            s.executeUpdate();
        }
    }
}
