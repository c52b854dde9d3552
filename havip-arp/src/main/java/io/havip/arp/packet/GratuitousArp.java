package io.havip.arp.packet;

import io.havip.core.net.Ipv4Address;
import io.havip.core.net.MacAddress;
import java.util.Objects;

/**
 * Builds the Ethernet frames that announce "this IPv4 address is at this MAC" to a LAN:
 * broadcast, sender and target IP both the announced address, so every host and switch
 * that hears it updates its ARP cache / forwarding table.
 *
 * <p>{@link Form#REQUEST} reproduces keepalived byte for byte (keepalived 2.2.7
 * {@code vrrp_arp.c send_gratuitous_arp_immediate}, checked against a capture in the
 * tests). Frames come out of {@link EthernetFrame#encode()} padded to 60 bytes; keepalived
 * leaves padding to the driver (42 bytes on a veth).
 */
public final class GratuitousArp {

    /** The shape of the announcement. Each form is accepted by Linux's ARP input path. */
    public enum Form {
        /**
         * Request, target hardware address ff:ff:ff:ff:ff:ff: exactly what keepalived sends
         * ({@code memset(arph->__ar_tha, 0xFF, ETH_ALEN)} in vrrp_arp.c) and what
         * iputils {@code arping -U} sends. The default, for interoperability with keepalived.
         */
        REQUEST,
        /**
         * Request, target hardware address 00:00:00:00:00:00: an RFC 5227 section 2.3 ARP
         * Announcement ("target hardware address ... SHOULD be set to all zeroes", section
         * 2.1.1), as the Linux kernel's own {@code arp_notify} sends it.
         */
        ANNOUNCEMENT,
        /**
         * Reply, target hardware address = the sender's MAC: RFC 5944 section 4.6 ("When
         * using an ARP Reply packet, the Target Hardware Address is also set to the
         * link-layer address to which this cache entry should be updated"), as iputils
         * {@code arping -A} sends it. Some hosts only update existing entries from replies.
         */
        REPLY
    }

    private GratuitousArp() {
    }

    /** The keepalived-compatible form: {@code frame(Form.REQUEST, mac, address)}. */
    public static EthernetFrame request(MacAddress mac, Ipv4Address address) {
        return frame(Form.REQUEST, mac, address);
    }

    /** {@code frame(Form.REPLY, mac, address)}. */
    public static EthernetFrame reply(MacAddress mac, Ipv4Address address) {
        return frame(Form.REPLY, mac, address);
    }

    /**
     * A broadcast frame from {@code mac} announcing {@code address} in the given form.
     *
     * @param mac the interface's (unicast) MAC address: Ethernet source and ARP sender
     * @param address the announced (unicast) IPv4 address: ARP sender and target IP
     * @throws IllegalArgumentException for a multicast/broadcast MAC or a multicast, broadcast or 0.0.0.0 address
     */
    public static EthernetFrame frame(Form form, MacAddress mac, Ipv4Address address) {
        return frame(form, mac, mac, address);
    }

    /**
     * As {@link #frame(Form, MacAddress, Ipv4Address)}, announcing {@code address} at
     * {@code mac} (the ARP sender hardware address, which receivers cache) in a frame sent
     * from {@code ethernetSource}: a node announcing on another's behalf keeps switches
     * learning that MAC where it really is.
     */
    public static EthernetFrame frame(Form form, MacAddress ethernetSource, MacAddress mac, Ipv4Address address) {
        Objects.requireNonNull(ethernetSource, "ethernetSource");
        Objects.requireNonNull(form, "form");
        Objects.requireNonNull(mac, "mac");
        Objects.requireNonNull(address, "address");
        if (mac.isMulticast()) {
            throw new IllegalArgumentException("cannot announce " + address + " from MAC " + mac
                    + ": a group (multicast/broadcast) MAC cannot own an address; use the interface's own MAC");
        }
        if (address.bits() == 0 || address.bits() == -1 || address.isMulticast()) {
            throw new IllegalArgumentException("cannot announce " + address
                    + ": only a unicast IPv4 address can be announced by gratuitous ARP (0.0.0.0 would be an RFC 5227 probe)");
        }
        MacAddress targetMac = switch (form) {
            case REQUEST -> MacAddress.BROADCAST;
            case ANNOUNCEMENT -> MacAddress.ZERO;
            case REPLY -> mac;
        };
        ArpPacket.Operation op = form == Form.REPLY ? ArpPacket.Operation.REPLY : ArpPacket.Operation.REQUEST;
        return new ArpPacket(op, mac, address, targetMac, address).toFrame(MacAddress.BROADCAST, ethernetSource);
    }
}
