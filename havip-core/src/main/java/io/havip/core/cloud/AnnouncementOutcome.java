package io.havip.core.cloud;

/** What {@link HavipService#onAnnouncement} made of an {@link ArpAnnouncement}. */
public sealed interface AnnouncementOutcome {

    /**
     * The announcer is a bound instance: it is the holder now. {@code holderChanged} is false
     * for a repeat (a GARP schedule sends several) from the instance that already held it.
     */
    record Accepted(String havipId, String instanceId, boolean holderChanged) implements AnnouncementOutcome {
    }

    /** Nothing changed; {@code detail} names the values involved. */
    record Ignored(IgnoreReason reason, String detail) implements AnnouncementOutcome {
    }

    /** Why an announcement changed nothing. */
    enum IgnoreReason {
        /** The subnet the announcement was seen in is not known. */
        UNKNOWN_SUBNET,
        /** No HAVIP has the address, in this subnet or another of its VPC. */
        UNKNOWN_ADDRESS,
        /** The HAVIP lives in another subnet, or the announcing instance does. */
        WRONG_SUBNET,
        /** The sender MAC belongs to no known instance (e.g. a VRRP virtual MAC). */
        UNKNOWN_MAC,
        /** The announcing instance is not bound to the HAVIP. */
        INSTANCE_NOT_BOUND,
        /** The HAVIP is FAILED or DELETING. */
        HAVIP_NOT_AVAILABLE,
        /** Older than the announcement that made the current holder (delivered out of order). */
        STALE
    }
}
