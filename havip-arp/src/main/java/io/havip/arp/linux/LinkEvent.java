package io.havip.arp.linux;

/**
 * A change of a link seen by {@link LinkMonitor}: of its usability, or of its MAC.
 *
 * @param link   the link as the kernel reported it with this change
 * @param change what changed
 */
public record LinkEvent(LinkState link, Change change) {

    public LinkEvent {
        if (link == null || change == null) {
            throw new IllegalArgumentException("link and change are required");
        }
    }

    /** What changed. */
    public enum Change {
        /** The link became usable: administratively up and with carrier (IFF_UP and IFF_LOWER_UP). */
        UP,
        /** The link stopped being usable: set down, or lost carrier. */
        DOWN,
        /** The link was deleted (RTM_DELLINK), e.g. a veth whose peer namespace went away. */
        REMOVED,
        /**
         * The link's MAC (IFLA_ADDRESS) changed: a bond failing over with {@code fail_over_mac},
         * {@code ip link set dev X address ...}. Reported only to a {@link LinkMonitor.Listener}.
         */
        MAC_CHANGED
    }
}
