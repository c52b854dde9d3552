package io.havip.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.havip.core.AdvertTransport;
import io.havip.core.RouterState;
import io.havip.core.memory.InMemoryNetwork;
import io.havip.core.memory.Node;
import io.havip.core.net.IpAddress;
import io.havip.core.net.MacAddress;
import io.havip.vrrp.Havip;
import io.havip.vrrp.VirtualRouter;
import io.havip.vrrp.codec.VrrpPacketBuilder;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Real routers on the in-memory network (system clock, 100 ms adverts) read through a
 * {@link SimpleMeterRegistry}: every number a dashboard would show moves when the thing it counts
 * happens, and not otherwise.
 */
class HavipMetersTest {

    private static final IpAddress GROUP = IpAddress.parse("224.0.0.18");
    private static final IpAddress VIP = IpAddress.parse("198.51.100.50");

    private final InMemoryNetwork network = new InMemoryNetwork();
    private final List<VirtualRouter> routers = new ArrayList<>();

    @AfterEach
    void closeRouters() {
        routers.forEach(VirtualRouter::close);
    }

    private VirtualRouter start(String name, int lastOctet, int priority) {
        return start(name, name, lastOctet, priority);
    }

    private VirtualRouter start(String node, String name, int lastOctet, int priority) {
        Node n = network.attach(node, MacAddress.parse(String.format("02:00:c6:33:64:%02x", lastOctet)),
                IpAddress.parse("198.51.100." + lastOctet));
        VirtualRouter r = Havip.builder().name(name).interfaceName("eth0").vrid(51).priority(priority)
                .virtualAddress("198.51.100.50/24").advertInterval(Duration.ofMillis(100))
                .transport(n.openTransport("eth0")).binder(n.binder()).start();
        routers.add(r);
        return r;
    }

    @Test
    void stateGaugesCountersAndTransitionsFollowARealFailover() throws Exception {
        VirtualRouter n1 = start("n1", 1, 150);
        MeterRegistry registry = new SimpleMeterRegistry();
        HavipMeters m1 = HavipMeters.of(n1, Tags.of("app", "test"), () -> 150);
        m1.bindTo(registry);
        assertThat(n1.awaitState(RouterState.MASTER, Duration.ofSeconds(5))).isTrue();
        // n2 starts once n1 advertises, so that on a loaded host its own timer never races n1's first advert
        VirtualRouter n2 = start("n2", 2, 100);
        HavipMeters m2 = HavipMeters.of(n2);
        m2.bindTo(registry);

        assertThat(n2.awaitState(RouterState.BACKUP, Duration.ofSeconds(5))).isTrue();
        assertThat(gauge(registry, "havip.vrrp.state", "n1")).isEqualTo(2.0);
        assertThat(gauge(registry, "havip.vrrp.state", "n2")).isEqualTo(1.0);
        assertThat(gauge(registry, "havip.vrrp.master", "n1")).isEqualTo(1.0);
        assertThat(registry.get("havip.vrrp.priority").tags("router", "n1", "kind", "effective").gauge().value())
                .isEqualTo(150.0);
        assertThat(registry.get("havip.vrrp.priority").tags("router", "n1", "kind", "base").gauge().value())
                .isEqualTo(150.0);
        assertThat(registry.find("havip.vrrp.priority").tags("router", "n2", "kind", "base").gauge())
                .as("no base priority given for n2: no gauge rather than a made-up value").isNull();
        assertThat(registry.get("havip.vrrp.state").tags("router", "n1", "app", "test", "interface", "eth0",
                "vrid", "51", "family", "IPV4").gauge()).isNotNull();

        await(() -> counter(registry, "havip.vrrp.adverts.received", "n2") >= 3);
        assertThat(counter(registry, "havip.vrrp.adverts.sent", "n1")).isGreaterThanOrEqualTo(3);
        assertThat(counter(registry, "havip.vrrp.became.master", "n1")).isEqualTo(1);
        assertThat(counter(registry, "havip.vrrp.adverts.sent", "n2")).as("a backup does not advertise").isZero();
        // (n1's own election may come before its binder exists: transitions count from the binder on)

        // n1's host crashes: n2 takes over by the master down timer
        network.detach("n1");
        assertThat(n2.awaitState(RouterState.MASTER, Duration.ofSeconds(5))).isTrue();
        await(() -> transitions(registry, "n2", "MASTER", "master_down_timer") == 1);
        assertThat(gauge(registry, "havip.vrrp.master", "n2")).isEqualTo(1.0);
        await(() -> counter(registry, "havip.vrrp.became.master", "n2") == 1);
        assertThat(network.whoAnswers(VIP).map(Node::name)).contains("n2");
        io.micrometer.core.instrument.Timer lag = registry.get("havip.vrrp.listener.lag").tag("router", "n2").timer();
        assertThat(lag.count()).isGreaterThanOrEqualTo(1);
        assertThat(lag.max(java.util.concurrent.TimeUnit.MILLISECONDS)).as("an idle listener queue").isLessThan(1000);

        // a graceful close of n2 sends priority 0 and releases: released.master and a STOP transition
        n2.close();
        assertThat(counter(registry, "havip.vrrp.priority.zero.sent", "n2")).isEqualTo(1);
        assertThat(counter(registry, "havip.vrrp.released.master", "n2")).isEqualTo(1);
        assertThat(gauge(registry, "havip.vrrp.state", "n2")).isEqualTo(98.0);
        await(() -> transitions(registry, "n2", "STOP", "shutdown") == 1);
    }

