package io.havip.core.cloud;

import io.havip.core.net.Cidr;
import io.havip.core.net.IpAddress;
import java.math.BigInteger;
import java.util.List;
import java.util.Optional;

/**
 * Which addresses of a subnet a cloud provider keeps for itself (network address, gateway,
 * DNS, broadcast, ...), so that an allocator never hands them out. The built-in providers
 * are in {@link CloudPolicies}; {@link #custom} builds one from offsets.
 *
 * <p>Implementations are immutable and thread-safe. Reservations are a short, finite list
 * (a handful of offsets from the start and the end of the subnet), which is what lets the
 * allocator find a free address in an IPv6 /64 without walking it.
 */
public interface ReservedAddressPolicy {

    /** A short lower-case name used in messages, e.g. {@code "tencent"}. */
    String name();

    /**
     * Every address this policy reserves in {@code subnet}, in ascending address order, each
     * once. Offsets that fall outside a small subnet are skipped; where two rules name the
     * same address the first listed rule wins.
     */
    List<Reservation> reservations(Cidr subnet);

    /** The reservation covering {@code address} in {@code subnet}, or empty when it may be assigned (or is not in the subnet). */
    default Optional<Reservation> reservation(Cidr subnet, IpAddress address) {
        if (!subnet.contains(address)) {
            return Optional.empty();
        }
        return reservations(subnet).stream().filter(r -> r.address().equals(address)).findFirst();
    }

    /** How many addresses of {@code subnet} may be assigned under this policy. */
    default BigInteger assignableCount(Cidr subnet) {
        return subnet.size().subtract(BigInteger.valueOf(reservations(subnet).size()));
    }

    /**
     * A policy built from offsets, the same for IPv4 and IPv6 subnets: e.g.
     * {@code custom("lab", List.of(at(0, "network address"), at(1, "gateway address"), at(-1, "broadcast address")))}.
     */
    static ReservedAddressPolicy custom(String name, List<ReservedOffset> offsets) {
        return OffsetPolicy.of(name, offsets, offsets);
    }
}
