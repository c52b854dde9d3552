package io.havip.arp.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A NETLINK_ROUTE socket (netlink(7), rtnetlink(7)) with extended ACK on, speaking
 * request / ACK and dump exchanges. Messages are built and parsed in the native byte
 * order, as the kernel structs are. Not thread-safe; {@link RtNetlink} serialises calls.
 */
final class NetlinkSocket implements AutoCloseable {

    static final int NLMSG_HDRLEN = 16;
    static final int NLMSG_ERROR = 2;
    static final int NLMSG_DONE = 3;
    static final int NLMSG_OVERRUN = 4;

    static final int NLM_F_REQUEST = 0x1;
    static final int NLM_F_MULTI = 0x2;
    static final int NLM_F_ACK = 0x4;
    static final int NLM_F_DUMP_INTR = 0x10;
    static final int NLM_F_DUMP = 0x300;
    static final int NLM_F_EXCL = 0x200;
    static final int NLM_F_CREATE = 0x400;
    /** Flags of an NLMSG_ERROR reply (linux/netlink.h): request payload left out, TLVs follow. */
    static final int NLM_F_CAPPED = 0x100;
    static final int NLM_F_ACK_TLVS = 0x200;
    static final int NLMSGERR_ATTR_MSG = 1;

    /** Netlink's default skb size for dumps is at most 32 KiB; 64 KiB leaves room (netlink(7) advises 8 KiB+). */
    private static final int RECEIVE_BUFFER = 1 << 16;

    /**
     * Room for the answer to a {@link Prepared} request: an ACK, or an error with the kernel's
     * text (with NETLINK_CAP_ACK the request is not echoed), far below a page.
     */
    private static final int ACK_BUFFER = 8192;

    final int fd;
    private final byte[] buffer = new byte[RECEIVE_BUFFER];
    /** Native memory {@link #receive} reads into (allocated on first use). */
    private Memory receiveBuffer;
    /** Native memory the answers to {@link Prepared} requests are read into (allocated on first use). */
    private Memory ackBuffer;
    private int seq = (int) (System.nanoTime() & 0x3fffffff);

    private NetlinkSocket(int fd) {
        this.fd = fd;
    }

    /**
     * Opens a NETLINK_ROUTE socket in the calling thread's network namespace, subscribed to
     * {@code groups} (RTMGRP_* bit mask, 0 for none), with NETLINK_EXT_ACK and NETLINK_CAP_ACK on.
     */
    static NetlinkSocket open(String attempted, int groups, boolean requestTimeout) throws NativeException {
        int fd = Sys.socket(attempted, "AF_NETLINK, NETLINK_ROUTE", Sys.AF_NETLINK, Sys.SOCK_RAW, Sys.NETLINK_ROUTE,
                Capability.CAP_NET_ADMIN);
        try {
            // Extended ACK (Linux 4.12): the kernel's own error text comes back in NLMSGERR_ATTR_MSG.
            // CAP_ACK leaves the request out of error replies. Both are best-effort on older kernels.
            trySet(fd, Sys.NETLINK_EXT_ACK);
            trySet(fd, Sys.NETLINK_CAP_ACK);
            if (requestTimeout) {
                // The kernel always answers a request; the timeout only turns a kernel bug into an error.
                Memory tv = new Memory(2L * Sys.LONG);
                tv.clear();
                if (Sys.LONG == 8) {
                    tv.setLong(0, 5);
                } else {
                    tv.setInt(0, 5);
                }
                Sys.setsockopt(fd, Sys.SOL_SOCKET, 20 /* SO_RCVTIMEO */, tv, "SO_RCVTIMEO", attempted, null, null);
            }
            Memory sa = new Memory(12); // struct sockaddr_nl
            sa.clear();
            sa.setShort(0, (short) Sys.AF_NETLINK);
            sa.setInt(8, groups);
            try {
                LibC.get().bind(fd, sa, 12);
            } catch (LastErrorException e) {
                throw NativeException.of(attempted, "bind(AF_NETLINK)", e.getErrorCode(), null, null, null);
            }
            return new NetlinkSocket(fd);
        } catch (NativeException | RuntimeException e) {
            Sys.closeQuietly(fd);
            throw e;
        }
    }

