package io.havip.vrrp.codec;

import io.havip.core.net.IpAddress;
import io.havip.core.net.IpFamily;
import java.util.List;

/**
 * A decoded VRRP ADVERTISEMENT (the only packet type, 1).
 *
 * <pre>
 * VRRPv3, RFC 5798 section 5.1              VRRPv2, RFC 3768 section 5.1
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version| Type  | Virtual Rtr ID|   Priority    | Count IPvX Addr|
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * v3: |(rsvd) |  Max Adver Int (12 bits, cs)  |          Checksum  |
 * v2: |   Auth Type   |   Adver Int (s)       |          Checksum  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    IPvX Address(es) ...                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * v2 only: Authentication Data (8 bytes)
 * </pre>
 *
 * @param version           2 or 3
 * @param vrid              Virtual Router ID, 1-255
 * @param priority          0 (master releasing) to 255 (address owner)
 * @param advertIntervalCs  the advertisement interval in centiseconds: for v3 the 12-bit
 *                          Max Adver Int field as is; for v2 the seconds field times 100
 * @param authType          v2 Auth Type (0 none, 1 simple text password); always 0 for v3
 * @param authData          v2 Authentication Data, 8 bytes (zero-padded password); empty for v3
 * @param family            whether the addresses are IPv4 or IPv6
 * @param addresses         the virtual addresses, at least one
 */
public record VrrpAdvertisement(VrrpVersion version, int vrid, int priority, int advertIntervalCs, int authType,
                                byte[] authData, IpFamily family, List<IpAddress> addresses) {
    // The codec owns validation and the defensive copies of authData; see VrrpCodec.
}
