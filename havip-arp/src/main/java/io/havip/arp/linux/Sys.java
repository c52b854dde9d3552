package io.havip.arp.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import io.havip.core.net.IpAddress;
import io.havip.core.net.Ipv4Address;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Kernel constants and small wrappers around {@link LibC} shared by this package. Values
 * are the asm-generic ones used by x86_64, arm64 and riscv64 (linux/socket.h, linux/in.h,
 * linux/in6.h, linux/netlink.h, linux/if_packet.h, asm-generic/socket.h); kernel structs are
 * laid out in the native byte order, only addresses and ports are in network order.
 */
final class Sys {

    private Sys() { }

    static final int AF_UNSPEC = 0;
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    static final int AF_NETLINK = 16;
    static final int AF_PACKET = 17;

    static final int SOCK_DGRAM = 2;
    static final int SOCK_RAW = 3;
    static final int SOCK_CLOEXEC = 0x80000;

    static final int SOL_SOCKET = 1;
    static final int SO_RCVBUF = 8;
    static final int SO_RCVBUFFORCE = 33;
    static final int SO_BINDTODEVICE = 25;
    static final int SO_ATTACH_FILTER = 26;
    /** Ask for the socket's drop count (packets the kernel dropped for a full receive buffer) with each message. */
    static final int SO_RXQ_OVFL = 40;

    static final int IPPROTO_IP = 0;
    static final int IP_TTL = 2;
    static final int IP_PKTINFO = 8;
    static final int IP_RECVTTL = 12;
    static final int IP_MULTICAST_IF = 32;
    static final int IP_MULTICAST_TTL = 33;
    static final int IP_MULTICAST_LOOP = 34;
    static final int IP_ADD_MEMBERSHIP = 35;
    static final int IP_DROP_MEMBERSHIP = 36;
    static final int IP_MULTICAST_ALL = 49;

    static final int IPPROTO_IPV6 = 41;
    static final int IPV6_CHECKSUM = 7;
    static final int IPV6_UNICAST_HOPS = 16;
    static final int IPV6_MULTICAST_IF = 17;
    static final int IPV6_MULTICAST_HOPS = 18;
    static final int IPV6_MULTICAST_LOOP = 19;
    static final int IPV6_ADD_MEMBERSHIP = 20;
    static final int IPV6_DROP_MEMBERSHIP = 21;
    static final int IPV6_MULTICAST_ALL = 29;
    static final int IPV6_RECVPKTINFO = 49;
    static final int IPV6_PKTINFO = 50;
    static final int IPV6_RECVHOPLIMIT = 51;
    static final int IPV6_HOPLIMIT = 52;

    /** IANA protocol number of VRRP (RFC 5798 section 5.1.1.4 / 5.1.2.4). */
    static final int IPPROTO_VRRP = 112;

    static final int SOL_NETLINK = 270;
    static final int NETLINK_ROUTE = 0;
    static final int NETLINK_ADD_MEMBERSHIP = 1;
    static final int NETLINK_CAP_ACK = 10;
    static final int NETLINK_EXT_ACK = 11;

    static final int MSG_TRUNC = 0x20;
    static final int MSG_CTRUNC = 0x08;
    static final int MSG_DONTWAIT = 0x40;

    static final short POLLIN = 0x1;
    static final short POLLERR = 0x8;
    static final short POLLHUP = 0x10;
    static final short POLLNVAL = 0x20;

    static final int EFD_CLOEXEC = 0x80000;
    static final int O_RDONLY = 0;
    static final int O_CLOEXEC = 0x80000;
    static final int CLONE_NEWNET = 0x40000000;

    /** Interface flags (linux/if.h); IFF_LOWER_UP and above only come through netlink, not SIOCGIFFLAGS. */
    static final int IFF_UP = 0x1;
    static final int IFF_BROADCAST = 0x2;
    static final int IFF_LOOPBACK = 0x8;
    static final int IFF_RUNNING = 0x40;
    static final int IFF_NOARP = 0x80;
    static final int IFF_MULTICAST = 0x1000;
    static final int IFF_LOWER_UP = 0x10000;

    static final int IFNAMSIZ = 16;

    static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    /** sizeof(long), the cmsg alignment and the width of size_t. */
    static final int LONG = NativeLong.SIZE;
    static final int POINTER = Native.POINTER_SIZE;

    static NativeLong nl(long v) {
        return new NativeLong(v);
    }

    static ByteBuffer buffer(Memory m) {
        return m.getByteBuffer(0, m.size()).order(NATIVE);
    }

    /** Opens a socket; EPERM / EACCES hint at {@code needed}. */
    static int socket(String attempted, String what, int domain, int type, int protocol, Capability needed)
            throws NativeException {
        try {
            return LibC.get().socket(domain, type | SOCK_CLOEXEC, protocol);
        } catch (LastErrorException e) {
            throw NativeException.of(attempted, "socket(" + what + ")", e.getErrorCode(), null, needed, null);
        }
    }

    static void closeQuietly(int fd) {
        if (fd >= 0) {
            try {
                LibC.get().close(fd);
            } catch (LastErrorException ignored) {
                // close(2) errors leave the descriptor closed on Linux; nothing to retry
            }
        }
    }

