package io.havip.core.cloud;

import io.havip.core.net.Cidr;
import io.havip.core.net.IpFamily;
import java.util.Optional;

/** A subnet of a VPC: an IPv4 CIDR and, when dual-stack, an IPv6 one. */
public record Subnet(String id, String vpcId, Cidr ipv4Cidr, Optional<Cidr> ipv6Cidr) {

    public Subnet {
        Ids.require("subnet id", id);
        Ids.require("VPC id of subnet " + id, vpcId);
        if (ipv4Cidr == null || ipv4Cidr.family() != IpFamily.IPV4) {
            throw new IllegalArgumentException("subnet " + id + " needs an IPv4 CIDR, got " + ipv4Cidr);
        }
        if (ipv6Cidr == null) {
            throw new IllegalArgumentException("subnet " + id + ": ipv6Cidr is null (use Optional.empty())");
        }
        ipv6Cidr.ifPresent(c -> {
            if (c.family() != IpFamily.IPV6) {
                throw new IllegalArgumentException("subnet " + id + ": the IPv6 CIDR " + c + " is not IPv6");
            }
        });
    }

    /** An IPv4-only subnet. */
    public Subnet(String id, String vpcId, Cidr ipv4Cidr) {
        this(id, vpcId, ipv4Cidr, Optional.empty());
    }

    /** The CIDR of {@code family}, if the subnet has one. */
    public Optional<Cidr> cidr(IpFamily family) {
        return family == IpFamily.IPV4 ? Optional.of(ipv4Cidr) : ipv6Cidr;
    }
}
