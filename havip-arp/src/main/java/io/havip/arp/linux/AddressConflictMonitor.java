package io.havip.arp.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import io.havip.arp.packet.ArpPacket;
import io.havip.arp.packet.EthernetFrame;
import io.havip.arp.packet.MalformedPacketException;
import io.havip.arp.packet.InternetChecksum;
import io.havip.arp.packet.NeighborAdvertisement;
import io.havip.core.net.IpAddress;
import io.havip.core.net.IpFamily;
import io.havip.core.net.Ipv4Address;
import io.havip.core.net.Ipv6Address;
import io.havip.core.net.MacAddress;
import java.nio.ByteOrder;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches an interface for packets in which another MAC claims one of the addresses this
 * node holds. IPv4: any ARP packet (gratuitous, reply or request) whose sender address is a
 * watched virtual address and whose sender MAC is not ours. IPv6: any Neighbor Advertisement
 * (solicited or not) whose target is a watched address and whose link-layer address (the
 * Target Link-Layer Address option, else the frame's source) is not ours. The usual cause is
 * a stale holder (a node whose process was killed with SIGKILL left the address on its
 * interface and its kernel keeps answering), and the cure is a fresh announcement burst from
 * the master; during a planned handover it is how the old master sees the new one's
 * announcement.
 *
 * <p>An AF_PACKET socket bound to the interface with protocol ETH_P_ARP or ETH_P_IPV6
 * (packet(7)) and a BPF filter that passes only candidate claims, read by one daemon thread;
 * no libpcap. Opened on the calling thread, in its network namespace. Needs
 * {@link Capability#CAP_NET_RAW}. Malformed frames are counted and dropped.
 */
public final class AddressConflictMonitor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AddressConflictMonitor.class);
    private static final int ETH_P_ARP = 0x0806;
    private static final int ETH_P_IPV6 = 0x86DD;
    /** close() wakes the reader through an eventfd; the timeout only bounds a lost wake-up. */
    private static final int POLL_MILLIS = 1000;

    private final int fd;
    private final int wakeup;
    private final String ifname;
    /** This interface's MAC: claims from it are ours (the socket sees outgoing frames too). */
    private volatile MacAddress ownMac;
    private final IpFamily family;
    private final Set<IpAddress> watched = new CopyOnWriteArraySet<>();
    private final BiConsumer<IpAddress, MacAddress> onConflict;
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong conflicts = new AtomicLong();
    private final Thread reader;
    private volatile boolean closed;

    private AddressConflictMonitor(int fd, int wakeup, InterfaceInfo info, IpFamily family,
                               BiConsumer<IpAddress, MacAddress> onConflict) {
        this.fd = fd;
        this.wakeup = wakeup;
        this.ifname = info.name();
        this.ownMac = info.mac();
        this.family = family;
        this.onConflict = onConflict;
        this.reader = new Thread(this::readLoop, (family == IpFamily.IPV4 ? "havip-arp-conflict-" : "havip-na-conflict-")
                + ifname);
        this.reader.setDaemon(true);
    }

    /**
     * Starts watching {@code ifname}; {@code onConflict} gets (address, foreign MAC) on the
     * monitor's thread for every claim of a {@linkplain #watch watched} address by another MAC.
     */
    public static AddressConflictMonitor start(String ifname, BiConsumer<IpAddress, MacAddress> onConflict)
            throws NativeException {
        return start(ifname, IpFamily.IPV4, onConflict);
    }

    /**
     * As {@link #start(String, BiConsumer)} for {@code family}: ARP for IPv4, Neighbor
     * Advertisements for IPv6.
     */
    public static AddressConflictMonitor start(String ifname, IpFamily family, BiConsumer<IpAddress, MacAddress> onConflict)
            throws NativeException {
        InterfaceInfo info = Interfaces.query(ifname);
        boolean v4 = family == IpFamily.IPV4;
        String attempted = (v4 ? "watch ARP on " : "watch Neighbor Advertisements on ") + ifname;
        int protocol = htons(v4 ? ETH_P_ARP : ETH_P_IPV6);
        int fd = Sys.socket(attempted, v4 ? "AF_PACKET, SOCK_RAW, ETH_P_ARP" : "AF_PACKET, SOCK_RAW, ETH_P_IPV6",
                Sys.AF_PACKET, Sys.SOCK_RAW, protocol, Capability.CAP_NET_RAW);
        int wakeup = -1;
        try {
            Memory sll = new Memory(20); // struct sockaddr_ll, see PacketSocket
            sll.clear();
            sll.setShort(0, (short) Sys.AF_PACKET);
            sll.setShort(2, (short) protocol);
            sll.setInt(4, info.index());
            Sys.bind(fd, sll, (v4 ? "AF_PACKET, ETH_P_ARP" : "AF_PACKET, ETH_P_IPV6") + ", ifindex " + info.index(),
                    attempted, ifname);
            Sys.attachFilter(fd, Sys.BPF_DROP_ALL, attempted, ifname); // nothing is watched yet
            wakeup = Sys.eventfd(attempted);
            AddressConflictMonitor m = new AddressConflictMonitor(fd, wakeup, info, family, onConflict);
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

    /**
     * The interface's MAC changed to {@code mac}: claims from it are this node's own
     * announcements from now on, and claims from the old one are another holder's.
     */
    public void ownMacChanged(MacAddress mac) {
        if (mac == null) {
            throw new IllegalArgumentException("mac is null");
        }
        ownMac = mac;
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
    /** Offsets in an Ethernet frame carrying IPv6: next header, ICMPv6 type, last word of an NA's target. */
    private static final int IPV6_NEXT_HEADER_OFFSET = 14 + 6;
    private static final int ICMPV6_TYPE_OFFSET = 14 + 40;
    private static final int NA_TARGET_LAST_WORD_OFFSET = 14 + 40 + 8 + 12;

    /**
     * Lets the kernel pass only candidate claims of watched addresses (a monitor watching
     * nothing gets no frame): ARP frames whose sender address is watched, or ICMPv6 Neighbor
     * Advertisements whose target ends with the last 32 bits of a watched address. With many
     * routers on a host each monitor would otherwise wake for every ARP or IPv6 frame on the
     * segment. With more than {@value #MAX_FILTERED} addresses every frame passes.
     * {@link #inspect} decides exactly, as it always does.
     */
    private synchronized void refilter() {
        if (closed) {
            return;
        }
        int[] words = watched.stream().filter(a -> a.family() == family).mapToInt(AddressConflictMonitor::lastWord)
                .distinct().toArray();
        int n = words.length;
        int[][] program;
        if (n == 0) {
            program = Sys.BPF_DROP_ALL;
        } else if (n > MAX_FILTERED) {
            program = new int[][] {{Sys.BPF_RET_K, 0, 0, Sys.BPF_ACCEPT_WHOLE}};
        } else {
            // IPv6: next header ICMPv6 and type NA first (no extension headers, as the decoder requires).
            int[][] head = family == IpFamily.IPV4
                    ? new int[][] {{Sys.BPF_LD_W_ABS, 0, 0, ARP_SPA_OFFSET}}
                    : new int[][] {
                        {Sys.BPF_LD_B_ABS, 0, 0, IPV6_NEXT_HEADER_OFFSET},
                        // not ICMPv6 / not an NA: jump to the final drop (index 5 + n + 1)
                        {Sys.BPF_JEQ_K, 0, n + 4, InternetChecksum.PROTOCOL_ICMPV6},
                        {Sys.BPF_LD_B_ABS, 0, 0, ICMPV6_TYPE_OFFSET},
                        {Sys.BPF_JEQ_K, 0, n + 2, NeighborAdvertisement.ICMPV6_TYPE},
                        {Sys.BPF_LD_W_ABS, 0, 0, NA_TARGET_LAST_WORD_OFFSET}};
            int h = head.length;
            program = new int[h + n + 2][];
            System.arraycopy(head, 0, program, 0, h);
            for (int i = 0; i < n; i++) {
                // equal: jump to the accept after the compares; else the next compare, or past the accept after the last
                program[h + i] = new int[] {Sys.BPF_JEQ_K, n - 1 - i, i == n - 1 ? 1 : 0, words[i]};
            }
            program[h + n] = new int[] {Sys.BPF_RET_K, 0, 0, Sys.BPF_ACCEPT_WHOLE};
            program[h + n + 1] = new int[] {Sys.BPF_RET_K, 0, 0, 0};
        }
        try {
            Sys.attachFilter(fd, program, "filter claims on " + ifname + " to " + watched, ifname);
        } catch (NativeException e) {
            // Never stay blind on an old filter: let everything through and let inspect() decide.
            log.warn("conflict monitor on {}: {}; passing every frame instead", ifname, e.getMessage());
            try {
                Sys.attachFilter(fd, new int[][] {{Sys.BPF_RET_K, 0, 0, Sys.BPF_ACCEPT_WHOLE}}, "accept all frames on "
                        + ifname, ifname);
            } catch (NativeException again) {
                log.warn("conflict monitor on {}: {}; conflicts of {} may go unseen", ifname, again.getMessage(),
                        watched);
            }
        }
    }

    /** Frames that were not a valid ARP packet or Neighbor Advertisement. */
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
                log.warn("conflict monitor on {}: {}", ifname, e.toString());
            }
        }
    }

    /** The last 32 bits of an address, as BPF loads a word (big-endian, into an int). */
    private static int lastWord(IpAddress a) {
        return a instanceof Ipv4Address v4 ? v4.bits() : (int) ((Ipv6Address) a).low();
    }

    private void inspect(byte[] buf, int length) {
        if (watched.isEmpty() || length <= 0) {
            return;
        }
        if (family == IpFamily.IPV4) {
            inspectArp(buf, length);
        } else {
            inspectAdvertisement(buf, length);
        }
    }

    private void inspectArp(byte[] buf, int length) {
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

    private void inspectAdvertisement(byte[] buf, int length) {
        NeighborAdvertisement na;
        try {
            na = NeighborAdvertisement.decodeFrame(buf, 0, length);
        } catch (MalformedPacketException e) {
            malformed.incrementAndGet();
            return;
        }
        // The neighbour cache takes the Target Link-Layer Address option, else the frame's source.
        MacAddress claimant = na.targetLinkLayerAddress().orElse(na.sourceMac());
        if (!claimant.equals(ownMac) && watched.contains(na.target())) {
            conflicts.incrementAndGet();
            onConflict.accept(na.target(), claimant);
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
