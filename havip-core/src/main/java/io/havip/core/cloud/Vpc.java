package io.havip.core.cloud;

import io.havip.core.net.Cidr;

/** A virtual private cloud: an id and the IPv4 range its subnets are carved from. */
public record Vpc(String id, Cidr cidr) {

    public Vpc {
        Ids.require("VPC id", id);
        if (cidr == null) {
            throw new IllegalArgumentException("VPC " + id + " needs a CIDR");
        }
    }
}
