package io.havip.vrrp.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.havip.core.AdvertTransport;
import io.havip.core.RouterState;
import io.havip.core.memory.Node;
import io.havip.core.net.IpAddress;
import io.havip.core.net.MacAddress;
import io.havip.vrrp.Havip;
import io.havip.vrrp.RouterGroup;
import io.havip.vrrp.VirtualRouter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Sync groups driven for real: two nodes, each running the same two virtual routers as a
 * {@link RouterGroup} on the in-memory network under the virtual clock. The members move
 * together on every cause keepalived's sync groups move on.
 */
class SyncGroupEngineTest {

    private static final IpAddress OUTSIDE = IpAddress.parse("198.51.100.50");
    private static final IpAddress INSIDE = IpAddress.parse("203.0.113.50");

    private final VirtualCluster cluster = new VirtualCluster(7);
    private final List<RouterGroup> groups = new ArrayList<>();
    private final List<RouterGroup.GroupChange> changes = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void close() throws InterruptedException {
        cluster.close();
    }

    /** A node with routers VRID 51 (outside, eth0) and 52 (inside, eth1) in one group. */
    private RouterGroup group(String name, int octet, int priority) {
        Node n = cluster.network.attach(name, MacAddress.parse(String.format("02:00:c6:33:64:%02x", octet)),
                IpAddress.parse("198.51.100." + octet));
        AdvertTransport out = n.openTransport("eth0");
        AdvertTransport in = n.openTransport("eth1");
        Havip.Builder outside = Havip.builder().name(name + "-out").interfaceName("eth0").vrid(51).priority(priority)
                .virtualAddress("198.51.100.50/24").advertInterval(Duration.ofMillis(100)).transport(out)
                .binder(n.binder()).clock(cluster.clock).trackInterface("eth0", 0);
        Havip.Builder inside = Havip.builder().name(name + "-in").interfaceName("eth1").vrid(52).priority(priority)
                .virtualAddress("203.0.113.50/24").advertInterval(Duration.ofMillis(100)).transport(in)
                .binder(n.binder()).clock(cluster.clock).trackInterface("eth1", 0);
        RouterGroup g = Havip.syncGroup(name).router(outside).router(inside).listener(changes::add).start();
        List<VirtualRouter> members = g.routers();
        cluster.adopt((Engine) members.get(0), out);
        cluster.adopt((Engine) members.get(1), in);
        groups.add(g);
        return g;
    }

    private static Engine member(RouterGroup g, int i) {
        return (Engine) g.routers().get(i);
    }

    @Test
    void theHigherNodeHoldsBothAddressesAndTheOtherNeither() throws Exception {
        RouterGroup a = group("a", 11, 200);
        RouterGroup b = group("b", 12, 100);
        cluster.run(Duration.ofSeconds(2));
        assertThat(a.state()).isEqualTo(RouterState.MASTER);
        assertThat(b.state()).isEqualTo(RouterState.BACKUP);
        assertThat(cluster.network.holders(OUTSIDE)).extracting(Node::name).containsExactly("a");
        assertThat(cluster.network.holders(INSIDE)).extracting(Node::name).containsExactly("a");
    }

    @Test
    void oneMembersInterfaceGoingDownTakesTheWholeGroupToFaultAndBothAddressesMove() throws Exception {
        RouterGroup a = group("a", 11, 200);
        RouterGroup b = group("b", 12, 100);
        cluster.run(Duration.ofSeconds(2));

        member(a, 1).interfaceChanged("eth1", false); // only the inside router's interface
        cluster.run(Duration.ofSeconds(1));

        assertThat(member(a, 0).state()).as("the outside member follows into FAULT").isEqualTo(RouterState.FAULT);
        assertThat(a.state()).isEqualTo(RouterState.FAULT);
        assertThat(b.state()).isEqualTo(RouterState.MASTER);
        assertThat(cluster.network.holders(OUTSIDE)).extracting(Node::name).containsExactly("b");
        assertThat(cluster.network.holders(INSIDE)).extracting(Node::name).containsExactly("b");

        member(a, 1).interfaceChanged("eth1", true);
        cluster.run(Duration.ofSeconds(2));
        assertThat(a.state()).as("both leave FAULT together and preempt back").isEqualTo(RouterState.MASTER);
        assertThat(b.state()).isEqualTo(RouterState.BACKUP);
        assertThat(cluster.network.holders(OUTSIDE)).extracting(Node::name).containsExactly("a");
        assertThat(cluster.network.holders(INSIDE)).extracting(Node::name).containsExactly("a");
        synchronized (changes) {
            assertThat(changes).filteredOn(c -> c.group().equals("a")).extracting(RouterGroup.GroupChange::to)
                    .containsExactly(RouterState.BACKUP, RouterState.MASTER, RouterState.FAULT, RouterState.BACKUP,
                            RouterState.MASTER);
        }
    }

    @Test
    void aHigherMasterOnOneRouterTakesTheGroupToBackupOnBoth() throws Exception {
        RouterGroup b = group("b", 12, 100);
        cluster.run(Duration.ofSeconds(2));
        assertThat(b.state()).isEqualTo(RouterState.MASTER);

        // A lone router with a higher priority for the outside VRID only: the inside follows it out.
        Engine lone = cluster.start(cluster.node("lone", 13, 250));
        cluster.run(Duration.ofSeconds(1));
        assertThat(lone.state()).isEqualTo(RouterState.MASTER);
        assertThat(member(b, 0).state()).isEqualTo(RouterState.BACKUP);
        assertThat(member(b, 1).state()).as("the inside member leaves MASTER with its group")
                .isIn(RouterState.BACKUP);
        assertThat(cluster.network.holders(INSIDE)).as("nobody else runs VRID 52, yet the group stays together")
                .isEmpty();
    }

    @Test
    void aGroupIsRefusedWithoutRoutersOrWithoutAName() {
        assertThatThrownBy(() -> Havip.syncGroup("empty").start()).hasMessageContaining("has no routers");
        assertThatThrownBy(() -> Havip.syncGroup(" ")).hasMessageContaining("name is empty");
    }
}
