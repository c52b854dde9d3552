/**
 * Pure codecs for the packets that move a floating address: Ethernet II frames, ARP
 * (RFC 826) and gratuitous ARP, IPv6 Neighbor Advertisements (RFC 4861), and the one
 * RFC 1071 Internet checksum.
 *
 * <p>Values are immutable records validated in their constructors; every decoder is a
 * static method that returns a value or throws {@link io.havip.arp.packet.MalformedPacketException}
 * (a reason enum plus a hex dump), and nothing else, whatever the input bytes. No sockets,
 * no JNA, no threads, no clock: the Linux layer sends and receives the bytes.
 */
package io.havip.arp.packet;
