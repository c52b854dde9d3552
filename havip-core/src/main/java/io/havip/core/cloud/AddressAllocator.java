package io.havip.core.cloud;

import io.havip.core.net.Cidr;
import io.havip.core.net.IpAddress;
import java.math.BigInteger;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Hands out the addresses of one subnet: the lowest free assignable address, or a requested
 * one, never an address the {@link ReservedAddressPolicy} reserves and never one twice.
 *
 * <p>Cost depends on what is allocated, not on the subnet's size: reservations and
 * allocations are kept as sorted offsets, and the search for the lowest free address starts
 * at a low-water mark below which everything is known to be taken, so an IPv6 /64 is never
 * walked.
 *
 * <p>Thread-safe: every method holds this allocator's monitor; no user code runs under it.
 */
public final class AddressAllocator {

    private final Cidr subnet;
    private final ReservedAddressPolicy policy;
    private final NavigableMap<BigInteger, Reservation> reserved = new TreeMap<>();
    private final NavigableMap<BigInteger, String> allocated = new TreeMap<>();
    private final BigInteger assignable;
    /** Every offset below this one is reserved or allocated. */
    private BigInteger lowWater = BigInteger.ZERO;

    public AddressAllocator(Cidr subnet, ReservedAddressPolicy policy) {
        if (subnet == null || policy == null) {
            throw new IllegalArgumentException("an allocator needs a subnet and a reserved-address policy, got "
                    + subnet + " and " + policy);
        }
        this.subnet = subnet;
        this.policy = policy;
        for (Reservation r : policy.reservations(subnet)) {
            reserved.put(subnet.offsetOf(r.address()), r);
        }
        this.assignable = subnet.size().subtract(BigInteger.valueOf(reserved.size()));
    }

    public Cidr subnet() {
        return subnet;
    }

    public ReservedAddressPolicy policy() {
        return policy;
    }

    /**
     * Allocates the lowest free assignable address to {@code holder}.
     *
     * @throws AllocationRefusedException.Exhausted when none is left
     */
    public synchronized IpAddress allocate(String holder) {
        requireHolder(holder);
        BigInteger candidate = lowWater;
        BigInteger size = subnet.size();
        while (candidate.compareTo(size) < 0 && (reserved.containsKey(candidate) || allocated.containsKey(candidate))) {
            candidate = candidate.add(BigInteger.ONE);
        }
        lowWater = candidate;
        if (candidate.compareTo(size) >= 0) {
            throw new AllocationRefusedException.Exhausted(subnet, policy, assignable);
        }
        allocated.put(candidate, holder);
        lowWater = candidate.add(BigInteger.ONE);
        return subnet.addressAt(candidate);
    }

    /**
     * Allocates {@code requested} to {@code holder}.
     *
     * @throws AllocationRefusedException.OutsideSubnet when it is not in this subnet
     * @throws AllocationRefusedException.Reserved when the policy reserves it (the message names the rule)
     * @throws AllocationRefusedException.InUse when it is already allocated (the message names the holder)
     */
    public synchronized IpAddress allocate(IpAddress requested, String holder) {
        requireHolder(holder);
        BigInteger offset = check(requested);
        allocated.put(offset, holder);
        return requested;
    }

    /** Throws the refusal {@link #allocate(IpAddress, String)} would give, without allocating. */
    public synchronized void checkAvailable(IpAddress requested) {
        check(requested);
    }

    private BigInteger check(IpAddress requested) {
        if (requested == null) {
            throw new IllegalArgumentException("requested address is null; call allocate(holder) for the lowest free one");
        }
        if (!subnet.contains(requested)) {
            throw new AllocationRefusedException.OutsideSubnet(requested, subnet);
        }
        BigInteger offset = subnet.offsetOf(requested);
        Reservation reservation = reserved.get(offset);
        if (reservation != null) {
            throw new AllocationRefusedException.Reserved(reservation, subnet);
        }
        String holder = allocated.get(offset);
        if (holder != null) {
            throw new AllocationRefusedException.InUse(requested, holder);
        }
        return offset;
    }

    /** Frees {@code address}; true when it was allocated. */
    public synchronized boolean release(IpAddress address) {
        if (address == null || !subnet.contains(address)) {
            return false;
        }
        BigInteger offset = subnet.offsetOf(address);
        if (allocated.remove(offset) == null) {
            return false;
        }
        if (offset.compareTo(lowWater) < 0) {
            lowWater = offset;
        }
        return true;
    }

    /** Who holds {@code address}, if it is allocated. */
    public synchronized Optional<String> holderOf(IpAddress address) {
        if (address == null || !subnet.contains(address)) {
            return Optional.empty();
        }
        return Optional.ofNullable(allocated.get(subnet.offsetOf(address)));
    }

    /** How many addresses the policy lets this subnet assign in total. */
    public BigInteger assignableCount() {
        return assignable;
    }

    /** How many assignable addresses are still free. */
    public synchronized BigInteger freeCount() {
        return assignable.subtract(BigInteger.valueOf(allocated.size()));
    }

    /** A snapshot of the allocations in address order, address to holder. */
    public synchronized Map<IpAddress, String> allocations() {
        Map<IpAddress, String> out = new LinkedHashMap<>();
        allocated.forEach((offset, holder) -> out.put(subnet.addressAt(offset), holder));
        return Collections.unmodifiableMap(out);
    }

    private static void requireHolder(String holder) {
        if (holder == null || holder.isBlank()) {
            throw new IllegalArgumentException("an allocation needs a holder (who uses the address), got \"" + holder + "\"");
        }
    }

    @Override
    public String toString() {
        return "AddressAllocator[" + subnet + ", " + policy.name() + "]";
    }
}