    private static void trySet(int fd, int option) {
        Memory one = new Memory(4);
        one.setInt(0, 1);
        try {
            LibC.get().setsockopt(fd, Sys.SOL_NETLINK, option, one, 4);
        } catch (LastErrorException ignored) {
            // kernels before 4.3 / 4.12: plain errno without the kernel's text
        }
    }

    /** A message builder: header, a fixed struct, then attributes, all 4-byte aligned, native order. */
    static final class Message {
        final ByteBuffer buf = ByteBuffer.allocate(1024).order(Sys.NATIVE);

        Message(int type, int flags) {
            buf.putInt(0).putShort((short) type).putShort((short) flags).putInt(0).putInt(0);
        }

        Message attr(int type, byte[] value) {
            int len = 4 + value.length;
            buf.putShort((short) len).putShort((short) type).put(value);
            align();
            return this;
        }

        Message attrInt(int type, int value) {
            return attr(type, ByteBuffer.allocate(4).order(Sys.NATIVE).putInt(value).array());
        }

        Message attrString(int type, String value) {
            byte[] s = value.getBytes(StandardCharsets.UTF_8);
            byte[] z = new byte[s.length + 1];
            System.arraycopy(s, 0, z, 0, s.length);
            return attr(type, z);
        }

        /** Opens a nested attribute (e.g. IFLA_LINKINFO); {@link #end} closes it. Returns where it starts. */
        int nest(int type) {
            int start = buf.position();
            buf.putShort((short) 4).putShort((short) type);
            return start;
        }

        /** Closes the nested attribute opened at {@code start}: writes its length. */
        Message end(int start) {
            align();
            buf.putShort(start, (short) (buf.position() - start));
            return this;
        }

        void align() {
            while ((buf.position() & 3) != 0) {
                buf.put((byte) 0);
            }
        }

        byte[] finish(int seq) {
            align();
            int len = buf.position();
            buf.putInt(0, len).putInt(8, seq);
            byte[] out = new byte[len];
            System.arraycopy(buf.array(), 0, out, 0, len);
            return out;
        }
    }

    /**
     * A request built once in native memory and sent as it is every time (only its sequence
     * number changes): the takeover path's RTM_NEWADDR, with no message building, copying or
     * JNA proxy between the decision and the kernel. Used by one thread at a time ({@link RtNetlink}
     * serialises).
     */
    static final class Prepared {
        private final Message message;
        private final Memory bytes;
        private final int length;

        Prepared(Message message) {
            this.message = message;
            byte[] b = message.finish(0);
            this.length = b.length;
            this.bytes = new Memory(b.length);
            bytes.write(0, b, 0, b.length);
        }
    }

    /**
     * Sends {@code p} (which asks for an ACK) and waits for the ACK, reading it into native
     * memory; a refusal comes back as {@link KernelError} with the kernel's text. Without
     * {@link DirectLibC} it goes the way of {@link #ack(Message, String, String)}.
     */
    void ack(Prepared p, String attempted, String what) throws NativeException, KernelError {
        if (!DirectLibC.AVAILABLE) {
            ack(p.message, attempted, what);
            return;
        }
        if (ackBuffer == null) {
            ackBuffer = new Memory(ACK_BUFFER);
        }
        int s = ++seq;
        p.bytes.setInt(8, s);
        try {
            DirectLibC.send(fd, p.bytes, p.length, 0);
        } catch (LastErrorException e) {
            throw NativeException.of(attempted, what, e.getErrorCode(), null, Capability.CAP_NET_ADMIN, null);
        }
        while (true) {
            long n;
            try {
                n = DirectLibC.recv(fd, ackBuffer, ACK_BUFFER, 0);
            } catch (LastErrorException e) {
                throw receiveFailed(attempted, what, e.getErrorCode(), false);
            }
            if (acked(ackBuffer, (int) n, s, attempted, what)) {
                return;
            }
        }
    }

    /**
     * Runs the reading of an ACK once on a made-up one, so the first real {@link #ack(Prepared,
     * String, String)} (a takeover) finds its code linked and its buffer allocated.
     */
    void rehearseAck() {
        if (ackBuffer == null) {
            ackBuffer = new Memory(ACK_BUFFER);
        }
        ackBuffer.clear(NLMSG_HDRLEN + 4);
        ackBuffer.setInt(0, NLMSG_HDRLEN + 4);
        ackBuffer.setShort(4, (short) NLMSG_ERROR);
        ackBuffer.setInt(8, -1);
        try {
            acked(ackBuffer, NLMSG_HDRLEN + 4, -1, "rehearse", "NLMSG_ERROR");
        } catch (NativeException | KernelError e) {
            throw new IllegalStateException("a made-up ACK did not read as one", e);
        }
    }