    static void setInt(int fd, int level, int option, int value, String optionName, String attempted,
            Capability needed, String ifname) throws NativeException {
        Memory m = new Memory(4);
        m.setInt(0, value);
        setsockopt(fd, level, option, m, optionName, attempted, needed, ifname);
    }

    static void setsockopt(int fd, int level, int option, Memory value, String optionName, String attempted,
            Capability needed, String ifname) throws NativeException {
        try {
            LibC.get().setsockopt(fd, level, option, value, (int) value.size());
        } catch (LastErrorException e) {
            throw NativeException.of(attempted, "setsockopt(" + optionName + ")", e.getErrorCode(), null, needed,
                    ifname);
        }
    }

    /** SO_BINDTODEVICE to {@code ifname}. */
    static void bindToDevice(int fd, String ifname, String attempted) throws NativeException {
        byte[] name = ifname.getBytes(StandardCharsets.US_ASCII);
        Memory m = new Memory(IFNAMSIZ);
        m.clear();
        m.write(0, name, 0, name.length);
        setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, m, "SO_BINDTODEVICE", attempted, Capability.CAP_NET_RAW, ifname);
    }

    /** A struct sockaddr_in (16 bytes) or sockaddr_in6 (28 bytes, with {@code scopeId}) for {@code address}. */
    static Memory sockaddr(IpAddress address, int scopeId) {
        if (address instanceof Ipv4Address) {
            Memory m = new Memory(16);
            m.clear();
            m.setShort(0, (short) AF_INET); // sin_family, native order
            m.write(4, address.toBytes(), 0, 4); // sin_addr, network order
            return m;
        }
        Memory m = new Memory(28);
        m.clear();
        m.setShort(0, (short) AF_INET6); // sin6_family
        m.write(8, address.toBytes(), 0, 16); // sin6_addr
        m.setInt(24, scopeId); // sin6_scope_id, native order
        return m;
    }

    static void bind(int fd, Memory sockaddr, String what, String attempted, String ifname) throws NativeException {
        try {
            LibC.get().bind(fd, sockaddr, (int) sockaddr.size());
        } catch (LastErrorException e) {
            throw NativeException.of(attempted, "bind(" + what + ")", e.getErrorCode(), null, Capability.CAP_NET_RAW,
                    ifname);
        }
    }

    /** Reads a NUL-terminated string of at most {@code max} bytes at {@code offset} of {@code buf}. */
    static String cString(byte[] buf, int offset, int max) {
        int end = offset;
        while (end < offset + max && end < buf.length && buf[end] != 0) {
            end++;
        }
        return new String(buf, offset, end - offset, StandardCharsets.UTF_8);
    }

    /** The name of interface {@code ifindex} in the calling thread's namespace, or {@code "#N"}. */
    static String ifname(int ifindex) {
        byte[] buf = new byte[IFNAMSIZ];
        try {
            return LibC.get().if_indextoname(ifindex, buf) == null ? "#" + ifindex : cString(buf, 0, IFNAMSIZ);
        } catch (LastErrorException e) {
            return "#" + ifindex;
        }
    }

    /**
     * poll(2) on {@code fds} for POLLIN; returns each descriptor's revents (all 0 on timeout).
     * EINTR counts as a timeout; the callers loop.
     */
    static short[] poll(int[] fds, int timeoutMillis, String attempted) throws NativeException {
        PollSet set = new PollSet(fds);
        set.poll(timeoutMillis, attempted);
        short[] revents = new short[fds.length];
        for (int i = 0; i < fds.length; i++) {
            revents[i] = set.revents(i);
        }
        return revents;
    }

    /**
     * A struct pollfd array for poll(2), allocated once: a loop that polls per packet must not
     * allocate native memory per packet (each JNA {@link Memory} lives until a GC and its
     * cleaner run; a flood made hundreds of thousands of them). One thread polls with it at a time.
     */
    static final class PollSet {
        private final Memory fds; // struct pollfd { int fd; short events; short revents; }
        private final int count;
        private final NativeLong nfds;

        PollSet(int... fds) {
            this.count = fds.length;
            this.nfds = nl(fds.length);
            this.fds = new Memory(8L * fds.length);
            for (int i = 0; i < fds.length; i++) {
                this.fds.setInt(8L * i, fds[i]);
                this.fds.setShort(8L * i + 4, POLLIN);
            }
        }

        /** Waits up to {@code timeoutMillis} for POLLIN on any descriptor; EINTR counts as a timeout. */
        void poll(int timeoutMillis, String attempted) throws NativeException {
            for (int i = 0; i < count; i++) {
                fds.setShort(8L * i + 6, (short) 0);
            }
            try {
                if (DirectLibC.AVAILABLE) {
                    DirectLibC.poll(fds, count, timeoutMillis);
                } else {
                    LibC.get().poll(fds, nfds, timeoutMillis);
                }
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Errno.EINTR.number) {
                    throw NativeException.of(attempted, "poll", e.getErrorCode(), null, null, null);
                }
            }
        }

        /** struct timespec { time_t tv_sec; long tv_nsec; } of {@link #ppoll}, reused. */
        private Memory timespec;

        /**
         * Like {@link #poll} with a timeout in nanoseconds (ppoll(2)): negative waits without
         * bound, 0 does not wait. For a caller whose deadlines need better than milliseconds.
         */
        void ppoll(long timeoutNanos, String attempted) throws NativeException {
            for (int i = 0; i < count; i++) {
                fds.setShort(8L * i + 6, (short) 0);
            }
            Pointer tmo = null;
            if (timeoutNanos >= 0) {
                if (timespec == null) {
                    timespec = new Memory(16);
                }
                timespec.setLong(0, timeoutNanos / 1_000_000_000L);
                timespec.setLong(8, timeoutNanos % 1_000_000_000L);
                tmo = timespec;
            }
            try {
                if (DirectLibC.AVAILABLE) {
                    DirectLibC.ppoll(fds, count, tmo, null);
                } else {
                    LibC.get().ppoll(fds, nfds, tmo, null);
                }
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Errno.EINTR.number) {
                    throw NativeException.of(attempted, "ppoll", e.getErrorCode(), null, null, null);
                }
            }
        }

        /** The revents of descriptor {@code i} after the last {@link #poll} (0: nothing). */
        short revents(int i) {
            return fds.getShort(8L * i + 6);
        }
    }

    // Classic BPF (linux/filter.h, linux/bpf_common.h): instructions as {code, jt, jf, k}.
    static final int BPF_RET_K = 0x06;          // BPF_RET | BPF_K: return k (bytes to keep; 0 = drop)
    static final int BPF_LDX_MSH_B = 0xb1;      // BPF_LDX | BPF_B | BPF_MSH: X = 4 * (pkt[k] & 0xf)
    static final int BPF_LD_B_IND = 0x50;       // BPF_LD | BPF_B | BPF_IND: A = pkt[X + k]
    static final int BPF_LD_B_ABS = 0x30;       // BPF_LD | BPF_B | BPF_ABS: A = pkt[k]
    static final int BPF_LD_W_ABS = 0x20;       // BPF_LD | BPF_W | BPF_ABS: A = pkt[k..k+3], big-endian
    static final int BPF_LD_W_LEN = 0x80;       // BPF_LD | BPF_W | BPF_LEN: A = the packet's length
    static final int BPF_JEQ_K = 0x15;          // BPF_JMP | BPF_JEQ | BPF_K: A == k ? jt : jf
    static final int BPF_JGT_K = 0x25;          // BPF_JMP | BPF_JGT | BPF_K: A > k ? jt : jf
    /** "Keep this many bytes": more than any VRRP or ARP frame. */
    static final int BPF_ACCEPT_WHOLE = 0x40000;
    /** The one-instruction program "ret #0": the socket queues nothing. */
    static final int[][] BPF_DROP_ALL = {{BPF_RET_K, 0, 0, 0}};

    /** SO_ATTACH_FILTER with a classic BPF program; a new program replaces the previous one atomically. */
    static void attachFilter(int fd, int[][] program, String attempted, String ifname) throws NativeException {
        Memory insns = new Memory(8L * program.length); // struct sock_filter { u16 code; u8 jt; u8 jf; u32 k; }
        for (int i = 0; i < program.length; i++) {
            insns.setShort(8L * i, (short) program[i][0]);
            insns.setByte(8L * i + 2, (byte) program[i][1]);
            insns.setByte(8L * i + 3, (byte) program[i][2]);
            insns.setInt(8L * i + 4, program[i][3]);
        }
        Memory prog = new Memory(2L * POINTER); // struct sock_fprog { unsigned short len; struct sock_filter *filter; }
        prog.clear();
        prog.setShort(0, (short) program.length);
        prog.setPointer(POINTER, insns);
        setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, prog, "SO_ATTACH_FILTER", attempted, null, ifname);
        java.lang.ref.Reference.reachabilityFence(insns); // only prog points at it: keep it until the kernel copied it
    }

    /** An eventfd(2) used to wake a thread blocked in {@link #poll}. */
    static int eventfd(String attempted) throws NativeException {
        try {
            return LibC.get().eventfd(0, EFD_CLOEXEC);
        } catch (LastErrorException e) {
            throw NativeException.of(attempted, "eventfd", e.getErrorCode(), null, null, null);
        }
    }

    /**
     * Wakes {@code thread}, which polls {@code eventfd} and ends when woken (its owner set its
     * closed flag), and waits up to 5 s for it to end, unless called from it.
     */
    static void wakeAndJoin(int eventfd, Thread thread) {
        signal(eventfd);
        if (Thread.currentThread() != thread) {
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Makes {@code eventfd} readable, waking every poller; never fails visibly. */
    static void signal(int eventfd) {
        byte[] one = new byte[8];
        java.nio.ByteBuffer.wrap(one).order(NATIVE).putLong(1);
        try {
            LibC.get().write(eventfd, one, nl(8));
        } catch (LastErrorException ignored) {
            // EAGAIN only when the counter would overflow: it is readable already
        }
    }
}
