package io.havip.core.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.havip.core.AdvertTransport;
import io.havip.core.Clock;
import io.havip.core.ManualClock;
import io.havip.core.VipBinder;
import io.havip.core.VipBinder.AddressOutcome.Outcome;
import io.havip.core.net.InterfaceAddress;
import io.havip.core.net.IpAddress;
import io.havip.core.net.MacAddress;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class InMemoryNetworkTest {

    static final IpAddress MCAST = IpAddress.parse("224.0.0.18");
    static final InterfaceAddress VIP = InterfaceAddress.parse("198.51.100.50/24");
    static final byte[] MSG = {0x31, 0x33, 0x64, 0x01};

    ManualClock clock = Clock.manual(Instant.parse("2026-01-01T00:00:00Z"));
    InMemoryNetwork net;
    Node a;
    Node b;
    Node c;

    static MacAddress mac(int i) {
        return new MacAddress(0x0200_0000_0000L + i);
    }

    static IpAddress ip(int i) {
        return IpAddress.parse("198.51.100." + i);
    }

    @BeforeEach
    void setUp() {
        net = new InMemoryNetwork(clock, 42);
        a = net.attach("a", mac(1), ip(1));
        b = net.attach("b", mac(2), ip(2));
        c = net.attach("c", mac(3), ip(3));
    }

    static AdvertTransport.Received now(AdvertTransport t) throws Exception {
        return t.receive(Duration.ZERO);
    }

    @Test
    void multicastReachesEveryOtherNodeWithTtl255() throws Exception {
        AdvertTransport ta = a.openTransport("eth0");
        AdvertTransport tb = b.openTransport("eth0");
        AdvertTransport tc = c.openTransport("eth1");
        ta.send(MCAST, MSG);
        assertThat(now(tb)).isEqualTo(new AdvertTransport.Received(ip(1), MCAST, 255, "eth0", MSG));
        assertThat(now(tc).interfaceName()).isEqualTo("eth1");
        assertThat(now(ta)).as("no loopback to the sender").isNull();
        assertThat(now(tb)).isNull();
        assertThat(ta.sourceAddress()).isEqualTo(ip(1));
        assertThat(net.traffic()).isEqualTo(new InMemoryNetwork.Traffic(1, 2, 0, 0));
    }

    @Test
    void unicastReachesOnlyTheAddressOwner() throws Exception {
        AdvertTransport ta = a.openTransport("eth0");
        AdvertTransport tb = b.openTransport("eth0");
        AdvertTransport tc = c.openTransport("eth0");
        ta.send(ip(3), MSG);
        assertThat(now(tb)).isNull();
        assertThat(now(tc).destination()).isEqualTo(ip(3));
        ta.send(ip(99), MSG);
        assertThat(net.traffic().delivered()).isEqualTo(1);
    }

    @Test
    void ipv6TransportsHearOnlyIpv6() throws Exception {
        Node v6 = net.attach("v6", mac(6), IpAddress.parse("2001:db8::6"));
        Node w6 = net.attach("w6", mac(7), IpAddress.parse("2001:db8::7"));
        AdvertTransport t6 = v6.openTransport("eth0");
        AdvertTransport u6 = w6.openTransport("eth0");
        AdvertTransport tb = b.openTransport("eth0");
        t6.send(IpAddress.parse("ff02::12"), MSG);
        assertThat(now(u6)).isNotNull();
        assertThat(now(tb)).isNull();
    }

    @Test
    void partitionBlocksAndHealRestores() throws Exception {
        AdvertTransport ta = a.openTransport("eth0");
        AdvertTransport tb = b.openTransport("eth0");
        AdvertTransport tc = c.openTransport("eth0");
        net.partition(List.of("a"));
        ta.send(MCAST, MSG);
        assertThat(now(tb)).isNull();
        assertThat(now(tc)).isNull();
        tb.send(MCAST, MSG);
        assertThat(now(tc)).as("b and c are on the unnamed side together").isNotNull();
        assertThat(now(ta)).isNull();
        assertThat(net.traffic().blocked()).isEqualTo(3);
        net.heal();
        ta.send(MCAST, MSG);
        assertThat(now(tb)).isNotNull();
        assertThat(now(tc)).isNotNull();
        assertThatThrownBy(() -> net.partition(List.of("zz"))).hasMessage("cannot partition: no attached node named zz");
        assertThatThrownBy(() -> net.partition(List.of("a"), List.of("a", "b")))
                .hasMessage("cannot partition: a is named on two sides");
    }

    @Test
    void lossIsSeededAndRoughlyTheProbability() throws Exception {
        int[] first = lossPattern(7);
        assertThat(lossPattern(7)).isEqualTo(first);
        assertThat(lossPattern(8)).isNotEqualTo(first);
        int lost = 0;
        for (int x : first) {
            lost += 1 - x;
        }
        assertThat(lost).isBetween(240, 360); // 1000 draws at 0.3: mean 300, sd ~14.5
        assertThatThrownBy(() -> net.setLossProbability(1.5)).hasMessage("loss probability 1.5 is outside 0-1");
        assertThatThrownBy(() -> net.setLossProbability(Double.NaN)).hasMessage("loss probability NaN is outside 0-1");
    }

    private int[] lossPattern(long seed) throws Exception {
        InMemoryNetwork n = new InMemoryNetwork(clock, seed);
        AdvertTransport tx = n.attach("x", mac(1), ip(1)).openTransport("eth0");
        AdvertTransport ty = n.attach("y", mac(2), ip(2)).openTransport("eth0");
        n.setLossProbability(0.3);
        int[] got = new int[1000];
        for (int i = 0; i < got.length; i++) {
            tx.send(MCAST, MSG);
            got[i] = ty.receive(Duration.ZERO) == null ? 0 : 1;
        }
        return got;
    }

    @Test
    void bindOutcomesAndArpView() throws Exception {
        VipBinder ba = a.binder();
        VipBinder bb = b.binder();
        assertThat(net.whoAnswers(VIP.address())).isEmpty();
        assertThat(ba.bind("eth0", List.of(VIP))).containsExactly(new VipBinder.AddressOutcome(VIP, Outcome.ADDED));
        assertThat(ba.bind("eth0", List.of(VIP))).extracting(VipBinder.AddressOutcome::outcome)
                .containsExactly(Outcome.ALREADY_PRESENT);
        assertThat(net.whoAnswers(VIP.address())).contains(a);
        assertThat(ba.present("eth0", List.of(VIP, InterfaceAddress.parse("198.51.100.51/24")))).isEqualTo(Set.of(VIP));
        assertThat(ba.present("eth1", List.of(VIP))).isEmpty();
        // Split brain: b binds too; the last announcer wins the clients.
        bb.bind("eth0", List.of(VIP));
        assertThat(net.whoAnswers(VIP.address())).contains(b);
        assertThat(net.holders(VIP.address())).containsExactly(a, b);
        ba.reannounce("eth0", List.of(VIP));
        assertThat(net.whoAnswers(VIP.address())).contains(a);
        assertThat(ba.unbind("eth0", List.of(VIP))).extracting(VipBinder.AddressOutcome::outcome)
                .containsExactly(Outcome.REMOVED);
        assertThat(ba.unbind("eth0", List.of(VIP))).extracting(VipBinder.AddressOutcome::outcome)
                .containsExactly(Outcome.ALREADY_ABSENT);
        assertThat(net.whoAnswers(VIP.address())).as("stale ARP entry: nobody answers").isEmpty();
        bb.reannounce("eth0", List.of(VIP));
        assertThat(net.whoAnswers(VIP.address())).contains(b);
        assertThat(b.heldAddresses()).containsExactly(VIP);
        c.binder().reannounce("eth0", List.of(VIP));
        assertThat(net.whoAnswers(VIP.address())).as("reannouncing an address not held does nothing").contains(b);
    }

    @Test
    void detachIsACrash() throws Exception {
        AdvertTransport ta = a.openTransport("eth0");
        AdvertTransport tb = b.openTransport("eth0");
        a.binder().bind("eth0", List.of(VIP));
        net.detach("a");
        assertThat(a.attached()).isFalse();
        assertThat(net.whoAnswers(VIP.address())).isEmpty();
        assertThat(net.nodes()).containsExactly(b, c);
        assertThatThrownBy(() -> ta.send(MCAST, MSG)).isInstanceOf(IOException.class)
                .hasMessage("cannot send from a/eth0 to 224.0.0.18: the transport is closed");
        assertThatThrownBy(() -> ta.receive(Duration.ofSeconds(5))).isInstanceOf(IOException.class)
                .hasMessage("cannot receive on a/eth0: the transport is closed");
        assertThatThrownBy(() -> a.binder().bind("eth0", List.of(VIP))).isInstanceOf(VipBinder.BindException.class)
                .hasMessage("cannot bind [198.51.100.50/24] on eth0 on node a: the node is detached (crashed)");
        assertThatThrownBy(() -> a.openTransport("eth0"))
                .hasMessage("cannot open a transport on a: the node is detached");
        tb.send(MCAST, MSG);
        assertThat(net.traffic().delivered()).as("nothing reaches a crashed node").isZero();
        Node again = net.attach("a", mac(1), ip(1));
        assertThat(again.heldAddresses()).isEmpty();
        net.detach("nobody");
    }

    @Test
    void attachRefusals() {
        assertThatThrownBy(() -> net.attach("a", mac(9), ip(9)))
                .hasMessage("cannot attach a: a node of that name is attached; detach it first");
        assertThatThrownBy(() -> net.attach("d", mac(1), ip(9))).hasMessage("cannot attach d: MAC 02:00:00:00:00:01 belongs to a");
        assertThatThrownBy(() -> net.attach("d", mac(9), ip(1))).hasMessage("cannot attach d: address 198.51.100.1 belongs to a");
        assertThatThrownBy(() -> net.attach(" ", mac(9), ip(9))).hasMessageContaining("attach needs a name");
        assertThatThrownBy(() -> a.openTransport("")).hasMessage("interface name is empty for a transport on a");
    }

    @Test
    void blockingReceiveWakesOnDeliveryAndOnClose() throws Exception {
        AdvertTransport ta = a.openTransport("eth0");
        AdvertTransport tb = b.openTransport("eth0");
        CompletableFuture<AdvertTransport.Received> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return tb.receive(Duration.ofMinutes(1));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        ta.send(MCAST, MSG);
        assertThat(waiting.get(30, TimeUnit.SECONDS).payload()).isEqualTo(MSG);
        CompletableFuture<Throwable> closing = CompletableFuture.supplyAsync(() -> {
            try {
                tb.receive(Duration.ofMinutes(1));
                return null;
            } catch (Exception e) {
                return e;
            }
        });
        tb.close();
        tb.close();
        assertThat(closing.get(30, TimeUnit.SECONDS)).isInstanceOf(IOException.class);
        ta.send(MCAST, MSG);
        assertThat(net.traffic().delivered()).as("closed transports receive nothing").isEqualTo(1);
    }

    @Test
    void eventsFormATimeline() throws Exception {
        List<Event> heard = new ArrayList<>();
        net.addListener(heard::add);
        long mark = net.events().get(net.events().size() - 1).sequence();
        clock.advance(Duration.ofSeconds(3));
        a.binder().bind("eth0", List.of(VIP));
        net.partition(List.of("a"), List.of("b"));
        net.heal();
        net.setLossProbability(0.1);
        a.binder().unbind("eth0", List.of(VIP));
        net.detach("c");
        List<Event> since = net.eventsSince(mark);
        assertThat(since).extracting(Event::kind).containsExactly(Event.Kind.BIND, Event.Kind.ANNOUNCE,
                Event.Kind.PARTITION, Event.Kind.HEAL, Event.Kind.LOSS, Event.Kind.UNBIND, Event.Kind.DETACH);
        assertThat(heard).isEqualTo(since);
        assertThat(since.get(0).at()).isEqualTo(Instant.parse("2026-01-01T00:00:03Z"));
        assertThat(since.get(0).detail()).isEqualTo("eth0: 198.51.100.50/24 ADDED");
        assertThat(since.get(1).detail()).isEqualTo("bound [198.51.100.50/24] at 02:00:00:00:00:01");
        assertThat(since.get(2).detail()).isEqualTo("[a] | [b]");
        assertThat(net.events().get(0).kind()).isEqualTo(Event.Kind.ATTACH);
    }
}
