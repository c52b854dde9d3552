package io.havip.core.cloud;

import io.havip.core.net.Cidr;
import io.havip.core.net.IpAddress;
import io.havip.core.net.IpFamily;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A {@link ReservedAddressPolicy} that reserves fixed offsets from the start and the end of
 * a subnet, with separate lists for IPv4 and IPv6 subnets.
 */
public final class OffsetPolicy implements ReservedAddressPolicy {

    private final String name;
    private final Function<Cidr, List<ReservedOffset>> offsets;

    private OffsetPolicy(String name, Function<Cidr, List<ReservedOffset>> offsets) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a reserved-address policy needs a name, e.g. \"tencent\"");
        }
        this.name = name;
        this.offsets = offsets;
    }

    /**
     * Reserves {@code ipv4} offsets in IPv4 subnets and {@code ipv6} offsets in IPv6 subnets.
     * An offset listed twice in one list is refused: it would make the rule name ambiguous.
     */
    public static OffsetPolicy of(String name, List<ReservedOffset> ipv4, List<ReservedOffset> ipv6) {
        List<ReservedOffset> v4 = checked(name, "IPv4", ipv4);
        List<ReservedOffset> v6 = checked(name, "IPv6", ipv6);
        return new OffsetPolicy(name, subnet -> subnet.family() == IpFamily.IPV4 ? v4 : v6);
    }

    /** For rules that depend on the prefix length (OpenStack's /31 and /32 handling). */
    static OffsetPolicy bySubnet(String name, Function<Cidr, List<ReservedOffset>> offsets) {
        return new OffsetPolicy(name, offsets);
    }

    private static List<ReservedOffset> checked(String name, String family, List<ReservedOffset> list) {
        if (list == null) {
            throw new IllegalArgumentException("policy " + name + ": the " + family + " offset list is null (use an empty list)");
        }
        Map<Long, String> seen = new HashMap<>();
        for (ReservedOffset o : list) {
            String before = seen.putIfAbsent(o.offset(), o.rule());
            if (before != null) {
                throw new IllegalArgumentException("policy " + name + ": " + family + " offset " + o.offset()
                        + " is listed twice (\"" + before + "\" and \"" + o.rule() + "\")");
            }
        }
        return List.copyOf(list);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<Reservation> reservations(Cidr subnet) {
        BigInteger size = subnet.size();
        Map<IpAddress, Reservation> byAddress = new LinkedHashMap<>();
        for (ReservedOffset o : offsets.apply(subnet)) {
            BigInteger offset = BigInteger.valueOf(o.offset());
            BigInteger absolute = offset.signum() < 0 ? size.add(offset) : offset;
            if (absolute.signum() < 0 || absolute.compareTo(size) >= 0) {
                continue;
            }
            IpAddress address = subnet.addressAt(absolute);
            byAddress.putIfAbsent(address, new Reservation(address, o.rule(), name));
        }
        List<Reservation> out = new ArrayList<>(byAddress.values());
        out.sort(Comparator.comparing(Reservation::address));
        return List.copyOf(out);
    }

    @Override
    public String toString() {
        return name;
    }
}
