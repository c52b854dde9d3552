package io.havip.vrrp.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.havip.core.AddressHook;
import io.havip.core.AdvertTransport;
import io.havip.core.FailoverListener;
import io.havip.core.ManualClock;
import io.havip.core.RouterState;
import io.havip.core.StateChange;
import io.havip.core.TransitionReason;
import io.havip.core.memory.InMemoryNetwork;
import io.havip.core.memory.Node;
import io.havip.core.net.IpAddress;
import io.havip.core.net.MacAddress;
import io.havip.vrrp.Havip;
import io.havip.vrrp.HealthCheck;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The engine on the in-memory network under a {@link ManualClock}: time moves only when the
 * test advances it, and each step waits for the engines to handle what is due.
 */
class EngineTest {

    private static final IpAddress VIP = IpAddress.parse("198.51.100.50");

    private final VirtualCluster cluster = new VirtualCluster(7);
    private final ManualClock clock = cluster.clock;
    private final InMemoryNetwork network = cluster.network;

    @AfterEach
    void closeAll() throws InterruptedException {
        cluster.close();
    }

    private void closeWhileRunning(Engine e) throws InterruptedException {
        cluster.closeWhileRunning(e);
    }

    private Havip.Builder node(String name, int lastOctet, int priority) {
        return cluster.node(name, lastOctet, priority);
    }

    private Engine start(Havip.Builder b) {
        return cluster.start(b);
    }

    private void run(Duration total) throws InterruptedException {
        cluster.run(total);
    }

    private static final class Recorder implements FailoverListener {
        final List<StateChange> changes = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void onStateChange(StateChange change) {
            changes.add(change);
        }

        List<RouterState> states() {
            synchronized (changes) {
                return changes.stream().map(StateChange::to).toList();
            }
        }
    }

    @Test
    void highestPriorityBecomesMasterAndHoldsTheAddressBeforeItsListenerHears() throws Exception {
        AtomicReference<String> holderWhenTold = new AtomicReference<>();
        CountDownLatch told = new CountDownLatch(1);
        Engine low = start(node("n1", 11, 100));
        Engine high = start(node("n2", 12, 120).listener(c -> {
            if (c.to() == RouterState.MASTER) {
                holderWhenTold.set(network.holders(VIP).stream().map(Node::name).filter("n2"::equals).findFirst()
                        .orElse("not n2"));
                told.countDown();
            }
        }));

        run(Duration.ofSeconds(1));

        assertThat(high.state()).isEqualTo(RouterState.MASTER);
        assertThat(low.state()).isEqualTo(RouterState.BACKUP);
        told.await();
        assertThat(holderWhenTold.get()).as("n2 holds the VIP when its listener hears MASTER").isEqualTo("n2");
        assertThat(network.holders(VIP)).extracting(Node::name).containsExactly("n2");
        assertThat(high.stats().vrrp().becameMaster()).isEqualTo(1);
        assertThat(low.stats().vrrp().advertisementsReceived()).isPositive();
    }

    @Test
    void backupTakesOverWithinMasterDownIntervalWhenTheMasterCrashes() throws Exception {
        Recorder events = new Recorder();
        Engine backup = start(node("n1", 11, 100).listener(events));
        Engine master = start(node("n2", 12, 120));
        run(Duration.ofSeconds(1));
        assertThat(master.state()).isEqualTo(RouterState.MASTER);

        network.detach("n2"); // the master's host vanishes: no priority 0, no goodbye
        // Master_Down_Interval = 3 * 100 ms + (256 - 100) * 100 ms / 256 = 360.9 ms after the last advert,
        // which came at most one interval before the crash.
        run(Duration.ofMillis(250));
        assertThat(backup.state()).isEqualTo(RouterState.BACKUP);
        run(Duration.ofMillis(130));
        assertThat(backup.state()).isEqualTo(RouterState.MASTER);
        assertThat(events.changes).last().extracting(StateChange::reason).isEqualTo(TransitionReason.MASTER_DOWN_TIMER);
        assertThat(network.whoAnswers(VIP)).map(Node::name).contains("n1");
    }

