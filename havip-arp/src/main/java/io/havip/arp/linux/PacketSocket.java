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
    private final int ifindex;
    private volatile boolean closed;

    private PacketSocket(int fd, String ifname, int ifindex) {
        this.fd = fd;
        this.ifname = ifname;
        this.ifindex = ifindex;
    }

    /** Opens a sending socket on {@code ifname}. */
    public static PacketSocket open(String ifname) throws NativeException {
        return open(Interfaces.query(ifname));
    }

    static PacketSocket open(InterfaceInfo info) throws NativeException {
        return open(info.name(), info.index());
    }

    /** Opens a sending socket on interface {@code ifindex}, called {@code ifname} in messages. */
    static PacketSocket open(String ifname, int ifindex) throws NativeException {
        String attempted = "open a packet socket on " + ifname;
        // protocol 0: no frames are queued for reading (packet(7)); sending needs no protocol
        int fd = Sys.socket(attempted, "AF_PACKET, SOCK_RAW", Sys.AF_PACKET, Sys.SOCK_RAW, 0, Capability.CAP_NET_RAW);
        try {
            // struct sockaddr_ll { u16 family; be16 protocol; int ifindex; u16 hatype; u8 pkttype; u8 halen; u8 addr[8]; }
            Memory sll = new Memory(20);
            sll.clear();
            sll.setShort(0, (short) Sys.AF_PACKET);
            sll.setInt(4, ifindex);
            Sys.bind(fd, sll, "AF_PACKET, ifindex " + ifindex, attempted, ifname);
            return new PacketSocket(fd, ifname, ifindex);
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

    /**
     * Sends the first {@code length} bytes of {@code frame}, a complete Ethernet frame built
     * ahead in native memory: no copy and, where {@link DirectLibC} is bound, no JNA proxy on
     * the way (the takeover path sends its first gratuitous ARP this way).
     */
    void send(Memory frame, int length) throws NativeException {
        if (closed) {
            throw new IllegalStateException("packet socket on " + ifname + " is closed");
        }
        try {
            if (DirectLibC.AVAILABLE) {
                DirectLibC.send(fd, frame, length, 0);
            } else {
                LibC.get().send(fd, frame.getByteArray(0, length), Sys.nl(length), 0);
            }
        } catch (LastErrorException e) {
            throw NativeException.of("send a " + length + "-byte frame on " + ifname, "send", e.getErrorCode(),
                    null, Capability.CAP_NET_RAW, ifname);
        }
    }

    /** The index of the interface the socket is bound to. */
    int interfaceIndex() {
        return ifindex;
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