    /**
     * Whether {@code buf} ({@code n} bytes) holds the ACK of request {@code seq}; replies to
     * other requests are skipped.
     *
     * @throws KernelError when it is an error reply
     */
    static boolean acked(Memory buf, int n, int seq, String attempted, String what) throws NativeException, KernelError {
        for (int pos = 0; pos + NLMSG_HDRLEN <= n; ) {
            int len = buf.getInt(pos);
            int type = buf.getShort(pos + 4) & 0xffff;
            int flags = buf.getShort(pos + 6) & 0xffff;
            if (len < NLMSG_HDRLEN || pos + len > n || (type == NLMSG_ERROR && len < NLMSG_HDRLEN + 4)) {
                throw new NativeException(attempted, what, Errno.EIO.number, null,
                        "malformed netlink reply (length " + len + " at " + pos + " of " + n + ")");
            }
            if (type == NLMSG_ERROR && buf.getInt(pos + 8) == seq) {
                int error = buf.getInt(pos + NLMSG_HDRLEN);
                if (error == 0) {
                    return true;
                }
                ByteBuffer payload = ByteBuffer.wrap(buf.getByteArray(pos + NLMSG_HDRLEN, len - NLMSG_HDRLEN))
                        .order(Sys.NATIVE);
                throw new KernelError(-error, extAckMessage(payload, flags));
            }
            pos += (len + 3) & ~3;
        }
        return false;
    }

    /** A parsed reply: its type and the payload after the netlink header. */
    record Reply(int type, int flags, ByteBuffer payload) { }

    /** A NLMSG_ERROR reply with a non-zero error: the negative errno and the kernel's text, if any. */
    static final class KernelError extends Exception {
        final int errno;
        final String text;

        KernelError(int errno, String text) {
            super(null, null, false, false);
            this.errno = errno;
            this.text = text;
        }
    }

    /** Sends {@code m} with ACK requested and waits for the ACK; a failure comes back as {@link KernelError}. */
    void ack(Message m, String attempted, String what) throws NativeException, KernelError {
        exchange(m, attempted, what, false);
    }

    /** Sends a dump request and collects every reply until NLMSG_DONE; retries once when interrupted. */
    List<Reply> dump(Message m, String attempted, String what) throws NativeException, KernelError {
        return exchange(m, attempted, what, true);
    }

    /** Sends a single GET request (no ACK) and returns its one answer. */
    Reply get(Message m, String attempted, String what) throws NativeException, KernelError {
        List<Reply> r = exchange(m, attempted, what, false);
        return r.get(0);
    }

    private List<Reply> exchange(Message m, String attempted, String what, boolean dump)
            throws NativeException, KernelError {
        for (int attempt = 0; ; attempt++) {
            int s = ++seq;
            byte[] bytes = m.finish(s);
            send(bytes, attempted, what);
            List<Reply> out = new ArrayList<>();
            boolean interrupted = false;
            while (true) {
                int n = receive(attempted, what, false);
                ByteBuffer b = ByteBuffer.wrap(buffer, 0, n).order(Sys.NATIVE);
                boolean finished = false;
                int pos = 0;
                while (pos + NLMSG_HDRLEN <= n) {
                    int len = b.getInt(pos);
                    int type = b.getShort(pos + 4) & 0xffff;
                    int flags = b.getShort(pos + 6) & 0xffff;
                    int rseq = b.getInt(pos + 8);
                    if (len < NLMSG_HDRLEN || pos + len > n) {
                        throw new NativeException(attempted, what, Errno.EIO.number, null,
                                "malformed netlink reply (length " + len + " at " + pos + " of " + n + ")");
                    }
                    if (rseq == s) {
                        ByteBuffer payload = ByteBuffer.wrap(buffer, pos + NLMSG_HDRLEN, len - NLMSG_HDRLEN).slice()
                                .order(Sys.NATIVE);
                        payload = copy(payload);
                        if ((flags & NLM_F_DUMP_INTR) != 0) {
                            interrupted = true;
                        }
                        if (type == NLMSG_ERROR) {
                            int error = payload.getInt(0);
                            if (error != 0) {
                                throw new KernelError(-error, extAckMessage(payload, flags));
                            }
                            finished = true;
                        } else if (type == NLMSG_DONE) {
                            finished = true;
                        } else if (type != NLMSG_OVERRUN && type != 1 /* NLMSG_NOOP */) {
                            out.add(new Reply(type, flags, payload));
                            if (!dump && (flags & NLM_F_MULTI) == 0 && (m.buf.getShort(6) & NLM_F_ACK) == 0) {
                                finished = true;
                            }
                        }
                    }
                    pos += (len + 3) & ~3;
                }
                if (finished) {
                    break;
                }
            }
            if (!interrupted || attempt >= 2) {
                return out;
            }
        }
    }

