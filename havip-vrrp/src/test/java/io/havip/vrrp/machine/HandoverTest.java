package io.havip.vrrp.machine;

import static io.havip.vrrp.machine.Fixtures.HIGHER_PEER;
import static io.havip.vrrp.machine.Fixtures.MCAST;
import static io.havip.vrrp.machine.Fixtures.SELF;
import static io.havip.vrrp.machine.Fixtures.master;
import static io.havip.vrrp.machine.Fixtures.v3;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.havip.core.RouterState;
import io.havip.core.TransitionReason;
import io.havip.core.net.IpAddress;
import io.havip.vrrp.codec.VrrpCodec;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Handover}: the closing master keeps its address until a new master is heard. */
class HandoverTest {

    private static final long MS = 1_000_000L;
    private static final long T0 = 10_000 * MS;
    private static final IpAddress STRANGER = IpAddress.parse("198.51.100.99");

    private final RouterConfig config = v3(150).build();
    private final VrrpMachine machine = master(config);
    private final Handover handover = new Handover(Duration.ofSeconds(5));

    private List<Action> begin() {
        List<Action> now = handover.begin(T0, machine.shutdown(T0));
        assertThat(handover.active()).isTrue();
        return now;
    }

    @Test
    void closingMasterSendsPriorityZeroAtOnceAndHoldsTheUnbindAndStop() {
        List<Action> now = begin();
        assertThat(now).singleElement().isInstanceOfSatisfying(Action.SendAdvert.class,
                s -> assertThat(s.advertisement().priority()).isZero());
        assertThat(handover.nextDeadlineNanos()).isEqualTo(T0 + 5_000 * MS);
        Handover.Release r = handover.onAdvert(T0 + 60 * MS, HIGHER_PEER, 100, true).orElseThrow();
        assertThat(r.reason()).isEqualTo(Handover.Reason.NEW_MASTER_ADVERTISED);
        assertThat(r.actions()).containsExactly(new Action.UnbindAddresses(config.virtualAddresses()),
                new Action.NotifyStateChange(RouterState.MASTER, RouterState.STOP, TransitionReason.SHUTDOWN, 150));
        assertThat(handover.active()).isFalse();
        assertThat(handover.nextDeadlineNanos()).isEqualTo(Long.MAX_VALUE);
        assertThat(handover.handovers()).isEqualTo(1);
    }

    @Test
    void noNewMasterReleasesAtTheTimeoutUncounted() {
        begin();
        assertThat(handover.onTimer(T0 + 5_000 * MS - 1)).isEmpty();
        Handover.Release r = handover.onTimer(T0 + 5_000 * MS).orElseThrow();
        assertThat(r.reason()).isEqualTo(Handover.Reason.TIMED_OUT);
        assertThat(r.reason().newMasterHeard()).isFalse();
        assertThat(handover.handovers()).isZero();
        assertThat(handover.onTimer(T0 + 6_000 * MS)).as("only once").isEmpty();
    }