    @Test
    void closeHandsOverMakeBeforeBreakAndReportsStopLast() throws Exception {
        Recorder masterEvents = new Recorder();
        Engine backup = start(node("n1", 11, 100));
        Engine master = start(node("n2", 12, 120).listener(masterEvents));
        run(Duration.ofSeconds(1));
        assertThat(master.state()).isEqualTo(RouterState.MASTER);

        Thread closer = new Thread(master::close);
        closer.start();
        // The backup takes over after Skew_Time (61 ms); the old master keeps the address until then.
        for (int i = 0; i < 200 && closer.isAlive(); i++) {
            assertThat(network.holders(VIP)).as("someone holds the VIP at every step").isNotEmpty();
            run(Duration.ofMillis(10));
        }
        closer.join(10_000);
        assertThat(closer.isAlive()).isFalse();

        assertThat(backup.state()).isEqualTo(RouterState.MASTER);
        assertThat(master.state()).isEqualTo(RouterState.STOP);
        assertThat(master.stats().handovers()).isEqualTo(1);
        assertThat(master.stats().vrrp().priorityZeroSent()).isEqualTo(1);
        assertThat(network.holders(VIP)).extracting(Node::name).containsExactly("n1");
        assertThat(masterEvents.states()).containsExactly(RouterState.BACKUP, RouterState.MASTER, RouterState.STOP);
        master.close(); // idempotent
        assertThat(masterEvents.states()).hasSize(3);
    }

    @Test
    void whereAnnouncementsAreVisibleAHandoverReleasesOnTheNewMastersGarp() throws Exception {
        Engine backup = start(node("n1", 11, 100));
        Engine master = start(node("n2", 12, 120));
        master.announcementsVisible();
        run(Duration.ofSeconds(1));
        Thread closer = new Thread(master::close);
        closer.start();
        for (int i = 0; i < 30 && backup.state() != RouterState.MASTER; i++) {
            run(Duration.ofMillis(10));
        }
        assertThat(backup.state()).isEqualTo(RouterState.MASTER);
        run(Duration.ofMillis(50));
        assertThat(network.holders(VIP)).extracting(Node::name).as("advert heard, GARP not yet: keep the address")
                .containsExactlyInAnyOrder("n1", "n2");

        master.addressConflict(VIP, network.node("n1").orElseThrow().mac()); // the new master's GARP
        for (int i = 0; i < 100 && closer.isAlive(); i++) {
            run(Duration.ofMillis(10));
        }
        closer.join(10_000);
        assertThat(network.holders(VIP)).extracting(Node::name).containsExactly("n1");
        assertThat(master.stats().handovers()).isEqualTo(1);
        assertThat(master.stats().addressConflicts()).isZero();
    }

    @Test
    void closingMasterDrainsBeforeItSendsPriorityZero() throws Exception {
        AtomicReference<String> seenDuringDrain = new AtomicReference<>();
        Engine backup = start(node("n1", 11, 100));
        Engine master = start(node("n2", 12, 120).hook(new AddressHook() {
            @Override
            public void beforeRelease(StateChange pending) {
                seenDuringDrain.set(network.whoAnswers(VIP).map(Node::name).orElse("nobody") + "/" + backup.state());
            }
        }, Duration.ofSeconds(5)));
        run(Duration.ofSeconds(1));
        assertThat(master.state()).isEqualTo(RouterState.MASTER);
        // with a hook the bind runs on the router's address thread: on a busy machine it can still be on its way
        for (int i = 0; i < 200 && network.whoAnswers(VIP).isEmpty(); i++) {
            run(Duration.ofMillis(10));
        }
        assertThat(network.whoAnswers(VIP).map(Node::name)).as("the master bound and announced the address").contains("n2");

        closeWhileRunning(master);

        assertThat(seenDuringDrain.get()).as("clients still reach the master and the backup waits while it drains")
                .isEqualTo("n2/BACKUP");
        assertThat(backup.state()).isEqualTo(RouterState.MASTER);
        assertThat(master.stats().handovers()).isEqualTo(1);
    }

