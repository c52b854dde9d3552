package io.havip.vrrp.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.havip.vrrp.codec.DecodeResult;
import io.havip.vrrp.codec.VrrpAdvertisement;
import io.havip.vrrp.codec.VrrpCodec;
import io.havip.vrrp.codec.VrrpVersion;

/**
 * {@link VrrpCodec#decode(byte[], io.havip.core.net.IpAddress, io.havip.core.net.IpAddress)}
 * on arbitrary bytes and addresses ({@link FuzzPacket} layout, with a destination): only a
 * {@link DecodeResult} comes out, never an exception. What decodes is sound: it re-encodes to
 * the same bytes (bar the checksum, which may be in the other v3 IPv4 form, and the v3
 * reserved bits, ignored on receive) and decodes again to an equal advertisement; a refusal
 * carries its hex dump, bounded in size.
 */
class VrrpCodecFuzzTest {

    @FuzzTest
    void decode(byte[] input) {
        FuzzPacket p = FuzzPacket.read(input, true);
        if (p == null) {
            return;
        }
        DecodeResult result = VrrpCodec.decode(p.message(), p.source(), p.destination());
        if (result instanceof DecodeResult.Rejected r) {
            assertThat(r.detail()).isNotBlank();
            assertThat(r.hex().length()).isLessThanOrEqualTo(2 * 1024 + 40);
            return;
        }
        VrrpAdvertisement adv = ((DecodeResult.Decoded) result).advertisement();
        byte[] again = VrrpCodec.encode(adv, p.source(), p.destination());
        byte[] expected = p.message().clone();
        byte[] actual = again.clone();
        for (byte[] b : new byte[][] {expected, actual}) {
            b[6] = 0;
            b[7] = 0;
            if (adv.version() == VrrpVersion.V3) {
                b[4] &= 0x0f;
            }
        }
        assertThat(actual).as("re-encoding of %s", adv).isEqualTo(expected);
        DecodeResult second = VrrpCodec.decode(again, p.source(), p.destination());
        assertThat(second).isEqualTo(result);
    }
}
