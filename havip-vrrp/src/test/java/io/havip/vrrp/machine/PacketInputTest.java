package io.havip.vrrp.machine;

import static io.havip.vrrp.machine.Fixtures.HIGHER_PEER;
import static io.havip.vrrp.machine.Fixtures.MCAST;
import static io.havip.vrrp.machine.Fixtures.SEC;
import static io.havip.vrrp.machine.Fixtures.advert;
import static io.havip.vrrp.machine.Fixtures.started;
import static io.havip.vrrp.machine.Fixtures.v2;
import static io.havip.vrrp.machine.Fixtures.v3;
import static org.assertj.core.api.Assertions.assertThat;

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
}
