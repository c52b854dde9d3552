package io.havip.core.cloud;

import io.havip.core.net.IpAddress;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Which HAVIPs {@link HavipService#describe} returns, as the DescribeHaVips filters of
 * Tencent Cloud's API name them: every given criterion must hold; within {@code ids} any id
 * may match. {@code nameContains} is fuzzy as a console search box: case-insensitive, a
 * substring of the name. {@code offset} and {@code limit} page the result (oldest first).
 */
public record HavipQuery(
        List<String> ids,
        Optional<String> nameContains,
        Optional<String> vpcId,
        Optional<String> subnetId,
        Optional<IpAddress> address,
        Optional<IpAddress> eip,
        Optional<HavipStatus> status,
        Optional<String> instanceId,
        int offset,
        int limit) {

    /** The page size when none is given, as in DescribeHaVips. */
    public static final int DEFAULT_LIMIT = 20;
    /** The largest page, as in DescribeHaVips. */
    public static final int MAX_LIMIT = 100;
    /** Every HAVIP, the first page. */
    public static final HavipQuery ALL = new HavipQuery(List.of(), Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), 0, DEFAULT_LIMIT);

    static final Comparator<HavipResource> ORDER = Comparator.comparing(HavipResource::createdAt).thenComparing(HavipResource::id);

    public HavipQuery {
        ids = ids == null ? List.of() : List.copyOf(ids);
        nameContains = nameContains == null ? Optional.empty() : nameContains.filter(s -> !s.isBlank());
        vpcId = vpcId == null ? Optional.empty() : vpcId;
        subnetId = subnetId == null ? Optional.empty() : subnetId;
        address = address == null ? Optional.empty() : address;
        eip = eip == null ? Optional.empty() : eip;
        status = status == null ? Optional.empty() : status;
        instanceId = instanceId == null ? Optional.empty() : instanceId;
        if (offset < 0) {
            throw new HavipRefusedException(HavipRefusedException.Reason.INVALID_REQUEST,
                    "Offset must be 0 or more, got " + offset);
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new HavipRefusedException(HavipRefusedException.Reason.INVALID_REQUEST,
                    "Limit must be between 1 and " + MAX_LIMIT + ", got " + limit);
        }
    }

    public HavipQuery withIds(List<String> value) {
        return new HavipQuery(value, nameContains, vpcId, subnetId, address, eip, status, instanceId, offset, limit);
    }

    public HavipQuery withNameContains(String value) {
        return new HavipQuery(ids, Optional.ofNullable(value), vpcId, subnetId, address, eip, status, instanceId, offset, limit);
    }

    public HavipQuery withVpcId(String value) {
        return new HavipQuery(ids, nameContains, Optional.ofNullable(value), subnetId, address, eip, status, instanceId, offset,
                limit);
    }

    public HavipQuery withSubnetId(String value) {
        return new HavipQuery(ids, nameContains, vpcId, Optional.ofNullable(value), address, eip, status, instanceId, offset,
                limit);
    }

    public HavipQuery withAddress(IpAddress value) {
        return new HavipQuery(ids, nameContains, vpcId, subnetId, Optional.ofNullable(value), eip, status, instanceId, offset,
                limit);
    }

    public HavipQuery withEip(IpAddress value) {
        return new HavipQuery(ids, nameContains, vpcId, subnetId, address, Optional.ofNullable(value), status, instanceId,
                offset, limit);
    }

    public HavipQuery withStatus(HavipStatus value) {
        return new HavipQuery(ids, nameContains, vpcId, subnetId, address, eip, Optional.ofNullable(value), instanceId, offset,
                limit);
    }

    public HavipQuery withInstanceId(String value) {
        return new HavipQuery(ids, nameContains, vpcId, subnetId, address, eip, status, Optional.ofNullable(value), offset,
                limit);
    }

    public HavipQuery withPage(int newOffset, int newLimit) {
        return new HavipQuery(ids, nameContains, vpcId, subnetId, address, eip, status, instanceId, newOffset, newLimit);
    }

    /** Whether {@code h} meets every criterion (paging aside). */
    public boolean matches(HavipResource h) {
        return (ids.isEmpty() || ids.contains(h.id()))
                && nameContains.map(n -> h.name().toLowerCase(Locale.ROOT).contains(n.toLowerCase(Locale.ROOT))).orElse(true)
                && vpcId.map(h.vpcId()::equals).orElse(true)
                && subnetId.map(h.subnetId()::equals).orElse(true)
                && address.map(h.address()::equals).orElse(true)
                && eip.map(e -> h.eip().filter(e::equals).isPresent()).orElse(true)
                && status.map(s -> h.status() == s).orElse(true)
                && instanceId.map(h.boundInstanceIds()::contains).orElse(true);
    }
}
