package io.havip.vrrp.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.havip.core.FailoverListener;
import io.havip.core.RouterState;
import io.havip.core.StateChange;
import io.havip.core.TransitionReason;
import io.havip.core.memory.InMemoryNetwork;
import io.havip.core.memory.Node;
import io.havip.core.net.IpAddress;
import io.havip.vrrp.Havip;
import io.havip.vrrp.HealthCheck;
import io.havip.vrrp.election.InMemoryAuthority;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The election-authority seam in the engine, on the in-memory network and a {@link
 * io.havip.core.ManualClock}: a VRRP winner binds only once granted, a lost or unrenewed lease
 * releases the address, a router leaving MASTER gives the lease back after its unbind, the
 * fencing token reaches the listeners, and lease only elects without a single advert.
 */
class EngineLeaseTest {

    private static final IpAddress VIP = IpAddress.parse("198.51.100.50");
    private static final int VRID = 51;

    private final VirtualCluster cluster = new VirtualCluster(11);
    private final InMemoryNetwork network = cluster.network;

    @AfterEach
    void closeAll() throws InterruptedException {
        cluster.close();
    }

    private static final class Recorder implements FailoverListener {
        final List<StateChange> changes = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void onStateChange(StateChange change) {
            changes.add(change);
        }

        StateChange last() {
            synchronized (changes) {
                return changes.get(changes.size() - 1);
            }
        }
    }

    private List<String> holders() {
        return network.holders(VIP).stream().map(Node::name).toList();
    }

    /** Runs {@code total} in 10 ms steps, checking at each that at most one node holds the VIP. */
    private void runChecked(Duration total) throws InterruptedException {
        for (long t = 0; t < total.toMillis(); t += 10) {
            cluster.run(Duration.ofMillis(10));
            assertThat(holders()).as("holders of the VIP").hasSizeLessThanOrEqualTo(1);
        }
    }

    @Test
    void aVrrpWinnerBindsOnlyOnceGrantedAndTheListenerGetsTheToken() throws Exception {
        InMemoryAuthority zk = new InMemoryAuthority(null);
        zk.stranger(VRID, "node9");
        Recorder events = new Recorder();
        Engine e = cluster.start(cluster.node("n1", 11, 100).quorumGuard(zk).listener(events));

        runChecked(Duration.ofSeconds(1));
        assertThat(e.machine().state()).as("VRRP elected it").isEqualTo(RouterState.MASTER);
        assertThat(e.state()).as("but without the lease it is not master").isEqualTo(RouterState.BACKUP);
        assertThat(holders()).isEmpty();
        assertThat(e.stats().lease().waiting()).isTrue();
        assertThat(e.stats().lease().holder().node()).isEqualTo("node9");
        assertThat(e.stats().lease().mode()).isEqualTo("quorum-guard");

        zk.stranger(VRID, null);
        runChecked(Duration.ofMillis(50));
        assertThat(e.state()).isEqualTo(RouterState.MASTER);
        assertThat(holders()).containsExactly("n1");
        StateChange m = events.last();
        assertThat(m.to()).isEqualTo(RouterState.MASTER);
        assertThat(m.reason()).as("the reason it won the election").isEqualTo(TransitionReason.MASTER_DOWN_TIMER);
        assertThat(m.fencingToken()).isEqualTo(100);
        assertThat(e.stats().lease().held()).isTrue();
        assertThat(e.stats().lease().token()).isEqualTo(100);
        assertThat(events.changes).extracting(StateChange::to).doesNotHaveDuplicates();
    }