    @Test
    void everyDropReasonOfAHostileSenderIsCountedUnderItsOwnReason() throws Exception {
        VirtualRouter n1 = start("n1", 1, 150);
        MeterRegistry registry = new SimpleMeterRegistry();
        HavipMeters.of(n1).bindTo(registry);
        assertThat(n1.awaitState(RouterState.MASTER, Duration.ofSeconds(5))).isTrue();
        Node attacker = network.attach("attacker", MacAddress.parse("02:00:c6:33:64:99"),
                IpAddress.parse("198.51.100.99"));
        IpAddress src = attacker.primaryAddress();
        try (AdvertTransport t = attacker.openTransport("eth0")) {
            VrrpPacketBuilder good = VrrpPacketBuilder.v3().vrid(51).interval(10).addAddress(VIP);
            t.send(GROUP, VrrpPacketBuilder.v3().vrid(51).interval(10).addAddress(VIP).corruptChecksum().build(src, GROUP));
            t.send(GROUP, VrrpPacketBuilder.v3().vrid(51).interval(10).addAddress(VIP).truncateTo(6).build(src, GROUP));
            t.send(GROUP, VrrpPacketBuilder.v3().vrid(51).interval(10).addAddress(IpAddress.parse("198.51.100.77"))
                    .build(src, GROUP));
            t.send(GROUP, VrrpPacketBuilder.v3().vrid(51).interval(10).type(2).addAddress(VIP).build(src, GROUP));
            t.send(GROUP, VrrpPacketBuilder.v2().vrid(51).addAddress(VIP).build(src, GROUP));
            t.send(GROUP, VrrpPacketBuilder.v3().vrid(52).interval(10).addAddress(VIP).build(src, GROUP));
            t.send(GROUP, good.priority(10).build(src, GROUP));
        }
        await(() -> dropped(registry, "checksum") == 1 && dropped(registry, "packet_length") == 1
                && dropped(registry, "address_list") == 1 && dropped(registry, "invalid_type") == 1
                && dropped(registry, "version") == 1 && counter(registry, "havip.vrrp.adverts.other.router", "n1") == 1
                && counter(registry, "havip.vrrp.adverts.lower.priority", "n1") == 1);
        assertThat(dropped(registry, "auth_failure")).isZero();
        assertThat(dropped(registry, "ttl")).as("the in-memory segment always delivers TTL 255").isZero();
        assertThat(dropped(registry, "overload")).isZero();
        assertThat(n1.state()).isEqualTo(RouterState.MASTER);
        for (String reason : List.of("packet_length", "advert_interval", "ttl", "invalid_type", "address_list",
                "invalid_auth_type", "auth_type_mismatch", "auth_failure", "checksum", "version", "unicast_source",
                "other", "overload")) {
            assertThat(registry.find("havip.vrrp.adverts.dropped").tags("router", "n1", "reason", reason)
                    .functionCounter()).as(reason).isNotNull();
        }
    }

