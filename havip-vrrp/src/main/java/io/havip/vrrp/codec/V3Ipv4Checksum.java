package io.havip.vrrp.codec;

/**
 * The two ways VRRPv3 speakers compute the checksum of an IPv4 advertisement.
 *
 * <p>RFC 5798 section 5.2.8 said the checksum covers the message and "a pseudo-header as
 * defined in Section 8.1 of [RFC2460]" without saying what that means for IPv4. keepalived
 * (2.2.7 and later by default), FRR by default and Wireshark read it as the RFC 768 IPv4
 * pseudo-header; Cisco and others sum the message only. RFC 9568 section 5.2.8, which
 * obsoletes RFC 5798, settles it the other way: for IPv4 the checksum covers the VRRP message
 * only, and only IPv6 prepends the RFC 8200 pseudo-header. keepalived's
 * {@code v3_checksum_as_v2} and FRR's {@code no checksum-with-ipv4-pseudoheader} switch to the
 * RFC 9568 form. See keepalived issue #2324 and FRR issue #14024.
 *
 * <p>havip sends {@link #PSEUDO_HEADER} by default so that a stock keepalived accepts its
 * adverts (the golden captures of keepalived 2.2.7 use it), and accepts either form on receive.
 * A single corrupted packet passing one of two 16-bit sums has odds of about 2 in 65536, the
 * same order as the plain Internet checksum's.
 */
public enum V3Ipv4Checksum {
    /** Message plus the RFC 768 pseudo-header (source, destination, zero, protocol 112, length): RFC 5798 as keepalived reads it. */
    PSEUDO_HEADER,
    /** The VRRP message alone, as for VRRPv2: RFC 9568 section 5.2.8. */
    MESSAGE_ONLY
}
