package io.havip.vrrp.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.havip.core.net.IpAddress;
import io.havip.core.net.IpFamily;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class VrrpAdvertisementTest {

    private static final IpAddress VIP4 = IpAddress.parse("198.51.100.50");
    private static final IpAddress VIP6 = IpAddress.parse("2001:db8::50");
    private static final byte[] NO_AUTH = new byte[0];

    @Test
    void factoriesFillTheVersionSpecificFields() {
        VrrpAdvertisement v3 = VrrpAdvertisement.v3(51, 100, 10, VIP6);
        assertThat(v3.version()).isEqualTo(VrrpVersion.V3);
        assertThat(v3.family()).isEqualTo(IpFamily.IPV6);
        assertThat(v3.authType()).isZero();
        assertThat(v3.authData()).isEmpty();
        assertThat(v3.password()).isNull();

        VrrpAdvertisement v2 = VrrpAdvertisement.v2(51, 100, 2, "secret", List.of(VIP4));
        assertThat(v2.advertIntervalCs()).isEqualTo(200);
        assertThat(v2.advertIntervalSeconds()).isEqualTo(2);
        assertThat(v2.authType()).isEqualTo(VrrpAdvertisement.AUTH_SIMPLE_TEXT);
        assertThat(v2.authData()).containsExactly('s', 'e', 'c', 'r', 'e', 't', 0, 0);
        assertThat(v2.password()).isEqualTo("secret");
        assertThat(v2.authDataEquals(VrrpAdvertisement.passwordData("secret"))).isTrue();
        assertThat(v2.authDataEquals(VrrpAdvertisement.passwordData("secreT"))).isFalse();
        // keepalived truncates auth_pass to 8 bytes
        assertThat(VrrpAdvertisement.v2(1, 1, 1, "123456789", List.of(VIP4)).password()).isEqualTo("12345678");

        VrrpAdvertisement open = VrrpAdvertisement.v2(51, 100, 1, null, List.of(VIP4));
        assertThat(open.authType()).isEqualTo(VrrpAdvertisement.AUTH_NONE);
        assertThat(open.authData()).containsExactly(new byte[8]);
    }

    @Test
    void defensiveCopiesAndValueEquality() {
        byte[] data = VrrpAdvertisement.passwordData("pw");
        List<IpAddress> list = new ArrayList<>(List.of(VIP4));
        VrrpAdvertisement a = new VrrpAdvertisement(VrrpVersion.V2, 1, 100, 100, 1, data, IpFamily.IPV4, list);
        data[0] = 'X';
        list.add(IpAddress.parse("203.0.113.1"));
        a.authData()[1] = 'Y';
        assertThat(a.password()).isEqualTo("pw");
        assertThat(a.addresses()).containsExactly(VIP4);
        VrrpAdvertisement b = VrrpAdvertisement.v2(1, 100, 1, "pw", List.of(VIP4));
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(VrrpAdvertisement.v2(1, 100, 1, "pW", List.of(VIP4)));
        assertThat(a.withPriority(0).priority()).isZero();
        assertThat(a.withPriority(0)).isEqualTo(VrrpAdvertisement.v2(1, 0, 1, "pw", List.of(VIP4)));
    }

    @Test
    void toStringNeverShowsThePassword() {
        VrrpAdvertisement a = VrrpAdvertisement.v2(1, 100, 1, "hunter2", List.of(VIP4));
        assertThat(a.toString()).doesNotContain("hunter2").doesNotContain("68756e74")
                .isEqualTo("VrrpAdvertisement[V2 vrid=1 priority=100 interval=100cs authType=1 authData=<8 bytes> IPv4 [198.51.100.50]]");
        assertThat(VrrpAdvertisement.v3(2, 50, 10, VIP6))
                .hasToString("VrrpAdvertisement[V3 vrid=2 priority=50 interval=10cs IPv6 [2001:db8::50]]");
    }

    @Test
    void refusesOutOfRangeFields() {
        assertRefused(() -> VrrpAdvertisement.v3(0, 100, 100, VIP4), "virtual router id 0 is outside 1-255 (RFC 5798 section 5.2.3)");
        assertRefused(() -> VrrpAdvertisement.v3(256, 100, 100, VIP4), "virtual router id 256 is outside 1-255");
        assertRefused(() -> VrrpAdvertisement.v3(1, -1, 100, VIP4), "priority -1 is outside 0-255");
        assertRefused(() -> VrrpAdvertisement.v3(1, 256, 100, VIP4), "priority 256 is outside 0-255");
        assertRefused(() -> VrrpAdvertisement.v3(1, 1, 0, VIP4), "VRRPv3 advertisement interval 0 cs is outside 1-4095 cs");
        assertRefused(() -> VrrpAdvertisement.v3(1, 1, 4096, VIP4), "VRRPv3 advertisement interval 4096 cs is outside 1-4095 cs");
        assertRefused(() -> VrrpAdvertisement.v2(1, 1, 0, null, List.of(VIP4)), "VRRPv2 advertisement interval 0 s is outside 1-255 s");
        assertRefused(() -> VrrpAdvertisement.v2(1, 1, 256, null, List.of(VIP4)), "VRRPv2 advertisement interval 256 s");
        assertRefused(() -> new VrrpAdvertisement(VrrpVersion.V2, 1, 1, 150, 0, new byte[8], IpFamily.IPV4, List.of(VIP4)),
                "VRRPv2 advertisement interval 150 cs is not a whole number of seconds 1-255");
    }

    @Test
    void refusesWrongAddressLists() {
        assertRefused(() -> VrrpAdvertisement.v3(1, 1, 1, List.of()), "an advertisement carries at least one virtual address");
        assertRefused(() -> VrrpAdvertisement.v3(1, 1, 1, VIP4, VIP6),
                "address 2001:db8::50 is IPv6 but the advertisement is IPv4; one virtual router carries one family");
        List<IpAddress> many = new ArrayList<>();
        for (int i = 0; i < 256; i++) {
            many.add(VIP4.plus(i));
        }
        assertRefused(() -> VrrpAdvertisement.v3(1, 1, 1, many), "256 addresses do not fit the 8-bit count field (at most 255)");
        assertThat(VrrpAdvertisement.v3(1, 1, 1, many.subList(0, 255)).addresses()).hasSize(255);
        assertRefused(() -> VrrpAdvertisement.v2(1, 1, 1, null, List.of(VIP6)), "VRRPv2 carries IPv4 addresses only");
    }

    @Test
    void refusesAuthenticationThatDoesNotFitTheVersion() {
        assertRefused(() -> new VrrpAdvertisement(VrrpVersion.V3, 1, 1, 100, 1, NO_AUTH, IpFamily.IPV4, List.of(VIP4)),
                "VRRPv3 has no authentication (RFC 5798 section 9): auth type must be 0 and auth data empty, got type 1 with 0 bytes");
        assertRefused(() -> new VrrpAdvertisement(VrrpVersion.V3, 1, 1, 100, 0, new byte[8], IpFamily.IPV4, List.of(VIP4)),
                "got type 0 with 8 bytes");
        assertRefused(() -> new VrrpAdvertisement(VrrpVersion.V2, 1, 1, 100, 3, new byte[8], IpFamily.IPV4, List.of(VIP4)),
                "VRRPv2 auth type 3 is not 0 (none), 1 (simple text) or 2 (IP AH)");
        assertRefused(() -> new VrrpAdvertisement(VrrpVersion.V2, 1, 1, 100, 1, new byte[7], IpFamily.IPV4, List.of(VIP4)),
                "VRRPv2 authentication data has 8 bytes, got 7");
        assertRefused(() -> VrrpAdvertisement.passwordData(""), "a simple text password has 1-8 bytes, got an empty one");
    }

    private static void assertRefused(Runnable r, String messagePart) {
        assertThatThrownBy(r::run).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(messagePart);
    }
}
