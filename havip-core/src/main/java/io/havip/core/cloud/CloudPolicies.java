package io.havip.core.cloud;

import static io.havip.core.cloud.ReservedOffset.at;

import io.havip.core.net.Cidr;
import io.havip.core.net.IpFamily;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The reserved-address rules of the clouds havip knows, each from the provider's own
 * documentation (cited on each method). Where a provider publishes no IPv6 rule, the
 * policy says so and applies its IPv4 offsets to IPv6 subnets too: that may withhold an
 * address or two the provider would allow, but never hands out one it keeps.
 */
public final class CloudPolicies {

    private static final String NETWORK = "network address";
    private static final String GATEWAY = "gateway address";
    private static final String BROADCAST = "broadcast address";
    private static final String LAST = "last address";
    private static final String FUTURE = "future-use address";
    private static final String SYSTEM = "system-reserved address";

    private static final OffsetPolicy TENCENT = OffsetPolicy.of("tencent",
            List.of(at(0, NETWORK), at(1, GATEWAY), at(-1, BROADCAST)),
            List.of(at(0, NETWORK), at(1, GATEWAY), at(-1, LAST)));

    private static final OffsetPolicy AWS = OffsetPolicy.of("aws",
            List.of(at(0, NETWORK), at(1, "VPC router address"), at(2, "DNS server address"), at(3, FUTURE), at(-1, BROADCAST)),
            List.of(at(0, NETWORK), at(1, "VPC router address"), at(2, "DNS server address"), at(3, FUTURE), at(-1, LAST)));

    private static final OffsetPolicy AZURE = OffsetPolicy.of("azure",
            List.of(at(0, NETWORK), at(1, "default gateway address"), at(2, "Azure DNS address"), at(3, "Azure DNS address"),
                    at(-1, BROADCAST)),
            List.of(at(0, NETWORK), at(1, "default gateway address"), at(2, "Azure DNS address"), at(3, "Azure DNS address"),
                    at(-1, LAST)));

    private static final OffsetPolicy GOOGLE = OffsetPolicy.of("google",
            List.of(at(0, NETWORK), at(1, "default gateway address"), at(-2, FUTURE), at(-1, BROADCAST)),
            List.of(at(0, NETWORK), at(1, "default gateway address"), at(-2, FUTURE), at(-1, LAST)));

    private static final OffsetPolicy ALIBABA = OffsetPolicy.of("alibaba",
            List.of(at(0, NETWORK), at(-3, SYSTEM), at(-2, SYSTEM), at(-1, SYSTEM)),
            List.of(at(0, NETWORK), at(-9, SYSTEM), at(-8, SYSTEM), at(-7, SYSTEM), at(-6, SYSTEM), at(-5, SYSTEM),
                    at(-4, SYSTEM), at(-3, SYSTEM), at(-2, SYSTEM), at(-1, SYSTEM)));

    private static final OffsetPolicy HUAWEI = OffsetPolicy.of("huawei",
            List.of(at(0, NETWORK), at(1, GATEWAY), at(-3, "system interface address"), at(-2, "DHCP server address"),
                    at(-1, BROADCAST)),
            List.of(at(0, NETWORK), at(1, GATEWAY), at(-3, SYSTEM), at(-2, SYSTEM), at(-1, SYSTEM)));

    private static final List<ReservedOffset> NEUTRON_V4 = List.of(at(0, NETWORK), at(1, GATEWAY), at(-1, BROADCAST));
    private static final List<ReservedOffset> NEUTRON_V4_POINT_TO_POINT = List.of(at(1, GATEWAY));
    private static final List<ReservedOffset> NEUTRON_V6 = List.of(at(0, "subnet-router anycast address"), at(1, GATEWAY));
    private static final OffsetPolicy OPENSTACK = OffsetPolicy.bySubnet("openstack", CloudPolicies::neutronOffsets);

    private static final Map<String, Supplier<ReservedAddressPolicy>> BY_NAME = Map.of(
            "tencent", CloudPolicies::tencent, "aws", CloudPolicies::aws, "azure", CloudPolicies::azure,
            "google", CloudPolicies::google, "alibaba", CloudPolicies::alibaba, "huawei", CloudPolicies::huawei,
            "openstack", CloudPolicies::openStack);

    private CloudPolicies() {
    }

    /**
     * Tencent Cloud VPC ({@code "tencent"}): the network address, the first host (the subnet
     * gateway) and the broadcast address, so 10.0.0.0/24 assigns exactly 10.0.0.2-10.0.0.254
     * (253 addresses). Source: the rule as stated for Tencent VPC subnets in the havip issue
     * (#2); its published API example agrees: DescribeSubnetAvailableIps,
     * https://cloud.tencent.com/document/api/1024/34214, lists a /24's available addresses
     * from .2 to .254. No IPv6 rule was found in Tencent's documentation: IPv6 subnets get the
     * same offsets (network, first host, last address).
     */
    public static ReservedAddressPolicy tencent() {
        return TENCENT;
    }

