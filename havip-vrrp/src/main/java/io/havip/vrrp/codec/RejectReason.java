package io.havip.vrrp.codec;

/**
 * Why {@link VrrpCodec#decode} refused a message. The names follow the receive checks of
 * RFC 5798 / RFC 9568 section 7.1 and RFC 3768 section 7.1, so that the state machine can map
 * each one to a keepalived-style counter (length errors, invalid type, address list errors...).
 */
public enum RejectReason {
    /** Fewer bytes than the 8-byte fixed header (RFC 5798 section 7.1: "greater than or equal to the VRRP header"). */
    TOO_SHORT,
    /** Version field is not 2 or 3 (RFC 5798 section 7.1: "MUST verify the VRRP version"). */
    BAD_VERSION,
    /** Type field is not 1, ADVERTISEMENT (RFC 5798 section 5.2.2: other types MUST be discarded). */
    BAD_TYPE,
    /** Virtual Router ID 0, which no router may use (RFC 5798 section 5.2.3: 1-255). */
    BAD_VRID,
    /** The checksum does not verify (RFC 5798 section 7.1, RFC 3768 section 7.1). */
    BAD_CHECKSUM,
    /** The address count is zero or does not match the message length (RFC 5798 section 5.2.5). */
    ADDRESS_COUNT_MISMATCH,
    /** A VRRPv2 Auth Type other than 0, 1 or 2: keepalived knows none, simple text and IP AH only. */
    BAD_AUTH_TYPE,
    /** An advertisement interval of zero (RFC 9568 section 7.1: the interval MUST be non-zero). */
    BAD_INTERVAL,
    /** The IP addresses around the message do not fit it: mixed families, or IPv6 carrying VRRPv2 (IPv4 only). */
    FAMILY_MISMATCH
}
