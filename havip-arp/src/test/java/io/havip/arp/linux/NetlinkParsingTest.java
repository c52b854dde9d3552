package io.havip.arp.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.havip.core.net.InterfaceAddress;
import io.havip.core.net.MacAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The pure parts of the native layer: netlink parsing in native byte order, error texts, announcement decoding. */
class NetlinkParsingTest {

    private static final MacAddress MAC = MacAddress.parse("02:00:c6:33:64:0b");

    private static ByteBuffer nativeBuffer(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
    }

    private static void attr(ByteBuffer b, int type, byte[] value) {
        b.putShort((short) (4 + value.length)).putShort((short) type).put(value);
        while ((b.position() & 3) != 0) {
            b.put((byte) 0);
        }
    }

    private static ByteBuffer done(ByteBuffer b) {
        b.flip();
        return b;
    }

    @Test
    void extendedAckTextIsFoundAfterACappedRequestHeader() {
        ByteBuffer b = nativeBuffer(64);
        b.putInt(-22); // struct nlmsgerr.error
        b.putInt(40).putShort((short) 20).putShort((short) 0x605).putInt(7).putInt(0); // the request's nlmsghdr
        attr(b, NetlinkSocket.NLMSGERR_ATTR_MSG, "ipv4: bad thing\0".getBytes(StandardCharsets.UTF_8));
        int flags = NetlinkSocket.NLM_F_CAPPED | NetlinkSocket.NLM_F_ACK_TLVS;
        assertThat(NetlinkSocket.extAckMessage(done(b), flags)).isEqualTo("ipv4: bad thing");
    }

    @Test
    void noTlvFlagMeansNoText() {
        ByteBuffer b = nativeBuffer(32);
        b.putInt(-1).putInt(16).putShort((short) 20).putShort((short) 0).putInt(1).putInt(0);
        assertThat(NetlinkSocket.extAckMessage(done(b), NetlinkSocket.NLM_F_CAPPED)).isNull();
    }

    @Test
    void addressMessageInNativeOrderWithLabelAndFlags() {
        ByteBuffer b = nativeBuffer(64);
        b.put((byte) Sys.AF_INET).put((byte) 24).put((byte) 0).put((byte) 0).putInt(7);
        attr(b, RtNetlink.IFA_ADDRESS, new byte[] {(byte) 198, 51, 100, 1}); // peer, ignored when IFA_LOCAL is there
        attr(b, RtNetlink.IFA_LOCAL, new byte[] {(byte) 198, 51, 100, 50});
        attr(b, RtNetlink.IFA_LABEL, "eth0:vip\0".getBytes(StandardCharsets.UTF_8));
        attr(b, RtNetlink.IFA_FLAGS, nativeBuffer(4).putInt(0x80).array());
        AddressEntry e = RtNetlink.parseAddress(done(b)).orElseThrow();
        assertThat(e).isEqualTo(new AddressEntry(7, InterfaceAddress.parse("198.51.100.50/24"), 0x80, 0, "eth0:vip"));
        assertThat(e.isTentative()).isFalse();
    }

    @Test
    void truncatedAttributeStopsParsingWithoutFailing() {
        ByteBuffer b = nativeBuffer(32);
        b.put((byte) Sys.AF_INET6).put((byte) 64).put((byte) 0x40).put((byte) 0).putInt(3);
        b.putShort((short) 200).putShort((short) RtNetlink.IFA_ADDRESS).put(new byte[8]); // claims 200 bytes
        assertThat(RtNetlink.parseAddress(done(b))).isEmpty();
        assertThat(RtNetlink.parseAddress(done(nativeBuffer(4).putInt(1)))).isEmpty();
    }

    @Test
    void linkMessageCarriesCarrierNameMacAndMtu() {
        ByteBuffer b = nativeBuffer(64);
        b.put((byte) 0).put((byte) 0).putShort((short) 1).putInt(2).putInt(0x11043).putInt(0);
        attr(b, RtNetlink.IFLA_IFNAME, "eth0\0".getBytes(StandardCharsets.UTF_8));
        attr(b, RtNetlink.IFLA_ADDRESS, MAC.toBytes());
        attr(b, RtNetlink.IFLA_MTU, nativeBuffer(4).putInt(1500).array());
        attr(b, RtNetlink.IFLA_OPERSTATE, new byte[] {6});
        LinkState l = RtNetlink.parseLink(done(b)).orElseThrow();
        assertThat(l).isEqualTo(new LinkState(2, "eth0", 0x11043, 1500, MAC, 6));
        assertThat(l.isUp()).isTrue();
        assertThat(l.hasCarrier()).isTrue();
        assertThat(l.isNoArp()).isFalse();
        assertThat(new LinkState(2, "eth0", 0x1003, 1500, MAC, 2).isUp()).as("no IFF_LOWER_UP").isFalse();
    }

    @Test
    void errorMessagesNameTheAttemptTheErrnoAndTheCapability() {
        NativeException e = NativeException.of("add 198.51.100.50/24 on eth1", "RTM_NEWADDR", 1, null,
                Capability.CAP_NET_ADMIN, "eth1");
        assertThat(e.getMessage()).isEqualTo("cannot add 198.51.100.50/24 on eth1: Operation not permitted (EPERM,"
                + " errno 1, RTM_NEWADDR) — the process needs CAP_NET_ADMIN (run as root, or grant it as an ambient"
                + " capability; setcap on the java binary does not work)");
        assertThat(e.errnoName()).isEqualTo("EPERM");
        assertThat(e.strerror()).isEqualTo("Operation not permitted");
        assertThat(e.kernelMessage()).isEmpty();
        NativeException raw = NativeException.of("open a packet socket on eth0", "socket(AF_PACKET, SOCK_RAW)", 13,
                null, Capability.CAP_NET_RAW, "eth0");
        assertThat(raw.getMessage()).contains("(EACCES, errno 13, socket(AF_PACKET, SOCK_RAW))")
                .contains("the process needs CAP_NET_RAW");
        assertThat(NativeException.of("x", "y", 19, "ipv6: Unable to find the interface", null, "eth9").getMessage())
                .isEqualTo("cannot x: No such device (ENODEV, errno 19, y) [kernel: ipv6: Unable to find the interface]"
                        + " — interface eth9 does not exist in this network namespace (see `ip link`)");
        assertThat(Errno.nameOf(4242)).isEqualTo("E?4242");
    }

    @Test
    void availabilityNamesWhatIsMissing() {
        LinuxNetworking.Availability none = new LinuxNetworking.Availability(java.util.List.of());
        assertThat(none.isAvailable()).isTrue();
        none.ensureAvailable();
        LinuxNetworking.Availability missing = new LinuxNetworking.Availability(java.util.List.of("a", "b"));
        assertThat(missing.unavailabilityCause()).contains("a; b");
        assertThatThrownBy(missing::ensureAvailable).isInstanceOf(UnsupportedOperationException.class)
                .hasMessage("Linux networking is unavailable: a; b");
    }
}
