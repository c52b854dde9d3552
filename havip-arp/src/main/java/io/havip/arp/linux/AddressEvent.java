package io.havip.arp.linux;

/**
 * An address added to or removed from an interface, as {@link LinkMonitor} saw it
 * (RTM_NEWADDR / RTM_DELADDR, or the difference found by a re-read after lost events).
 *
 * @param entry         the address as the kernel reported it
 * @param interfaceName the name of the interface {@code entry.ifindex()} as last seen; "" when unknown
 * @param change        what happened to it
 */
public record AddressEvent(AddressEntry entry, String interfaceName, Change change) {

    public AddressEvent {
        if (entry == null || interfaceName == null || change == null) {
            throw new IllegalArgumentException("entry, interfaceName and change are required");
        }
    }

    /** What happened to the address. */
    public enum Change {
        /** It appeared on the interface (a new address; a flag change of a known one is not reported). */
        ADDED,
        /** It is gone from the interface. */
        REMOVED
    }
}
