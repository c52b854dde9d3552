package io.havip.vrrp.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.havip.arp.linux.RawVrrpTransport;
import io.havip.arp.testbed.Capture;
import io.havip.arp.testbed.Node;
import io.havip.arp.testbed.Testbed;
import io.havip.arp.testbed.TestbedExtension;
import io.havip.core.net.IpAddress;
import io.havip.vrrp.codec.VrrpPacketBuilder;
import io.havip.vrrp.it.HavipProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Scenario: a flood of VRRP adverts from a namespace of its own (a Java raw socket in a tight
 * loop, rate-capped at {@link #MAX_PPS}, for {@link #FLOOD_MS}), of three kinds. The master's
 * adverts must stay on time (no transition anywhere, no gap on the wire that a backup could
 * take for a dead master, as many adverts as the elapsed time asks for), its memory must come
 * back near its level before the flood, and a lower-priority flood is answered and logged a
 * bounded number of times, not once per packet. The engine's {@code lateTimers} are printed,
 * not asserted: a loaded host wakes a JVM thread 100 ms late without any flood (seen with the
 * other-VRID flood, which never reaches user space); the gap on the wire is what a backup sees.
 */
@ExtendWith(TestbedExtension.class)
class FloodFaultsIT {

    private static final long FLOOD_MS = 5_000;
    /**
     * The sender's cap, so the scenario is the same on a fast and a slow host. Half the issue's
     * 40k/s: on a 2-core host the sender and both routers share the cores, and at 40k/s each
     * router's receive thread gets too little of one to read every packet; the kernel then drops
     * about one in eight (counted in overloadDrops) and now and then three of the master's adverts
     * in a row at the backup, which takes over (keepalived's backup did too in the benchmark).
     * The 40k/s and faster figures are the benchmark's ({@code benchmarks/failover.sh --flood}).
     */
    private static final int MAX_PPS = 20_000;

    /** What the attacker floods: {@code (source, destination) -> packet}. */
    enum Flood {
        /** Our VRID, valid, priority 50: the master answers it (rate-limited), the backup discards it to preempt. */
        OWN_VRID_LOWER_PRIORITY((src, dst) -> VrrpPacketBuilder.v3().vrid(51).priority(50).interval(10)
                .addAddress(FaultBed.MODE.vip()).build(src, dst)),
        /** Our VRID, priority 254 but a wrong checksum: dropped and counted by both. */
        OWN_VRID_BROKEN((src, dst) -> VrrpPacketBuilder.v3().vrid(51).priority(254).interval(10)
                .addAddress(FaultBed.MODE.vip()).corruptChecksum().build(src, dst)),
        /** Another VRID: the kernel's socket filter drops it before any read. */
        OTHER_VRID((src, dst) -> VrrpPacketBuilder.v3().vrid(52).priority(254).interval(10)
                .addAddress(IpAddress.parse("203.0.113.9")).build(src, dst));

        final BiFunction<IpAddress, IpAddress, byte[]> packet;

        Flood(BiFunction<IpAddress, IpAddress, byte[]> packet) {
            this.packet = packet;
        }
    }

    /**
     * Guarantee: under a flood of adverts the master's adverts stay on time (no transition on
     * either router, the longest gap between its adverts on the wire below
     * Master_Down_Interval, at least 90 % of the adverts the elapsed time asks for), its RSS
     * a few seconds after the flood is near its level before, and a lower-priority flood is
     * answered at most once per advert interval and logged once per source.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Flood.class)
    void floodLeavesTheMastersAdvertsOnTimeAndItsMemoryAtItsLevel(Flood kind, Testbed net) throws Exception {
        try (FaultBed bed = new FaultBed(net).start(150, 100, "log=info")) {
            bed.awaitServing(bed.r1);
            Node attacker = net.addNode("flood");
            HavipProcess.sleep(1_000); // past start-up allocations
            int states1 = bed.r1.process().lines("STATE ").size();
            int states2 = bed.r2.process().lines("STATE ").size();
            long rssBefore = rssKb(bed.r1.process().pid());
            long sentBefore = bed.r1.stat("advertisementsSent");
            long answersBefore = bed.r1.stat("lowerPriorityAnswers");
            String n1 = bed.n1.ipv4().toString();
            long[] gaps;
            long sent;
            long elapsedMs;
            String window;
            try (Capture wire = Capture.start(bed.client, "ip proto 112 and src host " + n1, 1_000_000)) {
                long t0 = System.nanoTime();
                long wall0 = System.currentTimeMillis();
                sent = flood(attacker, kind.packet.apply(attacker.ipv4(), RawVrrpTransport.GROUP_V4));
                elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                window = "flood from t=" + wall0 + " to t=" + System.currentTimeMillis();
                HavipProcess.sleep(3_000); // the flood is over; memory should come back
                wire.finish(1);
                gaps = gaps(wire);
            }
            long rssAfter = rssKb(bed.r1.process().pid());
            long advertsSent = bed.r1.stat("advertisementsSent") - sentBefore;
            long answers = bed.r1.stat("lowerPriorityAnswers") - answersBefore;
            long expected = (elapsedMs + 3_000) / FaultBed.ADVERT_MS;
            Measured.report("flood %s: %d packets in %d ms (%d/s); n1 sent %d adverts (%d expected, %d answers), "
                    + "longest gap on the wire %d ms, lateTimers %d/%d, overload drops %d/%d; RSS %d -> %d MB",
                    kind, sent, elapsedMs, sent * 1000 / Math.max(1, elapsedMs), advertsSent, expected, answers,
                    gaps[0], bed.r1.stat("lateTimers"), bed.r2.stat("lateTimers"), bed.r1.stat("overloadDrops"),
                    bed.r2.stat("overloadDrops"), rssBefore / 1024, rssAfter / 1024);

            assertThat(bed.r1.process().lines("STATE ")).as("the master never moved (%s)", window).hasSize(states1);
            assertThat(bed.r2.process().lines("STATE ")).as("the backup never took over (%s)", window)
                    .hasSize(states2);
            bed.checker.assertSteady(bed.r1, 200);
            assertThat(gaps[0]).as("longest gap between the master's adverts on the wire (ms)")
                    .isLessThan(3 * FaultBed.ADVERT_MS);
            assertThat(advertsSent).as("adverts sent vs %d ms elapsed: on time, and at most one answer per interval",
                    elapsedMs + 3_000).isBetween(expected * 9 / 10, expected * 2 + 5);
            assertThat(rssAfter).as("RSS after the flood vs %d kB before", rssBefore)
                    .isLessThan(rssBefore + Math.max(rssBefore / 2, 64 * 1024));

            assertThat(bed.r1.process().terminate()).isEqualTo(143);
            String log = bed.r1.process().stderrAll();
            String attackerFrom = "from " + attacker.ipv4() + " ";
            long lowerLines = log.lines().filter(l -> l.contains("lower priority") && l.contains(attackerFrom)).count();
            Measured.report("flood %s: n1 logged %d lines about lower-priority adverts", kind, lowerLines);
            assertThat(lowerLines).as("log lines about lower-priority adverts").isLessThanOrEqualTo(1);
            if (kind == Flood.OWN_VRID_LOWER_PRIORITY) {
                assertThat(answers).as("answers to the lower-priority flood").isPositive()
                        .isLessThanOrEqualTo(elapsedMs / FaultBed.ADVERT_MS + 2);
            }
        }
    }

    /** Sends {@code packet} to the VRRP group from {@code attacker} for {@link #FLOOD_MS}, at most {@link #MAX_PPS}. */
    private static long flood(Node attacker, byte[] packet) throws Exception {
        return attacker.call(() -> {
            try (RawVrrpTransport t = RawVrrpTransport.openMulticast("eth0", attacker.ipv4())) {
                long start = System.nanoTime();
                long end = start + TimeUnit.MILLISECONDS.toNanos(FLOOD_MS);
                long sent = 0;
                for (long now = start; now < end; now = System.nanoTime()) {
                    if (sent < (now - start) * MAX_PPS / 1_000_000_000L) {
                        t.send(RawVrrpTransport.GROUP_V4, packet);
                        sent++;
                    } else {
                        Thread.onSpinWait();
                    }
                }
                return sent;
            }
        });
    }

    /** {longest gap, number of adverts} between consecutive adverts of the capture, in ms. */
    private static long[] gaps(Capture wire) {
        List<List<String>> rows = wire.fields("", List.of(), "frame.time_epoch");
        long longest = 0;
        double last = Double.NaN;
        for (List<String> r : rows) {
            double t = Double.parseDouble(r.get(0));
            if (!Double.isNaN(last)) {
                longest = Math.max(longest, Math.round((t - last) * 1000));
            }
            last = t;
        }
        return new long[] {longest, rows.size()};
    }

    /** VmRSS of process {@code pid} in kB, from /proc/PID/status. */
    static long rssKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
            throw new IllegalStateException("no VmRSS in /proc/" + pid + "/status");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