    @Test
    void aBackupOrAZeroTimeoutClosesWithoutHandover() {
        VrrpMachine backup = Fixtures.started(config, 0);
        List<Action> shutdown = backup.shutdown(T0);
        assertThat(handover.begin(T0, shutdown)).isEqualTo(shutdown);
        assertThat(handover.active()).isFalse();

        Handover none = new Handover(Duration.ZERO);
        List<Action> masterShutdown = machine.shutdown(T0);
        assertThat(none.begin(T0, masterShutdown)).isEqualTo(masterShutdown);
        assertThat(none.active()).isFalse();
        assertThat(none.nextDeadlineNanos()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void strangersAdvertsDoNotEndTheHandover() {
        begin();
        assertThat(handover.onAdvert(T0 + MS, STRANGER, 200, false)).as("not a peer").isEmpty();
        assertThat(handover.onAdvert(T0 + MS, HIGHER_PEER, 0, true)).as("priority 0: another one leaving").isEmpty();
        assertThat(handover.onAdvert(T0 + MS, HIGHER_PEER, -1, true)).as("not an advert of this router").isEmpty();
        assertThat(handover.onAdvert(T0 + MS, null, 100, true)).isEmpty();
        assertThat(handover.active()).isTrue();
        assertThat(handover.nextDeadlineNanos()).isEqualTo(T0 + 5_000 * MS);
    }

    @Test
    void strangersAdvertsDoNotShortenTheWaitWhenAnnouncementsAreVisible() {
        handover.announcementsVisible();
        begin();
        handover.onAdvert(T0 + MS, STRANGER, 200, false);
        handover.onAdvert(T0 + MS, HIGHER_PEER, 0, true);
        assertThat(handover.nextDeadlineNanos()).isEqualTo(T0 + 5_000 * MS);
    }

    @Test
    void withVisibleAnnouncementsTheAdvertWaitsForTheGarp() {
        handover.announcementsVisible();
        begin();
        assertThat(handover.onAdvert(T0 + 60 * MS, HIGHER_PEER, 100, true)).isEmpty();
        assertThat(handover.nextDeadlineNanos()).isEqualTo(T0 + 560 * MS);
        assertThat(handover.onAdvert(T0 + 160 * MS, HIGHER_PEER, 100, true)).isEmpty();
        assertThat(handover.nextDeadlineNanos()).as("the first advert's bound stays").isEqualTo(T0 + 560 * MS);
        Handover.Release r = handover.onAnnouncement(T0 + 200 * MS).orElseThrow();
        assertThat(r.reason()).isEqualTo(Handover.Reason.NEW_MASTER_ANNOUNCED);
        assertThat(handover.handovers()).isEqualTo(1);
    }

    @Test
    void withVisibleAnnouncementsAnUnseenGarpReleasesHalfASecondAfterTheAdvert() {
        handover.announcementsVisible();
        begin();
        handover.onAdvert(T0 + 60 * MS, HIGHER_PEER, 100, true);
        assertThat(handover.onTimer(T0 + 559 * MS)).isEmpty();
        Handover.Release r = handover.onTimer(T0 + 560 * MS).orElseThrow();
        assertThat(r.reason()).isEqualTo(Handover.Reason.ANNOUNCEMENT_NOT_SEEN);
        assertThat(handover.handovers()).as("the new master spoke").isEqualTo(1);
    }

    @Test
    void theAnnouncementBoundNeverLengthensAShortTimeout() {
        Handover shortOne = new Handover(Duration.ofMillis(300));
        shortOne.announcementsVisible();
        shortOne.begin(T0, machine.shutdown(T0));
        shortOne.onAdvert(T0 + 100 * MS, HIGHER_PEER, 100, true);
        assertThat(shortOne.nextDeadlineNanos()).isEqualTo(T0 + 300 * MS);
    }

    @Test
    void anAnnouncementWithoutAHandoverIsNotItsBusiness() {
        assertThat(handover.onAnnouncement(T0)).isEmpty();
        assertThat(handover.onAdvert(T0, HIGHER_PEER, 100, true)).isEmpty();
        assertThat(handover.onTimer(Long.MAX_VALUE - 1)).isEmpty();
        assertThat(handover.handovers()).isZero();
    }

    @Test
    void advertPriorityReadsOnlyAdvertsTheMachineWouldAccept() {
        byte[] ours = VrrpCodec.encode(Fixtures.advert(config, 120), HIGHER_PEER, MCAST);
        assertThat(machine.advertPriority(HIGHER_PEER, MCAST, 255, ours)).isEqualTo(120);
        assertThat(machine.advertPriority(HIGHER_PEER, MCAST, 64, ours)).as("from off-link (TTL)").isEqualTo(-1);
        assertThat(machine.advertPriority(SELF, MCAST, 255, VrrpCodec.encode(Fixtures.advert(config, 120), SELF, MCAST)))
                .as("our own, looped back").isEqualTo(-1);
        RouterConfig otherList = v3(100).virtualAddress("198.51.100.60/24").build();
        byte[] collision = VrrpCodec.encode(Fixtures.advert(otherList, 200), HIGHER_PEER, MCAST);
        assertThat(machine.advertPriority(HIGHER_PEER, MCAST, 255, collision))
                .as("another cluster on the same VRID (another address list)").isEqualTo(-1);
        RouterConfig other = RouterConfig.builder(new io.havip.core.RouterId("VI_2", "eth0", 52,
                io.havip.core.net.IpFamily.IPV4)).priority(100).virtualAddress("198.51.100.50/24").build();
        byte[] theirs = VrrpCodec.encode(Fixtures.advert(other, 120), HIGHER_PEER, MCAST);
        assertThat(machine.advertPriority(HIGHER_PEER, MCAST, 255, theirs)).as("another VRID").isEqualTo(-1);
        assertThat(machine.advertPriority(HIGHER_PEER, MCAST, 255, new byte[] {0x31, 51, 1})).isEqualTo(-1);
        ours[6] ^= 1; // checksum
        assertThat(machine.advertPriority(HIGHER_PEER, MCAST, 255, ours)).isEqualTo(-1);
        assertThat(machine.advertPriority(SELF, MCAST, 255, null)).isEqualTo(-1);
        assertThat(machine.stats().advertisementsReceived()).as("counts nothing").isZero();
    }

    @Test
    void advertPriorityWithUnicastPeersRefusesStrangers() {
        RouterConfig unicast = v3(150).unicastPeer(HIGHER_PEER).build();
        VrrpMachine m = master(unicast);
        byte[] fromPeer = VrrpCodec.encode(Fixtures.advert(unicast, 120), HIGHER_PEER, SELF);
        byte[] fromStranger = VrrpCodec.encode(Fixtures.advert(unicast, 120), STRANGER, SELF);
        assertThat(m.advertPriority(HIGHER_PEER, SELF, 64, fromPeer)).as("unicast: any TTL").isEqualTo(120);
        assertThat(m.advertPriority(STRANGER, SELF, 255, fromStranger)).isEqualTo(-1);
        assertThat(m.stats().unicastSourceErrors()).isZero();
    }

    @Test
    void refusesANegativeTimeout() {
        assertThatThrownBy(() -> new Handover(Duration.ofMillis(-1)))
                .hasMessage("handover timeout PT-0.001S must be zero or positive");
    }
}
