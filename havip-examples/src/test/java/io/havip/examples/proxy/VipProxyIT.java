package io.havip.examples.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.havip.arp.testbed.ChildJvm;
import io.havip.arp.testbed.Cmd;
import io.havip.arp.testbed.LinuxTestRequirements;
import io.havip.arp.testbed.Node;
import io.havip.arp.testbed.Testbed;
import io.havip.arp.testbed.TestbedExtension;
import io.havip.vrrp.Havip;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The MySQL proxy holding the VIP, for real: MariaDB in a backend namespace, two proxy JVMs
 * (node1 priority 150, node2 priority 100, 100 ms adverts) sharing 198.51.100.50, and a JDBC
 * client in its own namespace INSERTing through the VIP in a loop while the master proxy is
 * killed (SIGKILL) or stopped (SIGTERM: graceful handover). Every acknowledged INSERT must be in
 * the table afterwards, the client must resume through node2, and the error window is reported.
 */
@ExtendWith(TestbedExtension.class)
class VipProxyIT {

    private static final String VIP = "198.51.100.50";
    /** Queries acknowledged before and after the fault: enough to see the loop is really running. */
    private static final int SETTLED_QUERIES = 50;

    enum Fault { SIGKILL, SIGTERM }

    @Test
    void clientResumesOnTheOtherProxyAfterTheMasterIsKilled(Testbed net) throws Exception {
        failover(net, Fault.SIGKILL);
    }

    @Test
    void clientResumesOnTheOtherProxyAfterAGracefulHandover(Testbed net) throws Exception {
        failover(net, Fault.SIGTERM);
    }

    private void failover(Testbed net, Fault fault) throws Exception {
        LinuxTestRequirements.require("ip", "setpriv", "mariadbd", "mariadb-install-db");
        Node node1 = net.addNode("node1");
        Node node2 = net.addNode("node2");
        Node db = net.addNode("db");
        Node client = net.addNode("client");
        for (Node n : new Node[] {node1, node2}) {
            n.exec("sysctl", "-q", "-w", "net.ipv4.ip_nonlocal_bind=1").check(); // listen before the VIP arrives
        }
        InsertLoop loop = null;
        ChildJvm.Child proxy1 = null;
        ChildJvm.Child proxy2 = null;
        try (MariaDbServer mariadb = MariaDbServer.start(db)) {
            String backend = db.ipv4() + ":" + MariaDbServer.PORT;
            proxy1 = proxy(node1, 150, backend);
            await("node1 holds " + VIP, () -> holdsVip(node1), 10);
            proxy2 = proxy(node2, 100, backend);
            Thread.sleep(1000); // node2 settles as BACKUP (Master_Down_Interval is about 0.36 s)
            assertThat(holdsVip(node2)).as("node2 must not hold the VIP while node1 is master").isFalse();

            InsertLoop l = new InsertLoop("jdbc:mariadb://" + VIP + ":3306/havip?connectTimeout=1000&socketTimeout=3000");
            loop = l;
            client.run(() -> {
                Thread t = new Thread(l, "jdbc-insert-loop"); // inherits the client namespace of this thread
                t.setDaemon(true);
                t.start();
            });
            await("the client's INSERTs succeed through node1", () -> l.successesAfter(0) >= SETTLED_QUERIES, 20);

            long faultAt = System.nanoTime();
            if (fault == Fault.SIGKILL) {
                proxy1.kill();
            } else {
                // SIGTERM to the JVM's pid: its shutdown hook closes the router. Through the handle, because
                // Process.destroy() would also close our ends of its stdout / stderr pipes.
                proxy1.process().toHandle().destroy();
            }
            await("node2 holds the VIP after " + fault, () -> holdsVip(node2), 10);
            long takenOver = System.nanoTime();
            await("the client's INSERTs succeed again after " + fault,
                    () -> l.successesAfter(takenOver) >= SETTLED_QUERIES && l.lastOk(), 30);
            InsertLoop.ErrorWindow window = l.errorWindowAfter(faultAt);
            l.stop();

            Set<Long> inTable = client.call(() -> {
                Set<Long> seqs = new HashSet<>();
                try (Connection c = DriverManager.getConnection(mariadb.directUrl(), MariaDbServer.USER, MariaDbServer.PASSWORD);
                        ResultSet rs = c.createStatement().executeQuery("SELECT seq FROM t")) {
                    while (rs.next()) {
                        seqs.add(rs.getLong(1));
                    }
                }
                return seqs;
            });
            Set<Long> acked = l.acknowledged();
            Set<Long> lost = new HashSet<>(acked);
            lost.removeAll(inTable);
            System.out.printf("VipProxyIT %s: %d INSERTs acknowledged, %d in the table, lost %s; error window: %s%n", fault,
                    acked.size(), inTable.size(), lost, window);
            assertThat(lost).as("acknowledged INSERTs missing from the table").isEmpty();

            if (fault == Fault.SIGTERM) {
                Cmd.Result r = proxy1.await(30);
                assertThat(r.stdout()).as("node1 exit %d, output: %s / %s", r.exit(), r.stdout(), r.stderr())
                        .contains("STATE MASTER -> STOP").contains("CLOSED").contains("boundBeforeAddress=true");
                assertThat(holdsVip(node1)).as("node1 released the VIP on close").isFalse();
            }
        } finally {
            if (loop != null) {
                loop.stop();
            }
            for (ChildJvm.Child c : new ChildJvm.Child[] {proxy1, proxy2}) {
                if (c != null) {
                    c.kill();
                    Cmd.Result r = c.await(10);
                    System.out.printf("--- proxy pid %d exit %d%n%s%s", c.pid(), r.exit(), r.stdout(), r.stderr());
                }
            }
        }
    }

    private static ChildJvm.Child proxy(Node node, int priority, String backend) {
        return node.java(VipProxy.class, "--interface", "eth0", "--vrid", "50", "--priority", Integer.toString(priority),
                "--vip", VIP + "/24", "--port", "3306", "--backend", backend, "--advert-interval-ms", "100",
                "--drain-timeout-ms", "2000").withClassesOf(Havip.class).start();
    }

    private static boolean holdsVip(Node node) {
        return node.ip("-4", "addr", "show", "dev", "eth0").contains("inet " + VIP + "/");
    }

    private static void await(String what, BooleanSupplier condition, int seconds) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out after " + seconds + " s waiting until " + what);
            }
            Thread.sleep(20);
        }
    }
}
