package io.havip.arp.linux;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;

/**
 * The rtnetlink reply parsers on arbitrary payloads (the bytes after the 16-byte nlmsghdr, in
 * native order, as {@link NetlinkSocket} hands them over): {@link RtNetlink#parseAddress}
 * (RTM_NEWADDR), {@link RtNetlink#parseLink} (RTM_NEWLINK, also what {@link LinkMonitor} reads
 * from link events) and {@link NetlinkSocket#extAckMessage} (an NLMSG_ERROR's extended ACK).
 * Their contract: a malformed payload is no answer (empty / null), never an exception. Byte 0
 * of the input is the nlmsghdr flags for extAckMessage; the rest is the payload.
 *
 * <p>Not covered: the datagram framing loop inside {@code NetlinkSocket.exchange}, which
 * reads straight from the socket and has no seam to feed it bytes.
 */
class NetlinkParsingFuzzTest {

    @FuzzTest
    void replies(byte[] input) {
        if (input.length < 1) {
            return;
        }
        int flags = (input[0] & 0xff) << 4 & (NetlinkSocket.NLM_F_ACK_TLVS | NetlinkSocket.NLM_F_CAPPED);
        ByteBuffer payload = ByteBuffer.wrap(input, 1, input.length - 1).slice().order(Sys.NATIVE);
        RtNetlink.parseAddress(payload.duplicate().order(Sys.NATIVE))
                .ifPresent(a -> assertThat(a.ifindex()).isEqualTo(payload.getInt(4)));
        RtNetlink.parseLink(payload.duplicate().order(Sys.NATIVE))
                .ifPresent(l -> assertThat(l.index()).isPositive());
        String text = NetlinkSocket.extAckMessage(payload.duplicate().order(Sys.NATIVE), flags);
        assertThat(text == null || text.length() < input.length).isTrue();
    }
}
