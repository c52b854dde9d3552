package io.havip.vrrp.codec;

import io.havip.core.net.IpAddress;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Builds VRRP messages field by field, including deliberately wrong ones, for negative tests and
 * for the fault-injection suite that sends them from another namespace. Nothing is validated:
 * each field is written as given (masked to its width), and the checksum is computed over the
 * bytes as built unless overridden or corrupted. For valid messages use {@link VrrpCodec#encode}.
 *
 * <pre>{@code
 * byte[] badCount = VrrpPacketBuilder.from(adv).count(3).build(src, dst);
 * byte[] badSum   = VrrpPacketBuilder.from(adv).corruptChecksum().build(src, dst);
 * byte[] runt     = VrrpPacketBuilder.from(adv).truncateTo(6).build(src, dst);
 * }</pre>
 *
 * <p>Instances are mutable and not thread-safe; every setter returns {@code this}.
 */
public final class VrrpPacketBuilder {

    private int version = 3;
    private int type = VrrpCodec.TYPE_ADVERTISEMENT;
    private int vrid = 1;
    private int priority = 100;
    private Integer count;
    private int reservedBits;
    private int interval = 100;
    private int authType;
    private byte[] authData;
    private final List<IpAddress> addresses = new ArrayList<>();
    private byte[] extra = new byte[0];
    private Integer checksumOverride;
    private boolean corruptChecksum;
    private Integer truncateTo;
    private V3Ipv4Checksum ipv4Form = V3Ipv4Checksum.PSEUDO_HEADER;

    private VrrpPacketBuilder() {
    }

    /** A v3 advertisement for VRID 1, priority 100, interval 100 cs, with no addresses yet. */
    public static VrrpPacketBuilder v3() {
        return new VrrpPacketBuilder();
    }

    /** A v2 advertisement for VRID 1, priority 100, interval 1 s, auth type 0 and zero auth data, no addresses yet. */
    public static VrrpPacketBuilder v2() {
        return new VrrpPacketBuilder().version(2).interval(1).authData(new byte[VrrpAdvertisement.V2_AUTH_DATA_LENGTH]);
    }

    /** Starts from every field of a valid advertisement; {@code build} then yields what {@link VrrpCodec#encode} does. */
    public static VrrpPacketBuilder from(VrrpAdvertisement adv) {
        VrrpPacketBuilder b = new VrrpPacketBuilder().version(adv.version().number()).vrid(adv.vrid()).priority(adv.priority())
                .addresses(adv.addresses());
        if (adv.version() == VrrpVersion.V2) {
            b.interval(adv.advertIntervalSeconds()).authType(adv.authType()).authData(adv.authData());
        } else {
            b.interval(adv.advertIntervalCs());
        }
        return b;
    }

    /** The 4-bit version field (2 and 3 are valid). Also decides whether auth data is written (only for 2). */
    public VrrpPacketBuilder version(int version) {
        this.version = version & 0x0f;
        if (this.version == 2 && authData == null) {
            authData = new byte[VrrpAdvertisement.V2_AUTH_DATA_LENGTH];
        }
        return this;
    }

    /** The 4-bit type field (only 1 is valid). */
    public VrrpPacketBuilder type(int type) {
        this.type = type & 0x0f;
        return this;
    }

    public VrrpPacketBuilder vrid(int vrid) {
        this.vrid = vrid & 0xff;
        return this;
    }

    public VrrpPacketBuilder priority(int priority) {
        this.priority = priority & 0xff;
        return this;
    }

    /** Overrides the address count field (by default the number of addresses given). */
    public VrrpPacketBuilder count(int count) {
        this.count = count & 0xff;
        return this;
    }

    /** The raw interval field: 12-bit centiseconds for v3, 8-bit seconds for v2. */
    public VrrpPacketBuilder interval(int interval) {
        this.interval = interval;
        return this;
    }

    /** The 4 reserved bits before the v3 interval (must be sent as 0, ignored on receive). */
    public VrrpPacketBuilder reservedBits(int bits) {
        this.reservedBits = bits & 0x0f;
        return this;
    }

    /** The v2 Auth Type byte. */
    public VrrpPacketBuilder authType(int authType) {
        this.authType = authType & 0xff;
        return this;
    }

    /** The v2 Authentication Data, written as given (any length, to build wrong lengths too). */
    public VrrpPacketBuilder authData(byte[] data) {
        this.authData = data.clone();
        return this;
    }

    /** Simple text authentication (type 1) with {@code password} zero-padded to 8 bytes. */
    public VrrpPacketBuilder password(String password) {
        return authType(VrrpAdvertisement.AUTH_SIMPLE_TEXT).authData(VrrpAdvertisement.passwordData(password));
    }

    /** Replaces the address list; addresses may be of mixed families, on purpose. */
    public VrrpPacketBuilder addresses(List<? extends IpAddress> list) {
        addresses.clear();
        addresses.addAll(list);
        return this;
    }

    public VrrpPacketBuilder addAddress(IpAddress address) {
        addresses.add(address);
        return this;
    }

    /** Bytes appended after the addresses (and v2 auth data), covered by the computed checksum. */
    public VrrpPacketBuilder extraBytes(byte... bytes) {
        this.extra = bytes.clone();
        return this;
    }

    /** Writes this exact checksum field instead of computing one. */
    public VrrpPacketBuilder checksum(int raw) {
        this.checksumOverride = raw & 0xffff;
        return this;
    }

    /** Computes the checksum, then flips all its bits so that it cannot verify in any form. */
    public VrrpPacketBuilder corruptChecksum() {
        this.corruptChecksum = true;
        return this;
    }

    /** The form of a computed VRRPv3 IPv4 checksum (default {@link V3Ipv4Checksum#PSEUDO_HEADER}). */
    public VrrpPacketBuilder ipv4ChecksumForm(V3Ipv4Checksum form) {
        this.ipv4Form = form;
        return this;
    }

    /** Cuts the finished message (checksum already computed) to its first {@code length} bytes. */
    public VrrpPacketBuilder truncateTo(int length) {
        if (length < 0) {
            throw new IllegalArgumentException("truncation length " + length + " is negative");
        }
        this.truncateTo = length;
        return this;
    }

    /**
     * The message bytes. The checksum is computed over the bytes as built with the pseudo-header
     * of {@code source} and {@code destination} (v3), before any truncation.
     */
    public byte[] build(IpAddress source, IpAddress destination) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write((version << 4) | type);
        out.write(vrid);
        out.write(priority);
        out.write(count != null ? count : addresses.size() & 0xff);
        if (version == 2) {
            out.write(authType);
            out.write(interval & 0xff);
        } else {
            out.write((reservedBits << 4) | ((interval >>> 8) & 0x0f));
            out.write(interval & 0xff);
        }
        out.write(0);
        out.write(0);
        for (IpAddress a : addresses) {
            out.writeBytes(a.toBytes());
        }
        if (version == 2 && authData != null) {
            out.writeBytes(authData);
        }
        out.writeBytes(extra);
        byte[] m = out.toByteArray();
        int sum;
        if (checksumOverride != null) {
            sum = checksumOverride;
        } else {
            VrrpVersion asVersion = version == 2 ? VrrpVersion.V2 : VrrpVersion.V3;
            sum = VrrpCodec.checksum(m, asVersion, source, destination, ipv4Form);
            if (corruptChecksum) {
                sum = corrupted(m, sum, source, destination);
            }
        }
        m[6] = (byte) (sum >>> 8);
        m[7] = (byte) sum;
        return truncateTo == null || truncateTo >= m.length ? m : Arrays.copyOf(m, truncateTo);
    }

    /** A checksum value wrong in every form (for v3 IPv4 the other form's value must be avoided too). */
    private int corrupted(byte[] m, int good, IpAddress source, IpAddress destination) {
        int other = version == 2 ? good
                : VrrpCodec.checksum(m, VrrpVersion.V3, source, destination,
                        ipv4Form == V3Ipv4Checksum.PSEUDO_HEADER ? V3Ipv4Checksum.MESSAGE_ONLY : V3Ipv4Checksum.PSEUDO_HEADER);
        int bad = ~good & 0xffff;
        // 0x0000 and 0xffff are the same one's complement number: skip both the good values and their twins.
        while (equivalent(bad, good) || equivalent(bad, other)) {
            bad = (bad + 1) & 0xffff;
        }
        return bad;
    }

    private static boolean equivalent(int a, int b) {
        return a == b || (a == 0 && b == 0xffff) || (a == 0xffff && b == 0);
    }
}
