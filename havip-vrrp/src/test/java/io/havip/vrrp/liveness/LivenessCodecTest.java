package io.havip.vrrp.liveness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.havip.core.net.IpAddress;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class LivenessCodecTest {

    private static final IpAddress A = IpAddress.parse("198.51.100.11");
    private static final IpAddress B = IpAddress.parse("198.51.100.12");
    private static final byte[] NONCE = HexFormat.of().parseHex("000102030405060708090a0b0c0d0e0f");

    private static LivenessMessage roundTrip(LivenessMessage m) throws Exception {
        return LivenessCodec.read(new ByteArrayInputStream(LivenessCodec.encode(m)));
    }

    private static LivenessProtocolException refusal(byte[] frame) {
        try {
            LivenessCodec.read(new ByteArrayInputStream(frame));
        } catch (LivenessProtocolException e) {
            return e;
        } catch (Exception e) {
            throw new AssertionError("expected a protocol refusal, got " + e, e);
        }
        throw new AssertionError("frame was accepted");
    }

    @Test
    void ipv4HelloWithoutProofHasTheDocumentedLayout() throws Exception {
        LivenessMessage.Hello h = new LivenessMessage.Hello(51, A, B, NONCE, new byte[0]);
        assertThat(HexFormat.of().formatHex(LivenessCodec.encode(h))).isEqualTo(
                "01" + "001c" + "01" + "33" + "04" + "c633640b" + "c633640c" + "000102030405060708090a0b0c0d0e0f" + "00");
        assertThat(roundTrip(h)).isEqualTo(h);
    }

    @Test
    void ipv6HelloWithProofRoundTripsAndFitsTheBound() throws Exception {
        byte[] proof = new byte[32];
        proof[31] = 7;
        LivenessMessage.Hello h = new LivenessMessage.Hello(7, IpAddress.parse("fe80::1"), IpAddress.parse("fe80::2"),
                NONCE, proof);
        byte[] wire = LivenessCodec.encode(h);
        assertThat(wire.length - 3).isEqualTo(84).isLessThanOrEqualTo(LivenessCodec.MAX_BODY);
        assertThat(roundTrip(h)).isEqualTo(h);
    }

    @Test
    void heartbeatAndGoodbye() throws Exception {
        assertThat(HexFormat.of().formatHex(LivenessCodec.encode(new LivenessMessage.Heartbeat(0xFFFF_FFFEL))))
                .isEqualTo("020004fffffffe");
        assertThat(roundTrip(new LivenessMessage.Heartbeat(0xFFFF_FFFEL))).isEqualTo(new LivenessMessage.Heartbeat(0xFFFF_FFFEL));
        assertThat(HexFormat.of().formatHex(LivenessCodec.encode(new LivenessMessage.Goodbye()))).isEqualTo("030000");
        assertThat(roundTrip(new LivenessMessage.Goodbye())).isEqualTo(new LivenessMessage.Goodbye());
    }

    @Test
    void unknownTypeIsRefusedFromTheHeader() {
        LivenessProtocolException e = refusal(LivenessCodec.frame(9, new byte[0]));
        assertThat(e.reason()).isEqualTo(LivenessProtocolException.Reason.UNKNOWN_TYPE);
        assertThat(e).hasMessage("frame type 9 is none of hello (1), heartbeat (2), goodbye (3)");
    }

    @Test
    void oversizedFrameIsRefusedBeforeItsBodyIsRead() {
        // Only the header: a reader that tried to read 65535 bytes would hit EOF instead.
        LivenessProtocolException e = refusal(new byte[] {1, (byte) 0xFF, (byte) 0xFF});
        assertThat(e.reason()).isEqualTo(LivenessProtocolException.Reason.OVERSIZED);
        assertThat(e).hasMessage("frame of type 1 announces 65535 bytes; at most 96 are accepted");
        assertThat(refusal(LivenessCodec.frame(2, new byte[97])).reason())
                .isEqualTo(LivenessProtocolException.Reason.OVERSIZED);
    }

    @Test
    void malformedBodiesAreRefusedWithTheirReason() {
        assertThat(refusal(LivenessCodec.frame(2, new byte[3]))).hasMessage("heartbeat body has 3 bytes, not 4");
        assertThat(refusal(LivenessCodec.frame(3, new byte[1]))).hasMessage("goodbye body has 1 bytes, not 0");
        assertThat(refusal(LivenessCodec.frame(1, new byte[2])))
                .hasMessage("hello body has 2 bytes, fewer than its 3-byte start");
        assertThat(refusal(LivenessCodec.frame(1, new byte[] {2, 51, 4})))
                .hasMessage("hello version 2 is not 1");
        assertThat(refusal(LivenessCodec.frame(1, new byte[] {1, 51, 5}))).hasMessage(
                "hello address family 5 is neither 4 nor 6");
        assertThat(refusal(LivenessCodec.frame(1, new byte[] {1, 51, 4, 0}))).hasMessage(
                "IPv4 hello body has 4 bytes, fewer than 28");
        byte[] good = LivenessCodec.encode(new LivenessMessage.Hello(51, A, B, NONCE, new byte[0]));
        byte[] body = java.util.Arrays.copyOfRange(good, 3, good.length);
        body[body.length - 1] = 5;
        assertThat(refusal(LivenessCodec.frame(1, body))).hasMessage("hello proof length 5 is neither 0 nor 32");
        body[body.length - 1] = 32;
        assertThat(refusal(LivenessCodec.frame(1, body))).hasMessage("hello body has 28 bytes, not 60");
        body[body.length - 1] = 0;
        body[1] = 0;
        assertThat(refusal(LivenessCodec.frame(1, body))).hasMessage("hello vrid 0 is not a virtual router");
        assertThat(refusal(LivenessCodec.frame(1, body)).reason()).isEqualTo(LivenessProtocolException.Reason.MALFORMED);
    }

    @Test
    void endOfStreamIsAnEofNotARefusal() {
        assertThatThrownBy(() -> LivenessCodec.read(new ByteArrayInputStream(new byte[0])))
                .isInstanceOf(EOFException.class).hasMessage("liveness channel closed by the peer");
        assertThatThrownBy(() -> LivenessCodec.read(new ByteArrayInputStream(new byte[] {2, 0, 4, 1})))
                .isInstanceOf(EOFException.class);
    }

    @Test
    void messagesValidateTheirFields() {
        assertThatThrownBy(() -> new LivenessMessage.Hello(0, A, B, NONCE, new byte[0]))
                .hasMessage("hello: vrid 0 is outside 1-255");
        assertThatThrownBy(() -> new LivenessMessage.Hello(1, A, IpAddress.parse("2001:db8::1"), NONCE, new byte[0]))
                .hasMessage("hello: client 198.51.100.11 and server 2001:db8::1 must be addresses of one family");
        assertThatThrownBy(() -> new LivenessMessage.Hello(1, A, B, new byte[3], new byte[0]))
                .hasMessage("hello: nonce must have 16 bytes");
        assertThatThrownBy(() -> new LivenessMessage.Hello(1, A, B, NONCE, new byte[31]))
                .hasMessage("hello: proof must be empty or 32 bytes");
        assertThatThrownBy(() -> new LivenessMessage.Heartbeat(-1))
                .hasMessage("heartbeat sequence -1 is outside 0-2^32-1");
    }

    @Test
    void takeWaitsForAWholeFrameConsumingNothingAndChecksTheHeaderBeforeTheBody() throws Exception {
        LivenessMessage hello = new LivenessMessage.Hello(51, IpAddress.parse("198.51.100.12"),
                IpAddress.parse("198.51.100.11"), new byte[16], new byte[0]);
        byte[] frames = java.nio.ByteBuffer.allocate(64).put(LivenessCodec.encode(hello))
                .put(LivenessCodec.encode(new LivenessMessage.Heartbeat(7))).flip().array();
        int helloLength = LivenessCodec.encode(hello).length;
        java.nio.ByteBuffer in = java.nio.ByteBuffer.allocate(64);
        for (int i = 0; i < helloLength - 1; i++) { // byte by byte, as a trickling peer sends it
            in.put(frames[i]).flip();
            assertThat(LivenessCodec.take(in)).isNull();
            assertThat(in.position()).as("nothing consumed").isZero();
            in.compact();
        }
        in.put(frames, helloLength - 1, 1 + 7).flip();
        assertThat(LivenessCodec.take(in)).isEqualTo(hello);
        assertThat(LivenessCodec.take(in)).isEqualTo(new LivenessMessage.Heartbeat(7));
        assertThat(LivenessCodec.take(in)).isNull();

        java.nio.ByteBuffer oversized = java.nio.ByteBuffer.wrap(new byte[] {1, (byte) 0xFF, (byte) 0xFF});
        assertThatThrownBy(() -> LivenessCodec.take(oversized)).isInstanceOf(LivenessProtocolException.class)
                .hasMessageContaining("announces 65535 bytes");
        java.nio.ByteBuffer unknown = java.nio.ByteBuffer.wrap(new byte[] {9, 0, 0});
        assertThatThrownBy(() -> LivenessCodec.take(unknown)).isInstanceOf(LivenessProtocolException.class)
                .hasMessageContaining("frame type 9");
    }
}
