package io.havip.vrrp.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.havip.core.net.IpAddress;
import org.junit.jupiter.api.Test;

class AdvertEncoderTest {

    private static final IpAddress SELF = IpAddress.parse("198.51.100.11");
    private static final IpAddress PEER_A = IpAddress.parse("198.51.100.12");
    private static final IpAddress PEER_B = IpAddress.parse("198.51.100.13");

    private final AdvertEncoder encoder = new AdvertEncoder();

    @Test
    void theSameAdvertisementReusesItsBytesPerDestination() {
        VrrpAdvertisement adv = VrrpAdvertisement.v3(51, 100, 100, IpAddress.parse("198.51.100.50"));
        byte[] a = encoder.encode(adv, SELF, PEER_A);
        byte[] b = encoder.encode(adv, SELF, PEER_B);
        assertThat(a).isEqualTo(VrrpCodec.encode(adv, SELF, PEER_A));
        assertThat(b).as("the v3 checksum covers the destination").isEqualTo(VrrpCodec.encode(adv, SELF, PEER_B))
                .isNotEqualTo(a);
        assertThat(encoder.encode(adv, SELF, PEER_A)).isSameAs(a);
        assertThat(encoder.encode(adv, SELF, PEER_B)).isSameAs(b);
    }

    @Test
    void anotherAdvertisementOrSourceIsEncodedAfresh() {
        VrrpAdvertisement adv = VrrpAdvertisement.v3(51, 100, 100, IpAddress.parse("198.51.100.50"));
        byte[] first = encoder.encode(adv, SELF, PEER_A);
        VrrpAdvertisement release = VrrpAdvertisement.v3(51, 0, 100, IpAddress.parse("198.51.100.50"));
        assertThat(encoder.encode(release, SELF, PEER_A)).isEqualTo(VrrpCodec.encode(release, SELF, PEER_A))
                .isNotEqualTo(first);
        IpAddress other = IpAddress.parse("198.51.100.14");
        assertThat(encoder.encode(release, other, PEER_A)).isEqualTo(VrrpCodec.encode(release, other, PEER_A));
    }
}