    @Test
    void closeRemovesTheMetersAndTheListenerAndASetFollowsItsRouters() throws Exception {
        VirtualRouter n1 = start("n1", 1, 150);
        MeterRegistry before = new SimpleMeterRegistry();
        MeterRegistry after = new SimpleMeterRegistry();
        HavipRouterSetMeters set = new HavipRouterSetMeters(Tags.of("app", "daemon"));
        set.bindTo(before);
        set.add(n1, () -> 150);
        assertThat(n1.awaitState(RouterState.MASTER, Duration.ofSeconds(5))).isTrue();
        VirtualRouter n2 = start("n2", 2, 100);
        set.add(n2);
        set.bindTo(after);
        assertThat(set.names()).containsExactly("n1", "n2");
        assertThat(gauge(after, "havip.vrrp.state", "n1")).isEqualTo(2.0);
        assertThat(gauge(before, "havip.vrrp.state", "n2")).isIn(0.0, 1.0);
        assertThatThrownBy(() -> set.add(start("n3", "n1", 3, 90)))
                .hasMessageContaining("a router named n1 is already in this set");

        set.remove(n2);
        assertThat(routerMeters(before, "n2")).isEmpty();
        assertThat(routerMeters(after, "n2")).isEmpty();
        assertThat(routerMeters(after, "n1")).isNotEmpty();
        set.close();
        assertThat(before.getMeters()).isEmpty();
        assertThat(after.getMeters()).isEmpty();

        HavipMeters closed = HavipMeters.of(n1);
        closed.close();
        closed.close();
        assertThatThrownBy(() -> closed.bindTo(before)).hasMessageContaining("were closed");
    }

    private static List<Meter> routerMeters(MeterRegistry r, String router) {
        return r.getMeters().stream().filter(m -> router.equals(m.getId().getTag("router"))).toList();
    }

    private static double gauge(MeterRegistry r, String name, String router) {
        return r.get(name).tag("router", router).gauge().value();
    }

    private static long counter(MeterRegistry r, String name, String router) {
        return (long) r.get(name).tag("router", router).functionCounter().count();
    }

    private static long dropped(MeterRegistry r, String reason) {
        return (long) r.get("havip.vrrp.adverts.dropped").tags("router", "n1", "reason", reason).functionCounter().count();
    }

    private static long transitions(MeterRegistry r, String router, String to, String reason) {
        var c = r.find("havip.vrrp.transitions").tags("router", router, "to", to, "reason", reason).counter();
        return c == null ? 0 : (long) c.count();
    }

    /** Waits (bounded, 5 s) for something the routers' own threads do. */
    @Test
    void aGuardedRoutersLeaseIsMetered() throws Exception {
        java.util.concurrent.atomic.AtomicReference<io.havip.vrrp.election.Lease.Events> events =
                new java.util.concurrent.atomic.AtomicReference<>();
        io.havip.vrrp.election.ElectionAuthority grantAtOnce = new io.havip.vrrp.election.ElectionAuthority() {
            @Override
            public io.havip.vrrp.election.Lease lease(io.havip.vrrp.election.LeaseRequest request,
                                                      io.havip.vrrp.election.Lease.Events e) {
                events.set(e);
                return new io.havip.vrrp.election.Lease() {
                    @Override
                    public void acquire(int priority) {
                        e.granted(77, Long.MAX_VALUE);
                    }

                    @Override
                    public void release() {
                    }

                    @Override
                    public java.util.Optional<io.havip.vrrp.election.LeaseHolder> holder() {
                        return java.util.Optional.empty();
                    }

                    @Override
                    public void close() {
                    }
                };
            }

            @Override
            public String describe() {
                return "grants at once";
            }
        };
        Node n = network.attach("g1", MacAddress.parse("02:00:c6:33:64:21"), IpAddress.parse("198.51.100.33"));
        VirtualRouter g = Havip.builder().name("g1").interfaceName("eth0").vrid(51).priority(100)
                .virtualAddress("198.51.100.50/24").advertInterval(Duration.ofMillis(100))
                .transport(n.openTransport("eth0")).binder(n.binder()).quorumGuard(grantAtOnce).start();
        routers.add(g);
        MeterRegistry registry = new SimpleMeterRegistry();
        HavipMeters.of(g).bindTo(registry);
        assertThat(g.awaitState(RouterState.MASTER, Duration.ofSeconds(5))).isTrue();
        await(() -> gauge(registry, "havip.lease.held", "g1") == 1.0);
        assertThat(gauge(registry, "havip.lease.token", "g1")).isEqualTo(77.0);
        assertThat(registry.get("havip.lease.events").tags("router", "g1", "event", "grant").functionCounter().count())
                .isEqualTo(1.0);
        // the in-memory binder keeps addresses permanent: the kernel lifetime counters exist and stay 0
        for (String event : List.of("refresh", "failure", "expiry")) {
            assertThat(registry.get("havip.lease.kernel.lifetime").tags("router", "g1", "event", event).functionCounter()
                    .count()).as(event).isZero();
        }
        events.get().revoked(77, false, "test");
        await(() -> gauge(registry, "havip.lease.token", "g1") == 77.0
                && registry.get("havip.lease.events").tags("router", "g1", "event", "loss").functionCounter().count() == 1.0);
        assertThat(registry.find("havip.lease.held").tags("router", "n1").gauge()).isNull();
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not met within 5 s").isLessThan(end);
            Thread.sleep(10);
        }
    }
}