    @Test
    void listenersHearEveryChangeInOrderAndAThrowingListenerDoesNotStopThem() throws Exception {
        Recorder events = new Recorder();
        Engine n1 = start(node("n1", 11, 100)
                .listener(c -> {
                    throw new IllegalStateException("listener bug");
                })
                .listener(events));
        run(Duration.ofSeconds(1));
        assertThat(n1.state()).isEqualTo(RouterState.MASTER);
        n1.setPriority(50);
        Engine n2 = start(node("n2", 12, 120));
        run(Duration.ofSeconds(1));
        assertThat(n2.state()).isEqualTo(RouterState.MASTER);
        closeWhileRunning(n1);

        assertThat(events.states()).containsExactly(RouterState.BACKUP, RouterState.MASTER, RouterState.BACKUP,
                RouterState.STOP);
        assertThat(events.changes.get(2).reason()).isEqualTo(TransitionReason.HIGHER_PRIORITY_MASTER);
    }

    @Test
    void aHookThatHangsDelaysTheBindOnlyUntilItsTimeout() throws Exception {
        AtomicBoolean released = new AtomicBoolean();
        CountDownLatch never = new CountDownLatch(1);
        Engine n1 = start(node("n1", 11, 100).hook(new AddressHook() {
            @Override
            public void beforeAcquire(StateChange pending) throws Exception {
                never.await();
            }

            @Override
            public void beforeRelease(StateChange pending) {
                released.set(true);
            }
        }, Duration.ofMillis(50)));
        run(Duration.ofSeconds(1));
        assertThat(n1.awaitState(RouterState.MASTER, Duration.ofSeconds(10))).isTrue();
        assertThat(network.whoAnswers(VIP)).map(Node::name).contains("n1");
        assertThat(n1.stats().hookTimeouts()).isEqualTo(1);
        assertThat(n1.stats().hookRuns()).as("the hung hook ran once").isEqualTo(1);
        assertThat(n1.stats().takeovers()).isEqualTo(1);

        closeWhileRunning(n1);
        assertThat(released).isTrue();
        assertThat(network.holders(VIP)).isEmpty();
    }

    /** Delegates to the node's in-memory binder, says it is low-latency, and notes the binding thread. */
    private static final class LowLatencyBinder extends ForwardingBinder {
        final List<String> bindThreads = Collections.synchronizedList(new ArrayList<>());

        LowLatencyBinder(io.havip.core.VipBinder inner) {
            super(inner);
        }

        @Override
        public List<AddressOutcome> bind(String ifname, List<io.havip.core.net.InterfaceAddress> a) throws BindException {
            bindThreads.add(Thread.currentThread().getName());
            return inner.bind(ifname, a);
        }

        @Override
        public boolean isLowLatency() {
            return true;
        }
    }

    @Test
    void aLowLatencyBinderBindsOnTheEngineThreadRightAfterTheAdvertUnlessHooksMustRunFirst() throws Exception {
        Havip.Builder plain = node("n1", 11, 100);
        LowLatencyBinder direct = new LowLatencyBinder(network.node("n1").orElseThrow().binder());
        Engine n1 = start(plain.binder(direct));
        Havip.Builder hooked = node("n2", 12, 200);
        LowLatencyBinder afterHook = new LowLatencyBinder(network.node("n2").orElseThrow().binder());
        AtomicBoolean hookRan = new AtomicBoolean();
        Engine n2 = start(hooked.binder(afterHook).hook(new AddressHook() {
            @Override
            public void beforeAcquire(StateChange pending) {
                hookRan.set(true);
            }
        }, Duration.ofSeconds(1)));

        run(Duration.ofSeconds(1));
        assertThat(n2.awaitState(RouterState.MASTER, Duration.ofSeconds(10))).isTrue();
        assertThat(hookRan).isTrue();
        assertThat(afterHook.bindThreads).as("the hook runs first, on an address thread").singleElement()
                .asString().startsWith("havip-address-");

        closeWhileRunning(n2);
        run(Duration.ofSeconds(1));
        assertThat(n1.awaitState(RouterState.MASTER, Duration.ofSeconds(10))).isTrue();
        assertThat(direct.bindThreads).as("no hooks: bound by the loop thread after its advert").singleElement()
                .asString().startsWith("havip-loop-");
        assertThat(network.holders(VIP)).extracting(Node::name).containsExactly("n1");
    }