    /**
     * Amazon VPC ({@code "aws"}): the first four addresses (network, VPC router, Amazon DNS,
     * future use) and the last one, in IPv4 and in IPv6 subnets alike. Source: "Subnet CIDR
     * blocks - Amazon Virtual Private Cloud",
     * https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html (sections "Subnet
     * sizing for IPv4", example 10.0.0.0/24: .0 .1 .2 .3 .255, and "Subnet sizing for IPv6",
     * the first four and the last IPv6 address).
     */
    public static ReservedAddressPolicy aws() {
        return AWS;
    }

    /**
     * Azure Virtual Network ({@code "azure"}): the first four addresses (network, default
     * gateway, two mapping Azure DNS) and the last one. Source: "Azure Virtual Network FAQ",
     * question "Are there any restrictions on using IP addresses within these subnets?",
     * https://learn.microsoft.com/en-us/azure/virtual-network/virtual-networks-faq (example
     * 192.168.1.0/24: .0 .1 .2 .3 .255). The FAQ states the rule per subnet without a separate
     * IPv6 rule; IPv6 subnets get the same offsets.
     */
    public static ReservedAddressPolicy azure() {
        return AZURE;
    }

    /**
     * Google Cloud VPC ({@code "google"}): the first two addresses (network, default gateway)
     * and the last two (one reserved for potential future use, the broadcast address).
     * Source: "Subnets | VPC | Google Cloud", https://cloud.google.com/vpc/docs/subnets,
     * "Reserved IP addresses in the primary IPv4 range" (10.0.0.0/24 assigns 10.0.0.2-10.0.0.253).
     * Google publishes no per-address IPv6 reservation (it hands each VM a /96 out of a /64,
     * "Planning an IPv6 network on Google Cloud", cloud.google.com/blog, 2023); IPv6 subnets
     * get the IPv4 offsets.
     */
    public static ReservedAddressPolicy google() {
        return GOOGLE;
    }

    /**
     * Alibaba Cloud vSwitch ({@code "alibaba"}): the first address and the last three in IPv4,
     * the first and the last nine in IPv6. Source: Alibaba Cloud VPC API "CreateVSwitch",
     * https://www.alibabacloud.com/help/en/vpc/developer-reference/api-vpc-2016-04-28-createvswitch
     * (192.168.1.0/24: .0 .253 .254 .255), and "CreateVSwitchCidrReservation",
     * https://www.alibabacloud.com/help/en/vpc/developer-reference/api-vpc-2016-04-28-createvswitchcidrreservation
     * (IPv6: the first and the last nine addresses are reserved by the system).
     */
    public static ReservedAddressPolicy alibaba() {
        return ALIBABA;
    }

    /**
     * Huawei Cloud VPC ({@code "huawei"}): the network address, the gateway (.1) and the last
     * three (system interface for VPC external traffic, DHCP, broadcast); IPv6 likewise: the
     * network address, ::1 and the last three. Source: Huawei Cloud VPC API, "Creating a
     * Subnet" request parameters, allocation_pools
     * (https://support.huaweicloud.com/intl/en-us/api-vpc/, also
     * https://huaweicloud.com/guide/productsdesc-bms_4d585422652c6ac299824b05bce07ff5support0):
     * 192.168.1.0/24 keeps .0 .253 .254 .255 with .1 the gateway, and 2001:db8:a583:9::/64
     * keeps ::1 and ffff:ffff:ffff:fffd-ffff, its pool starting at ::2.
     */
    public static ReservedAddressPolicy huawei() {
        return HUAWEI;
    }

    /**
     * OpenStack Neutron with a default subnet ({@code "openstack"}): the allocation pool
     * Neutron generates when none is given, with the gateway at its default, the first host.
     * IPv4 /0-/30: network, gateway, broadcast; /31: only the gateway (both addresses are
     * hosts, RFC 3021); /32: nothing. IPv6: the subnet-router anycast address (the network
     * address, RFC 4291 section 2.6.1) and the gateway; the last address is assignable (no
     * broadcast); /128: nothing. Source: {@code generate_pools} in neutron/ipam/utils.py
     * (openstack/neutron on GitHub). A subnet with another gateway needs {@link ReservedAddressPolicy#custom}.
     */
    public static ReservedAddressPolicy openStack() {
        return OPENSTACK;
    }

    private static List<ReservedOffset> neutronOffsets(Cidr subnet) {
        int hostBits = subnet.family().bits() - subnet.prefixLength();
        if (hostBits == 0) {
            return List.of();
        }
        if (subnet.family() == IpFamily.IPV6) {
            return NEUTRON_V6;
        }
        return hostBits == 1 ? NEUTRON_V4_POINT_TO_POINT : NEUTRON_V4;
    }

    /** The policy named {@code name} (case-insensitive): tencent, aws, azure, google, alibaba, huawei or openstack. */
    public static ReservedAddressPolicy byName(String name) {
        Supplier<ReservedAddressPolicy> policy = name == null ? null : BY_NAME.get(name.trim().toLowerCase(Locale.ROOT));
        if (policy == null) {
            throw new IllegalArgumentException("unknown reserved-address policy \"" + name + "\"; known: " + names()
                    + " (or build one with ReservedAddressPolicy.custom)");
        }
        return policy.get();
    }

    /** The names {@link #byName} knows, sorted. */
    public static List<String> names() {
        return BY_NAME.keySet().stream().sorted().toList();
    }
}
