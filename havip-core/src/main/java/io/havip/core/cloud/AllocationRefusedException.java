package io.havip.core.cloud;

import io.havip.core.net.Cidr;
import io.havip.core.net.IpAddress;
import java.math.BigInteger;

/**
 * Why an {@link AddressAllocator} did not hand out an address. The subtypes are final and
 * carry the values the message names, so callers can react without parsing text.
 */
public abstract sealed class AllocationRefusedException extends RuntimeException {

    private AllocationRefusedException(String message) {
        super(message);
    }

    /** The requested address is not in the subnet (or not of its family). */
    public static final class OutsideSubnet extends AllocationRefusedException {
        private final IpAddress requested;
        private final Cidr subnet;

        OutsideSubnet(IpAddress requested, Cidr subnet) {
            super(requested + " is outside subnet " + subnet + "; request an address inside " + subnet
                    + " or none to get the lowest free one");
            this.requested = requested;
            this.subnet = subnet;
        }

        public IpAddress requested() {
            return requested;
        }

        public Cidr subnet() {
            return subnet;
        }
    }

    /** The requested address is one the provider keeps for itself. */
    public static final class Reserved extends AllocationRefusedException {
        private final Reservation reservation;

        Reserved(Reservation reservation, Cidr subnet) {
            super(reservation.describe() + "; choose another address in " + subnet);
            this.reservation = reservation;
        }

        public Reservation reservation() {
            return reservation;
        }
    }

    /** The requested address is already allocated. */
    public static final class InUse extends AllocationRefusedException {
        private final IpAddress address;
        private final String holder;

        InUse(IpAddress address, String holder) {
            super(address + " is in use by " + holder + "; release it first or choose another address");
            this.address = address;
            this.holder = holder;
        }

        public IpAddress address() {
            return address;
        }

        /** Who holds the address, as given to {@link AddressAllocator#allocate}. */
        public String holder() {
            return holder;
        }
    }

    /** Every assignable address of the subnet is allocated. */
    public static final class Exhausted extends AllocationRefusedException {
        private final Cidr subnet;

        Exhausted(Cidr subnet, ReservedAddressPolicy policy, BigInteger assignable) {
            super("subnet " + subnet + " is exhausted: all " + assignable + " assignable addresses are in use ("
                    + subnet.size() + " minus " + subnet.size().subtract(assignable) + " reserved by " + policy.name()
                    + "); release one or use a larger subnet");
            this.subnet = subnet;
        }

        public Cidr subnet() {
            return subnet;
        }
    }
}
