package io.havip.vrrp.machine;

import static io.havip.vrrp.machine.Fixtures.HIGHER_PEER;
import static io.havip.vrrp.machine.Fixtures.MCAST;
import static io.havip.vrrp.machine.Fixtures.SEC;
import static io.havip.vrrp.machine.Fixtures.SELF;
import static io.havip.vrrp.machine.Fixtures.advert;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.havip.core.RouterId;
import io.havip.core.RouterState;
import io.havip.core.TransitionReason;
import io.havip.core.net.IpFamily;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SyncGroupTest {

    RouterConfig outside;
    RouterConfig inside;
    VrrpMachine a;
    VrrpMachine b;
    SyncGroup group;

    @BeforeEach
    void setUp() {
        outside = RouterConfig.builder(new RouterId("OUT", "eth0", 51, IpFamily.IPV4)).priority(100)
                .virtualAddress("198.51.100.50/24").build();
        inside = RouterConfig.builder(new RouterId("IN", "eth1", 52, IpFamily.IPV4)).priority(110)
                .virtualAddress("203.0.113.50/24").build();
        a = new VrrpMachine(outside, SELF);
        b = new VrrpMachine(inside, io.havip.core.net.IpAddress.parse("203.0.113.10"));
        group = new SyncGroup("VG1", List.of(a, b));
        assertThat(group.state()).isEqualTo(RouterState.INITIALIZE);
        a.start(0);
        b.start(0);
        assertThat(group.reconcile(0)).isEmpty();
        assertThat(group.state()).isEqualTo(RouterState.BACKUP);
    }

    @Test
    void firstTimerWaitsForTheWholeGroupThenAllMoveTogether() {
        // b (priority 110) has the shorter Skew_Time: its timer runs out first but a does not want MASTER yet.
        assertThat(b.nextDeadlineNanos()).isLessThan(a.nextDeadlineNanos());
        long tb = b.nextDeadlineNanos();
        assertThat(b.onTimer(tb)).isEmpty();
        assertThat(b.state()).isEqualTo(RouterState.BACKUP);
        assertThat(group.reconcile(tb)).isEmpty();
        long ta = a.nextDeadlineNanos();
        List<Action> out = a.onTimer(ta);
        assertThat(out).last().isEqualTo(new Action.NotifyStateChange(RouterState.BACKUP, RouterState.MASTER,
                TransitionReason.MASTER_DOWN_TIMER, 100));
        List<SyncGroup.MemberActions> follow = group.reconcile(ta);
        assertThat(follow).singleElement().satisfies(f -> {
            assertThat(f.member()).isSameAs(b);
            assertThat(f.actions()).last().isEqualTo(new Action.NotifyStateChange(RouterState.BACKUP,
                    RouterState.MASTER, TransitionReason.SYNC_GROUP, 110));
        });
        assertThat(group.state()).isEqualTo(RouterState.MASTER);
    }

    @Test
    void memberFollowingAMasterHoldsTheGroupBack() {
        long tb = b.nextDeadlineNanos();
        b.onTimer(tb);
        // a still hears its master: it keeps following, so b may not go alone.
        a.onAdvertisement(tb, HIGHER_PEER, MCAST, 255, advert(outside, 200));
        b.onTimer(b.nextDeadlineNanos());
        assertThat(b.state()).isEqualTo(RouterState.BACKUP);
    }

    @Test
    void oneLeavingMasterTakesTheOthersAlong() {
        a.onTimer(a.nextDeadlineNanos());
        b.onTimer(b.nextDeadlineNanos());
        group.reconcile(5 * SEC);
        assertThat(group.state()).isEqualTo(RouterState.MASTER);
        a.onAdvertisement(6 * SEC, HIGHER_PEER, MCAST, 255, advert(outside, 200));
        assertThat(a.state()).isEqualTo(RouterState.BACKUP);
        List<SyncGroup.MemberActions> follow = group.reconcile(6 * SEC);
        assertThat(follow).singleElement().satisfies(f -> {
            assertThat(f.member()).isSameAs(b);
            assertThat(f.actions()).containsExactly(new Action.UnbindAddresses(inside.virtualAddresses()),
                    new Action.NotifyStateChange(RouterState.MASTER, RouterState.BACKUP, TransitionReason.SYNC_GROUP,
                            110));
        });
        assertThat(group.state()).isEqualTo(RouterState.BACKUP);
    }

    @Test
    void faultSpreadsAndRecoveryIsJoint() {
        a.onTimer(a.nextDeadlineNanos());
        b.onTimer(b.nextDeadlineNanos());
        group.reconcile(5 * SEC);
        b.onInterfaceChange(6 * SEC, "eth1", false);
        assertThat(b.state()).isEqualTo(RouterState.FAULT);
        List<SyncGroup.MemberActions> follow = group.reconcile(6 * SEC);
        assertThat(follow).singleElement().satisfies(f -> {
            assertThat(f.member()).isSameAs(a);
            assertThat(f.actions()).last().isEqualTo(new Action.NotifyStateChange(RouterState.MASTER,
                    RouterState.FAULT, TransitionReason.SYNC_GROUP, 100));
        });
        assertThat(group.state()).isEqualTo(RouterState.FAULT);
        assertThat(a.nextDeadlineNanos()).isEqualTo(Long.MAX_VALUE);
        // b's own fault clears, but b stays in FAULT until the group releases everyone together.
        assertThat(b.onInterfaceChange(7 * SEC, "eth1", true)).isEmpty();
        List<SyncGroup.MemberActions> back = group.reconcile(7 * SEC);
        assertThat(back).hasSize(2);
        assertThat(back).allSatisfy(f -> assertThat(f.actions()).last()
                .extracting(x -> ((Action.NotifyStateChange) x).to()).isEqualTo(RouterState.BACKUP));
        assertThat(group.state()).isEqualTo(RouterState.BACKUP);
    }

    @Test
    void ownerMemberPullsTheGroupToMaster() {
        RouterConfig owner = RouterConfig.builder(new RouterId("O", "eth2", 60, IpFamily.IPV4)).priority(255)
                .virtualAddress("203.0.113.60/24").build();
        VrrpMachine x = new VrrpMachine(owner, SELF);
        VrrpMachine y = new VrrpMachine(outside, SELF);
        SyncGroup g = new SyncGroup("VG2", List.of(x, y));
        y.start(0);
        x.start(0);
        assertThat(g.reconcile(0)).singleElement().satisfies(f -> assertThat(f.member()).isSameAs(y));
        assertThat(g.state()).isEqualTo(RouterState.MASTER);
    }

    @Test
    void aRefusedGroupLeavesNoMemberHalfJoined() {
        VrrpMachine free = new VrrpMachine(outside, SELF);
        assertThatThrownBy(() -> new SyncGroup("VG6", List.of(free, a))).hasMessage(
                "router OUT already belongs to a sync group");
        SyncGroup later = new SyncGroup("VG7", List.of(free));
        assertThat(later.members()).containsExactly(free);
    }

    @Test
    void refusals() {
        assertThatThrownBy(() -> new SyncGroup("VG3", List.of(a))).hasMessage(
                "router OUT already belongs to a sync group");
        VrrpMachine c = new VrrpMachine(outside, SELF);
        assertThatThrownBy(() -> new SyncGroup("VG4", List.of(c, c))).hasMessage(
                "sync group VG4: router OUT is listed twice");
        assertThatThrownBy(() -> new SyncGroup("VG5", List.of())).hasMessage("sync group VG5 has no members");
        assertThatThrownBy(() -> new SyncGroup(" ", List.of(c))).hasMessage("sync group name is empty");
    }
}
