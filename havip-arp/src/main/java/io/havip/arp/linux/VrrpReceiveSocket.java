package io.havip.arp.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import io.havip.core.AdvertTransport.Received;
import io.havip.core.net.IpAddress;
import io.havip.core.net.IpFamily;
import io.havip.core.net.Ipv4Address;
import io.havip.core.net.Ipv6Address;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The receiving half of VRRP over raw IP sockets (RFC 5798 section 5.1): a raw socket
 * (protocol 112) bound to the interface, IP_MULTICAST_ALL off (only groups this socket
 * joined), IP_PKTINFO + IP_RECVTTL (IPV6_RECVPKTINFO + IPV6_RECVHOPLIMIT) so each message
 * comes with its destination, interface and TTL, IPV6_CHECKSUM at offset 6 (the kernel drops
 * IPv6 messages with a bad checksum), SO_RXQ_OVFL (the kernel's count of messages dropped for a
 * full buffer comes with each message) and a 1 MiB receive buffer. Optionally bound to one
 * address (unicast only), joined to 224.0.0.18 / ff02::12, and filtered in the kernel to a set
 * of VRIDs and to datagrams no longer than {@link #MAX_VRRP_DATAGRAM}. Used by
 * {@link RawVrrpTransport} and, one per interface and family, by {@link VrrpSocketHub}.
 *
 * <p>{@link #read} is called by one thread at a time (the owner's); it allocates no native
 * memory (the caller's {@link RecvMsg} is reused). Failures name the socket's interface.
 */
final class VrrpReceiveSocket {

    /** The IPv4 multicast group of VRRP (RFC 5798 section 5.1.1.2). */
    static final Ipv4Address GROUP_V4 = Ipv4Address.parse("224.0.0.18");
    /** The IPv6 multicast group of VRRP (RFC 5798 section 5.1.2.2). */
    static final Ipv6Address GROUP_V6 = Ipv6Address.parse("ff02::12");
    /**
     * The largest datagram a VRRP message can come in: an IPv4 header with options (60 bytes)
     * and a VRRPv3 IPv6 advert listing 255 addresses (8 + 255 * 16). Anything longer is dropped
     * by the socket filter, and, without one, truncated by the receive buffer and dropped before
     * it is copied, so a flood of 64 KiB datagrams cannot fill a queue with megabytes.
     */
    static final int MAX_VRRP_DATAGRAM = 60 + 8 + 255 * 16;
    /**
     * The receive buffer of a {@link RecvMsg}: one byte more than the longest VRRP datagram, so
     * a longer one comes back with MSG_TRUNC and is dropped.
     */
    static final int RECEIVE_SIZE = MAX_VRRP_DATAGRAM + 1;
    /**
     * Receive buffer asked for: a flood outruns the reader during a busy host's scheduling gap,
     * and the default (rmem_default, 208 KiB: about 270 messages, 13 ms at 20k/s) then drops a
     * peer's advert with the flood. 1 MiB holds about 1,300 (the kernel doubles the value for its
     * bookkeeping and charges ~768 bytes a message), costs nothing while empty.
     */
    private static final int RECEIVE_BUFFER = 1 << 20;

    final int fd;
    final String ifname;
    final int ifindex;
    final IpFamily family;
    private final AtomicLong dropped = new AtomicLong();
    /** The SO_RXQ_OVFL count as last reported: packets the kernel dropped for a full buffer. */
    private volatile long overflowed;
    /** The kernel's SO_RXQ_OVFL count last seen (reading thread only). */
    private long lastSocketDrops;
    private boolean joined;

    private VrrpReceiveSocket(int fd, String ifname, int ifindex, IpFamily family) {
        this.fd = fd;
        this.ifname = ifname;
        this.ifindex = ifindex;
        this.family = family;
    }

    /**
     * Opens and configures the socket on the calling thread, in its network namespace; bound to
     * {@code boundTo} (receives only messages sent to it) unless that is null.
     */
    static VrrpReceiveSocket open(String ifname, int ifindex, IpFamily family, IpAddress boundTo)
            throws NativeException {
        String attempted = "open a VRRP raw socket on " + ifname + (boundTo == null ? " for " + family
                : " for " + boundTo);
        boolean v6 = family == IpFamily.IPV6;
        int fd = VrrpSendSocket.socket(attempted, v6);
        try {
            Sys.bindToDevice(fd, ifname, attempted);
            if (v6) {
                setInt(fd, Sys.IPPROTO_IPV6, Sys.IPV6_CHECKSUM, VrrpSendSocket.CHECKSUM_OFFSET, "IPV6_CHECKSUM",
                        attempted, ifname);
                setInt(fd, Sys.IPPROTO_IPV6, Sys.IPV6_RECVPKTINFO, 1, "IPV6_RECVPKTINFO", attempted, ifname);
                setInt(fd, Sys.IPPROTO_IPV6, Sys.IPV6_RECVHOPLIMIT, 1, "IPV6_RECVHOPLIMIT", attempted, ifname);
                setInt(fd, Sys.IPPROTO_IPV6, Sys.IPV6_MULTICAST_ALL, 0, "IPV6_MULTICAST_ALL", attempted, ifname);
            } else {
                setInt(fd, Sys.IPPROTO_IP, Sys.IP_PKTINFO, 1, "IP_PKTINFO", attempted, ifname);
                setInt(fd, Sys.IPPROTO_IP, Sys.IP_RECVTTL, 1, "IP_RECVTTL", attempted, ifname);
                setInt(fd, Sys.IPPROTO_IP, Sys.IP_MULTICAST_ALL, 0, "IP_MULTICAST_ALL", attempted, ifname);
            }
            setInt(fd, Sys.SOL_SOCKET, Sys.SO_RXQ_OVFL, 1, "SO_RXQ_OVFL", attempted, ifname);
            try {
                // past net.core.rmem_max with CAP_NET_ADMIN (which a router has to bind addresses)
                setInt(fd, Sys.SOL_SOCKET, Sys.SO_RCVBUFFORCE, RECEIVE_BUFFER, "SO_RCVBUFFORCE", attempted, ifname);
            } catch (NativeException e) {
                // without it, as much as rmem_max allows (the kernel caps it silently)
                setInt(fd, Sys.SOL_SOCKET, Sys.SO_RCVBUF, RECEIVE_BUFFER, "SO_RCVBUF", attempted, ifname);
            }
            if (boundTo != null) {
                Sys.bind(fd, Sys.sockaddr(boundTo, VrrpSendSocket.scope(boundTo, ifindex)), "source " + boundTo,
                        attempted, ifname);
            }
            return new VrrpReceiveSocket(fd, ifname, ifindex, family);
        } catch (NativeException | RuntimeException e) {
            Sys.closeQuietly(fd);
            throw e;
        }
    }

    private static void setInt(int fd, int level, int option, int value, String name, String attempted, String ifname)
            throws NativeException {
        VrrpSendSocket.setInt(fd, level, option, value, name, attempted, ifname);
    }

    /**
     * Joins the VRRP group of the socket's family on its interface ({@code local}: the IPv4
     * address to join from); does nothing when joined already.
     */
    void joinGroup(IpAddress local) throws NativeException {
        if (!joined) {
            membership(local, true);
            joined = true;
        }
    }

    /** Leaves the VRRP group joined by {@link #joinGroup}; does nothing when not joined. */
    void leaveGroup(IpAddress local) throws NativeException {
        if (joined) {
            membership(local, false);
            joined = false;
        }
    }

    private void membership(IpAddress local, boolean join) throws NativeException {
        String attempted = (join ? "join " : "leave ") + (family == IpFamily.IPV6 ? GROUP_V6 : GROUP_V4) + " on "
                + ifname;
        if (family == IpFamily.IPV6) {
            Memory mreq = new Memory(20); // struct ipv6_mreq { struct in6_addr; int ipv6mr_interface; }
            mreq.write(0, GROUP_V6.toBytes(), 0, 16);
            mreq.setInt(16, ifindex);
            Sys.setsockopt(fd, Sys.IPPROTO_IPV6, join ? Sys.IPV6_ADD_MEMBERSHIP : Sys.IPV6_DROP_MEMBERSHIP, mreq,
                    join ? "IPV6_ADD_MEMBERSHIP" : "IPV6_DROP_MEMBERSHIP", attempted, Capability.CAP_NET_RAW, ifname);
        } else {
            Sys.setsockopt(fd, Sys.IPPROTO_IP, join ? Sys.IP_ADD_MEMBERSHIP : Sys.IP_DROP_MEMBERSHIP,
                    VrrpSendSocket.mreqn(GROUP_V4, local, ifindex), join ? "IP_ADD_MEMBERSHIP" : "IP_DROP_MEMBERSHIP",
                    attempted, Capability.CAP_NET_RAW, ifname);
        }
    }

    /**
     * Lets only datagrams of the virtual routers {@code vrids} (each 1-255), no longer than
     * {@link #MAX_VRRP_DATAGRAM}, reach the socket: a classic BPF program compares the VRID
     * byte (the second byte of the VRRP header: after the IPv4 header, whose length it reads,
     * or at offset 1 of an IPv6 raw socket's data) with each VRID, and the kernel drops the
     * rest before queueing them. An empty set drops everything. A new program replaces the
     * previous one atomically.
     */
    void acceptOnly(int[] vrids) throws NativeException {
        int[][] program = vridFilter(vrids, family);
        Sys.attachFilter(fd, program, "accept only VRIDs " + Arrays.toString(vrids) + " on the VRRP socket of "
                + ifname, ifname);
    }

    /** The filter of {@link #acceptOnly}, as {code, jt, jf, k} instructions. */
    static int[][] vridFilter(int[] vrids, IpFamily family) {
        for (int v : vrids) {
            if (v < 1 || v > 255) {
                throw new IllegalArgumentException("VRID " + v + " is outside 1-255");
            }
        }
        int[] set = Arrays.stream(vrids).distinct().sorted().toArray();
        if (set.length == 0) {
            return Sys.BPF_DROP_ALL;
        }
        boolean v6 = family == IpFamily.IPV6;
        int n = set.length;
        int[][] p = new int[(v6 ? 4 : 5) + n + 2][];
        int i = 0;
        p[i++] = new int[] {Sys.BPF_LD_W_LEN, 0, 0, 0};
        p[i++] = new int[] {Sys.BPF_JGT_K, 0, 1, MAX_VRRP_DATAGRAM}; // longer than any VRRP message: drop
        p[i++] = new int[] {Sys.BPF_RET_K, 0, 0, 0};
        if (v6) {
            p[i++] = new int[] {Sys.BPF_LD_B_ABS, 0, 0, 1};
        } else {
            p[i++] = new int[] {Sys.BPF_LDX_MSH_B, 0, 0, 0};
            p[i++] = new int[] {Sys.BPF_LD_B_IND, 0, 0, 1};
        }
        for (int k = 0; k < n; k++) {
            // a match jumps past the remaining comparisons and the drop, to the accept (jt <= 255)
            p[i++] = new int[] {Sys.BPF_JEQ_K, n - k, 0, set[k]};
        }
        p[i++] = new int[] {Sys.BPF_RET_K, 0, 0, 0};
        p[i] = new int[] {Sys.BPF_RET_K, 0, 0, Sys.BPF_ACCEPT_WHOLE};
        return p;
    }

    /** What {@link #read} found. */
    enum Status {
        /** A message was parsed into the {@link Parsed} given. */
        MESSAGE,
        /** A datagram was read and dropped (counted in {@link #droppedCount}). */
        DROPPED,
        /** Nothing queued (EAGAIN or EINTR). */
        EMPTY
    }

    /** A datagram's facts, filled by {@link #read}: reused, read before the next call. */
    static final class Parsed {
        IpAddress source;
        IpAddress destination;
        int ttl;
        String interfaceName;
        byte[] payload;

        Received toReceived() {
            return new Received(source, destination, ttl, interfaceName, payload);
        }
    }

    /**
     * Reads one queued datagram without waiting (MSG_DONTWAIT) into {@code m} and parses it into
     * {@code out}: its source, destination, TTL / hop limit, interface and the VRRP bytes (the
     * IPv4 header stripped). Truncated or malformed datagrams are counted and dropped.
     *
     * @throws NativeException for a receive error other than EAGAIN / EINTR
     */
    Status read(RecvMsg m, Parsed out) throws NativeException {
        m.reset();
        int n;
        try {
            n = (int) (DirectLibC.AVAILABLE ? DirectLibC.recvmsg(fd, m.msghdr, Sys.MSG_DONTWAIT)
                    : LibC.get().recvmsg(fd, m.msghdr, Sys.MSG_DONTWAIT).longValue());
        } catch (LastErrorException e) {
            if (e.getErrorCode() == Errno.EAGAIN.number || e.getErrorCode() == Errno.EINTR.number) {
                return Status.EMPTY;
            }
            throw NativeException.of("receive VRRP on " + ifname, "recvmsg", e.getErrorCode(), null,
                    Capability.CAP_NET_RAW, ifname);
        }
        return parse(m, n, out) ? Status.MESSAGE : Status.DROPPED;
    }

    /**
     * Like {@link #read}, through a recvmsg that reports no errno: for a read that may well find
     * nothing, where an exception per empty read would cost more than the call. Returns
     * {@link Status#EMPTY} for any failure; a caller then polls and reads with {@link #read},
     * which reports real errors. Needs {@link DirectLibC.Quiet#AVAILABLE}.
     */
    Status readQuietly(RecvMsg m, Parsed out) {
        m.reset();
        long n = DirectLibC.Quiet.recvmsg(fd, m.msghdr, Sys.MSG_DONTWAIT);
        if (n < 0) {
            return Status.EMPTY;
        }
        return parse(m, (int) n, out) ? Status.MESSAGE : Status.DROPPED;
    }

    /** The VRID of the datagram recvmsg put in {@code m} ({@code n} bytes), or -1 when it has none. */
    int vrid(RecvMsg m, int n) {
        int at = family == IpFamily.IPV6 ? 1 : (m.data.getByte(0) & 0xf) * 4 + 1;
        return at < n ? m.data.getByte(at) & 0xff : -1;
    }

    /** Parses the datagram recvmsg put in {@code m} ({@code n} bytes) into {@code out}; false (counted) when unusable. */
    private boolean parse(RecvMsg m, int n, Parsed out) {
        if ((m.flags() & (Sys.MSG_TRUNC | Sys.MSG_CTRUNC)) != 0 || n > MAX_VRRP_DATAGRAM) {
            dropped.incrementAndGet();
            return false;
        }
        RecvMsg.Control c = m.control();
        if (c.socketDrops() >= 0 && c.socketDrops() != lastSocketDrops) {
            // the kernel's count is a __u32 since the socket opened: add the difference modulo 2^32
            overflowed += (c.socketDrops() - lastSocketDrops) & 0xffffffffL;
            lastSocketDrops = c.socketDrops();
        }
        byte[] payload;
        IpAddress from;
        IpAddress to = c.destination();
        int ttl = c.ttl();
        if (family == IpFamily.IPV4) {
            // Raw IPv4 sockets deliver the IP header too (raw(7)); strip IHL * 4 bytes. Read in
            // place: only the VRRP bytes are copied out.
            int b0 = n < 20 ? 0 : m.data.getByte(0);
            if (n < 20 || (b0 >> 4 & 0xf) != 4) {
                dropped.incrementAndGet();
                return false;
            }
            int ihl = (b0 & 0xf) * 4;
            int total = ((m.data.getByte(2) & 0xff) << 8) | (m.data.getByte(3) & 0xff);
            if (ihl < 20 || n < ihl || total < ihl || total > n) {
                dropped.incrementAndGet();
                return false;
            }
            payload = m.data.getByteArray(ihl, total - ihl);
            from = m.ipv4(m.data, 12);
            if (ttl < 0) {
                ttl = m.data.getByte(8) & 0xff;
            }
            if (to == null) {
                to = m.ipv4(m.data, 16);
            }
        } else {
            payload = m.data.getByteArray(0, n);
            from = m.sourceAddress();
        }
        if (from == null || to == null || ttl < 0) {
            dropped.incrementAndGet();
            return false;
        }
        out.source = from;
        out.destination = to;
        out.ttl = ttl;
        out.interfaceName = c.ifindex() <= 0 || c.ifindex() == ifindex ? ifname : "#" + c.ifindex();
        out.payload = payload;
        return true;
    }

    /** Datagrams read but not delivered (truncated, longer than any VRRP message, or too short for an IP header). */
    long droppedCount() {
        return dropped.get();
    }

    /** Counts one more datagram dropped by the owner (e.g. no endpoint wanted it). */
    void countDropped() {
        dropped.incrementAndGet();
    }

    /** Packets the kernel dropped for a full receive buffer (SO_RXQ_OVFL), as of the last message read. */
    long overflowDrops() {
        return overflowed;
    }

    void close() {
        Sys.closeQuietly(fd);
    }
}
