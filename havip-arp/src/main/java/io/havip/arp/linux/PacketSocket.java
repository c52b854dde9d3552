package io.havip.arp.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;

/**
 * An AF_PACKET / SOCK_RAW socket bound to one interface that sends complete Ethernet frames
 * (packet(7)): how gratuitous ARP and unsolicited NA leave, with no libpcap. Opened with
 * protocol 0, so it receives nothing. Opened on the calling thread, in its network
 * namespace; {@link #send} is thread-safe. Needs {@link Capability#CAP_NET_RAW}.
 */
public final class PacketSocket implements AutoCloseable {

    private final int fd;
    private final String ifname;
    private volatile boolean closed;

    private PacketSocket(int fd, String ifname) {
        this.fd = fd;
        this.ifname = ifname;
    }

    /** Opens a sending socket on {@code ifname}. */
    public static PacketSocket open(String ifname) throws NativeException {
        return open(Interfaces.query(ifname));
    }

    static PacketSocket open(InterfaceInfo info) throws NativeException {
        String attempted = "open a packet socket on " + info.name();
        // protocol 0: no frames are queued for reading (packet(7)); sending needs no protocol
        int fd = Sys.socket(attempted, "AF_PACKET, SOCK_RAW", Sys.AF_PACKET, Sys.SOCK_RAW, 0, Capability.CAP_NET_RAW);
        try {
            // struct sockaddr_ll { u16 family; be16 protocol; int ifindex; u16 hatype; u8 pkttype; u8 halen; u8 addr[8]; }
            Memory sll = new Memory(20);
            sll.clear();
            sll.setShort(0, (short) Sys.AF_PACKET);
            sll.setInt(4, info.index());
            Sys.bind(fd, sll, "AF_PACKET, ifindex " + info.index(), attempted, info.name());
            return new PacketSocket(fd, info.name());
        } catch (NativeException | RuntimeException e) {
            Sys.closeQuietly(fd);
            throw e;
        }
    }

    /** Sends one complete Ethernet frame (destination MAC first, no FCS). */
    public void send(byte[] frame) throws NativeException {
        if (frame.length < 14) {
            throw new IllegalArgumentException("an Ethernet frame has at least 14 bytes, got " + frame.length);
        }
        if (closed) {
            throw new IllegalStateException("packet socket on " + ifname + " is closed");
        }
        try {
            LibC.get().send(fd, frame, Sys.nl(frame.length), 0);
        } catch (LastErrorException e) {
            throw NativeException.of("send a " + frame.length + "-byte frame on " + ifname, "send", e.getErrorCode(),
                    null, Capability.CAP_NET_RAW, ifname);
        }
    }

    public String interfaceName() {
        return ifname;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            Sys.closeQuietly(fd);
        }
    }
}
