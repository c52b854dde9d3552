package io.havip.core.cloud;

import static io.havip.core.cloud.ReservedOffset.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.havip.core.net.Cidr;
import io.havip.core.net.IpAddress;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;

class CloudPoliciesTest {

    private static List<String> reserved(ReservedAddressPolicy policy, String cidr) {
        return policy.reservations(Cidr.parse(cidr)).stream().map(r -> r.address().toString()).toList();
    }

    private static String rule(ReservedAddressPolicy policy, String cidr, String address) {
        return policy.reservation(Cidr.parse(cidr), IpAddress.parse(address)).map(Reservation::describe).orElse("assignable");
    }

    @Test
    void tencentAssignsExactly2To254InASlash24() {
        ReservedAddressPolicy p = CloudPolicies.tencent();
        Cidr c = Cidr.parse("10.0.0.0/24");
        assertThat(reserved(p, "10.0.0.0/24")).containsExactly("10.0.0.0", "10.0.0.1", "10.0.0.255");
        assertThat(p.assignableCount(c)).isEqualTo(BigInteger.valueOf(253));
        List<String> assignable = new java.util.ArrayList<>();
        for (IpAddress a : c) {
            if (p.reservation(c, a).isEmpty()) {
                assignable.add(a.toString());
            }
        }
        assertThat(assignable).hasSize(253).startsWith("10.0.0.2").endsWith("10.0.0.254");
        assertThat(rule(p, "10.0.0.0/24", "10.0.0.1")).isEqualTo("10.0.0.1 is the gateway address reserved by tencent");
        assertThat(rule(p, "10.0.0.0/24", "10.0.0.0")).isEqualTo("10.0.0.0 is the network address reserved by tencent");
        assertThat(rule(p, "10.0.0.0/24", "10.0.0.255")).isEqualTo("10.0.0.255 is the broadcast address reserved by tencent");
        assertThat(rule(p, "10.0.0.0/24", "10.0.0.2")).isEqualTo("assignable");
        assertThat(rule(p, "10.0.0.0/24", "10.0.1.1")).as("outside the subnet").isEqualTo("assignable");
        // no published IPv6 rule: the IPv4 offsets, the last address named as such
        assertThat(reserved(p, "2001:db8::/64")).containsExactly("2001:db8::", "2001:db8::1", "2001:db8::ffff:ffff:ffff:ffff");
        assertThat(rule(p, "2001:db8::/64", "2001:db8::ffff:ffff:ffff:ffff"))
                .isEqualTo("2001:db8::ffff:ffff:ffff:ffff is the last address reserved by tencent");
    }

    @Test
    void awsReservesTheFirstFourAndTheLast() {
        ReservedAddressPolicy p = CloudPolicies.aws();
        // the published examples: 10.0.0.0/24 and 2001:db8:1234:1a00::/64
        assertThat(reserved(p, "10.0.0.0/24")).containsExactly("10.0.0.0", "10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.255");
        assertThat(rule(p, "10.0.0.0/24", "10.0.0.1")).isEqualTo("10.0.0.1 is the VPC router address reserved by aws");
        assertThat(rule(p, "10.0.0.0/24", "10.0.0.2")).isEqualTo("10.0.0.2 is the DNS server address reserved by aws");
        assertThat(rule(p, "10.0.0.0/24", "10.0.0.3")).isEqualTo("10.0.0.3 is the future-use address reserved by aws");
        assertThat(p.assignableCount(Cidr.parse("10.0.0.0/28"))).isEqualTo(BigInteger.valueOf(11));
        assertThat(reserved(p, "2001:db8:1234:1a00::/64")).containsExactly("2001:db8:1234:1a00::", "2001:db8:1234:1a00::1",
                "2001:db8:1234:1a00::2", "2001:db8:1234:1a00::3", "2001:db8:1234:1a00:ffff:ffff:ffff:ffff");
    }

