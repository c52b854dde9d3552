package io.havip.core.cloud;

import io.havip.core.net.IpAddress;
import io.havip.core.net.MacAddress;
import java.time.Instant;

/**
 * A gratuitous ARP (or an unsolicited IPv6 Neighbor Advertisement) the fabric saw in a
 * subnet: {@code senderMac} claims {@code senderAddress}. Fed to
 * {@link HavipService#onAnnouncement}, it tells the control plane which instance now
 * holds a HAVIP.
 */
public record ArpAnnouncement(IpAddress senderAddress, MacAddress senderMac, String subnetId, Instant at) {

    public ArpAnnouncement {
        if (senderAddress == null || senderMac == null || at == null) {
            throw new IllegalArgumentException("an ARP announcement needs a sender address, a sender MAC and a time, got "
                    + senderAddress + ", " + senderMac + ", " + at);
        }
        Ids.require("subnet id of the announcement of " + senderAddress, subnetId);
    }
}
