package io.havip.vrrp.codec;

import io.havip.core.net.IpAddress;
import io.havip.core.net.IpFamily;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * A VRRP ADVERTISEMENT (the only packet type, 1), valid by construction: every value
 * that the compact constructor accepts can be encoded, and {@link VrrpCodec#decode}
 * only ever produces valid instances.
 *
 * <pre>
 * VRRPv3, RFC 5798 / RFC 9568 section 5.1     VRRPv2, RFC 3768 section 5.1
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
 * <p>The checksum is not a component: it is a function of the other fields and of the
 * IP addresses around the message, computed by {@link VrrpCodec}.
 *
 * @param version           2 or 3
 * @param vrid              Virtual Router ID, 1-255 (RFC 5798 section 5.2.3)
 * @param priority          0 (master releasing) to 255 (address owner), RFC 5798 section 5.2.4
 * @param advertIntervalCs  the advertisement interval in centiseconds: for v3 the 12-bit
 *                          Max Adver Int field as is (1-4095, RFC 5798 section 5.2.7; zero is
 *                          refused by RFC 9568 section 7.1); for v2 the 8-bit seconds field
 *                          times 100 (100-25500, RFC 3768 section 5.3.7)
 * @param authType          v2 Auth Type: 0 none, 1 simple text password (RFC 2338 section 5.3.6,
 *                          reserved in RFC 3768 but still sent by keepalived), 2 IP Authentication
 *                          Header (RFC 2338); always 0 for v3, which has no such field
 * @param authData          v2 Authentication Data, exactly 8 bytes (the zero-padded password for
 *                          type 1, zeros otherwise); empty for v3
 * @param family            whether the addresses are IPv4 or IPv6; v2 is IPv4 only
 * @param addresses         the virtual addresses, 1 to 255 of them (the count is an 8-bit field),
 *                          all of {@code family}
 */
public record VrrpAdvertisement(VrrpVersion version, int vrid, int priority, int advertIntervalCs, int authType,
                                byte[] authData, IpFamily family, List<IpAddress> addresses) {

    /** Length of the v2 Authentication Data field (RFC 3768 section 5.3.10 keeps the 8 bytes). */
    public static final int V2_AUTH_DATA_LENGTH = 8;
    /** The largest v3 Max Adver Int: a 12-bit field (RFC 5798 section 5.2.7). */
    public static final int V3_MAX_INTERVAL_CS = 0xFFF;
    /** The largest v2 Adver Int: an 8-bit field of seconds (RFC 3768 section 5.3.7). */
    public static final int V2_MAX_INTERVAL_SECONDS = 0xFF;
    /** No authentication (RFC 3768 section 5.3.6). */
    public static final int AUTH_NONE = 0;
    /** Simple text password, keepalived's {@code auth_type PASS} (RFC 2338 section 5.3.6.1). */
    public static final int AUTH_SIMPLE_TEXT = 1;
    /** IP Authentication Header, keepalived's {@code auth_type AH} (RFC 2338 section 5.3.6.2). */
    public static final int AUTH_IP_AH = 2;

    public VrrpAdvertisement {
        if (version == null) {
            throw new IllegalArgumentException("VRRP version is null");
        }
        if (vrid < 1 || vrid > 255) {
            throw new IllegalArgumentException("virtual router id " + vrid + " is outside 1-255 (RFC 5798 section 5.2.3)");
        }
        if (priority < 0 || priority > 255) {
            throw new IllegalArgumentException("priority " + priority + " is outside 0-255 (RFC 5798 section 5.2.4)");
        }
        if (family == null) {
            throw new IllegalArgumentException("address family is null");
        }
        if (version == VrrpVersion.V2 && family != IpFamily.IPV4) {
            throw new IllegalArgumentException("VRRPv2 carries IPv4 addresses only (RFC 3768); use VRRPv3 for IPv6");
        }
        if (addresses == null || addresses.isEmpty()) {
            throw new IllegalArgumentException("an advertisement carries at least one virtual address (RFC 5798 section 5.2.5)");
        }
        addresses = List.copyOf(addresses); // also refuses null elements
        if (addresses.size() > 255) {
            throw new IllegalArgumentException(addresses.size() + " addresses do not fit the 8-bit count field (at most 255)");
        }
        for (IpAddress a : addresses) {
            if (a.family() != family) {
                throw new IllegalArgumentException("address " + a + " is " + a.family() + " but the advertisement is " + family
                        + "; one virtual router carries one family (RFC 5798 section 5.2.9)");
            }
        }
        if (authData == null) {
            throw new IllegalArgumentException("authData is null (use an empty array for v3)");
        }
        authData = authData.clone();
        if (version == VrrpVersion.V3) {
            if (advertIntervalCs < 1 || advertIntervalCs > V3_MAX_INTERVAL_CS) {
                throw new IllegalArgumentException("VRRPv3 advertisement interval " + advertIntervalCs
                        + " cs is outside 1-4095 cs (12-bit field, RFC 5798 section 5.2.7; zero refused by RFC 9568 section 7.1)");
            }
            if (authType != 0 || authData.length != 0) {
                throw new IllegalArgumentException("VRRPv3 has no authentication (RFC 5798 section 9): auth type must be 0"
                        + " and auth data empty, got type " + authType + " with " + authData.length + " bytes");
            }
        } else {
            if (advertIntervalCs < 100 || advertIntervalCs > V2_MAX_INTERVAL_SECONDS * 100 || advertIntervalCs % 100 != 0) {
                throw new IllegalArgumentException("VRRPv2 advertisement interval " + advertIntervalCs
                        + " cs is not a whole number of seconds 1-255 (8-bit field in seconds, RFC 3768 section 5.3.7)");
            }
            if (authType < AUTH_NONE || authType > AUTH_IP_AH) {
                throw new IllegalArgumentException("VRRPv2 auth type " + authType
                        + " is not 0 (none), 1 (simple text) or 2 (IP AH) (RFC 2338 section 5.3.6)");
            }
            if (authData.length != V2_AUTH_DATA_LENGTH) {
                throw new IllegalArgumentException("VRRPv2 authentication data has 8 bytes, got " + authData.length);
            }
        }
    }

    /** A VRRPv3 advertisement; the family is taken from the addresses. */
    public static VrrpAdvertisement v3(int vrid, int priority, int advertIntervalCs, List<? extends IpAddress> addresses) {
        if (addresses == null || addresses.isEmpty()) {
            throw new IllegalArgumentException("an advertisement carries at least one virtual address (RFC 5798 section 5.2.5)");
        }
        return new VrrpAdvertisement(VrrpVersion.V3, vrid, priority, advertIntervalCs, AUTH_NONE, new byte[0],
                addresses.get(0).family(), List.copyOf(addresses));
    }

    /** A VRRPv3 advertisement with the given addresses. */
    public static VrrpAdvertisement v3(int vrid, int priority, int advertIntervalCs, IpAddress... addresses) {
        return v3(vrid, priority, advertIntervalCs, List.of(addresses));
    }

    /**
     * A VRRPv2 advertisement. With a {@code password} it uses simple text authentication (type 1)
     * as keepalived's {@code auth_type PASS} does: the password's bytes (1-8 of them, keepalived
     * truncates longer ones to 8) zero-padded to 8; with {@code null}, type 0 and zero data.
     */
    public static VrrpAdvertisement v2(int vrid, int priority, int advertIntervalSeconds, String password,
                                       List<? extends IpAddress> addresses) {
        if (advertIntervalSeconds < 1 || advertIntervalSeconds > V2_MAX_INTERVAL_SECONDS) {
            throw new IllegalArgumentException("VRRPv2 advertisement interval " + advertIntervalSeconds
                    + " s is outside 1-255 s (8-bit field, RFC 3768 section 5.3.7)");
        }
        return new VrrpAdvertisement(VrrpVersion.V2, vrid, priority, advertIntervalSeconds * 100,
                password == null ? AUTH_NONE : AUTH_SIMPLE_TEXT, password == null ? new byte[V2_AUTH_DATA_LENGTH] : passwordData(password),
                addresses == null || addresses.isEmpty() ? IpFamily.IPV4 : addresses.get(0).family(),
                addresses == null ? null : List.copyOf(addresses));
    }

    /**
     * The 8-byte v2 Authentication Data of a simple text password: its UTF-8 bytes truncated to
     * 8 and zero-padded (keepalived's {@code auth_pass} handling). Fails on an empty password.
     */
    public static byte[] passwordData(String password) {
        byte[] text = password.getBytes(StandardCharsets.UTF_8);
        if (text.length == 0) {
            throw new IllegalArgumentException("a simple text password has 1-8 bytes, got an empty one");
        }
        return Arrays.copyOf(text, V2_AUTH_DATA_LENGTH);
    }

    /** The authentication data (a fresh copy). */
    @Override
    public byte[] authData() {
        return authData.clone();
    }

    /** The advertisement interval in whole seconds as VRRPv2 carries it (v3 values are rounded down). */
    public int advertIntervalSeconds() {
        return advertIntervalCs / 100;
    }

    /** The v2 simple text password (the auth data up to its first zero byte), or null when auth type is not 1. */
    public String password() {
        if (authType != AUTH_SIMPLE_TEXT) {
            return null;
        }
        int end = 0;
        while (end < authData.length && authData[end] != 0) {
            end++;
        }
        return new String(authData, 0, end, StandardCharsets.UTF_8);
    }

    /** Whether the auth data equals {@code expected} (8 bytes) in constant time. */
    public boolean authDataEquals(byte[] expected) {
        return java.security.MessageDigest.isEqual(authData, expected);
    }

    /** A copy with another priority (e.g. 0 for the shutdown advertisement, RFC 5798 section 6.4.3). */
    public VrrpAdvertisement withPriority(int newPriority) {
        return new VrrpAdvertisement(version, vrid, newPriority, advertIntervalCs, authType, authData, family, addresses);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VrrpAdvertisement other
                && version == other.version && vrid == other.vrid && priority == other.priority
                && advertIntervalCs == other.advertIntervalCs && authType == other.authType
                && Arrays.equals(authData, other.authData) && family == other.family && addresses.equals(other.addresses);
    }

    @Override
    public int hashCode() {
        int h = version.hashCode();
        h = 31 * h + vrid;
        h = 31 * h + priority;
        h = 31 * h + advertIntervalCs;
        h = 31 * h + authType;
        h = 31 * h + Arrays.hashCode(authData);
        h = 31 * h + family.hashCode();
        return 31 * h + addresses.hashCode();
    }

    /** Shows the auth data as hex, never as text: a password in a log line is one place too many. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("VrrpAdvertisement[").append(version)
                .append(" vrid=").append(vrid).append(" priority=").append(priority)
                .append(" interval=").append(advertIntervalCs).append("cs");
        if (version == VrrpVersion.V2) {
            sb.append(" authType=").append(authType).append(" authData=")
                    .append(authType == AUTH_NONE ? HexFormat.of().formatHex(authData) : "<" + authData.length + " bytes>");
        }
        return sb.append(' ').append(family).append(' ').append(addresses).append(']').toString();
    }
}