    @Test
    void azureReservesTheFirstFourAndTheLast() {
        ReservedAddressPolicy p = CloudPolicies.azure();
        // the FAQ's example: 192.168.1.0/24
        assertThat(reserved(p, "192.168.1.0/24"))
                .containsExactly("192.168.1.0", "192.168.1.1", "192.168.1.2", "192.168.1.3", "192.168.1.255");
        assertThat(rule(p, "192.168.1.0/24", "192.168.1.3")).isEqualTo("192.168.1.3 is the Azure DNS address reserved by azure");
        assertThat(rule(p, "192.168.1.0/24", "192.168.1.1"))
                .isEqualTo("192.168.1.1 is the default gateway address reserved by azure");
        // the smallest Azure subnet, /29, has three assignable addresses
        assertThat(p.assignableCount(Cidr.parse("10.0.0.0/29"))).isEqualTo(BigInteger.valueOf(3));
        assertThat(reserved(p, "2001:db8::/64")).hasSize(5).endsWith("2001:db8::ffff:ffff:ffff:ffff");
    }

    @Test
    void googleReservesTheFirstTwoAndTheLastTwo() {
        ReservedAddressPolicy p = CloudPolicies.google();
        assertThat(reserved(p, "10.0.0.0/24")).containsExactly("10.0.0.0", "10.0.0.1", "10.0.0.254", "10.0.0.255");
        assertThat(rule(p, "10.0.0.0/24", "10.0.0.254")).isEqualTo("10.0.0.254 is the future-use address reserved by google");
        assertThat(p.assignableCount(Cidr.parse("10.0.0.0/24"))).isEqualTo(BigInteger.valueOf(252));
        assertThat(reserved(p, "fd20:a:b:c::/64")).containsExactly("fd20:a:b:c::", "fd20:a:b:c::1",
                "fd20:a:b:c:ffff:ffff:ffff:fffe", "fd20:a:b:c:ffff:ffff:ffff:ffff");
    }

    @Test
    void alibabaReservesTheFirstAndTheLastThreeOrNineForIpv6() {
        ReservedAddressPolicy p = CloudPolicies.alibaba();
        // the published example: 192.168.1.0/24 keeps .0 .253 .254 .255
        assertThat(reserved(p, "192.168.1.0/24"))
                .containsExactly("192.168.1.0", "192.168.1.253", "192.168.1.254", "192.168.1.255");
        assertThat(rule(p, "192.168.1.0/24", "192.168.1.1")).isEqualTo("assignable");
        assertThat(rule(p, "192.168.1.0/24", "192.168.1.254"))
                .isEqualTo("192.168.1.254 is the system-reserved address reserved by alibaba");
        List<String> v6 = reserved(p, "2001:db8::/64");
        assertThat(v6).hasSize(10).startsWith("2001:db8::")
                .contains("2001:db8::ffff:ffff:ffff:fff7").doesNotContain("2001:db8::ffff:ffff:ffff:fff6")
                .endsWith("2001:db8::ffff:ffff:ffff:ffff");
    }

    @Test
    void huaweiReservesNetworkGatewayAndTheLastThree() {
        ReservedAddressPolicy p = CloudPolicies.huawei();
        assertThat(reserved(p, "192.168.0.0/24"))
                .containsExactly("192.168.0.0", "192.168.0.1", "192.168.0.253", "192.168.0.254", "192.168.0.255");
        assertThat(rule(p, "192.168.0.0/24", "192.168.0.253"))
                .isEqualTo("192.168.0.253 is the system interface address reserved by huawei");
        assertThat(rule(p, "192.168.0.0/24", "192.168.0.254")).isEqualTo("192.168.0.254 is the DHCP server address reserved by huawei");
        // the published IPv6 example: pool 2001:db8:a583:9::2 - 2001:db8:a583:9:ffff:ffff:ffff:fffc
        assertThat(reserved(p, "2001:db8:a583:9::/64")).containsExactly("2001:db8:a583:9::", "2001:db8:a583:9::1",
                "2001:db8:a583:9:ffff:ffff:ffff:fffd", "2001:db8:a583:9:ffff:ffff:ffff:fffe", "2001:db8:a583:9:ffff:ffff:ffff:ffff");
        assertThat(rule(p, "2001:db8:a583:9::/64", "2001:db8:a583:9::2")).isEqualTo("assignable");
        assertThat(rule(p, "2001:db8:a583:9::/64", "2001:db8:a583:9:ffff:ffff:ffff:fffc")).isEqualTo("assignable");
    }

