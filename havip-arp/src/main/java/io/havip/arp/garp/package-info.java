/**
 * The gratuitous ARP / unsolicited Neighbor Advertisement schedule of a master, with
 * keepalived's {@code garp_master_*} and {@code garp_lower_prio_*} semantics, as pure
 * sans-IO code: time comes in as an argument, the number of rounds to send comes out.
 */
package io.havip.arp.garp;