    @Test
    void aLostLeaseReleasesTheAddressAndTheWinnerWaitsForANewGrantWithALargerToken() throws Exception {
        InMemoryAuthority zk = new InMemoryAuthority(null);
        Recorder events = new Recorder();
        Engine e = cluster.start(cluster.node("n1", 11, 100).quorumGuard(zk).listener(events));
        runChecked(Duration.ofSeconds(1));
        assertThat(e.state()).isEqualTo(RouterState.MASTER);
        long first = events.last().fencingToken();

        zk.stranger(VRID, "node9"); // takes it the moment it is free
        zk.expire(VRID);
        runChecked(Duration.ofMillis(50));
        assertThat(holders()).isEmpty();
        assertThat(e.state()).isEqualTo(RouterState.BACKUP);
        assertThat(events.last().reason()).isEqualTo(TransitionReason.LEASE_LOST);
        assertThat(events.last().fencingToken()).as("the token being given up").isEqualTo(first);
        assertThat(e.stats().lease().losses()).isEqualTo(1);

        zk.stranger(VRID, null);
        runChecked(Duration.ofMillis(50));
        assertThat(e.state()).isEqualTo(RouterState.MASTER);
        assertThat(events.last().reason()).isEqualTo(TransitionReason.LEASE_GRANTED);
        assertThat(events.last().fencingToken()).isGreaterThan(first);
    }

    @Test
    void aGrantNotRenewedBeforeItsDeadlineReleasesOnTheRoutersOwnClock() throws Exception {
        InMemoryAuthority zk = new InMemoryAuthority(Duration.ofSeconds(2));
        Recorder events = new Recorder();
        Engine e = cluster.start(cluster.node("n1", 11, 100).quorumGuard(zk).listener(events));
        runChecked(Duration.ofMillis(500));
        assertThat(e.state()).isEqualTo(RouterState.MASTER);
        for (int i = 0; i < 5; i++) {
            runChecked(Duration.ofSeconds(1));
            zk.renewAll();
        }
        assertThat(e.state()).as("renewed: still master").isEqualTo(RouterState.MASTER);

        // the authority goes silent: no renewal, no event; the deadline alone releases (and then
        // a stranger obtains the free lease, so n1 waits)
        zk.stranger(VRID, "node9");
        runChecked(Duration.ofMillis(1950));
        assertThat(holders()).containsExactly("n1");
        runChecked(Duration.ofMillis(100));
        assertThat(holders()).isEmpty();
        assertThat(events.last().reason()).isEqualTo(TransitionReason.LEASE_LOST);
        assertThat(e.stats().lease().losses()).isEqualTo(1);
    }

    /** The in-memory binder, keeping the gate the engine gives for the binder's own announcements. */
    private static final class GatedBinder extends ForwardingBinder {
        volatile java.util.function.BooleanSupplier gate;

        GatedBinder(io.havip.core.VipBinder inner) {
            super(inner);
        }

        @Override
        public List<AddressOutcome> bind(String ifname, List<io.havip.core.net.InterfaceAddress> a) throws BindException {
            assertThat(gate.getAsBoolean()).as("announcements allowed when the bind runs").isTrue();
            return inner.bind(ifname, a);
        }

        @Override
        public void announceOnlyWhile(java.util.function.BooleanSupplier allowed) {
            gate = allowed;
        }
    }

    @Test
    void theBindersOwnAnnouncementsStopAtTheGrantsDeadlineEvenBeforeTheEngineRuns() throws Exception {
        InMemoryAuthority zk = new InMemoryAuthority(Duration.ofSeconds(2));
        Havip.Builder b = cluster.node("n1", 11, 100).quorumGuard(zk);
        GatedBinder binder = new GatedBinder(network.node("n1").orElseThrow().binder());
        Engine e = cluster.start(b.binder(binder));
        assertThat(binder.gate).as("set before start").isNotNull();
        assertThat(binder.gate.getAsBoolean()).as("no grant: no announcement").isFalse();
        runChecked(Duration.ofMillis(500));
        assertThat(e.state()).isEqualTo(RouterState.MASTER);
        assertThat(binder.gate.getAsBoolean()).as("granted").isTrue();

        // as after a SIGSTOP: the clock passes the deadline and nothing has run yet (meanwhile the
        // lease went to another node, which keeps it)
        zk.stranger(VRID, "node9");
        cluster.clock.advance(Duration.ofMillis(2100));
        assertThat(binder.gate.getAsBoolean()).as("past the deadline, before the engine releases").isFalse();
        runChecked(Duration.ofMillis(50));
        assertThat(holders()).isEmpty();
        assertThat(binder.gate.getAsBoolean()).as("released: still closed").isFalse();
    }

