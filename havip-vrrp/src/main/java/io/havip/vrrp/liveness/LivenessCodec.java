package io.havip.vrrp.liveness;

import io.havip.core.net.IpAddress;
import io.havip.core.net.IpFamily;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Frames of the liveness channel. Every frame is a 3-byte header and a bounded body:
 *
 * <pre>
 *  0                   1                   2
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |        Body length            |  then the body
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Type 1 HELLO:     Version (1) | VRID (1) | Family (4 or 6) | Client address (4|16)
 *                   | Server address (4|16) | Nonce (16) | Proof length (0|32) | Proof
 * Type 2 HEARTBEAT: Sequence (4, unsigned)
 * Type 3 GOODBYE:   empty
 * </pre>
 *
 * A reader refuses an unknown type or a length above {@link #MAX_BODY} from the header alone,
 * so a peer can never make it buffer more than {@code MAX_BODY} bytes. Stateless.
 */
public final class LivenessCodec {

    public static final int TYPE_HELLO = 1;
    public static final int TYPE_HEARTBEAT = 2;
    public static final int TYPE_GOODBYE = 3;
    /** The protocol version this codec speaks. */
    public static final int VERSION = 1;
    /** The largest body: an IPv6 hello is 3 + 16 + 16 + 16 + 1 + 32 = 84 bytes. */
    public static final int MAX_BODY = 96;
    static final int HEADER = 3;

    private LivenessCodec() {
    }

    /** The frame (header and body) for {@code message}. */
    public static byte[] encode(LivenessMessage message) {
        byte[] body;
        int type;
        if (message instanceof LivenessMessage.Hello h) {
            type = TYPE_HELLO;
            byte[] c = h.client().toBytes();
            byte[] s = h.server().toBytes();
            byte[] proof = h.proof();
            ByteBuffer b = ByteBuffer.allocate(3 + c.length + s.length + LivenessAuth.NONCE_BYTES + 1 + proof.length);
            b.put((byte) VERSION).put((byte) h.vrid()).put((byte) (h.client().family() == IpFamily.IPV4 ? 4 : 6));
            b.put(c).put(s).put(h.nonce()).put((byte) proof.length).put(proof);
            body = b.array();
        } else if (message instanceof LivenessMessage.Heartbeat hb) {
            type = TYPE_HEARTBEAT;
            body = ByteBuffer.allocate(4).putInt((int) hb.sequence()).array();
        } else {
            type = TYPE_GOODBYE;
            body = new byte[0];
        }
        return frame(type, body);
    }

    /** A raw frame with any type and body, for negative tests (nothing is checked). */
    public static byte[] frame(int type, byte[] body) {
        byte[] out = new byte[HEADER + body.length];
        out[0] = (byte) type;
        out[1] = (byte) (body.length >>> 8);
        out[2] = (byte) body.length;
        System.arraycopy(body, 0, out, HEADER, body.length);
        return out;
    }

    /**
     * Reads one frame.
     *
     * @throws EOFException               when the stream ends (cleanly, before a header, or inside a frame)
     * @throws LivenessProtocolException  when the frame is not one the channel accepts
     */
    public static LivenessMessage read(InputStream in) throws IOException, LivenessProtocolException {
        DataInputStream data = new DataInputStream(in);
        int type = data.read();
        if (type < 0) {
            throw new EOFException("liveness channel closed by the peer");
        }
        int length = data.readUnsignedShort();
        checkHeader(type, length);
        byte[] body = new byte[length];
        data.readFully(body);
        return decodeBody(type, body);
    }

    /**
     * Takes one frame from {@code in} (in read mode) if a whole one is there: the non-blocking
     * reader's {@link #read}. The header is checked as soon as it is there, so an unknown type
     * or an oversized length is refused before its body arrives.
     *
     * @return the message, or null when the frame is not complete yet (nothing is consumed)
     * @throws LivenessProtocolException when the frame is not one the channel accepts
     */
    static LivenessMessage take(ByteBuffer in) throws LivenessProtocolException {
        if (in.remaining() < HEADER) {
            return null;
        }
        int at = in.position();
        int type = in.get(at) & 0xFF;
        int length = ((in.get(at + 1) & 0xFF) << 8) | (in.get(at + 2) & 0xFF);
        checkHeader(type, length);
        if (in.remaining() < HEADER + length) {
            return null;
        }
        byte[] body = new byte[length];
        in.position(at + HEADER);
        in.get(body);
        return decodeBody(type, body);
    }

    private static void checkHeader(int type, int length) throws LivenessProtocolException {
        if (type != TYPE_HELLO && type != TYPE_HEARTBEAT && type != TYPE_GOODBYE) {
            throw new LivenessProtocolException(LivenessProtocolException.Reason.UNKNOWN_TYPE,
                    "frame type " + type + " is none of hello (1), heartbeat (2), goodbye (3)");
        }
        if (length > MAX_BODY) {
            throw new LivenessProtocolException(LivenessProtocolException.Reason.OVERSIZED,
                    "frame of type " + type + " announces " + length + " bytes; at most " + MAX_BODY + " are accepted");
        }
    }

    /** Decodes a body of a known type. */
    static LivenessMessage decodeBody(int type, byte[] body) throws LivenessProtocolException {
        switch (type) {
            case TYPE_HEARTBEAT -> {
                expect(body.length == 4, "heartbeat body has " + body.length + " bytes, not 4");
                return new LivenessMessage.Heartbeat(ByteBuffer.wrap(body).getInt() & 0xFFFF_FFFFL);
            }
            case TYPE_GOODBYE -> {
                expect(body.length == 0, "goodbye body has " + body.length + " bytes, not 0");
                return new LivenessMessage.Goodbye();
            }
            default -> {
                return decodeHello(body);
            }
        }
    }

    private static LivenessMessage decodeHello(byte[] body) throws LivenessProtocolException {
        expect(body.length >= 3, "hello body has " + body.length + " bytes, fewer than its 3-byte start");
        expect((body[0] & 0xFF) == VERSION, "hello version " + (body[0] & 0xFF) + " is not " + VERSION);
        int vrid = body[1] & 0xFF;
        int family = body[2] & 0xFF;
        expect(family == 4 || family == 6, "hello address family " + family + " is neither 4 nor 6");
        int a = family == 4 ? 4 : 16;
        int fixed = 3 + 2 * a + LivenessAuth.NONCE_BYTES + 1;
        expect(body.length >= fixed, "IPv" + family + " hello body has " + body.length + " bytes, fewer than " + fixed);
        int proofLength = body[fixed - 1] & 0xFF;
        expect(proofLength == 0 || proofLength == LivenessAuth.PROOF_BYTES,
                "hello proof length " + proofLength + " is neither 0 nor " + LivenessAuth.PROOF_BYTES);
        expect(body.length == fixed + proofLength, "hello body has " + body.length + " bytes, not "
                + (fixed + proofLength));
        expect(vrid >= 1, "hello vrid 0 is not a virtual router");
        IpAddress client = IpAddress.ofBytes(Arrays.copyOfRange(body, 3, 3 + a));
        IpAddress server = IpAddress.ofBytes(Arrays.copyOfRange(body, 3 + a, 3 + 2 * a));
        byte[] nonce = Arrays.copyOfRange(body, 3 + 2 * a, 3 + 2 * a + LivenessAuth.NONCE_BYTES);
        byte[] proof = Arrays.copyOfRange(body, fixed, fixed + proofLength);
        return new LivenessMessage.Hello(vrid, client, server, nonce, proof);
    }

    private static void expect(boolean ok, String message) throws LivenessProtocolException {
        if (!ok) {
            throw new LivenessProtocolException(LivenessProtocolException.Reason.MALFORMED, message);
        }
    }
}
