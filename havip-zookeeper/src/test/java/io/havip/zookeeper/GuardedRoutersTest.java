package io.havip.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;

import io.havip.core.Clock;
import io.havip.core.RouterState;
import io.havip.core.StateChange;
import io.havip.core.TransitionReason;
import io.havip.core.memory.Event;
import io.havip.core.memory.InMemoryNetwork;
import io.havip.core.memory.Node;
import io.havip.core.net.IpAddress;
import io.havip.core.net.MacAddress;
import io.havip.vrrp.Havip;
import io.havip.vrrp.VirtualRouter;
import java.io.File;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.KillSession;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Routers built with {@code Havip.builder()} on the in-memory network (real time) under a real
 * ZooKeeper server in this JVM: the quorum guard keeps a partition of the VRRP traffic from
 * making two holders, a holder whose session expires releases before the other binds, a server
 * that stops answering makes the holder release by its deadline, and lease only elects by
 * priority without adverts. Every bind is checked against the other holders at that moment.
 */
class GuardedRoutersTest {

    private static final IpAddress VIP = IpAddress.parse("198.51.100.50");
    private static final Duration SESSION = Duration.ofSeconds(2);

    private TestingServer server;
    private final InMemoryNetwork network = new InMemoryNetwork(Clock.system(), 5);
    private final List<AutoCloseable> closeables = new ArrayList<>();
    /** Each bind that found another holder of the VIP. */
    private final List<String> overlaps = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        File dir = Files.createTempDirectory("havip-zk").toFile();
        server = new TestingServer(new InstanceSpec(dir, -1, -1, -1, true, -1, 100, -1), true);
        network.addListener(e -> {
            if (e.kind() == Event.Kind.BIND) {
                List<String> h = holders();
                if (h.size() > 1) {
                    overlaps.add(e + " while " + h + " hold " + VIP);
                }
            }
        });
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        server.close();
    }

    private List<String> holders() {
        return network.holders(VIP).stream().map(Node::name).toList();
    }

    private ZooKeeperAuthority authority(String node) {
        ZooKeeperAuthority a = ZooKeeperAuthority.builder().connectString(server.getConnectString()).path("/havip/it")
                .nodeName(node).sessionTimeout(SESSION).pauseAllowance(Duration.ofMillis(200)).build();
        closeables.add(a);
        return a;
    }

    private Havip.Builder node(String name, int lastOctet, int priority) {
        Node n = network.attach(name, MacAddress.parse(String.format("02:00:c6:33:64:%02x", lastOctet)),
                IpAddress.parse("198.51.100." + lastOctet));
        return Havip.builder().name("VI_51").interfaceName("eth0").vrid(51).priority(priority)
                .virtualAddress("198.51.100.50/24").advertInterval(Duration.ofMillis(100))
                .transport(n.openTransport("eth0")).binder(n.binder()).clock(Clock.system());
    }

    private VirtualRouter start(Havip.Builder b) {
        VirtualRouter r = b.start();
        closeables.add(r);
        return r;
    }

    private static final class Changes implements io.havip.core.FailoverListener {
        final List<StateChange> list = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void onStateChange(StateChange change) {
            list.add(change);
        }

        StateChange lastTo(RouterState s) {
            synchronized (list) {
                for (int i = list.size() - 1; i >= 0; i--) {
                    if (list.get(i).to() == s) {
                        return list.get(i);
                    }
                }
                return null;
            }
        }
    }

    private static boolean await(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(5);
        }
        return condition.getAsBoolean();
    }

    @Test
    void aPreferredNodeWithTheWrongPasswordGoesToFaultAndTheOtherHoldsTheAddress() throws Exception {
        byte[] right = "right-password".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        ZooKeeperAuthority good = ZooKeeperAuthority.builder().connectString(server.getConnectString()).path("/havip/it")
                .nodeName("node2").sessionTimeout(SESSION).pauseAllowance(Duration.ofMillis(200)).digest("havip", right)
                .build();
        closeables.add(good);
        VirtualRouter r2 = start(node("n2", 12, 100).quorumGuard(good));
        assertThat(await(Duration.ofSeconds(10), () -> holders().equals(List.of("n2")))).isTrue();
        // the operator pastes another password on the preferred node: it wins VRRP, is refused the
        // lease, goes to FAULT, and the other node wins the election back and holds the address
        ZooKeeperAuthority wrong = ZooKeeperAuthority.builder().connectString(server.getConnectString())
                .path("/havip/it").nodeName("node1").sessionTimeout(SESSION).pauseAllowance(Duration.ofMillis(200))
                .digest("havip", "wrong-password".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).build();
        closeables.add(wrong);
        VirtualRouter r1 = start(node("n1", 11, 200).quorumGuard(wrong));
        assertThat(await(Duration.ofSeconds(10), () -> r1.state() == RouterState.FAULT)).as("refused: FAULT").isTrue();
        assertThat(await(Duration.ofSeconds(10), () -> r2.state() == RouterState.MASTER
                && holders().equals(List.of("n2")))).as("the node with the right password holds").isTrue();
        Thread.sleep(1500);
        assertThat(r1.state()).isEqualTo(RouterState.FAULT);
        assertThat(holders()).containsExactly("n2");
        assertThat(overlaps).isEmpty();
    }

    @Test
    void nodesThatCannotHearEachOtherBothWinVrrpButOnlyTheLeaseHolderBinds() throws Exception {
        network.attach("client", MacAddress.parse("02:00:c6:33:64:99"), IpAddress.parse("198.51.100.99"));
        Changes c1 = new Changes();
        Changes c2 = new Changes();
        VirtualRouter r1 = start(node("n1", 11, 200).quorumGuard(authority("node1")).listener(c1));
        VirtualRouter r2 = start(node("n2", 12, 100).quorumGuard(authority("node2")).listener(c2));
        network.partition(Set.of("n1"), Set.of("n2")); // protocol 112 dropped between them
        assertThat(await(Duration.ofSeconds(10), () -> holders().size() == 1)).isTrue();
        Thread.sleep(2000);
        assertThat(r1.stats().vrrp().becameMaster() + r2.stats().vrrp().becameMaster())
                .as("both won VRRP").isGreaterThanOrEqualTo(2);
        assertThat(holders()).hasSize(1);
        VirtualRouter holder = holders().get(0).equals("n1") ? r1 : r2;
        VirtualRouter waiter = holder == r1 ? r2 : r1;
        assertThat(holder.state()).isEqualTo(RouterState.MASTER);
        assertThat(waiter.state()).isEqualTo(RouterState.BACKUP);
        assertThat(waiter.stats().lease().waiting()).isTrue();
        assertThat(waiter.stats().lease().holder().node()).isEqualTo(holder == r1 ? "node1" : "node2");
        assertThat(holder.stats().lease().token()).isEqualTo((holder == r1 ? c1 : c2).lastTo(RouterState.MASTER)
                .fencingToken());
        assertThat(overlaps).isEmpty();

        network.heal();
        assertThat(await(Duration.ofSeconds(10), () -> r1.state() == RouterState.MASTER && holders().equals(List.of("n1"))))
                .as("healed: the higher priority holds").isTrue();
        assertThat(overlaps).isEmpty();
    }

    @Test
    void aHolderCutOffFromZooKeeperReleasesBeforeItsSessionExpiresAndTheOtherBindsWithALargerToken()
            throws Exception {
        Changes c1 = new Changes();
        Changes c2 = new Changes();
        ZkProxy proxy = new ZkProxy(server.getPort());
        closeables.add(proxy);
        ZooKeeperAuthority a1 = ZooKeeperAuthority.builder().connectString(proxy.connectString()).path("/havip/it")
                .nodeName("node1").sessionTimeout(SESSION).pauseAllowance(Duration.ofMillis(200)).build();
        closeables.add(a1);
        VirtualRouter r1 = start(node("n1", 11, 200).quorumGuard(a1).listener(c1));
        assertThat(await(Duration.ofSeconds(10), () -> r1.state() == RouterState.MASTER)).isTrue();
        VirtualRouter r2 = start(node("n2", 12, 100).quorumGuard(authority("node2")).listener(c2));
        network.partition(Set.of("n1"), Set.of("n2"));
        assertThat(await(Duration.ofSeconds(5), () -> r2.stats().lease().waiting())).isTrue();

        long cutAt = System.nanoTime();
        proxy.cut(); // n1 and ZooKeeper hear nothing of each other; clients still reach n1
        assertThat(await(Duration.ofSeconds(10), () -> holders().equals(List.of("n2")))).isTrue();
        long n2Bound = System.nanoTime() - cutAt;
        assertThat(overlaps).as("no moment with two holders").isEmpty();
        assertThat(await(Duration.ofSeconds(5), () -> c2.lastTo(RouterState.MASTER) != null)).as("n2's listener heard")
                .isTrue();
        long t1 = c1.lastTo(RouterState.MASTER).fencingToken();
        long t2 = c2.lastTo(RouterState.MASTER).fencingToken();
        assertThat(t2).isGreaterThan(t1);
        assertThat(c1.lastTo(RouterState.BACKUP).reason()).isEqualTo(TransitionReason.LEASE_LOST);
        System.out.printf("cut off from ZooKeeper: n1 released %d ms, n2 bound %d ms after the cut (session %d ms)%n",
                (c1.lastTo(RouterState.BACKUP).at().toEpochMilli() - (System.currentTimeMillis()
                        - (System.nanoTime() - cutAt) / 1_000_000)), n2Bound / 1_000_000, SESSION.toMillis());

        proxy.mend();
        assertThat(await(Duration.ofSeconds(10), () -> r1.stats().lease().reachable())).isTrue();
        assertThat(holders()).containsExactly("n2");
        assertThat(overlaps).isEmpty();
    }

    @Test
    void aLeaseNodeDeletedUnderTheHolderReleasesAtOnce() throws Exception {
        // KillSession expires the session at the server and closes it: the node goes at once, as if
        // deleted by hand, without the session timeout the release deadline relies on. The holder
        // releases when it hears (milliseconds); the fencing token covers that moment.
        Changes c1 = new Changes();
        ZooKeeperAuthority a1 = authority("node1");
        VirtualRouter r1 = start(node("n1", 11, 200).quorumGuard(a1).listener(c1));
        assertThat(await(Duration.ofSeconds(10), () -> c1.lastTo(RouterState.MASTER) != null)).isTrue();
        long t1 = c1.lastTo(RouterState.MASTER).fencingToken();
        KillSession.kill(a1.client().getZookeeperClient().getZooKeeper());
        assertThat(await(Duration.ofSeconds(10), () -> c1.lastTo(RouterState.BACKUP).reason()
                == TransitionReason.LEASE_LOST)).as("released on the loss").isTrue();
        // (state() turns MASTER just before the listener hears it: wait for the listener)
        assertThat(await(Duration.ofSeconds(10), () -> c1.lastTo(RouterState.MASTER).fencingToken() > t1))
                .as("granted anew, with a larger token").isTrue();
        assertThat(r1.state()).isEqualTo(RouterState.MASTER);
        assertThat(r1.stats().lease().losses()).isEqualTo(1);
    }

    @Test
    void whenZooKeeperStopsAnsweringTheHolderReleasesByItsDeadlineAndFaults() throws Exception {
        VirtualRouter r1 = start(node("n1", 11, 200).quorumGuard(authority("node1")));
        assertThat(await(Duration.ofSeconds(10), () -> r1.state() == RouterState.MASTER)).isTrue();
        Thread.sleep(500);
        server.stop();
        long stopped = System.nanoTime();
        assertThat(await(Duration.ofSeconds(5), () -> holders().isEmpty())).isTrue();
        long released = System.nanoTime() - stopped;
        assertThat(released).as("released before the session timeout counted from the stop")
                .isLessThan(SESSION.toNanos());
        assertThat(await(Duration.ofSeconds(3), () -> r1.state() == RouterState.FAULT)).isTrue();
        System.out.printf("released %d ms after the server stopped (session timeout %d ms)%n", released / 1_000_000,
                SESSION.toMillis());

        server.restart();
        assertThat(await(Duration.ofSeconds(15), () -> r1.state() == RouterState.MASTER)).as("back").isTrue();
    }

    @Test
    void leaseOnlyElectsByPriorityWithoutAdvertsAndHandsOverOnClose() throws Exception {
        Changes c1 = new Changes();
        VirtualRouter low = start(node("n1", 11, 100).leaseOnly(authority("node1")).listener(c1));
        assertThat(await(Duration.ofSeconds(10), () -> low.state() == RouterState.MASTER)).isTrue();
        VirtualRouter high = start(node("n2", 12, 200).leaseOnly(authority("node2")));
        assertThat(await(Duration.ofSeconds(10), () -> holders().equals(List.of("n2")))).isTrue();
        assertThat(c1.lastTo(RouterState.BACKUP).reason()).isEqualTo(TransitionReason.LEASE_YIELDED);
        assertThat(network.traffic().sent()).as("no VRRP traffic").isZero();
        assertThat(overlaps).isEmpty();

        long t0 = System.nanoTime();
        high.close();
        assertThat(await(Duration.ofSeconds(10), () -> holders().equals(List.of("n1")))).isTrue();
        System.out.printf("lease only: n1 bound %d ms after n2's close began%n", (System.nanoTime() - t0) / 1_000_000);
        assertThat(overlaps).isEmpty();
    }
}