    @Test
    void aMasterLeavingForAHigherPriorityGivesTheLeaseBackOnlyAfterItsUnbind() throws Exception {
        InMemoryAuthority zk = new InMemoryAuthority(null);
        Recorder high = new Recorder();
        Engine low = cluster.start(cluster.node("n1", 11, 100).quorumGuard(zk));
        runChecked(Duration.ofSeconds(1));
        assertThat(low.state()).isEqualTo(RouterState.MASTER);

        Engine hi = cluster.start(cluster.node("n2", 12, 200).quorumGuard(zk).listener(high));
        runChecked(Duration.ofSeconds(2));
        assertThat(hi.state()).isEqualTo(RouterState.MASTER);
        assertThat(low.state()).isEqualTo(RouterState.BACKUP);
        assertThat(holders()).containsExactly("n2");
        assertThat(zk.grantLog()).containsExactly("51 n1 100", "51 n2 101");
        assertThat(high.last().fencingToken()).isEqualTo(101);
        assertThat(low.stats().lease().held()).isFalse();
        assertThat(low.stats().lease().waiting()).isFalse();
    }

    @Test
    void theHooksSeeTheTokenOfTheLeaseTheyAcquireAndOfTheOneTheyRelease() throws Exception {
        InMemoryAuthority zk = new InMemoryAuthority(null);
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        io.havip.core.AddressHook hook = new io.havip.core.AddressHook() {
            @Override
            public void beforeAcquire(StateChange pending) {
                seen.add("acquire " + pending.fencingToken());
            }

            @Override
            public void beforeRelease(StateChange pending) {
                seen.add("release " + pending.fencingToken() + " " + pending.reason());
            }
        };
        Engine e = cluster.start(cluster.node("n1", 11, 100).quorumGuard(zk).hook(hook, Duration.ofSeconds(1)));
        runChecked(Duration.ofSeconds(1));
        zk.expire(VRID);
        runChecked(Duration.ofMillis(100));
        assertThat(seen).containsExactly("acquire 100", "release 100 LEASE_LOST", "acquire 101");
        assertThat(e.state()).isEqualTo(RouterState.MASTER);
    }

    @Test
    void aLeaseShorterThanTheReleaseHooksIsGivenBackWithAnErrorInsteadOfChurning() throws Exception {
        InMemoryAuthority zk = new InMemoryAuthority(Duration.ofSeconds(2));
        Engine e = cluster.start(cluster.node("n1", 11, 100).quorumGuard(zk)
                .hook(new io.havip.core.AddressHook() { }, Duration.ofSeconds(3)));
        runChecked(Duration.ofSeconds(2));
        assertThat(holders()).isEmpty();
        assertThat(e.state()).isEqualTo(RouterState.BACKUP);
        assertThat(zk.grantLog()).as("granted once, given back, not asked again").hasSize(1);
        assertThat(zk.holder(VRID)).isNull();
    }

    @Test
    void anUnreachableAuthorityPutsTheRouterInFaultAndTheOtherTakesOver() throws Exception {
        InMemoryAuthority zk = new InMemoryAuthority(null);
        Engine a = cluster.start(cluster.node("n1", 11, 200).quorumGuard(zk));
        Engine b = cluster.start(cluster.node("n2", 12, 100).quorumGuard(zk));
        runChecked(Duration.ofSeconds(1));
        assertThat(a.state()).isEqualTo(RouterState.MASTER);

        zk.reachable("n1", false);
        zk.expire(VRID); // as the store would once n1's session expires
        runChecked(Duration.ofSeconds(1));
        assertThat(a.state()).isEqualTo(RouterState.FAULT);
        assertThat(b.state()).isEqualTo(RouterState.MASTER);
        assertThat(holders()).containsExactly("n2");
        assertThat(a.stats().lease().reachable()).isFalse();

        zk.reachable("n1", true);
        runChecked(Duration.ofSeconds(2));
        assertThat(a.state()).as("back, preempts by VRRP, then is granted").isEqualTo(RouterState.MASTER);
        assertThat(holders()).containsExactly("n1");
    }

