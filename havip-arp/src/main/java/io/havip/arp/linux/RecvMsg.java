package io.havip.arp.linux;

import com.sun.jna.Memory;
import io.havip.core.net.IpAddress;
import io.havip.core.net.Ipv4Address;

/**
 * A struct msghdr for recvmsg(2) with its name, one iovec and a control buffer, laid out for
 * the platform's pointer and long sizes (56 bytes on LP64), and a parser for the ancillary
 * data this package asks for (cmsg(3)): IP_PKTINFO, IP_TTL, IPV6_PKTINFO, IPV6_HOPLIMIT,
 * SO_RXQ_OVFL.
 */
final class RecvMsg {

    private static final int P = Sys.POINTER;
    private static final int L = Sys.LONG;
    private static final int CONTROL = 256;

    final Memory msghdr = new Memory(3L * P + 2L * L + P + 8);
    final Memory name = new Memory(28); // room for a sockaddr_in6
    final Memory iov = new Memory(2L * P);
    final Memory data;
    final Memory control = new Memory(CONTROL);

    RecvMsg(int size) {
        data = new Memory(size);
        name.clear();
        control.clear();
        iov.setPointer(0, data);
        setLong(iov, P, size);
        msghdr.clear();
        msghdr.setPointer(0, name); // msg_name
        msghdr.setInt(P, (int) name.size()); // msg_namelen
        msghdr.setPointer(2L * P, iov); // msg_iov
        setLong(msghdr, 3L * P, 1); // msg_iovlen
        msghdr.setPointer(3L * P + L, control); // msg_control
        setLong(msghdr, 4L * P + L, CONTROL); // msg_controllen
    }

    /**
     * Makes this header ready for the next recvmsg: the kernel shrinks msg_namelen and
     * msg_controllen to what it wrote and sets msg_flags, so one RecvMsg serves many calls.
     */
    RecvMsg reset() {
        msghdr.setInt(P, (int) name.size());
        setLong(msghdr, 4L * P + L, CONTROL);
        msghdr.setInt(4L * P + 2L * L, 0);
        return this;
    }

    private static void setLong(Memory m, long offset, long value) {
        if (L == 8) {
            m.setLong(offset, value);
        } else {
            m.setInt(offset, (int) value);
        }
    }

    private static long getLong(Memory m, long offset) {
        return L == 8 ? m.getLong(offset) : m.getInt(offset) & 0xffffffffL;
    }

    /** msg_flags after the call (MSG_TRUNC, MSG_CTRUNC). */
    int flags() {
        return msghdr.getInt(4L * P + 2L * L);
    }

    /** The sender from msg_name: a sockaddr_in or sockaddr_in6. */
    IpAddress sourceAddress() {
        int family = name.getShort(0);
        if (family == Sys.AF_INET) {
            return IpAddress.ofBytes(name.getByteArray(4, 4));
        }
        if (family == Sys.AF_INET6) {
            return IpAddress.ofBytes(name.getByteArray(8, 16));
        }
        return null;
    }

    /**
     * What the ancillary data said: -1 / null where it said nothing. {@code socketDrops} is the
     * socket's count of packets dropped because its receive buffer was full (SO_RXQ_OVFL). One
     * per {@code RecvMsg}, refilled by each {@link #control()}: read it before the next receive
     * (a datagram then costs no object; the reader's thread is the only one that sees it).
     */
    static final class Control {
        private int ifindex;
        private IpAddress destination;
        private int ttl;
        private long socketDrops;

        int ifindex() {
            return ifindex;
        }

        IpAddress destination() {
            return destination;
        }

        int ttl() {
            return ttl;
        }

        long socketDrops() {
            return socketDrops;
        }
    }

    private final Control parsed = new Control();

    Control control() {
        long len = getLong(msghdr, 4L * P + L);
        int ifindex = -1;
        int ttl = -1;
        long drops = -1;
        IpAddress destination = null;
        long header = align(L + 8); // struct cmsghdr { size_t cmsg_len; int cmsg_level; int cmsg_type; }
        for (long pos = 0; pos + header <= len; ) {
            long clen = getLong(control, pos);
            if (clen < header || pos + clen > len) {
                break;
            }
            int level = control.getInt(pos + L);
            int type = control.getInt(pos + L + 4);
            long d = pos + header;
            if (level == Sys.IPPROTO_IP && type == Sys.IP_PKTINFO) {
                // struct in_pktinfo { int ipi_ifindex; struct in_addr ipi_spec_dst; struct in_addr ipi_addr; }
                ifindex = control.getInt(d);
                destination = ipv4(control, d + 8);
            } else if (level == Sys.IPPROTO_IP && type == Sys.IP_TTL) {
                ttl = control.getInt(d);
            } else if (level == Sys.IPPROTO_IPV6 && type == Sys.IPV6_PKTINFO) {
                // struct in6_pktinfo { struct in6_addr ipi6_addr; int ipi6_ifindex; }
                destination = IpAddress.ofBytes(control.getByteArray(d, 16));
                ifindex = control.getInt(d + 16);
            } else if (level == Sys.IPPROTO_IPV6 && type == Sys.IPV6_HOPLIMIT) {
                ttl = control.getInt(d);
            } else if (level == Sys.SOL_SOCKET && type == Sys.SO_RXQ_OVFL) {
                drops = control.getInt(d) & 0xffffffffL; // __u32, since the socket was opened
            }
            pos += align(clen);
        }
        Control c = parsed;
        c.ifindex = ifindex;
        c.destination = destination;
        c.ttl = ttl;
        c.socketDrops = drops;
        return c;
    }

    /** The two IPv4 addresses last read by {@link #ipv4} (a peer's adverts: its source, our destination). */
    private Ipv4Address recentIpv4;
    private Ipv4Address olderIpv4;

    /**
     * The IPv4 address at {@code offset} of {@code m} (network order): one of the two returned
     * last when it is the same, so the steady stream of a peer's adverts allocates no address
     * objects (they are immutable).
     */
    Ipv4Address ipv4(Memory m, long offset) {
        int bits = (m.getByte(offset) & 0xff) << 24 | (m.getByte(offset + 1) & 0xff) << 16
                | (m.getByte(offset + 2) & 0xff) << 8 | m.getByte(offset + 3) & 0xff;
        Ipv4Address a = recentIpv4;
        if (a != null && a.bits() == bits) {
            return a;
        }
        Ipv4Address b = olderIpv4;
        if (b == null || b.bits() != bits) {
            b = new Ipv4Address(bits);
        }
        olderIpv4 = a;
        recentIpv4 = b;
        return b;
    }

    /** CMSG_ALIGN: round up to sizeof(long). */
    private static long align(long n) {
        return (n + L - 1) & ~(long) (L - 1);
    }
}
