package io.havip.vrrp.machine;

import static org.assertj.core.api.Assertions.assertThat;

import io.havip.core.RouterState;
import io.havip.core.StateChange;
import io.havip.core.TransitionReason;
import io.havip.core.net.InterfaceAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The lease gate alone: what passes, what is held, when the lease is asked for and given back. */
class LeaseGateTest {

    private static final List<InterfaceAddress> VIPS = List.of(InterfaceAddress.parse("198.51.100.50/24"));
    private static final Action BIND = new Action.BindAddresses(VIPS);
    private static final Action UNBIND = new Action.UnbindAddresses(VIPS);
    private static final long S = 1_000_000_000L;

    private static Action notify(RouterState from, RouterState to, TransitionReason r) {
        return new Action.NotifyStateChange(from, to, r, 100);
    }

    private final LeaseGate gate = new LeaseGate(LeaseGate.Mode.QUORUM_GUARD, VIPS);

    private void startBackup() {
        gate.filter(0, List.of(notify(RouterState.INITIALIZE, RouterState.BACKUP, TransitionReason.STARTUP)));
    }

    @Test
    void aWinnerWithoutTheLeaseHoldsItsBindAndNotificationAndAsks() {
        startBackup();
        LeaseGate.Output out = gate.filter(1 * S, List.of(BIND,
                notify(RouterState.BACKUP, RouterState.MASTER, TransitionReason.MASTER_DOWN_TIMER)));
        assertThat(out.actions()).isEmpty();
        assertThat(out.acquire()).isTrue();
        assertThat(out.release()).isFalse();
        assertThat(gate.waiting()).isTrue();
        assertThat(gate.waitingSinceNanos()).isEqualTo(1 * S);

        LeaseGate.Output granted = gate.onGranted(2 * S, 42, 10 * S, 100);
        assertThat(granted.actions()).containsExactly(BIND,
                notify(RouterState.BACKUP, RouterState.MASTER, TransitionReason.MASTER_DOWN_TIMER));
        assertThat(granted.token()).isEqualTo(42);
        assertThat(gate.bound()).isTrue();
        assertThat(gate.nextDeadlineNanos()).isEqualTo(10 * S);
    }

    @Test
    void leavingMasterUnbindsThenGivesTheLeaseBackWithTheOldToken() {
        startBackup();
        gate.filter(1 * S, List.of(BIND, notify(RouterState.BACKUP, RouterState.MASTER, TransitionReason.PREEMPT)));
        gate.onGranted(1 * S, 7, LeaseGate.NEVER, 100);
        LeaseGate.Output out = gate.filter(3 * S, List.of(UNBIND,
                notify(RouterState.MASTER, RouterState.BACKUP, TransitionReason.HIGHER_PRIORITY_MASTER)));
        assertThat(out.actions()).containsExactly(UNBIND,
                notify(RouterState.MASTER, RouterState.BACKUP, TransitionReason.HIGHER_PRIORITY_MASTER));
        assertThat(out.release()).as("after the unbind").isTrue();
        assertThat(out.acquire()).isFalse();
        assertThat(out.token()).isEqualTo(7);
        assertThat(gate.token()).isEqualTo(StateChange.NO_TOKEN);
    }

    @Test
    void aWaiterThatLosesTheElectionDropsWhatItHeldAndListenersNeverSeeMaster() {
        startBackup();
        gate.filter(1 * S, List.of(BIND, notify(RouterState.BACKUP, RouterState.MASTER, TransitionReason.PREEMPT)));
        LeaseGate.Output out = gate.filter(2 * S, List.of(UNBIND,
                notify(RouterState.MASTER, RouterState.BACKUP, TransitionReason.HIGHER_PRIORITY_MASTER)));
        assertThat(out.actions()).as("nothing was bound, BACKUP was already told").isEmpty();
        assertThat(out.release()).as("stop asking").isTrue();
        LeaseGate.Output fault = gate.filter(3 * S, List.of(
                notify(RouterState.BACKUP, RouterState.FAULT, TransitionReason.TRACKER_FAULT)));
        assertThat(fault.actions()).containsExactly(notify(RouterState.BACKUP, RouterState.FAULT,
                TransitionReason.TRACKER_FAULT));

        LeaseGate.Output late = gate.onGranted(4 * S, 9, LeaseGate.NEVER, 100);
        assertThat(late.actions()).isEmpty();
        assertThat(late.release()).as("a grant nobody wants goes back").isTrue();
        assertThat(gate.staleGrants()).isEqualTo(1);
    }

