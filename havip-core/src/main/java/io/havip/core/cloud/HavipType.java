package io.havip.core.cloud;

import io.havip.core.net.IpFamily;

/**
 * What kind of address a HAVIP has: a private IPv4 address reachable inside the VPC, or an
 * address meant to be reached from outside (IPv4 through an associated EIP, or a
 * globally routed IPv6 address). All are allocated from the subnet's CIDR of that family.
 */
public enum HavipType {
    INTRANET_IPV4(IpFamily.IPV4),
    EXTRANET_IPV4(IpFamily.IPV4),
    EXTRANET_IPV6(IpFamily.IPV6);

    private final IpFamily family;

    HavipType(IpFamily family) {
        this.family = family;
    }

    public IpFamily family() {
        return family;
    }
}
