package io.havip.arp.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import io.havip.arp.packet.ArpPacket;
import io.havip.arp.packet.EthernetFrame;
import io.havip.arp.packet.MalformedPacketException;
import io.havip.core.net.IpAddress;
import io.havip.core.net.Ipv4Address;
import io.havip.core.net.MacAddress;
import java.nio.ByteOrder;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches an interface for ARP packets in which another MAC claims one of the addresses
 * this node holds: any ARP packet (gratuitous, reply or request) whose sender address is a
 * watched virtual address and whose sender MAC is not ours. The usual cause is a stale holder
 * (a node whose process was killed with SIGKILL left the address on its interface and its
 * kernel keeps answering), and the cure is a fresh announcement burst from the master.
 *
 * <p>An AF_PACKET socket bound to the interface with protocol ETH_P_ARP (packet(7)), read
 * by one daemon thread; no libpcap. Opened on the calling thread, in its network
 * namespace. Needs {@link Capability#CAP_NET_RAW}. Malformed frames are counted and
 * dropped.
 */
public final class ArpConflictMonitor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ArpConflictMonitor.class);
    private static final int ETH_P_ARP = 0x0806;
    /** close() wakes the reader through an eventfd; the timeout only bounds a lost wake-up. */
    private static final int POLL_MILLIS = 1000;

    private final int fd;
    private final int wakeup;
    private final String ifname;
    private final MacAddress ownMac;
    private final Set<IpAddress> watched = new CopyOnWriteArraySet<>();
    private final BiConsumer<IpAddress, MacAddress> onConflict;
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong conflicts = new AtomicLong();
    private final Thread reader;
    private volatile boolean closed;

    private ArpConflictMonitor(int fd, int wakeup, InterfaceInfo info, BiConsumer<IpAddress, MacAddress> onConflict) {
        this.fd = fd;
        this.wakeup = wakeup;
        this.ifname = info.name();
        this.ownMac = info.mac();
        this.onConflict = onConflict;
        this.reader = new Thread(this::readLoop, "havip-arp-conflict-" + ifname);
        this.reader.setDaemon(true);
    }

    /**
     * Starts watching {@code ifname}; {@code onConflict} gets (address, foreign MAC) on the
     * monitor's thread for every claim of a {@linkplain #watch watched} address by another MAC.
     */
    public static ArpConflictMonitor start(String ifname, BiConsumer<IpAddress, MacAddress> onConflict)
            throws NativeException {
        InterfaceInfo info = Interfaces.query(ifname);
        String attempted = "watch ARP on " + ifname;
        int protocol = htons(ETH_P_ARP);
        int fd = Sys.socket(attempted, "AF_PACKET, SOCK_RAW, ETH_P_ARP", Sys.AF_PACKET, Sys.SOCK_RAW, protocol,
                Capability.CAP_NET_RAW);
        int wakeup = -1;
        try {
            Memory sll = new Memory(20); // struct sockaddr_ll, see PacketSocket
            sll.clear();
            sll.setShort(0, (short) Sys.AF_PACKET);
            sll.setShort(2, (short) protocol);
            sll.setInt(4, info.index());
            Sys.bind(fd, sll, "AF_PACKET, ETH_P_ARP, ifindex " + info.index(), attempted, ifname);
            Sys.attachFilter(fd, Sys.BPF_DROP_ALL, attempted, ifname); // nothing is watched yet
            wakeup = Sys.eventfd(attempted);
            ArpConflictMonitor m = new ArpConflictMonitor(fd, wakeup, info, onConflict);
            m.reader.start();
            return m;
        } catch (NativeException | RuntimeException e) {
            Sys.closeQuietly(fd);
            if (wakeup >= 0) {
                Sys.closeQuietly(wakeup);
            }
            throw e;
        }
    }

    /** The protocol number in network byte order, as socket(2) and sockaddr_ll want it. */
    private static int htons(int v) {
        return ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? Short.toUnsignedInt(Short.reverseBytes((short) v)) : v;
    }

    /** Starts reporting claims of {@code address} (while this node holds it). */
    public void watch(IpAddress address) {
        if (watched.add(address)) {
            refilter();
        }
    }

    /** Stops reporting claims of {@code address} (this node released it). */
    public void unwatch(IpAddress address) {
        if (watched.remove(address)) {
            refilter();
        }
    }

    /** The largest watch list the kernel filter expresses (a BPF jump offset is one byte). */
    private static final int MAX_FILTERED = 200;
    /** Offset of the ARP sender protocol address in an Ethernet frame (14 + 14). */
    private static final int ARP_SPA_OFFSET = 28;

    /**
     * Lets the kernel pass only ARP frames sent from a watched IPv4 address (a backup watching
     * nothing gets none): with many routers on a host each monitor would otherwise wake for
     * every ARP frame on the segment. With more than {@value #MAX_FILTERED} addresses every
     * frame passes and {@link #inspect} decides, as it always does.
     */
    private synchronized void refilter() {
        if (closed) {
            return;
        }
        int[] addresses = watched.stream().filter(a -> a instanceof Ipv4Address)
                .mapToInt(a -> ((Ipv4Address) a).bits()).distinct().toArray();
        int n = addresses.length;
        int[][] program;
        if (n == 0) {
            program = Sys.BPF_DROP_ALL;
        } else if (n > MAX_FILTERED) {
            program = new int[][] {{Sys.BPF_RET_K, 0, 0, Sys.BPF_ACCEPT_WHOLE}};
        } else {
            program = new int[n + 3][];
            program[0] = new int[] {Sys.BPF_LD_W_ABS, 0, 0, ARP_SPA_OFFSET};
            for (int i = 1; i <= n; i++) {
                // equal: jump to the accept at n + 1; else the next compare, or past the accept after the last
                program[i] = new int[] {Sys.BPF_JEQ_K, n - i, i == n ? 1 : 0, addresses[i - 1]};
            }
            program[n + 1] = new int[] {Sys.BPF_RET_K, 0, 0, Sys.BPF_ACCEPT_WHOLE};
            program[n + 2] = new int[] {Sys.BPF_RET_K, 0, 0, 0};
        }
        try {
            Sys.attachFilter(fd, program, "filter ARP on " + ifname + " to " + watched, ifname);
        } catch (NativeException e) {
            // Never stay blind on an old filter: let everything through and let inspect() decide.
            log.warn("ARP conflict monitor on {}: {}; watching every ARP frame instead", ifname, e.getMessage());
            try {
                Sys.attachFilter(fd, new int[][] {{Sys.BPF_RET_K, 0, 0, Sys.BPF_ACCEPT_WHOLE}}, "accept all ARP on "
                        + ifname, ifname);
            } catch (NativeException again) {
                log.warn("ARP conflict monitor on {}: {}; conflicts of {} may go unseen", ifname, again.getMessage(),
                        watched);
            }
        }
    }

    /** Frames that were not a valid Ethernet ARP packet. */
    public long malformedCount() {
        return malformed.get();
    }

    /** Conflicting claims reported so far. */
    public long conflictCount() {
        return conflicts.get();
    }

    private void readLoop() {
        byte[] buf = new byte[2048];
        while (!closed) {
            try {
                short[] ready = Sys.poll(new int[] {fd, wakeup}, POLL_MILLIS, "wait for ARP on " + ifname);
                if (closed || ready[1] != 0) {
                    return;
                }
                if ((ready[0] & Sys.POLLIN) == 0) {
                    continue;
                }
                int n = LibC.get().recv(fd, buf, Sys.nl(buf.length), 0).intValue();
                inspect(buf, n);
            } catch (LastErrorException e) {
                if (!closed) {
                    log.warn("reading ARP on {} failed: errno {}", ifname, e.getErrorCode());
                }
            } catch (NativeException e) {
                if (!closed) {
                    log.warn("{}", e.getMessage());
                }
            } catch (RuntimeException e) {
                log.warn("ARP conflict monitor on {}: {}", ifname, e.toString());
            }
        }
    }

    private void inspect(byte[] buf, int length) {
        if (watched.isEmpty() || length <= 0) {
            return;
        }
        ArpPacket arp;
        try {
            arp = ArpPacket.fromFrame(EthernetFrame.decode(buf, 0, length));
        } catch (MalformedPacketException e) {
            malformed.incrementAndGet();
            return;
        }
        // Any ARP packet (gratuitous, reply, or a request sent from the address) updates the
        // caches of those who receive it (RFC 826 "merge"), so every kind is a claim.
        if (!arp.senderMac().equals(ownMac) && watched.contains(arp.senderIp())) {
            conflicts.incrementAndGet();
            onConflict.accept(arp.senderIp(), arp.senderMac());
        }
    }

    public String interfaceName() {
        return ifname;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        Sys.signal(wakeup);
        try {
            reader.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Sys.closeQuietly(fd);
        Sys.closeQuietly(wakeup);
    }
}
