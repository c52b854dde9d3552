package io.havip.arp.linux;

import io.havip.core.AdvertTransport;
import io.havip.core.net.IpAddress;
import io.havip.core.net.Ipv4Address;
import io.havip.core.net.Ipv6Address;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
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
    public static final Ipv4Address GROUP_V4 = VrrpReceiveSocket.GROUP_V4;
    /** The IPv6 multicast group of VRRP (RFC 5798 section 5.1.2.2). */
    public static final Ipv6Address GROUP_V6 = VrrpReceiveSocket.GROUP_V6;

    /**
     * A receive wait is cut into slices this long so an interrupt is honoured in bounded time
     * ({@link #close()} wakes a waiting receive at once through an eventfd).
     */
    private static final int POLL_SLICE_MILLIS = 1000;

    private final String ifname;
    private final IpAddress source;
    private final VrrpSendSocket sender;
    private final VrrpReceiveSocket receiver;
    private final int wakeup;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private volatile boolean closed;
    private final RecvMsg scratch = new RecvMsg(VrrpReceiveSocket.RECEIVE_SIZE);
    private final VrrpReceiveSocket.Parsed parsed = new VrrpReceiveSocket.Parsed();
    /** The poll set of the thread receiving (one, the engine's receive thread); taken while in use. */
    private final AtomicReference<Sys.PollSet> idlePollSet = new AtomicReference<>();
    private final String waitAttempt;
    /**
     * True after a read found a message: the next receive first tries a non-blocking read, and
     * polls only when that finds nothing. Under a flood the socket is never empty, and a poll
     * per message doubled the system calls of the receive thread.
     */
    private volatile boolean backlog;

    private RawVrrpTransport(String ifname, IpAddress source, VrrpSendSocket sender, VrrpReceiveSocket receiver,
            int wakeup) {
        this.ifname = ifname;
        this.source = source;
        this.sender = sender;
        this.receiver = receiver;
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
        int ifindex = Interfaces.query(ifname).index();
        VrrpSendSocket sender = null;
        VrrpReceiveSocket receiver = null;
        try {
            sender = VrrpSendSocket.open(ifname, ifindex, source);
            receiver = VrrpReceiveSocket.open(ifname, ifindex, source.family(), multicast ? null : source);
            if (multicast) {
                receiver.joinGroup(source);
            }
            int wakeup = Sys.eventfd("open a VRRP raw socket on " + ifname + " from " + source);
            return new RawVrrpTransport(ifname, source, sender, receiver, wakeup);
        } catch (NativeException | RuntimeException e) {
            if (sender != null) {
                sender.close();
            }
            if (receiver != null) {
                receiver.close();
            }
            throw e;
        }
    }

    /**
     * Lets only messages of virtual router {@code vrid} reach this transport's receive socket:
     * a classic BPF filter compares the VRID byte (the second byte of the VRRP header: after
     * the IPv4 header, whose length it reads, or at offset 1 of an IPv6 raw socket's data) and
     * the kernel drops the rest, and datagrams longer than any VRRP message. With many routers
     * on one host each raw socket would otherwise get, and wake its thread for, a copy of every
     * router's adverts. Adverts of other routers then never reach the machine, so they are not
     * counted in its {@code vridMismatch}. Returns this transport.
     *
     * @throws IllegalArgumentException if {@code vrid} is outside 1-255
     */
    public RawVrrpTransport acceptOnlyVrid(int vrid) throws NativeException {
        if (vrid < 1 || vrid > 255) {
            throw new IllegalArgumentException("VRID " + vrid + " is outside 1-255");
        }
        lock.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("transport on " + ifname + " is closed");
            }
            receiver.acceptOnly(new int[] {vrid});
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
        if (closed) {
            throw new ClosedChannelException();
        }
        sender.send(destination, vrrpMessage);
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
            fds = new Sys.PollSet(receiver.fd, wakeup); // the first call, or another thread's receive runs
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
                    Received r = read(true);
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
                    Received r = read(false);
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

    /**
     * One queued message, or null when none is (no backlog then) or it was dropped. One header
     * and buffer for every receive: allocating them per packet (five native blocks with their
     * cleaners) was most of a receive's cost.
     */
    private Received read(boolean quietly) throws NativeException {
        synchronized (scratch) {
            VrrpReceiveSocket.Status s = quietly ? receiver.readQuietly(scratch, parsed) : receiver.read(scratch, parsed);
            backlog = s != VrrpReceiveSocket.Status.EMPTY;
            return s == VrrpReceiveSocket.Status.MESSAGE ? parsed.toReceived() : null;
        }
    }

    /** How many datagrams were received but not delivered (truncated, or too short for an IP header). */
    public long droppedCount() {
        return receiver.droppedCount();
    }

    /**
     * Packets the kernel dropped before this transport read them because the receive buffer was
     * full (SO_RXQ_OVFL): a flood faster than the reader. Known as of the last message received.
     */
    @Override
    public long overflowDrops() {
        return receiver.overflowDrops();
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
        sender.close();
        lock.writeLock().lock();
        try {
            receiver.close();
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