    @Test
    void aFailingHealthCheckWithWeightZeroPutsTheRouterInFault() throws Exception {
        AtomicBoolean healthy = new AtomicBoolean(true);
        Recorder events = new Recorder();
        Engine n1 = start(node("n1", 11, 100).listener(events)
                .healthCheck(new HealthCheck("db", healthy::get, Duration.ofMillis(5), Duration.ofSeconds(5), 1, 1, 0)));
        run(Duration.ofSeconds(1));
        assertThat(n1.state()).isEqualTo(RouterState.MASTER);

        healthy.set(false);
        assertThat(awaitWhileRunning(n1, RouterState.FAULT)).isTrue();
        assertThat(network.holders(VIP)).isEmpty();

        healthy.set(true);
        assertThat(awaitWhileRunning(n1, RouterState.MASTER)).isTrue();
        assertThat(events.changes).extracting(StateChange::reason).contains(TransitionReason.TRACKER_FAULT,
                TransitionReason.TRACKER_RECOVERED);
    }

    /** Health checks run on real threads; keep virtual time moving until the state shows up. */
    private boolean awaitWhileRunning(Engine e, RouterState state) throws InterruptedException {
        for (int i = 0; i < 500; i++) {
            run(Duration.ofMillis(20));
            if (e.state() == state) {
                return true;
            }
            Thread.sleep(2);
        }
        return false;
    }

    @Test
    void aStaleAddressFromACrashedRunIsRemovedBeforeTheElection() throws Exception {
        Node n1 = network.attach("n1", MacAddress.parse("02:00:c6:33:64:0b"), IpAddress.parse("198.51.100.11"));
        n1.binder().bind("eth0", List.of(io.havip.core.net.InterfaceAddress.parse("198.51.100.50/24")));
        assertThat(network.holders(VIP)).hasSize(1);

        AdvertTransport t = n1.openTransport("eth0");
        Engine e = cluster.start(Havip.builder().name("n1").interfaceName("eth0").vrid(51).priority(100)
                .virtualAddress("198.51.100.50/24").advertInterval(Duration.ofMillis(100))
                .transport(t).binder(n1.binder()).clock(clock), t);
        e.sync();
        e.syncAddressWork();
        assertThat(e.state()).isEqualTo(RouterState.BACKUP);
        assertThat(network.holders(VIP)).isEmpty();
    }

    @Test
    void aFloodOfForeignAdvertsNeverStarvesTheTimers() throws Exception {
        Node foreign = network.attach("foreign", MacAddress.parse("02:00:c6:33:64:63"), IpAddress.parse("198.51.100.99"));
        AdvertTransport flood = foreign.openTransport("eth0");
        byte[] otherVrid = io.havip.vrrp.codec.VrrpCodec.encode(
                io.havip.vrrp.codec.VrrpAdvertisement.v3(52, 200, 10, List.of(IpAddress.parse("198.51.100.60"))),
                foreign.primaryAddress(), IpAddress.parse("224.0.0.18"));
        AtomicBoolean flooding = new AtomicBoolean(true);
        Thread flooder = new Thread(() -> {
            while (flooding.get()) {
                try {
                    flood.send(IpAddress.parse("224.0.0.18"), otherVrid);
                } catch (java.io.IOException e) {
                    return;
                }
            }
        });
        Engine n1 = start(node("n1", 11, 100));
        n1.sync(); // started at virtual time 0
        flooder.start();
        try {
            // No sync here: the engine must find the due timer by itself while packets keep coming.
            clock.advance(Duration.ofSeconds(1));
            assertThat(n1.awaitState(RouterState.MASTER, Duration.ofSeconds(20))).isTrue();
            assertThat(n1.stats().vrrp().vridMismatch()).isPositive();
        } finally {
            flooding.set(false);
            flooder.join();
        }
    }

