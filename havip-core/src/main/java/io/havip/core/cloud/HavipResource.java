package io.havip.core.cloud;

import io.havip.core.net.IpAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A highly available virtual IP as the control plane records it: an address in a subnet,
 * the instances allowed to announce it (bound), the one that announced it last (holder),
 * and an optional EIP in front of it. Immutable; the {@code with...} methods return copies.
 *
 * @param boundInstanceIds in the order they were bound
 * @param holderSince the time of the announcement that made the holder, to ignore stale ones
 */
public record HavipResource(
        String id,
        String name,
        String remark,
        String vpcId,
        String subnetId,
        HavipType type,
        IpAddress address,
        HavipStatus status,
        List<String> boundInstanceIds,
        Optional<String> holder,
        Optional<Instant> holderSince,
        Optional<IpAddress> eip,
        Instant createdAt) {

    public HavipResource {
        Ids.require("HAVIP id", id);
        Ids.require("name of HAVIP " + id, name);
        remark = remark == null ? "" : remark;
        Ids.require("VPC id of HAVIP " + id, vpcId);
        Ids.require("subnet id of HAVIP " + id, subnetId);
        if (type == null || address == null || status == null || createdAt == null) {
            throw new IllegalArgumentException("HAVIP " + id + " needs a type, an address, a status and a creation time");
        }
        if (address.family() != type.family()) {
            throw new IllegalArgumentException("HAVIP " + id + ": " + address + " is not " + type.family() + " as " + type + " needs");
        }
        boundInstanceIds = List.copyOf(boundInstanceIds);
        if (holder == null || holderSince == null || eip == null) {
            throw new IllegalArgumentException("HAVIP " + id + ": use Optional.empty() for no holder or no EIP, not null");
        }
        if (holder.isPresent() && !boundInstanceIds.contains(holder.get())) {
            throw new IllegalArgumentException("HAVIP " + id + ": holder " + holder.get() + " is not bound to it");
        }
    }

    /** A new AVAILABLE HAVIP with nothing bound. */
    public static HavipResource create(String id, String name, String remark, String vpcId, String subnetId, HavipType type,
            IpAddress address, Instant createdAt) {
        return new HavipResource(id, name, remark, vpcId, subnetId, type, address, HavipStatus.AVAILABLE, List.of(), Optional.empty(),
                Optional.empty(), Optional.empty(), createdAt);
    }

    public HavipResource withNameAndRemark(String newName, String newRemark) {
        return new HavipResource(id, newName, newRemark, vpcId, subnetId, type, address, status, boundInstanceIds, holder, holderSince,
                eip, createdAt);
    }

    public HavipResource withStatus(HavipStatus newStatus) {
        return new HavipResource(id, name, remark, vpcId, subnetId, type, address, newStatus, boundInstanceIds, holder, holderSince,
                eip, createdAt);
    }

    public HavipResource withBound(String instanceId) {
        List<String> bound = new ArrayList<>(boundInstanceIds);
        bound.add(instanceId);
        return new HavipResource(id, name, remark, vpcId, subnetId, type, address, status, bound, holder, holderSince, eip, createdAt);
    }

    /** Without {@code instanceId}; when it was the holder, with no holder. */
    public HavipResource withUnbound(String instanceId) {
        List<String> bound = new ArrayList<>(boundInstanceIds);
        bound.remove(instanceId);
        boolean wasHolder = holder.filter(instanceId::equals).isPresent();
        return new HavipResource(id, name, remark, vpcId, subnetId, type, address, status, bound,
                wasHolder ? Optional.empty() : holder, wasHolder ? Optional.empty() : holderSince, eip, createdAt);
    }

    public HavipResource withHolder(String instanceId, Instant since) {
        return new HavipResource(id, name, remark, vpcId, subnetId, type, address, status, boundInstanceIds, Optional.of(instanceId),
                Optional.of(since), eip, createdAt);
    }

    public HavipResource withEip(Optional<IpAddress> newEip) {
        return new HavipResource(id, name, remark, vpcId, subnetId, type, address, status, boundInstanceIds, holder, holderSince,
                newEip, createdAt);
    }
}
