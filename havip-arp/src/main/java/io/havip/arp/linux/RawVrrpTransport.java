package io.havip.arp.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import io.havip.core.AdvertTransport;
import io.havip.core.net.IpAddress;
import io.havip.core.net.IpFamily;
import io.havip.core.net.Ipv4Address;
import io.havip.core.net.Ipv6Address;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * VRRP over raw IP sockets (protocol 112, RFC 5798 section 5.1), without IP_HDRINCL: the
 * kernel writes the IP header. What keepalived does, with two sockets per transport:
 *
 * <ul>
 * <li>a <b>send</b> socket bound to the interface (SO_BINDTODEVICE) and to the source address
 *     (the interface's primary address, or a link-local one for IPv6 per section 5.1.2.2), with
 *     TTL / hop limit 255 for unicast and multicast (section 5.1.1.3 / 5.1.2.3), multicast
 *     loopback off, IP_MULTICAST_IF / IPV6_MULTICAST_IF set, and a drop-all socket filter so it
 *     queues nothing (a raw socket bound to an address still receives unicast to it);</li>
 * <li>a <b>receive</b> socket bound to the interface, IP_MULTICAST_ALL off (only groups this
 *     socket joined), joined to 224.0.0.18 / ff02::12 in multicast mode, or bound to the source
 *     address in unicast mode, with IP_PKTINFO + IP_RECVTTL (IPV6_RECVPKTINFO +
 *     IPV6_RECVHOPLIMIT) so each message comes with its destination, interface and TTL. Two
 *     sockets because a raw socket bound to an address receives only packets sent to that
 *     address, which would hide the multicast adverts.</li>
 * </ul>
 *
 * IPv4 VRRP checksums are the sender's job (the codec); for IPv6 the kernel computes and
 * verifies the checksum (IPV6_CHECKSUM with offset 6, the checksum field of RFC 5798 section
 * 5.2.8), so the codec's value is overwritten on send and bad checksums never reach
 * {@link #receive}.
 *
 * <p>Sockets are opened on the calling thread, in its network namespace; {@link #send} and
 * {@link #receive} may then be called from any thread, concurrently. {@link #close()} wakes a
 * blocked {@link #receive}, which then throws {@link ClosedChannelException}. Needs
 * {@link Capability#CAP_NET_RAW}.
 */
public final class RawVrrpTransport implements AdvertTransport {

    /** The IPv4 multicast group of VRRP (RFC 5798 section 5.1.1.2). */
    public static final Ipv4Address GROUP_V4 = Ipv4Address.parse("224.0.0.18");
    /** The IPv6 multicast group of VRRP (RFC 5798 section 5.1.2.2). */
    public static final Ipv6Address GROUP_V6 = Ipv6Address.parse("ff02::12");

    /** RFC 5798 section 5.1.1.3 / 5.1.2.3: sent with TTL / hop limit 255, so a receiver can tell it is link-local. */
    private static final int TTL = 255;
    /** Offset of the checksum in the VRRP header (RFC 5798 section 5.2). */
    private static final int CHECKSUM_OFFSET = 6;
    /**
     * A receive wait is cut into slices this long so an interrupt is honoured in bounded time
     * ({@link #close()} wakes a waiting receive at once through an eventfd).
     */
    private static final int POLL_SLICE_MILLIS = 1000;
    private static final int MAX_PACKET = 65_536;
    /**
     * The largest datagram a VRRP message can come in: an IPv4 header with options (60 bytes)
     * and a VRRPv3 IPv6 advert listing 255 addresses (8 + 255 * 16). Anything longer is dropped
     * before it is copied, so a flood of 64 KiB datagrams cannot fill the engine's queue with
     * megabytes.
     */
    static final int MAX_VRRP_DATAGRAM = 60 + 8 + 255 * 16;
    /**
     * Receive buffer asked for: a flood outruns the reader during a busy host's scheduling gap,
     * and the default (rmem_default, 208 KiB: about 270 messages, 13 ms at 20k/s) then drops a
     * peer's advert with the flood. 1 MiB holds about 1,300 (the kernel doubles the value for its
     * bookkeeping and charges ~768 bytes a message), costs nothing while empty.
     */
    private static final int RECEIVE_BUFFER = 1 << 20;

    private final String ifname;
    private final int ifindex;
    private final IpAddress source;
    private final int sendFd;
    private final int receiveFd;
    private final int wakeup;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final AtomicLong dropped = new AtomicLong();
    /** The receive socket's SO_RXQ_OVFL count as last reported: packets the kernel dropped for a full buffer. */
    private volatile long overflowed;
    /** The kernel's SO_RXQ_OVFL count last seen (receive thread only). */
    private long lastSocketDrops;
    private volatile boolean closed;
    private final RecvMsg scratch = new RecvMsg(MAX_PACKET);
    /** The poll set of the thread receiving (one, the engine's receive thread); taken while in use. */
    private final AtomicReference<Sys.PollSet> idlePollSet = new AtomicReference<>();
    private final String waitAttempt;
    /**
     * True after a read found a message: the next receive first tries a non-blocking read, and
     * polls only when that finds nothing. Under a flood the socket is never empty, and a poll
     * per message doubled the system calls of the receive thread.
     */
    private volatile boolean backlog;
    /** The last destination sent to and its sockaddr: a master sends to the same one every interval. */
    private volatile Destination lastDestination;

    private record Destination(IpAddress address, Memory sockaddr) { }

    private RawVrrpTransport(String ifname, int ifindex, IpAddress source, int sendFd, int receiveFd, int wakeup) {
        this.ifname = ifname;
        this.ifindex = ifindex;
        this.source = source;
        this.sendFd = sendFd;
        this.receiveFd = receiveFd;
        this.wakeup = wakeup;
        this.waitAttempt = "wait for VRRP on " + ifname;
    }

    /** A transport that sends from {@code source} on {@code ifname} and receives the VRRP group there (and unicast). */
    public static RawVrrpTransport openMulticast(String ifname, IpAddress source) throws NativeException {
        return open(ifname, source, true);
    }

    /**
     * A transport for keepalived's {@code unicast_peer} mode: sends from {@code source} and
     * receives only messages addressed to {@code source}; joins no group.
     */
    public static RawVrrpTransport openUnicast(String ifname, IpAddress source) throws NativeException {
        return open(ifname, source, false);
    }

    private static RawVrrpTransport open(String ifname, IpAddress source, boolean multicast) throws NativeException {
        if (source == null) {
            throw new IllegalArgumentException("source address is null");
        }
        String attempted = "open a VRRP raw socket on " + ifname + " from " + source;
        int ifindex = Interfaces.query(ifname).index();
        boolean v6 = source.family() == IpFamily.IPV6;
        int family = v6 ? Sys.AF_INET6 : Sys.AF_INET;
        String what = (v6 ? "AF_INET6" : "AF_INET") + ", SOCK_RAW, 112";
        int scope = v6 && ((Ipv6Address) source).isLinkLocal() ? ifindex : 0;
        int sendFd = -1;
        int receiveFd = -1;
        int wakeup = -1;
        try {
            sendFd = Sys.socket(attempted, what, family, Sys.SOCK_RAW, Sys.IPPROTO_VRRP, Capability.CAP_NET_RAW);
            Sys.bindToDevice(sendFd, ifname, attempted);
            if (v6) {
                setInt(sendFd, Sys.IPPROTO_IPV6, Sys.IPV6_CHECKSUM, CHECKSUM_OFFSET, "IPV6_CHECKSUM", attempted, ifname);
                setInt(sendFd, Sys.IPPROTO_IPV6, Sys.IPV6_UNICAST_HOPS, TTL, "IPV6_UNICAST_HOPS", attempted, ifname);
                setInt(sendFd, Sys.IPPROTO_IPV6, Sys.IPV6_MULTICAST_HOPS, TTL, "IPV6_MULTICAST_HOPS", attempted, ifname);
                setInt(sendFd, Sys.IPPROTO_IPV6, Sys.IPV6_MULTICAST_LOOP, 0, "IPV6_MULTICAST_LOOP", attempted, ifname);
                setInt(sendFd, Sys.IPPROTO_IPV6, Sys.IPV6_MULTICAST_IF, ifindex, "IPV6_MULTICAST_IF", attempted, ifname);
            } else {
                setInt(sendFd, Sys.IPPROTO_IP, Sys.IP_TTL, TTL, "IP_TTL", attempted, ifname);
                setInt(sendFd, Sys.IPPROTO_IP, Sys.IP_MULTICAST_TTL, TTL, "IP_MULTICAST_TTL", attempted, ifname);
                setInt(sendFd, Sys.IPPROTO_IP, Sys.IP_MULTICAST_LOOP, 0, "IP_MULTICAST_LOOP", attempted, ifname);
                setInt(sendFd, Sys.IPPROTO_IP, Sys.IP_MULTICAST_ALL, 0, "IP_MULTICAST_ALL", attempted, ifname);
                Sys.setsockopt(sendFd, Sys.IPPROTO_IP, Sys.IP_MULTICAST_IF, mreqn(null, source, ifindex),
                        "IP_MULTICAST_IF", attempted, Capability.CAP_NET_RAW, ifname);
            }
            Sys.attachFilter(sendFd, Sys.BPF_DROP_ALL, attempted, ifname);
            Sys.bind(sendFd, Sys.sockaddr(source, scope), "source " + source, attempted, ifname);

            receiveFd = Sys.socket(attempted, what, family, Sys.SOCK_RAW, Sys.IPPROTO_VRRP, Capability.CAP_NET_RAW);
            Sys.bindToDevice(receiveFd, ifname, attempted);
            if (v6) {
                setInt(receiveFd, Sys.IPPROTO_IPV6, Sys.IPV6_CHECKSUM, CHECKSUM_OFFSET, "IPV6_CHECKSUM", attempted,
                        ifname);
                setInt(receiveFd, Sys.IPPROTO_IPV6, Sys.IPV6_RECVPKTINFO, 1, "IPV6_RECVPKTINFO", attempted, ifname);
                setInt(receiveFd, Sys.IPPROTO_IPV6, Sys.IPV6_RECVHOPLIMIT, 1, "IPV6_RECVHOPLIMIT", attempted, ifname);
                setInt(receiveFd, Sys.IPPROTO_IPV6, Sys.IPV6_MULTICAST_ALL, 0, "IPV6_MULTICAST_ALL", attempted, ifname);
                if (multicast) {
                    Memory mreq = new Memory(20); // struct ipv6_mreq { struct in6_addr; int ipv6mr_interface; }
                    mreq.write(0, GROUP_V6.toBytes(), 0, 16);
                    mreq.setInt(16, ifindex);
                    Sys.setsockopt(receiveFd, Sys.IPPROTO_IPV6, Sys.IPV6_ADD_MEMBERSHIP, mreq, "IPV6_ADD_MEMBERSHIP",
                            "join " + GROUP_V6 + " on " + ifname, Capability.CAP_NET_RAW, ifname);
                }
            } else {
                setInt(receiveFd, Sys.IPPROTO_IP, Sys.IP_PKTINFO, 1, "IP_PKTINFO", attempted, ifname);
                setInt(receiveFd, Sys.IPPROTO_IP, Sys.IP_RECVTTL, 1, "IP_RECVTTL", attempted, ifname);
                setInt(receiveFd, Sys.IPPROTO_IP, Sys.IP_MULTICAST_ALL, 0, "IP_MULTICAST_ALL", attempted, ifname);
                if (multicast) {
                    Sys.setsockopt(receiveFd, Sys.IPPROTO_IP, Sys.IP_ADD_MEMBERSHIP, mreqn(GROUP_V4, source, ifindex),
                            "IP_ADD_MEMBERSHIP", "join " + GROUP_V4 + " on " + ifname, Capability.CAP_NET_RAW, ifname);
                }
            }
            setInt(receiveFd, Sys.SOL_SOCKET, Sys.SO_RXQ_OVFL, 1, "SO_RXQ_OVFL", attempted, ifname);
            try {
                // past net.core.rmem_max with CAP_NET_ADMIN (which a router has to bind addresses)
                setInt(receiveFd, Sys.SOL_SOCKET, Sys.SO_RCVBUFFORCE, RECEIVE_BUFFER, "SO_RCVBUFFORCE", attempted, ifname);
            } catch (NativeException e) {
                // without it, as much as rmem_max allows (the kernel caps it silently)
                setInt(receiveFd, Sys.SOL_SOCKET, Sys.SO_RCVBUF, RECEIVE_BUFFER, "SO_RCVBUF", attempted, ifname);
            }
            if (!multicast) {
                Sys.bind(receiveFd, Sys.sockaddr(source, scope), "source " + source, attempted, ifname);
            }
            wakeup = Sys.eventfd(attempted);
            return new RawVrrpTransport(ifname, ifindex, source, sendFd, receiveFd, wakeup);
        } catch (NativeException | RuntimeException e) {
            Sys.closeQuietly(sendFd);
            Sys.closeQuietly(receiveFd);
            Sys.closeQuietly(wakeup);
            throw e;
        }
    }

    private static void setInt(int fd, int level, int option, int value, String name, String attempted, String ifname)
            throws NativeException {
        Sys.setInt(fd, level, option, value, name, attempted, Capability.CAP_NET_RAW, ifname);
    }

    /** struct ip_mreqn { struct in_addr imr_multiaddr, imr_address; int imr_ifindex; } (ip(7)). */
    private static Memory mreqn(Ipv4Address group, IpAddress local, int ifindex) {
        Memory m = new Memory(12);
        m.clear();
        if (group != null) {
            m.write(0, group.toBytes(), 0, 4);
        }
        m.write(4, local.toBytes(), 0, 4);
        m.setInt(8, ifindex);
        return m;
    }

    /**
     * Lets only messages of virtual router {@code vrid} reach this transport's receive socket:
     * a classic BPF filter compares the VRID byte (the second byte of the VRRP header: after
     * the IPv4 header, whose length it reads, or at offset 1 of an IPv6 raw socket's data) and
     * the kernel drops the rest. With many routers on one host each raw socket would otherwise
     * get, and wake its thread for, a copy of every router's adverts. Adverts of other routers
     * then never reach the machine, so they are not counted in its {@code vridMismatch}.
     * Returns this transport.
     *
     * @throws IllegalArgumentException if {@code vrid} is outside 1-255
     */
    public RawVrrpTransport acceptOnlyVrid(int vrid) throws NativeException {
        if (vrid < 1 || vrid > 255) {
            throw new IllegalArgumentException("VRID " + vrid + " is outside 1-255");
        }
        int[][] program = source.family() == IpFamily.IPV6
                ? new int[][] {
                    {Sys.BPF_LD_B_ABS, 0, 0, 1},
                    {Sys.BPF_JEQ_K, 0, 1, vrid},
                    {Sys.BPF_RET_K, 0, 0, Sys.BPF_ACCEPT_WHOLE},
                    {Sys.BPF_RET_K, 0, 0, 0}}
                : new int[][] {
                    {Sys.BPF_LDX_MSH_B, 0, 0, 0},
                    {Sys.BPF_LD_B_IND, 0, 0, 1},
                    {Sys.BPF_JEQ_K, 0, 1, vrid},
                    {Sys.BPF_RET_K, 0, 0, Sys.BPF_ACCEPT_WHOLE},
                    {Sys.BPF_RET_K, 0, 0, 0}};
        lock.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("transport on " + ifname + " is closed");
            }
            Sys.attachFilter(receiveFd, program, "accept only VRID " + vrid + " on the VRRP socket of " + ifname, ifname);
        } finally {
            lock.readLock().unlock();
        }
        return this;
    }

    /**
     * Sends {@code vrrpMessage} to {@code destination} (the group or a unicast peer). A
     * link-local or multicast IPv6 destination is scoped to this interface.
     */
    @Override
    public void send(IpAddress destination, byte[] vrrpMessage) throws IOException {
        if (destination.family() != source.family()) {
            throw new IllegalArgumentException("cannot send to " + destination + " from " + source
                    + ": address families differ");
        }
        lock.readLock().lock();
        try {
            if (closed) {
                throw new ClosedChannelException();
            }
            Destination last = lastDestination;
            if (last == null || !last.address().equals(destination)) {
                int scope = destination instanceof Ipv6Address a && (a.isLinkLocal() || a.isMulticast()) ? ifindex : 0;
                last = new Destination(destination, Sys.sockaddr(destination, scope));
                lastDestination = last;
            }
            Memory to = last.sockaddr();
            try {
                if (DirectLibC.AVAILABLE) {
                    DirectLibC.sendto(sendFd, vrrpMessage, vrrpMessage.length, 0, to, (int) to.size());
                } else {
                    LibC.get().sendto(sendFd, vrrpMessage, Sys.nl(vrrpMessage.length), 0, to, (int) to.size());
                }
            } catch (LastErrorException e) {
                throw NativeException.of("send a VRRP message to " + destination + " on " + ifname, "sendto",
                        e.getErrorCode(), null, Capability.CAP_NET_RAW, ifname);
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Waits up to {@code timeout} for the next VRRP message on the interface: its source,
     * destination, TTL / hop limit, interface and the VRRP bytes (the IPv4 header stripped).
     * Truncated or malformed datagrams are counted ({@link #droppedCount()}) and skipped.
     *
     * @return the message, or null when the timeout passed
     * @throws ClosedChannelException when the transport is or gets closed
     * @throws InterruptedException   when the thread is interrupted (noticed within 1 s)
     */
    @Override
    public Received receive(Duration timeout) throws IOException, InterruptedException {
        if (timeout == null || timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be zero or positive, got " + timeout);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        Sys.PollSet fds = idlePollSet.getAndSet(null);
        if (fds == null) {
            fds = new Sys.PollSet(receiveFd, wakeup); // the first call, or another thread's receive runs
        }
        lock.readLock().lock();
        try {
            while (true) {
                if (closed) {
                    throw new ClosedChannelException();
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException("interrupted while waiting for VRRP on " + ifname);
                }
                if (backlog && DirectLibC.Quiet.AVAILABLE) {
                    Received r = receiveQueued();
                    if (r != null) {
                        return r;
                    }
                    continue; // nothing queued (backlog cleared), or a datagram was dropped: look again
                }
                long left = deadline - System.nanoTime();
                int slice = (int) Math.max(0, Math.min(POLL_SLICE_MILLIS, (left + 999_999) / 1_000_000));
                fds.poll(slice, waitAttempt);
                if (closed || fds.revents(1) != 0) {
                    throw new ClosedChannelException();
                }
                if (fds.revents(0) != 0) {
                    Received r = receiveOne();
                    if (r != null) {
                        return r;
                    }
                } else if (left <= 0) {
                    return null;
                }
            }
        } finally {
            lock.readLock().unlock();
            idlePollSet.set(fds);
        }
    }

    private Received receiveOne() throws NativeException {
        // One header and 64 KiB buffer for every receive: allocating them per packet (five native
        // blocks with their cleaners) was most of a receive's cost.
        synchronized (scratch) {
            return receiveOne(scratch.reset());
        }
    }

    /** A message already queued on the socket, without waiting; null (and no backlog) when there is none. */
    private Received receiveQueued() {
        synchronized (scratch) {
            RecvMsg m = scratch.reset();
            long n = DirectLibC.Quiet.recvmsg(receiveFd, m.msghdr, Sys.MSG_DONTWAIT);
            if (n < 0) {
                backlog = false;
                return null;
            }
            return parse(m, (int) n);
        }
    }

    private Received receiveOne(RecvMsg m) throws NativeException {
        int n;
        try {
            n = (int) (DirectLibC.AVAILABLE ? DirectLibC.recvmsg(receiveFd, m.msghdr, Sys.MSG_DONTWAIT)
                    : LibC.get().recvmsg(receiveFd, m.msghdr, Sys.MSG_DONTWAIT).longValue());
        } catch (LastErrorException e) {
            if (e.getErrorCode() == Errno.EAGAIN.number || e.getErrorCode() == Errno.EINTR.number) {
                return null;
            }
            throw NativeException.of("receive VRRP on " + ifname, "recvmsg", e.getErrorCode(), null,
                    Capability.CAP_NET_RAW, ifname);
        }
        backlog = true;
        return parse(m, n);
    }

    /** The message recvmsg put in {@code m} ({@code n} bytes), or null (counted) when it is unusable. */
    private Received parse(RecvMsg m, int n) {
        if ((m.flags() & (Sys.MSG_TRUNC | Sys.MSG_CTRUNC)) != 0 || n > MAX_VRRP_DATAGRAM) {
            dropped.incrementAndGet();
            return null;
        }
        byte[] data = m.data.getByteArray(0, n);
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
        if (source.family() == IpFamily.IPV4) {
            // Raw IPv4 sockets deliver the IP header too (raw(7)); strip IHL * 4 bytes.
            if (n < 20 || (data[0] >> 4 & 0xf) != 4) {
                dropped.incrementAndGet();
                return null;
            }
            int ihl = (data[0] & 0xf) * 4;
            int total = ((data[2] & 0xff) << 8) | (data[3] & 0xff);
            if (ihl < 20 || n < ihl || total < ihl || total > n) {
                dropped.incrementAndGet();
                return null;
            }
            payload = java.util.Arrays.copyOfRange(data, ihl, total);
            from = IpAddress.ofBytes(java.util.Arrays.copyOfRange(data, 12, 16));
            if (ttl < 0) {
                ttl = data[8] & 0xff;
            }
            if (to == null) {
                to = IpAddress.ofBytes(java.util.Arrays.copyOfRange(data, 16, 20));
            }
        } else {
            payload = data;
            from = m.sourceAddress();
        }
        if (from == null || to == null || ttl < 0) {
            dropped.incrementAndGet();
            return null;
        }
        String arrivedOn = c.ifindex() <= 0 || c.ifindex() == ifindex ? ifname : Sys.ifname(c.ifindex());
        return new Received(from, to, ttl, arrivedOn, payload);
    }

    /** How many datagrams were received but not delivered (truncated, or too short for an IP header). */
    public long droppedCount() {
        return dropped.get();
    }

    /**
     * Packets the kernel dropped before this transport read them because the receive buffer was
     * full (SO_RXQ_OVFL): a flood faster than the reader. Known as of the last message received.
     */
    @Override
    public long overflowDrops() {
        return overflowed;
    }

    @Override
    public IpAddress sourceAddress() {
        return source;
    }

    /** The interface this transport is bound to. */
    public String interfaceName() {
        return ifname;
    }

    /** Closes both sockets; wakes and fails any waiting {@link #receive}; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Sys.signal(wakeup);
        lock.writeLock().lock();
        try {
            Sys.closeQuietly(sendFd);
            Sys.closeQuietly(receiveFd);
            Sys.closeQuietly(wakeup);
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public String toString() {
        return "RawVrrpTransport[" + ifname + " from " + source + (closed ? ", closed]" : "]");
    }
}