    @Test
    void aMasterAnswersAForeignClaimOfItsAddressWithAFreshAnnouncement() throws Exception {
        Engine master = start(node("n1", 11, 100));
        run(Duration.ofSeconds(1));
        assertThat(master.state()).isEqualTo(RouterState.MASTER);
        // a stale holder (its process was killed, its kernel still answers) announces the VIP
        Node stale = network.attach("stale", MacAddress.parse("02:00:c6:33:64:63"), IpAddress.parse("198.51.100.99"));
        stale.binder().bind("eth0", List.of(io.havip.core.net.InterfaceAddress.parse("198.51.100.50/24")));
        assertThat(network.whoAnswers(VIP)).map(Node::name).contains("stale");

        master.addressConflict(VIP, stale.mac());
        master.addressConflict(VIP, stale.mac());
        run(Duration.ofMillis(50));
        assertThat(network.whoAnswers(VIP)).as("the answer waits up to one interval (100 ms)").map(Node::name)
                .contains("stale");
        long announcementsBefore = network.events().stream().filter(e -> e.node().equals("n1") && e.kind() == io.havip.core.memory.Event.Kind.ANNOUNCE).count();
        run(Duration.ofMillis(60));

        assertThat(network.whoAnswers(VIP)).map(Node::name).contains("n1");
        assertThat(master.stats().addressConflicts()).isEqualTo(2);
        assertThat(network.events().stream().filter(e -> e.node().equals("n1") && e.kind() == io.havip.core.memory.Event.Kind.ANNOUNCE).count() - announcementsBefore)
                .as("two claims in one interval get one answer").isEqualTo(1);
    }

    /** RFC 5798 section 7.3: 00:00:5e:00:01:<vrid> is another router of this virtual router (FRR announces from it). */
    @Test
    void aClaimFromTheVirtualMacIsAnsweredOnlyIfNoRouterTookOverWithinThreeIntervals() throws Exception {
        Engine master = start(node("n1", 11, 100));
        run(Duration.ofSeconds(1));
        assertThat(master.state()).isEqualTo(RouterState.MASTER);
        long before = announcements("n1");
        master.addressConflict(VIP, MacAddress.vrrp(io.havip.core.net.IpFamily.IPV4, 51));
        run(Duration.ofMillis(250));
        assertThat(announcements("n1") - before).as("a stale holder would have been answered by now").isZero();
        assertThat(master.stats().conflictAnswers()).isZero();
        run(Duration.ofMillis(100));
        assertThat(announcements("n1") - before).as("nobody advertised: out-announced like a stale holder").isEqualTo(1);
        assertThat(master.stats().conflictAnswers()).isEqualTo(1);
        assertThat(master.stats().addressConflicts()).isEqualTo(1);
    }

    @Test
    void aMasterThatYieldsBeforeItsAnswerIsDueSendsNoAnswer() throws Exception {
        Engine master = start(node("n1", 11, 100));
        run(Duration.ofSeconds(1));
        assertThat(master.state()).isEqualTo(RouterState.MASTER);
        Node peer = network.attach("peer", MacAddress.parse("02:00:c6:33:64:0d"), IpAddress.parse("198.51.100.13"));
        AdvertTransport wire = peer.openTransport("eth0");
        long before = announcements("n1");
        master.addressConflict(VIP, peer.mac()); // its announcement overtook its advert
        wire.send(IpAddress.parse("224.0.0.18"), io.havip.vrrp.codec.VrrpCodec.encode(
                io.havip.vrrp.codec.VrrpAdvertisement.v3(51, 200, 10, List.of(VIP)), peer.primaryAddress(),
                IpAddress.parse("224.0.0.18")));
        run(Duration.ofMillis(200)); // past the answer's 100 ms, short of Master_Down_Interval (361 ms)
        assertThat(master.state()).isEqualTo(RouterState.BACKUP);
        assertThat(master.stats().addressConflicts()).isEqualTo(1);
        assertThat(master.stats().conflictAnswers()).as("dropped on yielding").isZero();
        assertThat(master.stats().announcedForNewMaster()).isZero();
        assertThat(announcements("n1") - before).isZero();
    }

