package io.havip.core.cloud;

import io.havip.core.net.IpAddress;
import java.util.Optional;

/**
 * What {@link HavipService#apply} needs: a name, where the HAVIP lives, its type, and
 * optionally the address (otherwise the lowest free one) and a remark. The service checks
 * the fields and refuses with a {@link HavipRefusedException} naming what is wrong.
 */
public record ApplyRequest(String name, String vpcId, String subnetId, HavipType type, Optional<IpAddress> address,
        String remark) {

    public ApplyRequest {
        address = address == null ? Optional.empty() : address;
        remark = remark == null ? "" : remark;
    }

    /** An intranet IPv4 HAVIP with the lowest free address and no remark. */
    public static ApplyRequest intranet(String name, String vpcId, String subnetId) {
        return new ApplyRequest(name, vpcId, subnetId, HavipType.INTRANET_IPV4, Optional.empty(), "");
    }

    public ApplyRequest withAddress(IpAddress requested) {
        return new ApplyRequest(name, vpcId, subnetId, type, Optional.ofNullable(requested), remark);
    }

    public ApplyRequest withType(HavipType newType) {
        return new ApplyRequest(name, vpcId, subnetId, newType, address, remark);
    }

    public ApplyRequest withRemark(String newRemark) {
        return new ApplyRequest(name, vpcId, subnetId, type, address, newRemark);
    }
}
