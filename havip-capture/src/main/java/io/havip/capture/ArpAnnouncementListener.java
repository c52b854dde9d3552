package io.havip.capture;

import io.havip.arp.linux.Capability;
import io.havip.arp.linux.InterfaceInfo;
import io.havip.arp.linux.Interfaces;
import io.havip.arp.linux.NativeException;
import io.havip.arp.linux.PacketSocket;
import io.havip.arp.packet.ArpPacket;
import io.havip.arp.packet.EthernetFrame;
import io.havip.arp.packet.MalformedPacketException;
import io.havip.arp.packet.NeighborAdvertisement;
import io.havip.core.Clock;
import io.havip.core.cloud.ArpAnnouncement;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fabric side of a HAVIP: captures address announcements on an interface with libpcap
 * (pcap4j-core, an optional dependency: add it to use this class) and hands each to a
 * consumer, e.g. {@code HavipService::onAnnouncement}. Capture is the job here, so pcap is
 * used; sending stays on {@link PacketSocket}.
 *
 * <p>An announcement is an ARP packet whose sender claims its address: a gratuitous request
 * or reply (sender IP equal to target IP), or any reply; ARP probes (sender 0.0.0.0) are
 * not. Unsolicited IPv6 Neighbor Advertisements (Override set, not Solicited) count too. The
 * BPF filter is {@code arp or (icmp6 and ip6[40] == 136)}: ARP, and ICMPv6 type 136 right
 * after the IPv6 header. Frames that do not decode are counted and dropped.
 *
 * <p>Threading: one daemon thread ({@code havip-arp-capture}) runs the consumer, in capture
 * order; a throwing consumer is logged and capture goes on. The capture handle is opened on
 * the thread calling {@link #start}, in its network namespace. The time of an announcement
 * is when the listener read it ({@link Clock#instant()}). Needs CAP_NET_RAW.
 */
public final class ArpAnnouncementListener implements AutoCloseable {

    /** The errno numbers libpcap's failures are reported as (libpcap gives messages, not errno). */
    private static final int EPERM = 1;
    private static final int EIO = 5;
    private static final int EINVAL = 22;

    private static final Logger LOG = LoggerFactory.getLogger(ArpAnnouncementListener.class);
    static final String FILTER = "arp or (icmp6 and ip6[40] == 136)";
    /** How long a read waits before checking for close(). */
    private static final int READ_TIMEOUT_MILLIS = 100;

    private final PcapHandle handle;
    private final String subnetId;
    private final Consumer<ArpAnnouncement> consumer;
    private final Clock clock;
    private final Thread thread;
    private final AtomicLong malformed = new AtomicLong();
    private volatile boolean closed;

    private ArpAnnouncementListener(PcapHandle handle, String subnetId, Consumer<ArpAnnouncement> consumer, Clock clock) {
        this.handle = handle;
        this.subnetId = subnetId;
        this.consumer = consumer;
        this.clock = clock;
        this.thread = new Thread(this::run, "havip-arp-capture");
        this.thread.setDaemon(true);
    }

    /**
     * Starts capturing on {@code ifname}, reporting announcements as belonging to {@code subnetId}.
     *
     * @throws NativeException with errno EPERM and the CAP_NET_RAW hint when libpcap may not capture,
     *                         or ENODEV when the interface does not exist
     */
    public static ArpAnnouncementListener start(String ifname, String subnetId, Consumer<ArpAnnouncement> consumer,
            Clock clock) throws NativeException {
        Objects.requireNonNull(consumer, "consumer");
        Objects.requireNonNull(clock, "clock");
        InterfaceInfo info = Interfaces.query(ifname); // a clear ENODEV before libpcap's wording
        String attempted = "capture announcements on " + ifname;
        PcapHandle handle;
        try {
            handle = new PcapHandle.Builder(info.name()).snaplen(128)
                    .promiscuousMode(PcapNetworkInterface.PromiscuousMode.NONPROMISCUOUS)
                    .timeoutMillis(READ_TIMEOUT_MILLIS).immediateMode(true).build();
        } catch (PcapNativeException e) {
            String m = String.valueOf(e.getMessage());
            boolean perm = m.contains("ermission") || m.contains("not permitted");
            throw perm ? NativeException.of(attempted, "pcap_activate", EPERM, m, Capability.CAP_NET_RAW, ifname)
                    : new NativeException(attempted, "pcap_activate", EIO, m, "libpcap could not open the interface");
        }
        try {
            handle.setFilter(FILTER, BpfProgram.BpfCompileMode.OPTIMIZE);
        } catch (PcapNativeException | NotOpenException e) {
            handle.close();
            throw new NativeException(attempted, "pcap_setfilter", EINVAL, e.getMessage(),
                    "libpcap refused the filter \"" + FILTER + "\"");
        }
        ArpAnnouncementListener l = new ArpAnnouncementListener(handle, subnetId, consumer, clock);
        // fail now, not in the thread, if the subnet id is invalid
        new ArpAnnouncement(io.havip.core.net.IpAddress.parse("198.51.100.1"), io.havip.core.net.MacAddress.ZERO,
                subnetId, clock.instant());
        l.thread.start();
        return l;
    }

    private void run() {
        while (!closed) {
            byte[] frame;
            try {
                frame = handle.getNextRawPacket();
            } catch (NotOpenException e) {
                return;
            }
            if (frame == null) {
                continue; // read timeout
            }
            ArpAnnouncement a;
            try {
                a = decode(frame, subnetId, clock);
            } catch (MalformedPacketException | IllegalArgumentException e) {
                malformed.incrementAndGet();
                continue;
            }
            if (a != null && !closed) {
                try {
                    consumer.accept(a);
                } catch (RuntimeException e) {
                    LOG.warn("announcement consumer threw on {}; capture goes on", a, e);
                }
            }
        }
    }

    /** The announcement in {@code frame}, or null when the frame is ARP / NA but not an announcement. */
    static ArpAnnouncement decode(byte[] frame, String subnetId, Clock clock) throws MalformedPacketException {
        EthernetFrame f = EthernetFrame.decode(frame);
        if (f.etherType() == EthernetFrame.ETHERTYPE_ARP) {
            ArpPacket arp = ArpPacket.fromFrame(f);
            if (arp.senderIp().bits() == 0) {
                return null; // RFC 5227 probe: claims nothing
            }
            if (arp.isGratuitous() || arp.operation() == ArpPacket.Operation.REPLY) {
                return new ArpAnnouncement(arp.senderIp(), arp.senderMac(), subnetId, clock.instant());
            }
            return null;
        }
        if (f.etherType() == EthernetFrame.ETHERTYPE_IPV6) {
            NeighborAdvertisement na = NeighborAdvertisement.fromFrame(f);
            if (na.has(NeighborAdvertisement.Flag.OVERRIDE) && !na.has(NeighborAdvertisement.Flag.SOLICITED)) {
                return new ArpAnnouncement(na.target(), na.targetLinkLayerAddress().orElse(na.sourceMac()), subnetId,
                        clock.instant());
            }
        }
        return null;
    }

    /** Frames that matched the filter but did not decode. */
    public long malformedCount() {
        return malformed.get();
    }

    /** Stops capturing, also on a segment where nothing is sent; waits for the thread; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        // in immediate mode libpcap's read ignores its timeout and waits for a frame; on a quiet
        // segment only pcap_breakloop (its wakeup fd) ends the wait, else close hung for ever
        // (the handle's close waits for the read's lock)
        try {
            handle.breakLoop();
        } catch (NotOpenException e) {
            // already closed
        }
        if (Thread.currentThread() != thread) {
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        handle.close();
    }
}
