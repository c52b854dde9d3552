package io.havip.bench;

import io.havip.core.RouterState;
import io.havip.core.memory.InMemoryNetwork;
import io.havip.core.memory.Node;
import io.havip.core.net.IpAddress;
import io.havip.core.net.MacAddress;
import io.havip.vrrp.Havip;
import io.havip.vrrp.VirtualRouter;
import io.havip.vrrp.codec.VrrpVersion;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Scale and GC-pressure runs on the in-memory network, with the JVM's own accounting
 * (process CPU time, heap after a full GC, live threads):
 *
 * <pre>
 * java -cp benchmarks.jar io.havip.bench.ScaleRun ROUTERS INTERVAL_MS SECONDS [--storm MB_PER_S]
 * </pre>
 *
 * Two nodes on one segment each run ROUTERS virtual routers (VRIDs 1..ROUTERS, one VIP each,
 * nopreempt), so the JVM holds 2 x ROUTERS routers, half masters, half backups. After every
 * VRID has one holder the run measures for SECONDS and prints CPU as a share of one core,
 * heap, threads and the state changes seen during the measurement (spurious transitions,
 * target 0) and the advert send jitter: for every router, each gap between two adverts it
 * sent minus the advert interval (the worst, the 99.9th percentile, and how many gaps
 * exceeded one interval, which is when a backup starts to count a master as gone).
 * {@code --storm MB_PER_S} adds an allocation storm thread at that rate (0: as fast as it
 * can): short-lived garbage plus a rolling set of long-lived arrays that survive young
 * collections, for the GC-pressure figure; run it with a small heap (e.g. -Xmx64m). The
 * longest GC pause in the window comes from the JVM's GC notifications.
 */
public final class ScaleRun {

