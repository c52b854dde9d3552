package io.havip.core.cloud;

import io.havip.core.net.MacAddress;
import java.util.Set;

/** A virtual machine as the fabric sees it: where it lives and the MAC addresses of its interfaces. */
public record Instance(String id, String vpcId, String subnetId, Set<MacAddress> macs) {

    public Instance {
        Ids.require("instance id", id);
        Ids.require("VPC id of instance " + id, vpcId);
        Ids.require("subnet id of instance " + id, subnetId);
        if (macs == null || macs.isEmpty()) {
            throw new IllegalArgumentException("instance " + id + " needs at least one MAC address");
        }
        macs = Set.copyOf(macs);
    }
}
