package io.havip.arp.linux;

import static org.assertj.core.api.Assertions.assertThat;

import io.havip.core.net.MacAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** RTM_NEWLINK answers with IFLA_LINKINFO as the kernel nests them, and broken ones that must not throw. */
class LinkDetailsParsingTest {

    /** An RTM_NEWLINK payload like the kernel's for {@code ip link add link eth0 name vrrp.51 ... type macvlan mode private}. */
    private static ByteBuffer macvlan(int mode) {
        NetlinkSocket.Message m = new NetlinkSocket.Message(RtNetlink.RTM_NEWLINK, 0);
        m.buf.put((byte) 0).put((byte) 0).putShort((short) 1).putInt(7).putInt(Sys.IFF_UP | Sys.IFF_LOWER_UP).putInt(0);
        m.attrString(RtNetlink.IFLA_IFNAME, "vrrp.51");
        m.attr(RtNetlink.IFLA_ADDRESS, MacAddress.parse("00:00:5e:00:01:33").toBytes());
        m.attrInt(RtNetlink.IFLA_LINK, 2);
        int info = m.nest(RtNetlink.IFLA_LINKINFO | 0x8000); // NLA_F_NESTED, as newer kernels set it
        m.attr(RtNetlink.IFLA_INFO_KIND, "macvlan".getBytes(StandardCharsets.US_ASCII)); // no NUL: also seen
        int data = m.nest(RtNetlink.IFLA_INFO_DATA | 0x8000);
        m.attrInt(RtNetlink.IFLA_MACVLAN_MODE, mode);
        m.end(data).end(info);
        byte[] all = m.finish(1);
        return ByteBuffer.wrap(all, NetlinkSocket.NLMSG_HDRLEN, all.length - NetlinkSocket.NLMSG_HDRLEN).slice()
                .order(Sys.NATIVE);
    }

    @Test
    void kindLowerLinkAndMode() {
        RtNetlink.LinkDetails d = RtNetlink.parseLinkDetails(macvlan(1)).orElseThrow();
        assertThat(d.state().name()).isEqualTo("vrrp.51");
        assertThat(d.state().index()).isEqualTo(7);
        assertThat(d.state().mac()).isEqualTo(MacAddress.parse("00:00:5e:00:01:33"));
        assertThat(d.kind()).isEqualTo("macvlan");
        assertThat(d.lowerIndex()).isEqualTo(2);
        assertThat(d.macvlanMode()).contains(RtNetlink.MacvlanMode.PRIVATE);
        assertThat(RtNetlink.parseLinkDetails(macvlan(4)).orElseThrow().macvlanMode()).contains(RtNetlink.MacvlanMode.BRIDGE);
        assertThat(RtNetlink.parseLinkDetails(macvlan(99)).orElseThrow().macvlanMode()).isEmpty();
    }

    @Test
    void truncatedOrGarbledAnswersNeverThrow() {
        ByteBuffer good = macvlan(1);
        byte[] bytes = new byte[good.remaining()];
        good.get(bytes);
        Random r = new Random(51);
        for (int len = 0; len <= bytes.length; len++) {
            parse(bytes, len);
        }
        for (int i = 0; i < 20_000; i++) {
            byte[] b = bytes.clone();
            b[r.nextInt(b.length)] = (byte) r.nextInt(256);
            b[r.nextInt(b.length)] = (byte) r.nextInt(256);
            parse(b, b.length);
        }
    }

    private static Optional<RtNetlink.LinkDetails> parse(byte[] b, int len) {
        return RtNetlink.parseLinkDetails(ByteBuffer.wrap(b, 0, len).slice().order(Sys.NATIVE));
    }
}