    private ScaleRun() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: ScaleRun ROUTERS INTERVAL_MS SECONDS [--storm MB_PER_S]");
            System.exit(2);
        }
        int routers = Integer.parseInt(args[0]);
        Duration interval = Duration.ofMillis(Long.parseLong(args[1]));
        long seconds = Long.parseLong(args[2]);
        boolean storm = args.length > 3 && args[3].equals("--storm");
        long stormRate = storm && args.length > 4 ? Long.parseLong(args[4]) * 1_000_000L : 0;
        if (routers < 1 || routers > 255) {
            throw new IllegalArgumentException("ROUTERS " + routers + " must be 1-255 (one VRID each)");
        }
        InMemoryNetwork network = new InMemoryNetwork();
        Node a = network.attach("a", MacAddress.parse("02:00:5e:20:00:0b"), IpAddress.parse("198.51.100.11"));
        Node b = network.attach("b", MacAddress.parse("02:00:5e:20:00:0c"), IpAddress.parse("198.51.100.12"));
        AtomicLong transitions = new AtomicLong();
        Jitter jitter = new Jitter();
        GcPauses pauses = new GcPauses();
        List<VirtualRouter> all = new ArrayList<>();
        for (int vrid = 1; vrid <= routers; vrid++) {
            for (Node n : List.of(a, b)) {
                IpAddress peer = n == a ? b.primaryAddress() : a.primaryAddress();
                all.add(Havip.builder().name("VR" + vrid).interfaceName("eth0").vrid(vrid).version(VrrpVersion.V3)
                        .advertInterval(interval).preempt(false).priority(100)
                        .virtualAddress("203.0.113." + vrid + "/24").unicastPeer(peer)
                        .transport(new TimedTransport(n.openTransport("eth0"), interval, jitter)).binder(n.binder())
                        .listener(change -> transitions.incrementAndGet()).start());
            }
        }
        long settleEnd = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!settled(network, routers) && System.nanoTime() < settleEnd) {
            Thread.sleep(50);
        }
        boolean settled = settled(network, routers);
        Thread stormThread = null;
        AtomicLong stormBytes = new AtomicLong();
        if (storm) {
            stormThread = new Thread(() -> storm(stormBytes, stormRate), "allocation-storm");
            stormThread.setDaemon(true);
            stormThread.start();
        }
        Thread.sleep(Math.max(1000, interval.toMillis() * 5));
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long t0 = System.nanoTime();
        long cpu0 = os.getProcessCpuTime();
        long tr0 = transitions.get();
        long gc0 = gcMillis();
        jitter.reset();
        pauses.reset();
        Thread.sleep(seconds * 1000);
        long cpu = os.getProcessCpuTime() - cpu0;
        long wall = System.nanoTime() - t0;
        long spurious = transitions.get() - tr0;
        long gc = gcMillis() - gc0;
        boolean stillOneHolder = settled(network, routers);
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        System.gc();
        long heap = mem.getHeapMemoryUsage().getUsed();
        System.out.printf("routers %d (x2 nodes) interval %d ms, %d s measured%s%n", routers, interval.toMillis(), seconds,
                storm ? String.format(", allocation storm %.0f MB/s", stormBytes.get() / 1e6 / (wall / 1e9)) : "");
        System.out.printf("settled %s; one holder per VRID at the end %s%n", settled, stillOneHolder);
        System.out.printf("CPU %.1f%% of one core (%d cores), %.2f ms CPU per router-second%n",
                100.0 * cpu / wall, os.getAvailableProcessors(), cpu / 1e6 / (2.0 * routers * wall / 1e9));
        System.out.printf("heap after GC %.1f MB; live threads %d; GC time in window %d ms%n", heap / 1e6,
                ManagementFactory.getThreadMXBean().getThreadCount(), gc);
        System.out.printf("state changes during the window (spurious): %d%n", spurious);
        System.out.printf("advert send jitter (gap - interval): %s; longest GC pause %.1f ms (%d pauses)%n",
                jitter.summary(interval), pauses.longestMillis(), pauses.count());
        all.forEach(VirtualRouter::close);
    }

    private static boolean settled(InMemoryNetwork network, int routers) {
        for (int vrid = 1; vrid <= routers; vrid++) {
            if (network.holders(IpAddress.parse("203.0.113." + vrid)).size() != 1) {
                return false;
            }
        }
        return true;
    }

    private static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(g -> Math.max(0, g.getCollectionTime())).sum();
    }

    /**
     * Short-lived garbage, plus a rolling window of long-lived arrays that survive young
     * collections; at most {@code rate} bytes per second (0: no limit).
     */
    private static void storm(AtomicLong bytes, long rate) {
        Object[] keep = new Object[2048];
        long sink = 0;
        long start = System.nanoTime();
        long total = 0;
        for (long i = 0; ; i++) {
            byte[] garbage = new byte[256 + (int) (i % 4096)];
            sink += garbage.length;
            if (i % 64 == 0) {
                keep[(int) ((i / 64) % keep.length)] = new byte[8192];
            }
            if ((i & 1023) == 0) {
                bytes.addAndGet(sink);
                total += sink;
                sink = 0;
                if (rate > 0) {
                    long due = start + (long) (total * 1e9 / rate);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(wait);
                    }
                }
            }
        }
    }

    /** Notes, per router (its transport), the gap between consecutive adverts it sends. */
    private static final class TimedTransport implements io.havip.core.AdvertTransport {
        private final io.havip.core.AdvertTransport inner;
        private final long intervalNanos;
        private final Jitter jitter;
        private long lastSend;

        TimedTransport(io.havip.core.AdvertTransport inner, Duration interval, Jitter jitter) {
            this.inner = inner;
            this.intervalNanos = interval.toNanos();
            this.jitter = jitter;
        }

        @Override
        public void send(IpAddress destination, byte[] message) throws java.io.IOException {
            long now = System.nanoTime();
            long last = lastSend;
            lastSend = now;
            if (last != 0 && message.length > 2 && (message[2] & 0xff) != 0) { // not a priority-0 goodbye
                jitter.record(now - last - intervalNanos);
            }
            inner.send(destination, message);
        }

        @Override
        public Received receive(Duration timeout) throws java.io.IOException, InterruptedException {
            return inner.receive(timeout);
        }

        @Override
        public IpAddress sourceAddress() {
            return inner.sourceAddress();
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    /** Send-gap excess over the interval: a histogram in 100 us buckets up to 10 s, and the worst. */
    private static final class Jitter {
        private static final long BUCKET = 100_000;
        private final long[] buckets = new long[100_000];
        private long worst = Long.MIN_VALUE;
        private long count;

        synchronized void record(long excessNanos) {
            int b = (int) Math.min(buckets.length - 1, Math.max(0, excessNanos / BUCKET));
            buckets[b]++;
            worst = Math.max(worst, excessNanos);
            count++;
        }

        synchronized void reset() {
            java.util.Arrays.fill(buckets, 0);
            worst = Long.MIN_VALUE;
            count = 0;
        }

        synchronized String summary(Duration interval) {
            if (count == 0) {
                return "no adverts";
            }
            long target = (long) Math.ceil(count * 0.999);
            long seen = 0;
            int p999 = 0;
            long late = 0;
            for (int i = 0; i < buckets.length; i++) {
                seen += buckets[i];
                if (seen >= target && p999 == 0 && seen > 0) {
                    p999 = i + 1;
                    target = Long.MAX_VALUE;
                }
                if ((long) i * BUCKET >= interval.toNanos()) {
                    late += buckets[i];
                }
            }
            return String.format("%d gaps, 99.9th percentile <= %.1f ms, worst %.1f ms, %d gaps late by an interval or more",
                    count, p999 * BUCKET / 1e6, worst / 1e6, late);
        }
    }

    /** The longest GC pause (GC notifications' durations) since the last reset. */
    private static final class GcPauses {
        private volatile long longest;
        private volatile long count;

        GcPauses() {
            for (java.lang.management.GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                if (gc instanceof javax.management.NotificationEmitter emitter) {
                    emitter.addNotificationListener((n, handback) -> {
                        if (com.sun.management.GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION
                                .equals(n.getType())) {
                            var info = com.sun.management.GarbageCollectionNotificationInfo
                                    .from((javax.management.openmbean.CompositeData) n.getUserData());
                            // "end of minor/major GC" are pauses; concurrent cycles are not
                            if (!info.getGcName().contains("Concurrent") && !info.getGcName().contains("Cycles")) {
                                synchronized (this) {
                                    longest = Math.max(longest, info.getGcInfo().getDuration());
                                    count++;
                                }
                            }
                        }
                    }, null, null);
                }
            }
        }

        synchronized void reset() {
            longest = 0;
            count = 0;
        }

        double longestMillis() {
            return longest;
        }

        long count() {
            return count;
        }
    }
}