    private static ByteBuffer copy(ByteBuffer b) {
        ByteBuffer c = ByteBuffer.allocate(b.remaining()).order(Sys.NATIVE);
        c.put(b.duplicate()).flip();
        return c;
    }

    /**
     * The NLMSGERR_ATTR_MSG text of an error payload (struct nlmsgerr: int error, the request's
     * nlmsghdr, its payload unless NLM_F_CAPPED, then TLVs when NLM_F_ACK_TLVS).
     */
    static String extAckMessage(ByteBuffer p, int flags) {
        if ((flags & NLM_F_ACK_TLVS) == 0 || p.limit() < 4 + NLMSG_HDRLEN) {
            return null;
        }
        int requestLen = p.getInt(4);
        if ((flags & NLM_F_CAPPED) == 0 && (requestLen < NLMSG_HDRLEN || requestLen > p.limit() - 4)) {
            return null; // the echoed request's length points outside the payload: no TLVs to read
        }
        int pos = 4 + ((flags & NLM_F_CAPPED) != 0 ? NLMSG_HDRLEN : ((requestLen + 3) & ~3));
        while (pos + 4 <= p.limit()) {
            int alen = p.getShort(pos) & 0xffff;
            int atype = p.getShort(pos + 2) & 0x3fff;
            if (alen < 4 || pos + alen > p.limit()) {
                break;
            }
            if (atype == NLMSGERR_ATTR_MSG) {
                byte[] raw = new byte[alen - 4];
                p.get(pos + 4, raw);
                return Sys.cString(raw, 0, raw.length);
            }
            pos += (alen + 3) & ~3;
        }
        return null;
    }

    void send(byte[] bytes, String attempted, String what) throws NativeException {
        try {
            LibC.get().send(fd, bytes, Sys.nl(bytes.length), 0);
        } catch (LastErrorException e) {
            throw NativeException.of(attempted, what, e.getErrorCode(), null, Capability.CAP_NET_ADMIN, null);
        }
    }

    /** Receives one datagram into the buffer; returns its length. ENOBUFS (overrun) surfaces as NativeException. */
    int receive(String attempted, String what, boolean dontWait) throws NativeException {
        int flags = dontWait ? Sys.MSG_DONTWAIT : 0;
        try {
            if (!DirectLibC.AVAILABLE) {
                return LibC.get().recv(fd, buffer, Sys.nl(buffer.length), flags).intValue();
            }
            // into native memory, then only what came is copied: a byte[] argument through JNA
            // allocates and copies the whole 64 KiB in and out on every event
            if (receiveBuffer == null) {
                receiveBuffer = new Memory(RECEIVE_BUFFER);
            }
            int n = (int) DirectLibC.recv(fd, receiveBuffer, RECEIVE_BUFFER, flags);
            receiveBuffer.read(0, buffer, 0, n);
            return n;
        } catch (LastErrorException e) {
            throw receiveFailed(attempted, what, e.getErrorCode(), dontWait);
        }
    }

    private static NativeException receiveFailed(String attempted, String what, int errno, boolean dontWait) {
        if (errno == Errno.EAGAIN.number && !dontWait) {
            return new NativeException(attempted, what, errno, null, "the kernel did not answer within 5 s");
        }
        return NativeException.of(attempted, what, errno, null, null, null);
    }

    /** The raw receive buffer (valid up to the length {@link #receive} returned). */
    byte[] buffer() {
        return buffer;
    }

    @Override
    public void close() {
        Sys.closeQuietly(fd);
    }
}
