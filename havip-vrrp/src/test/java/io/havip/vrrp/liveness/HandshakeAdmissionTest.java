package io.havip.vrrp.liveness;

import static org.assertj.core.api.Assertions.assertThat;

import io.havip.vrrp.liveness.HandshakeAdmission.Pending;
import io.havip.vrrp.liveness.HandshakeAdmission.Reason;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** The listener's limits as pure bookkeeping: connections are strings, time is a number. */
class HandshakeAdmissionTest {

    private static final long DEADLINE = 1_000;
    private static final InetAddress PEER = LoopbackEndpoints.PEER_SOURCE;

    private static InetAddress stranger(int n) {
        return LoopbackEndpoints.stranger(n);
    }

    private static HandshakeAdmission<String> multicast() {
        return new HandshakeAdmission<>(true, 4, 32, DEADLINE);
    }

    @Test
    void withUnicastPeersAStrangerIsRefusedAtOnceAndAPeerIsAdmitted() {
        HandshakeAdmission<String> a = new HandshakeAdmission<>(false, 4, 32, DEADLINE);
        assertThat(a.admit("x", stranger(1), false, 0).refusal()).isEqualTo(Reason.NOT_A_PEER);
        assertThat(a.admit("p", PEER, true, 0).admitted()).isTrue();
        assertThat(a.size()).isEqualTo(1);
    }

    @Test
    void oneStrangerAddressHoldsAtMostItsLimitAndTheSurplusIsRefused() {
        HandshakeAdmission<String> a = multicast();
        for (int i = 0; i < 4; i++) {
            assertThat(a.admit("s" + i, stranger(1), false, i).admitted()).isTrue();
        }
        HandshakeAdmission.Decision<String> fifth = a.admit("s4", stranger(1), false, 4);
        assertThat(fifth.refusal()).isEqualTo(Reason.SOURCE_OVER_LIMIT);
        assertThat(fifth.evicted()).isEmpty();
        assertThat(a.admit("t0", stranger(2), false, 5).admitted()).as("another address has its own room").isTrue();
    }

    @Test
    void strangersTogetherHoldAtMostTheirLimitAndANewOneEvictsTheOldestStranger() {
        HandshakeAdmission<String> a = multicast();
        assertThat(a.admit("peer", PEER, true, 0).admitted()).isTrue();
        for (int n = 1; n <= 8; n++) {
            for (int i = 0; i < 4; i++) {
                assertThat(a.admit(n + "/" + i, stranger(n), false, n * 10 + i).evicted()).isEmpty();
            }
        }
        assertThat(a.size()).isEqualTo(33);
        HandshakeAdmission.Decision<String> d = a.admit("new", stranger(9), false, 100);
        assertThat(d.admitted()).isTrue();
        assertThat(d.evicted()).extracting(Pending::connection).as("the oldest stranger, never the peer")
                .containsExactly("1/0");
        assertThat(a.size()).isEqualTo(33);
        assertThat(a.remove("1/0")).as("an evicted connection is forgotten").isFalse();
        assertThat(a.remove("peer")).isTrue();
    }

    @Test
    void aPeerIsNeverRefusedForStrangersAndReplacesItsOwnOldestAttempt() {
        HandshakeAdmission<String> a = multicast();
        for (int n = 1; n <= 8; n++) {
            for (int i = 0; i < 4; i++) {
                a.admit(n + "/" + i, stranger(n), false, 0);
            }
        }
        for (int i = 0; i < 4; i++) {
            HandshakeAdmission.Decision<String> d = a.admit("p" + i, PEER, true, i);
            assertThat(d.admitted()).isTrue();
            assertThat(d.evicted()).as("peers do not count against the strangers' limit").isEmpty();
        }
        HandshakeAdmission.Decision<String> d = a.admit("p4", PEER, true, 4);
        assertThat(d.admitted()).isTrue();
        assertThat(d.evicted()).extracting(Pending::connection).containsExactly("p0");
        assertThat(a.size()).isEqualTo(36);
    }

    @Test
    void theDeadlineCountsFromTheAcceptAndExpiredConnectionsAreForgotten() {
        HandshakeAdmission<String> a = multicast();
        a.admit("early", stranger(1), false, 0);
        a.admit("late", stranger(2), false, 500);
        assertThat(a.expired(DEADLINE - 1)).isEmpty();
        assertThat(a.expired(DEADLINE)).extracting(Pending::connection).containsExactly("early");
        assertThat(a.remove("early")).isFalse();
        assertThat(a.expired(500 + DEADLINE)).extracting(Pending::connection).containsExactly("late");
        assertThat(a.size()).isZero();
    }
}
