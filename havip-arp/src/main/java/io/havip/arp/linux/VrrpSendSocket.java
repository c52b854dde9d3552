package io.havip.arp.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import io.havip.core.net.IpAddress;
import io.havip.core.net.IpFamily;
import io.havip.core.net.Ipv4Address;
import io.havip.core.net.Ipv6Address;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The sending half of VRRP over raw IP sockets (RFC 5798 section 5.1), as keepalived does it:
 * a raw socket (protocol 112, no IP_HDRINCL: the kernel writes the IP header) bound to the
 * interface (SO_BINDTODEVICE) and to the source address (the interface's primary address, or
 * a link-local one for IPv6 per section 5.1.2.2), with TTL / hop limit 255 for unicast and
 * multicast (section 5.1.1.3 / 5.1.2.3), multicast loopback off, IP_MULTICAST_IF /
 * IPV6_MULTICAST_IF set, IPV6_CHECKSUM at offset 6 (the kernel computes the IPv6 VRRP
 * checksum), and a drop-all socket filter so it queues nothing (a raw socket bound to an
 * address still receives unicast to it). Used by {@link RawVrrpTransport} and shared by the
 * endpoints of a {@link VrrpSocketHub}.
 *
 * <p>{@link #send} is thread-safe and allocates no native memory once a destination has been
 * seen: the sockaddr of every destination is kept (a unicast master sends to each of its peers
 * every interval, so a one-entry cache would rebuild one per send with two peers).
 */
final class VrrpSendSocket {

    /** RFC 5798 section 5.1.1.3 / 5.1.2.3: sent with TTL / hop limit 255, so a receiver can tell it is link-local. */
    static final int TTL = 255;
    /** Offset of the checksum in the VRRP header (RFC 5798 section 5.2). */
    static final int CHECKSUM_OFFSET = 6;
    /**
     * Destinations whose sockaddr is kept; more (a misconfiguration, or an attacker choosing
     * them) empties the cache rather than growing it.
     */
    private static final int MAX_DESTINATIONS = 256;

    private final int fd;
    private final String ifname;
    private final int ifindex;
    private final IpAddress source;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final ConcurrentHashMap<IpAddress, Memory> destinations = new ConcurrentHashMap<>();
    private boolean closed;

    private VrrpSendSocket(int fd, String ifname, int ifindex, IpAddress source) {
        this.fd = fd;
        this.ifname = ifname;
        this.ifindex = ifindex;
        this.source = source;
    }

    /** Opens and configures the socket on the calling thread, in its network namespace. */
    static VrrpSendSocket open(String ifname, int ifindex, IpAddress source) throws NativeException {
        String attempted = "open a VRRP raw socket on " + ifname + " from " + source;
        boolean v6 = source.family() == IpFamily.IPV6;
        int fd = socket(attempted, v6);
        try {
            Sys.bindToDevice(fd, ifname, attempted);
            if (v6) {
                setInt(fd, Sys.IPPROTO_IPV6, Sys.IPV6_CHECKSUM, CHECKSUM_OFFSET, "IPV6_CHECKSUM", attempted, ifname);
                setInt(fd, Sys.IPPROTO_IPV6, Sys.IPV6_UNICAST_HOPS, TTL, "IPV6_UNICAST_HOPS", attempted, ifname);
                setInt(fd, Sys.IPPROTO_IPV6, Sys.IPV6_MULTICAST_HOPS, TTL, "IPV6_MULTICAST_HOPS", attempted, ifname);
                setInt(fd, Sys.IPPROTO_IPV6, Sys.IPV6_MULTICAST_LOOP, 0, "IPV6_MULTICAST_LOOP", attempted, ifname);
                setInt(fd, Sys.IPPROTO_IPV6, Sys.IPV6_MULTICAST_IF, ifindex, "IPV6_MULTICAST_IF", attempted, ifname);
            } else {
                setInt(fd, Sys.IPPROTO_IP, Sys.IP_TTL, TTL, "IP_TTL", attempted, ifname);
                setInt(fd, Sys.IPPROTO_IP, Sys.IP_MULTICAST_TTL, TTL, "IP_MULTICAST_TTL", attempted, ifname);
                setInt(fd, Sys.IPPROTO_IP, Sys.IP_MULTICAST_LOOP, 0, "IP_MULTICAST_LOOP", attempted, ifname);
                Sys.setsockopt(fd, Sys.IPPROTO_IP, Sys.IP_MULTICAST_IF, mreqn(null, source, ifindex),
                        "IP_MULTICAST_IF", attempted, Capability.CAP_NET_RAW, ifname);
            }
            Sys.attachFilter(fd, Sys.BPF_DROP_ALL, attempted, ifname);
            Sys.bind(fd, Sys.sockaddr(source, scope(source, ifindex)), "source " + source, attempted, ifname);
            return new VrrpSendSocket(fd, ifname, ifindex, source);
        } catch (NativeException | RuntimeException e) {
            Sys.closeQuietly(fd);
            throw e;
        }
    }

    /** A raw protocol-112 socket of the family. */
    static int socket(String attempted, boolean v6) throws NativeException {
        return Sys.socket(attempted, (v6 ? "AF_INET6" : "AF_INET") + ", SOCK_RAW, 112", v6 ? Sys.AF_INET6 : Sys.AF_INET,
                Sys.SOCK_RAW, Sys.IPPROTO_VRRP, Capability.CAP_NET_RAW);
    }

    /** The scope id to bind {@code source} with: the interface for an IPv6 link-local address, else 0. */
    static int scope(IpAddress source, int ifindex) {
        return source instanceof Ipv6Address a && a.isLinkLocal() ? ifindex : 0;
    }

    static void setInt(int fd, int level, int option, int value, String name, String attempted, String ifname)
            throws NativeException {
        Sys.setInt(fd, level, option, value, name, attempted, Capability.CAP_NET_RAW, ifname);
    }

    /** struct ip_mreqn { struct in_addr imr_multiaddr, imr_address; int imr_ifindex; } (ip(7)). */
    static Memory mreqn(Ipv4Address group, IpAddress local, int ifindex) {
        Memory m = new Memory(12);
        m.clear();
        if (group != null) {
            m.write(0, group.toBytes(), 0, 4);
        }
        m.write(4, local.toBytes(), 0, 4);
        m.setInt(8, ifindex);
        return m;
    }

    IpAddress source() {
        return source;
    }

    /**
     * Sends {@code vrrpMessage} to {@code destination} (the group or a unicast peer). A
     * link-local or multicast IPv6 destination is scoped to this interface.
     *
     * @throws ClosedChannelException when the socket is closed
     */
    void send(IpAddress destination, byte[] vrrpMessage) throws IOException {
        if (destination.family() != source.family()) {
            throw new IllegalArgumentException("cannot send to " + destination + " from " + source
                    + ": address families differ");
        }
        lock.readLock().lock();
        try {
            if (closed) {
                throw new ClosedChannelException();
            }
            Memory to = destinations.get(destination);
            if (to == null) {
                if (destinations.size() >= MAX_DESTINATIONS) {
                    destinations.clear();
                }
                int scope = destination instanceof Ipv6Address a && (a.isLinkLocal() || a.isMulticast()) ? ifindex : 0;
                to = Sys.sockaddr(destination, scope);
                destinations.put(destination, to);
            }
            try {
                if (DirectLibC.AVAILABLE) {
                    DirectLibC.sendto(fd, vrrpMessage, vrrpMessage.length, 0, to, (int) to.size());
                } else {
                    LibC.get().sendto(fd, vrrpMessage, Sys.nl(vrrpMessage.length), 0, to, (int) to.size());
                }
            } catch (LastErrorException e) {
                throw NativeException.of("send a VRRP message to " + destination + " on " + ifname, "sendto",
                        e.getErrorCode(), null, Capability.CAP_NET_RAW, ifname);
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Closes the socket once no send runs; sends after it throw {@link ClosedChannelException}; idempotent. */
    void close() {
        lock.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                Sys.closeQuietly(fd);
                destinations.clear();
            }
        } finally {
            lock.writeLock().unlock();
        }
    }
}