    @Test
    void leaseOnlyElectsByPriorityWithoutAdvertsAndPreemptsAtTheLease() throws Exception {
        InMemoryAuthority zk = new InMemoryAuthority(null);
        Recorder lowEvents = new Recorder();
        Engine low = cluster.start(cluster.node("n1", 11, 100).leaseOnly(zk).listener(lowEvents));
        runChecked(Duration.ofSeconds(1));
        assertThat(low.state()).isEqualTo(RouterState.MASTER);
        assertThat(lowEvents.last().reason()).isEqualTo(TransitionReason.LEASE_GRANTED);
        assertThat(low.stats().vrrp().advertisementsReceived()).isZero();

        Engine hi = cluster.start(cluster.node("n2", 12, 200).leaseOnly(zk));
        runChecked(Duration.ofSeconds(1));
        assertThat(hi.state()).isEqualTo(RouterState.MASTER);
        assertThat(low.state()).isEqualTo(RouterState.BACKUP);
        assertThat(lowEvents.last().reason()).isEqualTo(TransitionReason.LEASE_YIELDED);
        assertThat(holders()).containsExactly("n2");
        assertThat(low.stats().lease().yields()).isEqualTo(1);
        assertThat(hi.stats().vrrp().advertisementsReceived()).as("no VRRP traffic").isZero();
        assertThat(low.stats().lease().waiting()).as("stays a candidate").isTrue();

        cluster.closeWhileRunning(hi);
        runChecked(Duration.ofMillis(100));
        assertThat(low.state()).as("the waiting candidate is granted when the holder closes").isEqualTo(RouterState.MASTER);
        assertThat(holders()).containsExactly("n1");
        assertThat(zk.grantLog()).containsExactly("51 n1 100", "51 n2 101", "51 n1 102");
    }

    @Test
    void leaseOnlyAHolderWhosePriorityDropsYieldsToAHigherCandidate() throws Exception {
        InMemoryAuthority zk = new InMemoryAuthority(null);
        Engine a = cluster.start(cluster.node("n1", 11, 200).leaseOnly(zk));
        Engine b = cluster.start(cluster.node("n2", 12, 100).leaseOnly(zk));
        runChecked(Duration.ofSeconds(1));
        assertThat(holders()).containsExactly("n1");
        assertThat(b.stats().lease().waiting()).isTrue();

        a.setPriority(50); // as a weighted check would: the candidate's priority is published again
        runChecked(Duration.ofMillis(200));
        assertThat(holders()).containsExactly("n2");
        assertThat(a.stats().lease().yields()).isEqualTo(1);
        assertThat(a.stats().lease().waiting()).isTrue();
    }

    @Test
    void leaseOnlyAFailingHealthCheckGivesTheLeaseUp() throws Exception {
        InMemoryAuthority zk = new InMemoryAuthority(null);
        java.util.concurrent.atomic.AtomicBoolean healthy = new java.util.concurrent.atomic.AtomicBoolean(true);
        Engine a = cluster.start(cluster.node("n1", 11, 200).leaseOnly(zk)
                .healthCheck(HealthCheck.of("app", healthy::get, Duration.ofMillis(100))));
        Engine b = cluster.start(cluster.node("n2", 12, 100).leaseOnly(zk));
        runChecked(Duration.ofSeconds(1));
        assertThat(holders()).containsExactly("n1");

        healthy.set(false);
        runChecked(Duration.ofSeconds(1));
        assertThat(a.state()).isEqualTo(RouterState.FAULT);
        assertThat(b.state()).isEqualTo(RouterState.MASTER);
        assertThat(holders()).containsExactly("n2");
    }
}
