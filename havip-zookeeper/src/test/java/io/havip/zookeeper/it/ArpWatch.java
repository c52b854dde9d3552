package io.havip.zookeeper.it;

import io.havip.arp.linux.PacketSocket;
import io.havip.arp.packet.ArpPacket;
import io.havip.arp.testbed.Capture;
import io.havip.arp.testbed.Node;
import io.havip.core.net.IpAddress;
import io.havip.core.net.Ipv4Address;
import io.havip.core.net.MacAddress;
import io.havip.vrrp.it.HavipProcess;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who answers ARP for the VIP, as the client sees it on the wire: the client broadcasts an ARP
 * request for the VIP every {@value #PROBE_MS} ms from its own MAC (a raw frame on a packet
 * socket, so its kernel's neighbour cache plays no part), and tshark captures every ARP frame on
 * the client's eth0 into a pcap file. {@link #finish} dissects the file: each reply for the VIP
 * belongs to the last probe before it, and a probe answered by two MACs is a moment when two
 * nodes claim the VIP. Gratuitous ARPs for the VIP are listed too.
 */
final class ArpWatch implements AutoCloseable {

    static final long PROBE_MS = 10;

    /** One probe (when the client sent it, epoch ms) and the MACs that answered it. */
    record Probe(double atMillis, Set<String> macs) {
    }

    /** A gratuitous ARP for the VIP seen on the client: when (epoch ms) and from which MAC. */
    record Announcement(double atMillis, String mac) {
    }

    /** What the capture shows. */
    record Result(List<Probe> probes, List<Announcement> announcements) {

        /** Probes answered by two or more MACs. */
        List<Probe> dual() {
            return probes.stream().filter(p -> p.macs().size() > 1).toList();
        }

        /** For each MAC, the span (first to last probe it answered), epoch ms. */
        Map<String, double[]> spans() {
            Map<String, double[]> spans = new LinkedHashMap<>();
            for (Probe p : probes) {
                for (String mac : p.macs()) {
                    spans.computeIfAbsent(mac, m -> new double[] {p.atMillis(), p.atMillis()})[1] = p.atMillis();
                }
            }
            return spans;
        }

        /**
         * The overlap in ms of the answering spans of two MACs (plus one probe interval when they
         * overlap at all): how long both nodes answered ARP for the VIP; 0 with one MAC or disjoint spans.
         */
        double overlapMillis() {
            List<double[]> s = new ArrayList<>(spans().values());
            double worst = 0;
            for (int i = 0; i < s.size(); i++) {
                for (int j = i + 1; j < s.size(); j++) {
                    double from = Math.max(s.get(i)[0], s.get(j)[0]);
                    double to = Math.min(s.get(i)[1], s.get(j)[1]);
                    if (to >= from) {
                        worst = Math.max(worst, to - from + PROBE_MS);
                    }
                }
            }
            return worst;
        }

        /** Answered probes as "mac@ms" runs, for failure messages. */
        String describe() {
            StringBuilder out = new StringBuilder();
            String last = null;
            for (Probe p : probes) {
                String now = String.join("+", p.macs());
                if (!now.equals(last)) {
                    out.append(String.format("%n  %.0f %s", p.atMillis(), now.isEmpty() ? "(none)" : now));
                    last = now;
                }
            }
            announcements.forEach(a -> out.append(String.format("%n  %.0f GARP %s", a.atMillis(), a.mac())));
            return out.toString();
        }
    }

    private final Node client;
    private final IpAddress vip;
    private final Capture capture;
    private final PacketSocket socket;
    private final Thread prober;
    private volatile boolean stop;

    private ArpWatch(Node client, IpAddress vip, Capture capture, PacketSocket socket) {
        this.client = client;
        this.vip = vip;
        this.capture = capture;
        this.socket = socket;
        MacAddress mac = client.mac();
        byte[] frame = new ArpPacket(ArpPacket.Operation.REQUEST, mac, (Ipv4Address) client.ipv4(), MacAddress.ZERO,
                (Ipv4Address) vip).toFrame(MacAddress.BROADCAST, mac).encode();
        prober = new Thread(() -> {
            long next = System.nanoTime();
            while (!stop) {
                try {
                    socket.send(frame);
                } catch (Exception e) {
                    return; // closed
                }
                next += PROBE_MS * 1_000_000;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(wait);
                }
            }
        }, "arp-watch-probes");
        prober.setDaemon(true);
    }

    /** Starts the capture on {@code client}'s eth0, then the probes for {@code vip}. */
    static ArpWatch start(Node client, IpAddress vip) throws Exception {
        Capture capture = Capture.start(client, "arp", 10_000_000);
        try {
            PacketSocket socket = client.call(() -> PacketSocket.open("eth0"));
            ArpWatch w = new ArpWatch(client, vip, capture, socket);
            w.prober.start();
            return w;
        } catch (Exception | Error e) {
            capture.close();
            throw e;
        }
    }

    /** Stops probing and capturing and dissects what was captured. */
    Result finish() throws InterruptedException {
        stop = true;
        prober.join(2_000);
        HavipProcess.sleep(100); // the last answers
        capture.finish(0);
        String mac = client.mac().toString();
        List<List<String>> rows = capture.fields("arp", List.of(), "frame.time_epoch", "arp.opcode", "arp.src.hw_mac",
                "arp.src.proto_ipv4", "arp.dst.proto_ipv4");
        List<Probe> probes = new ArrayList<>();
        List<Announcement> announcements = new ArrayList<>();
        String v = vip.toString();
        for (List<String> r : rows) {
            double at = new BigDecimal(r.get(0)).movePointRight(3).doubleValue();
            boolean request = r.get(1).equals("1");
            if (request && r.get(2).equalsIgnoreCase(mac) && r.get(4).equals(v)) {
                probes.add(new Probe(at, new LinkedHashSet<>()));
            } else if (r.get(3).equals(v) && r.get(4).equals(v)) {
                announcements.add(new Announcement(at, r.get(2)));
            } else if (!request && r.get(3).equals(v) && !probes.isEmpty()) {
                probes.get(probes.size() - 1).macs().add(r.get(2));
            }
        }
        return new Result(probes, announcements);
    }

    @Override
    public void close() {
        stop = true;
        socket.close();
        capture.close();
    }
}
