package io.havip.vrrp.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.havip.core.RouterState;
import io.havip.core.VipBinder;
import io.havip.core.memory.InMemoryNetwork;
import io.havip.core.memory.Node;
import io.havip.core.net.InterfaceAddress;
import io.havip.core.net.IpAddress;
import io.havip.vrrp.Havip;
import io.havip.vrrp.election.InMemoryAuthority;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The kernel lifetime of a guarded router's addresses, on the in-memory network and a manual
 * clock: the binder is asked for a lifetime at every bind and refreshed at every renewal, the
 * lifetime ends {@link Engine#KERNEL_EXPIRY_LATE_NANOS} before the grant's deadline, and an
 * address the "kernel" (this test's binder, which removes an address whose lifetime ran out and
 * reports it as the link monitor would) removed is put back only while the lease is granted
 * with a full second of lifetime left. The real kernel is in {@code RtNetlinkLifetimeIT}.
 */
class EngineKernelLifetimeTest {

    private static final IpAddress VIP = IpAddress.parse("198.51.100.50");
    private static final InterfaceAddress VIP_IA = InterfaceAddress.parse("198.51.100.50/24");
    private static final int VRID = 51;

    private final VirtualCluster cluster = new VirtualCluster(23);
    private final InMemoryNetwork network = cluster.network;

    @AfterEach
    void closeAll() throws InterruptedException {
        cluster.close();
    }

    /** A binder with address lifetimes, in memory: records them and removes what ran out in {@link #expire}. */
    private final class LifetimeBinder extends ForwardingBinder {
        final List<String> calls = Collections.synchronizedList(new ArrayList<>());
        volatile IntSupplier lifetime;
        volatile long expiresAt = Long.MAX_VALUE;
        volatile boolean failRefresh;

        LifetimeBinder(VipBinder inner) {
            super(inner);
        }

        @Override
        public boolean limitLifetime(IntSupplier validSeconds) {
            lifetime = validSeconds;
            return true;
        }

        private void give(String what) {
            int s = lifetime == null ? 0 : lifetime.getAsInt();
            calls.add(what + " " + s);
            expiresAt = s == 0 ? Long.MAX_VALUE : cluster.clock.nanoTime() + s * 1_000_000_000L;
        }

        @Override
        public List<AddressOutcome> bind(String ifname, List<InterfaceAddress> a) throws BindException {
            give("bind");
            return inner.bind(ifname, a);
        }

        @Override
        public void refreshLifetime(String ifname, List<InterfaceAddress> a) throws BindException {
            if (failRefresh) {
                calls.add("refresh failed");
                throw new BindException("set the lifetime of " + a + " on " + ifname + ": No such device (test)");
            }
            give("refresh");
        }

        @Override
        public List<AddressOutcome> unbind(String ifname, List<InterfaceAddress> a) throws BindException {
            calls.add("unbind");
            expiresAt = Long.MAX_VALUE;
            return inner.unbind(ifname, a);
        }

        /** The kernel's expiry check: removes the address if its lifetime ran out, and reports it. */
        void expire(Engine e) throws BindException {
            if (cluster.clock.nanoTime() >= expiresAt && !inner.present("eth0", List.of(VIP_IA)).isEmpty()) {
                calls.add("expired");
                expiresAt = Long.MAX_VALUE;
                inner.unbind("eth0", List.of(VIP_IA));
                e.addressRemoved("eth0", VIP_IA);
            }
        }

        List<String> calls() {
            synchronized (calls) {
                return List.copyOf(calls);
            }
        }
    }

    private List<String> holders() {
        return network.holders(VIP).stream().map(Node::name).toList();
    }

    private LifetimeBinder binder(String node) {
        return new LifetimeBinder(network.node(node).orElseThrow().binder());
    }

    /** Runs {@code total} in 10 ms steps, the binder's expiry check after each. */
    private void run(Duration total, LifetimeBinder b, Engine e) throws Exception {
        for (long t = 0; t < total.toMillis(); t += 10) {
            cluster.run(Duration.ofMillis(10));
            b.expire(e);
        }
    }

    private record Guarded(InMemoryAuthority zk, LifetimeBinder binder, Engine engine) { }

    /** n1 alone under a 6 s lease with the lifetime binder, run 500 ms: master, bound. */
    private Guarded guardedMaster() throws Exception {
        InMemoryAuthority zk = new InMemoryAuthority(Duration.ofSeconds(6));
        Havip.Builder n = cluster.node("n1", 11, 100).quorumGuard(zk); // attaches n1, whose binder b wraps
        LifetimeBinder b = binder("n1");
        Engine e = cluster.start(n.binder(b));
        run(Duration.ofMillis(500), b, e);
        return new Guarded(zk, b, e);
    }

    @Test
    void theLifetimeEndsASecondBeforeTheGrantsDeadlineAndEveryRenewalRefreshesIt() throws Exception {
        InMemoryAuthority zk = new InMemoryAuthority(Duration.ofSeconds(6));
        Havip.Builder n = cluster.node("n1", 11, 100).quorumGuard(zk);
        LifetimeBinder b = binder("n1");
        Engine e = cluster.start(n.binder(b));
        assertThat(b.lifetime).as("set before start").isNotNull();
        run(Duration.ofMillis(500), b, e);
        assertThat(e.state()).isEqualTo(RouterState.MASTER);
        // granted for 6 s: 6 s - 1 s (the kernel's lateness) - the time since the grant, rounded down
        // (5 when the bind ran at the grant's instant of the manual clock, 4 a step later)
        assertThat(b.calls()).hasSize(1).allMatch(c -> c.matches("bind [45]"));
        for (int i = 0; i < 10; i++) {
            run(Duration.ofSeconds(1), b, e);
            zk.renewAll();
        }
        run(Duration.ofMillis(20), b, e);
        assertThat(b.calls()).as("one refresh per renewal, never an expiry").hasSize(11)
                .doesNotContain("expired").allMatch(c -> c.matches("(bind|refresh) [45]"));
        assertThat(e.stats().lease().kernelRefreshes()).isEqualTo(10);
        assertThat(e.stats().lease().kernelRefreshFailures()).isZero();
        assertThat(holders()).containsExactly("n1");
    }

    @Test
    void withoutRenewalsTheKernelRemovesTheAddressBeforeTheDeadlineAndItIsNotPutBack() throws Exception {
        Guarded g = guardedMaster();
        InMemoryAuthority zk = g.zk();
        LifetimeBinder b = g.binder();
        Engine e = g.engine();
        assertThat(holders()).containsExactly("n1");
        zk.stranger(VRID, "node9"); // takes the lease once free
        // granted at ~0.34 s for 6 s; the kernel lifetime (4 or 5 s) runs out by ~5.35 s
        run(Duration.ofMillis(5100), b, e);
        assertThat(holders()).as("removed by the kernel, not put back: the lease ends in under 2 s").isEmpty();
        assertThat(b.calls()).hasSize(2).last().isEqualTo("expired");
        assertThat(e.stats().lease().kernelExpiries()).isEqualTo(1);
        assertThat(e.state()).as("still master until the deadline").isEqualTo(RouterState.MASTER);
        run(Duration.ofMillis(2000), b, e);
        assertThat(e.state()).as("the deadline released it").isEqualTo(RouterState.BACKUP);
        assertThat(b.calls()).hasSize(3).endsWith("expired", "unbind");
    }

    @Test
    void anAddressRemovedByHandBeforeItsLifetimeEndsIsPutBackAndIsNoKernelExpiry() throws Exception {
        Guarded g = guardedMaster();
        LifetimeBinder b = g.binder();
        Engine e = g.engine();
        assertThat(holders()).containsExactly("n1");
        // an operator's `ip addr del` a second into a 4-5 s lifetime
        run(Duration.ofSeconds(1), b, e);
        b.inner.unbind("eth0", List.of(VIP_IA));
        e.addressRemoved("eth0", VIP_IA);
        run(Duration.ofMillis(200), b, e);
        assertThat(holders()).as("put back, as without a lease").containsExactly("n1");
        assertThat(b.calls()).hasSize(2).last().asString().matches("bind [0-9]");
        assertThat(e.stats().lease().kernelExpiries()).as("not the kernel's doing").isZero();
        assertThat(e.stats().addressesRestored()).isEqualTo(1);
    }

    @Test
    void anExpiryWhileTheLeaseIsStillGrantedIsPutBackWithAFreshLifetimeAndCounted() throws Exception {
        Guarded g = guardedMaster();
        InMemoryAuthority zk = g.zk();
        LifetimeBinder b = g.binder();
        Engine e = g.engine();
        b.failRefresh = true; // the refreshes fail (or come late), the renewals go on
        for (int i = 0; i < 5; i++) {
            run(Duration.ofSeconds(1), b, e);
            zk.renewAll();
        }
        run(Duration.ofMillis(20), b, e);
        List<String> calls = b.calls();
        assertThat(calls.get(0)).matches("bind [45]");
        assertThat(calls).containsSubsequence("refresh failed", "expired");
        assertThat(calls.get(calls.indexOf("expired") + 1)).as("put back with a fresh lifetime").matches("bind [45]");
        assertThat(holders()).as("put back: the lease is still granted").containsExactly("n1");
        assertThat(e.stats().lease().kernelExpiries()).isEqualTo(1);
        assertThat(e.stats().lease().kernelRefreshFailures()).isEqualTo(5);
        assertThat(e.stats().bindErrors()).as("counted as the bind failures are").isEqualTo(5);
        assertThat(e.stats().addressesRestored()).isEqualTo(1);
        assertThat(e.state()).isEqualTo(RouterState.MASTER);
    }

    @Test
    void aGrantWithoutADeadlineBindsAPermanentAddressAndNoAuthorityNeverAsks() throws Exception {
        Havip.Builder n = cluster.node("n1", 11, 100).quorumGuard(new InMemoryAuthority(null));
        LifetimeBinder b = binder("n1");
        Engine e = cluster.start(n.binder(b));
        run(Duration.ofMillis(500), b, e);
        assertThat(b.calls()).containsExactly("bind 0");

        Havip.Builder n2 = cluster.node("n2", 12, 50);
        LifetimeBinder plain = binder("n2");
        cluster.start(n2.binder(plain));
        run(Duration.ofMillis(500), plain, e);
        assertThat(plain.lifetime).as("no authority: no lifetime").isNull();
    }
}