    @Test
    void aWaiterGoingToFaultIsToldFromWhatListenersSaw() {
        startBackup();
        gate.filter(1 * S, List.of(BIND, notify(RouterState.BACKUP, RouterState.MASTER, TransitionReason.PREEMPT)));
        LeaseGate.Output out = gate.filter(2 * S, List.of(UNBIND,
                notify(RouterState.MASTER, RouterState.FAULT, TransitionReason.TRACKER_FAULT)));
        assertThat(out.actions()).containsExactly(notify(RouterState.BACKUP, RouterState.FAULT,
                TransitionReason.TRACKER_FAULT));
    }

    @Test
    void theDeadlineReleasesOnTheRoutersClockAndAsksAgain() {
        startBackup();
        gate.filter(1 * S, List.of(BIND, notify(RouterState.BACKUP, RouterState.MASTER, TransitionReason.PREEMPT)));
        gate.onGranted(1 * S, 7, 5 * S, 100);
        gate.onRenewed(7, 8 * S);
        gate.onRenewed(6, 100 * S); // a stale token moves nothing
        assertThat(gate.onTimer(7 * S, 100)).isEqualTo(LeaseGate.Output.NOTHING);
        LeaseGate.Output out = gate.onTimer(8 * S, 100);
        assertThat(out.actions()).containsExactly(UNBIND,
                notify(RouterState.MASTER, RouterState.BACKUP, TransitionReason.LEASE_LOST));
        assertThat(out.release()).isTrue();
        assertThat(out.acquire()).as("still the VRRP winner: asks for a new grant").isTrue();
        assertThat(gate.losses()).isEqualTo(1);
        assertThat(gate.nextDeadlineNanos()).isEqualTo(LeaseGate.NEVER);

        LeaseGate.Output again = gate.onGranted(9 * S, 8, 20 * S, 100);
        assertThat(again.actions()).containsExactly(BIND,
                notify(RouterState.BACKUP, RouterState.MASTER, TransitionReason.LEASE_GRANTED));
    }

    @Test
    void aClockJumpPastTheDeadlineReleasesAtTheFirstLookAndAGrantAlreadyPastItIsNotBound() {
        startBackup();
        gate.filter(1 * S, List.of(BIND, notify(RouterState.BACKUP, RouterState.MASTER, TransitionReason.PREEMPT)));
        LeaseGate.Output stale = gate.onGranted(30 * S, 7, 5 * S, 100); // the loop woke long after (SIGSTOP)
        assertThat(stale.actions()).as("never bound").isEmpty();
        assertThat(stale.release()).isTrue();
        assertThat(stale.acquire()).isTrue();
        assertThat(gate.bound()).isFalse();
    }

    @Test
    void revocationsOfOtherTokensAreIgnoredAndAYieldIsCountedApart() {
        startBackup();
        gate.filter(1 * S, List.of(BIND, notify(RouterState.BACKUP, RouterState.MASTER, TransitionReason.PREEMPT)));
        gate.onGranted(1 * S, 7, LeaseGate.NEVER, 100);
        assertThat(gate.onRevoked(2 * S, 6, LeaseGate.Loss.LOST, 100)).isEqualTo(LeaseGate.Output.NOTHING);
        assertThat(gate.bound()).isTrue();
        LeaseGate.Output y = gate.onRevoked(3 * S, 7, LeaseGate.Loss.YIELD, 100);
        assertThat(y.actions()).containsExactly(UNBIND,
                notify(RouterState.MASTER, RouterState.BACKUP, TransitionReason.LEASE_YIELDED));
        assertThat(gate.yields()).isEqualTo(1);
        assertThat(gate.losses()).isZero();
    }

    @Test
    void reannouncementsAndRestoresPassOnlyWhileBound() {
        startBackup();
        Action re = new Action.Reannounce(VIPS);
        Action restore = new Action.RestoreAddresses(VIPS);
        gate.filter(1 * S, List.of(BIND, notify(RouterState.BACKUP, RouterState.MASTER, TransitionReason.PREEMPT)));
        assertThat(gate.filter(2 * S, List.of(re, restore)).actions()).isEmpty();
        gate.onGranted(3 * S, 7, LeaseGate.NEVER, 100);
        assertThat(gate.filter(4 * S, List.of(re, restore)).actions()).containsExactly(re, restore);
    }

    @Test
    void leaseOnlyNamesTheGrantAsTheReason() {
        LeaseGate lease = new LeaseGate(LeaseGate.Mode.LEASE_ONLY, VIPS);
        lease.filter(0, List.of(notify(RouterState.INITIALIZE, RouterState.BACKUP, TransitionReason.STARTUP)));
        lease.filter(1 * S, List.of(BIND, notify(RouterState.BACKUP, RouterState.MASTER,
                TransitionReason.MASTER_DOWN_TIMER)));
        assertThat(lease.onGranted(2 * S, 3, LeaseGate.NEVER, 100).actions()).containsExactly(BIND,
                notify(RouterState.BACKUP, RouterState.MASTER, TransitionReason.LEASE_GRANTED));
    }
}