    private long announcements(String node) {
        return network.events().stream()
                .filter(e -> e.node().equals(node) && e.kind() == io.havip.core.memory.Event.Kind.ANNOUNCE).count();
    }

    @Test
    void aBackupIgnoresClaimsOfTheAddress() throws Exception {
        start(node("n2", 12, 120));
        run(Duration.ofSeconds(1)); // n2 is master before n1 starts: no start-up race over the ARP view
        Engine backup = start(node("n1", 11, 100));
        run(Duration.ofSeconds(1));
        assertThat(backup.state()).isEqualTo(RouterState.BACKUP);
        backup.addressConflict(VIP, MacAddress.parse("02:00:c6:33:64:0c"));
        run(Duration.ofMillis(10));
        assertThat(backup.stats().addressConflicts()).isZero();
        assertThat(network.whoAnswers(VIP)).map(Node::name).contains("n2");
    }

    @Test
    void aListenerThatBlocksForeverDelaysNeitherAdvertsNorTheAddress() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        Engine master = start(node("n2", 12, 120).listener(c -> {
            try {
                never.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        Engine backup = start(node("n1", 11, 100));
        run(Duration.ofSeconds(5));
        assertThat(master.state()).isEqualTo(RouterState.MASTER);
        assertThat(backup.state()).isEqualTo(RouterState.BACKUP);
        assertThat(backup.stats().vrrp().becameMaster()).isZero();
        assertThat(network.whoAnswers(VIP)).map(Node::name).contains("n2");
        never.countDown();
    }

    @Test
    void aBuilderCanStartFromAKeepalivedConf() throws Exception {
        java.nio.file.Path conf = java.nio.file.Paths.get(getClass().getResource("/fixtures/keepalived/cloud-guide-primary.conf").toURI());
        Havip.Builder b = Havip.fromKeepalivedConf(conf, firstInstance(conf));
        io.havip.vrrp.machine.RouterConfig config = b.build();
        assertThat(config.unicastPeers()).isNotEmpty();
        assertThat(config.preempt()).isFalse();
        assertThatThrownBy(() -> Havip.fromKeepalivedConf(conf, "NO_SUCH")).hasMessageContaining("has no vrrp_instance NO_SUCH");
    }

    private static String firstInstance(java.nio.file.Path conf) {
        return io.havip.vrrp.config.KeepalivedConfigReader.read(conf).instances().get(0).name();
    }

    @Test
    void builderNamesTheFieldAtFault() {
        assertThatThrownBy(() -> Havip.builder().vrid(1).virtualAddress("198.51.100.50").build())
                .hasMessageContaining("interfaceName is required");
        assertThatThrownBy(() -> Havip.builder().interfaceName("eth0").virtualAddress("198.51.100.50").build())
                .hasMessageContaining("vrid is required");
        assertThatThrownBy(() -> Havip.builder().interfaceName("eth0").vrid(1).build())
                .hasMessageContaining("virtualAddress is required");
        assertThatThrownBy(() -> Havip.builder().virtualAddress("198.51.100.500/24"))
                .hasMessageStartingWith("virtualAddress: ").hasMessageContaining("198.51.100.500");
        assertThatThrownBy(() -> Havip.builder().interfaceName("eth0").vrid(1).priority(0)
                .virtualAddress("198.51.100.50").build()).hasMessageContaining("priority 0");
        assertThatThrownBy(() -> Havip.builder().interfaceName("eth0").vrid(1).advertInterval(Duration.ofMillis(5))
                .virtualAddress("198.51.100.50").build()).hasMessageContaining("advertInterval");
        assertThatThrownBy(() -> Havip.builder().unicastPeers("peer.example")).hasMessageStartingWith("unicastPeers: ");
    }
}
