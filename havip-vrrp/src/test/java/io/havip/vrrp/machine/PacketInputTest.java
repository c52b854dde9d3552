package io.havip.vrrp.machine;

import static io.havip.vrrp.machine.Fixtures.HIGHER_PEER;
import static io.havip.vrrp.machine.Fixtures.LOWER_PEER;
import static io.havip.vrrp.machine.Fixtures.MCAST;
import static io.havip.vrrp.machine.Fixtures.SEC;
import static io.havip.vrrp.machine.Fixtures.SELF;
import static io.havip.vrrp.machine.Fixtures.advert;
import static io.havip.vrrp.machine.Fixtures.started;
import static io.havip.vrrp.machine.Fixtures.v2;
import static io.havip.vrrp.machine.Fixtures.v3;
import static org.assertj.core.api.Assertions.assertThat;

import io.havip.core.RouterState;
import io.havip.core.net.IpAddress;
import io.havip.vrrp.codec.V3Ipv4Checksum;
import io.havip.vrrp.codec.VrrpCodec;
import io.havip.vrrp.codec.VrrpPacketBuilder;
import java.util.Random;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Raw bytes through {@link VrrpMachine#onPacket}: codec refusals land in keepalived's counters. */
class PacketInputTest {

    static final RouterConfig V3 = v3(100).build();
    static final RouterConfig V2 = v2(100).build();

    private static VrrpStats afterBytes(RouterConfig c, byte[] msg) {
        VrrpMachine m = started(c, 0);
        long deadline = m.nextDeadlineNanos();
        assertThat(m.onPacket(SEC, HIGHER_PEER, MCAST, 255, msg)).isEmpty();
        assertThat(m.nextDeadlineNanos()).isEqualTo(deadline);
        return m.stats();
    }

    private static byte[] broken(RouterConfig c, UnaryOperator<VrrpPacketBuilder> f) {
        return f.apply(VrrpPacketBuilder.from(advert(c, 200))).build(HIGHER_PEER, MCAST);
    }

    @Test
    void validBytesAreAcceptedInBothV3ChecksumForms() {
        for (V3Ipv4Checksum form : V3Ipv4Checksum.values()) {
            VrrpMachine m = started(V3, 0);
            m.onPacket(SEC, HIGHER_PEER, MCAST, 255, VrrpCodec.encode(advert(V3, 200), HIGHER_PEER, MCAST, form));
            assertThat(m.stats().advertisementsReceived()).as(form.name()).isEqualTo(1);
            assertThat(m.nextDeadlineNanos()).isEqualTo(SEC + m.masterDownInterval().toNanos());
        }
    }

    @Test
    void codecRefusalsAreCountedByName() {
        check(V3, b -> b.truncateTo(5), VrrpStats::packetLengthErrors);
        check(V3, b -> b.extraBytes((byte) 1, (byte) 2), VrrpStats::packetLengthErrors);
        check(V3, b -> b.version(4), VrrpStats::versionErrors);
        check(V3, b -> b.type(2), VrrpStats::invalidTypeReceived);
        check(V3, VrrpPacketBuilder::corruptChecksum, VrrpStats::checksumErrors);
        check(V2, VrrpPacketBuilder::corruptChecksum, VrrpStats::checksumErrors);
        check(V2, b -> b.authType(3), VrrpStats::invalidAuthType);
        check(V3, b -> b.interval(0), VrrpStats::advertIntervalErrors);
        check(V3, b -> b.vrid(0), VrrpStats::otherErrors);
    }

    @Test
    void aNonPeersBytesAreDroppedBeforeTheyAreDecoded() {
        RouterConfig uni = v3(100).unicastPeer(LOWER_PEER).build();
        // a checksum the codec would refuse: counted as a stranger's, so the decode never ran
        byte[] forged = VrrpPacketBuilder.from(advert(uni, 255)).corruptChecksum().build(HIGHER_PEER, SELF);
        VrrpMachine m = started(uni, 0);
        long deadline = m.nextDeadlineNanos();
        for (int i = 0; i < 3; i++) {
            assertThat(m.onPacket(SEC, HIGHER_PEER, SELF, 255, forged)).isEmpty();
        }
        assertThat(m.stats().unicastSourceErrors()).isEqualTo(3);
        assertThat(m.stats().checksumErrors()).isZero();
        assertThat(m.nextDeadlineNanos()).isEqualTo(deadline);
        // another VRID from a non-peer is another router's business: decoded and counted as such
        m.onPacket(SEC, HIGHER_PEER, SELF, 255, VrrpPacketBuilder.from(advert(uni, 200)).vrid(52).build(HIGHER_PEER, SELF));
        assertThat(m.stats().vridMismatch()).isEqualTo(1);
        assertThat(m.stats().unicastSourceErrors()).isEqualTo(3);
        // the peer's valid bytes are taken
        m.onPacket(2 * SEC, LOWER_PEER, SELF, 255, VrrpCodec.encode(advert(uni, 200), LOWER_PEER, SELF));
        assertThat(m.stats().advertisementsReceived()).isEqualTo(1);
    }

    @Test
    void versionMismatchOnTheWire() {
        byte[] v2bytes = VrrpCodec.encode(advert(V2, 200), HIGHER_PEER, MCAST);
        assertThat(afterBytes(V3, v2bytes).versionErrors()).isEqualTo(1);
    }

    private static void check(RouterConfig c, UnaryOperator<VrrpPacketBuilder> f, Function<VrrpStats, Long> counter) {
        VrrpStats s = afterBytes(c, broken(c, f));
        assertThat(counter.apply(s)).isEqualTo(1);
        assertThat(s.advertisementsReceived()).isZero();
    }

    @Test
    void garbageNeverThrows() {
        Random r = new Random(5798);
        VrrpMachine m = started(V3, 0);
        for (int i = 0; i < 20_000; i++) {
            byte[] msg = new byte[r.nextInt(64)];
            r.nextBytes(msg);
            if (msg.length > 0 && r.nextBoolean()) {
                msg[0] = (byte) 0x31;
            }
            m.onPacket(SEC, HIGHER_PEER, MCAST, 255, msg);
        }
        assertThat(m.onPacket(SEC, HIGHER_PEER, MCAST, 255, null)).isEmpty();
        assertThat(m.onPacket(SEC, null, MCAST, 255, new byte[8])).isEmpty();
        VrrpStats s = m.stats();
        assertThat(s.packetLengthErrors() + s.versionErrors() + s.invalidTypeReceived() + s.checksumErrors()
                + s.advertIntervalErrors() + s.otherErrors() + s.vridMismatch() + s.addressListErrors())
                .isEqualTo(20_001);
    }
    @Test
    void theMastersRepeatedAdvertTakesTheSteadyPathWithTheSameEffects() {
        VrrpMachine m = started(V3, 0);
        long mdi = m.masterDownInterval().toNanos();
        byte[] steady = VrrpCodec.encode(advert(V3, 200), HIGHER_PEER, MCAST);
        for (int i = 1; i <= 3; i++) {
            assertThat(m.onPacket(i * SEC, HIGHER_PEER, MCAST, 255, steady)).isEmpty();
            assertThat(m.stats().advertisementsReceived()).isEqualTo(i);
            assertThat(m.nextDeadlineNanos()).isEqualTo(i * SEC + mdi);
        }
        // The same bytes with another TTL, or from another source, are checked in full again.
        m.onPacket(4 * SEC, HIGHER_PEER, MCAST, 254, steady);
        assertThat(m.stats().ttlErrors()).isEqualTo(1);
        m.onPacket(4 * SEC, IpAddress.parse("198.51.100.21"), MCAST, 255, steady);
        assertThat(m.stats().checksumErrors()).as("the v3 checksum covers the source").isEqualTo(1);
        assertThat(m.nextDeadlineNanos()).isEqualTo(3 * SEC + mdi);
        // A release in between is acted on, and the steady advert after it counts again.
        m.onPacket(5 * SEC, HIGHER_PEER, MCAST, 255, VrrpCodec.encode(advert(V3, 0), HIGHER_PEER, MCAST));
        assertThat(m.nextDeadlineNanos()).isEqualTo(5 * SEC + m.skewTime().toNanos());
        m.onPacket(5 * SEC + 1, HIGHER_PEER, MCAST, 255, steady);
        assertThat(m.nextDeadlineNanos()).isEqualTo(5 * SEC + 1 + mdi);
        assertThat(m.stats().advertisementsReceived()).isEqualTo(5);
    }

    @Test
    void aRepeatedBrokenMessageIsCountedEachTimeUnderItsReason() {
        VrrpMachine m = started(V3, 0);
        byte[] broken = VrrpPacketBuilder.from(advert(V3, 254)).corruptChecksum().build(HIGHER_PEER, MCAST);
        for (int i = 1; i <= 3; i++) {
            assertThat(m.onPacket(i * SEC, HIGHER_PEER, MCAST, 255, broken)).isEmpty();
        }
        assertThat(m.stats().checksumErrors()).isEqualTo(3);
        // the same bytes from another source are checked again (the v3 checksum covers the source)
        m.onPacket(4 * SEC, IpAddress.parse("198.51.100.21"), MCAST, 255, broken);
        assertThat(m.stats().checksumErrors()).isEqualTo(4);
        // and a good advert in between is not mistaken for the broken one
        m.onPacket(5 * SEC, HIGHER_PEER, MCAST, 255, VrrpCodec.encode(advert(V3, 200), HIGHER_PEER, MCAST));
        assertThat(m.stats().advertisementsReceived()).isEqualTo(1);
        assertThat(m.nextDeadlineNanos()).isEqualTo(5 * SEC + m.masterDownInterval().toNanos());
    }

    @Test
    void aMasterAnswersARepeatedLowerAdvertOncePerIntervalOnTheSteadyPath() {
        VrrpMachine m = Fixtures.master(V3);
        byte[] lower = VrrpCodec.encode(advert(V3, 50), LOWER_PEER, MCAST);
        int answered = 0;
        for (int i = 0; i < 100; i++) {
            if (!m.onPacket(10 * SEC + i * SEC / 50, LOWER_PEER, MCAST, 255, lower).isEmpty()) {
                answered++;
            }
        }
        assertThat(answered).as("100 adverts over 2 s at a 1 s interval").isEqualTo(2);
        assertThat(m.stats().advertisementsReceived()).isEqualTo(100);
        assertThat(m.stats().lowerPriorityAdverts()).isEqualTo(100);
        assertThat(m.state()).isEqualTo(RouterState.MASTER);
    }

    @Test
    void anOwnersAdvertWithAnotherAddressListIsCountedEachTime() {
        VrrpMachine m = started(V3, 0);
        byte[] owner = VrrpPacketBuilder.from(advert(V3, 255))
                .addresses(java.util.List.of(IpAddress.parse("203.0.113.9"))).build(HIGHER_PEER, MCAST);
        for (int i = 1; i <= 3; i++) {
            m.onPacket(i * SEC, HIGHER_PEER, MCAST, 255, owner);
        }
        assertThat(m.stats().advertisementsReceived()).isEqualTo(3);
        assertThat(m.stats().addressListErrors()).isEqualTo(3);
    }

    @Test
    void aMastersSteadyAdvertIsTheSameActionUntilItsPriorityChanges() {
        VrrpMachine m = Fixtures.master(V3);
        long t = m.nextDeadlineNanos();
        java.util.List<Action> first = m.onTimer(t);
        java.util.List<Action> second = m.onTimer(m.nextDeadlineNanos());
        assertThat(second).isSameAs(first).hasSize(1);
        assertThat(((Action.SendAdvert) first.get(0)).advertisement().priority()).isEqualTo(100);
        m.setPriority(m.nextDeadlineNanos() - 1, 120);
        java.util.List<Action> third = m.onTimer(m.nextDeadlineNanos());
        assertThat(((Action.SendAdvert) third.get(0)).advertisement().priority()).isEqualTo(120);
        assertThat(m.stats().advertisementsSent()).isGreaterThanOrEqualTo(4);
    }
}
