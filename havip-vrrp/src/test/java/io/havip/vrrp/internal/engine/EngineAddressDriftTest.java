package io.havip.vrrp.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.havip.core.RouterState;
import io.havip.core.memory.Event;
import io.havip.core.memory.InMemoryNetwork;
import io.havip.core.memory.Node;
import io.havip.core.net.InterfaceAddress;
import io.havip.core.net.IpAddress;
import io.havip.core.net.MacAddress;
import io.havip.vrrp.machine.StrayAddressPolicy;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The engine carrying out address repairs (issue 17 items 5 and 6) on the in-memory network
 * under a manual clock: the "hand" that removes or adds an address is the node's binder called
 * by the test, and the link monitor's report is the engine's input method called after it.
 */
class EngineAddressDriftTest {

    private static final IpAddress VIP = IpAddress.parse("198.51.100.50");
    private static final InterfaceAddress VIP_IA = InterfaceAddress.parse("198.51.100.50/24");

    private final VirtualCluster cluster = new VirtualCluster(17);
    private final InMemoryNetwork network = cluster.network;
    private Engine n1;
    private Engine n2;

    @BeforeEach
    void n1MasterN2Backup() throws InterruptedException {
        n1 = cluster.start(cluster.node("n1", 11, 150));
    }

    @AfterEach
    void closeAll() throws InterruptedException {
        cluster.close();
    }

    private void startN2(StrayAddressPolicy policy) throws InterruptedException {
        n2 = cluster.start(cluster.node("n2", 12, 100).strayAddressPolicy(policy));
        cluster.run(Duration.ofSeconds(5));
        assertThat(n1.state()).isEqualTo(RouterState.MASTER);
        assertThat(n2.state()).isEqualTo(RouterState.BACKUP);
    }

    private Node node(String name) {
        return network.node(name).orElseThrow();
    }

    private long announcementsBy(String name, long since) {
        return network.eventsSince(since).stream().filter(e -> e.kind() == Event.Kind.ANNOUNCE && e.node().equals(name))
                .count();
    }

    private long lastSequence() {
        List<Event> all = network.events();
        return all.isEmpty() ? -1 : all.get(all.size() - 1).sequence();
    }

    @Test
    void masterPutsBackAnAddressRemovedByHandAnnouncesAndCountsIt() throws Exception {
        startN2(StrayAddressPolicy.REMOVE);
        long since = lastSequence();
        node("n1").binder().unbind("eth0", List.of(VIP_IA)); // by hand
        n1.addressRemoved("eth0", VIP_IA);
        cluster.run(Duration.ofMillis(20));
        assertThat(node("n1").holds(VIP)).isTrue();
        assertThat(announcementsBy("n1", since)).isEqualTo(1);
        assertThat(n1.stats().addressesRestored()).isEqualTo(1);
        assertThat(n2.state()).isEqualTo(RouterState.BACKUP);

        // again within the hold-down: put back when it ends, not before
        node("n1").binder().unbind("eth0", List.of(VIP_IA));
        n1.addressRemoved("eth0", VIP_IA);
        cluster.run(Duration.ofMillis(500));
        assertThat(node("n1").holds(VIP)).isFalse();
        cluster.run(Duration.ofMillis(600));
        assertThat(node("n1").holds(VIP)).isTrue();
        assertThat(n1.stats().addressesRestored()).isEqualTo(2);
    }

    @Test
    void reportsOfTheRoutersOwnBindAndUnbindChangeNothing() throws Exception {
        startN2(StrayAddressPolicy.REMOVE);
        n1.addressAdded("eth0", VIP_IA); // its own bind, reported as master
        n1.addressRemoved("eth0", VIP_IA); // a stale report: the address is there
        n2.addressRemoved("eth0", VIP_IA); // a backup hearing of a removal
        n1.addressRemoved("eth1", VIP_IA); // another interface
        n1.addressRemoved("eth0", InterfaceAddress.parse("198.51.100.60/24")); // not its address
        cluster.run(Duration.ofMillis(50));
        assertThat(n1.stats().addressesRestored()).isZero();
        assertThat(n2.stats().strayAddresses()).isZero();

        n1.setPriority(50); // n2 preempts; n1 releases and then hears of it
        cluster.run(Duration.ofSeconds(2));
        assertThat(n1.state()).isEqualTo(RouterState.BACKUP);
        n1.addressRemoved("eth0", VIP_IA);
        n2.addressAdded("eth0", VIP_IA); // n2's own bind
        n1.addressAdded("eth0", VIP_IA); // a stale report of n1's former bind: the address is gone
        cluster.run(Duration.ofMillis(50));
        assertThat(node("n1").holds(VIP)).isFalse();
        assertThat(node("n2").holds(VIP)).isTrue();
        assertThat(n1.stats().addressesRestored()).isZero();
        assertThat(n1.stats().strayAddresses()).isZero();
        assertThat(n2.stats().strayAddresses()).isZero();
    }

    @Test
    void backupRemovesAnAddressAddedByHandAndCountsIt() throws Exception {
        startN2(StrayAddressPolicy.REMOVE);
        node("n2").binder().bind("eth0", List.of(VIP_IA));
        n2.addressAdded("eth0", VIP_IA);
        cluster.run(Duration.ofMillis(20));
        assertThat(node("n2").holds(VIP)).isFalse();
        assertThat(node("n1").holds(VIP)).isTrue();
        assertThat(n2.stats().strayAddresses()).isEqualTo(1);
        assertThat(n2.state()).isEqualTo(RouterState.BACKUP);
    }

    @Test
    void withTheReportPolicyTheBackupLeavesItAndCountsIt() throws Exception {
        startN2(StrayAddressPolicy.REPORT);
        node("n2").binder().bind("eth0", List.of(VIP_IA));
        n2.addressAdded("eth0", VIP_IA);
        cluster.run(Duration.ofMillis(20));
        assertThat(node("n2").holds(VIP)).isTrue();
        assertThat(n2.stats().strayAddresses()).isEqualTo(1);
        node("n2").binder().unbind("eth0", List.of(VIP_IA));
    }

    @Test
    void aMacChangeOnTheMasterIsReannouncedAndCounted() throws Exception {
        startN2(StrayAddressPolicy.REMOVE);
        long since = lastSequence();
        MacAddress fresh = MacAddress.parse("02:00:5e:00:33:77");
        n1.macChanged("eth0", fresh);
        n1.macChanged("eth1", fresh);
        n2.macChanged("eth0", fresh);
        cluster.run(Duration.ofMillis(20));
        assertThat(announcementsBy("n1", since)).isEqualTo(1);
        assertThat(announcementsBy("n2", since)).isZero();
        assertThat(n1.stats().macChanges()).isEqualTo(1);
        assertThat(n2.stats().macChanges()).isZero();
    }
}