    @Test
    void openStackFollowsNeutronsDefaultPool() {
        ReservedAddressPolicy p = CloudPolicies.openStack();
        // neutron subnet-show for 10.5.5.0/24 with gateway 10.5.5.1: pool 10.5.5.2 - 10.5.5.254
        assertThat(reserved(p, "10.5.5.0/24")).containsExactly("10.5.5.0", "10.5.5.1", "10.5.5.255");
        assertThat(reserved(p, "10.5.5.0/31")).containsExactly("10.5.5.1");
        assertThat(reserved(p, "10.5.5.7/32")).isEmpty();
        assertThat(reserved(p, "2001:db8::/64")).containsExactly("2001:db8::", "2001:db8::1");
        assertThat(rule(p, "2001:db8::/64", "2001:db8::"))
                .isEqualTo("2001:db8:: is the subnet-router anycast address reserved by openstack");
        assertThat(rule(p, "2001:db8::/64", "2001:db8::ffff:ffff:ffff:ffff")).as("no broadcast in IPv6").isEqualTo("assignable");
        assertThat(reserved(p, "2001:db8::7/128")).isEmpty();
    }

    @Test
    void smallSubnetsSkipOffsetsOutsideThemAndTheFirstRuleWins() {
        // in a /30, AWS's -1 (broadcast) is offset 3 (future use): the first listed rule names it
        assertThat(CloudPolicies.aws().reservations(Cidr.parse("10.0.0.0/30"))).extracting(Reservation::rule)
                .containsExactly("network address", "VPC router address", "DNS server address", "future-use address");
        assertThat(CloudPolicies.aws().assignableCount(Cidr.parse("10.0.0.0/30"))).isZero();
        assertThat(reserved(CloudPolicies.tencent(), "10.0.0.0/32")).containsExactly("10.0.0.0");
        assertThat(reserved(CloudPolicies.alibaba(), "2001:db8::/125")).hasSize(8);
    }

    @Test
    void customPoliciesUseNamedOffsets() {
        ReservedAddressPolicy lab = ReservedAddressPolicy.custom("lab",
                List.of(at(0, "network address"), at(1, "router address"), at(10, "printer address"), at(-1, "broadcast address")));
        assertThat(lab.name()).isEqualTo("lab");
        assertThat(reserved(lab, "198.51.100.0/24"))
                .containsExactly("198.51.100.0", "198.51.100.1", "198.51.100.10", "198.51.100.255");
        assertThat(rule(lab, "198.51.100.0/24", "198.51.100.10")).isEqualTo("198.51.100.10 is the printer address reserved by lab");
        assertThat(reserved(lab, "2001:db8::/120")).containsExactly("2001:db8::", "2001:db8::1", "2001:db8::a", "2001:db8::ff");
        assertThat(lab.assignableCount(Cidr.parse("198.51.100.0/24"))).isEqualTo(BigInteger.valueOf(252));

        assertThatThrownBy(() -> ReservedAddressPolicy.custom("lab", List.of(at(1, "gateway address"), at(1, "dns"))))
                .hasMessage("policy lab: IPv4 offset 1 is listed twice (\"gateway address\" and \"dns\")");
        assertThatThrownBy(() -> ReservedAddressPolicy.custom(" ", List.of()))
                .hasMessage("a reserved-address policy needs a name, e.g. \"tencent\"");
        assertThatThrownBy(() -> at(2, " ")).hasMessage("reserved offset 2 needs a rule name, e.g. \"gateway address\"");
        assertThatThrownBy(() -> OffsetPolicy.of("x", null, List.of()))
                .hasMessage("policy x: the IPv4 offset list is null (use an empty list)");
        assertThat(ReservedAddressPolicy.custom("none", List.of()).reservations(Cidr.parse("10.0.0.0/30"))).isEmpty();
    }

    @Test
    void looksPoliciesUpByName() {
        assertThat(CloudPolicies.byName("Tencent")).isSameAs(CloudPolicies.tencent());
        assertThat(CloudPolicies.byName(" aws ")).isSameAs(CloudPolicies.aws());
        assertThat(CloudPolicies.names()).containsExactly("alibaba", "aws", "azure", "google", "huawei", "openstack", "tencent");
        for (String name : CloudPolicies.names()) {
            assertThat(CloudPolicies.byName(name).name()).isEqualTo(name);
        }
        assertThatThrownBy(() -> CloudPolicies.byName("oracle")).hasMessage("unknown reserved-address policy \"oracle\"; known: "
                + "[alibaba, aws, azure, google, huawei, openstack, tencent] (or build one with ReservedAddressPolicy.custom)");
    }
}
