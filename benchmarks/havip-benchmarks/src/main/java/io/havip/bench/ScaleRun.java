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
 * java -cp benchmarks.jar io.havip.bench.ScaleRun ROUTERS INTERVAL_MS SECONDS [--storm]
 * </pre>
 *
 * Two nodes on one segment each run ROUTERS virtual routers (VRIDs 1..ROUTERS, one VIP each,
 * nopreempt), so the JVM holds 2 x ROUTERS routers, half masters, half backups. After every
 * VRID has one holder the run measures for SECONDS and prints CPU as a share of one core,
 * heap, threads and the state changes seen during the measurement (spurious transitions,
 * target 0). {@code --storm} adds an allocation storm thread (short-lived garbage plus a
 * rolling set of long-lived arrays) for the GC-pressure figure; run it with a small heap
 * (e.g. -Xmx64m).
 */
public final class ScaleRun {

    private ScaleRun() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: ScaleRun ROUTERS INTERVAL_MS SECONDS [--storm]");
            System.exit(2);
        }
        int routers = Integer.parseInt(args[0]);
        Duration interval = Duration.ofMillis(Long.parseLong(args[1]));
        long seconds = Long.parseLong(args[2]);
        boolean storm = args.length > 3 && args[3].equals("--storm");
        if (routers < 1 || routers > 255) {
            throw new IllegalArgumentException("ROUTERS " + routers + " must be 1-255 (one VRID each)");
        }
        InMemoryNetwork network = new InMemoryNetwork();
        Node a = network.attach("a", MacAddress.parse("02:00:5e:20:00:0b"), IpAddress.parse("198.51.100.11"));
        Node b = network.attach("b", MacAddress.parse("02:00:5e:20:00:0c"), IpAddress.parse("198.51.100.12"));
        AtomicLong transitions = new AtomicLong();
        List<VirtualRouter> all = new ArrayList<>();
        for (int vrid = 1; vrid <= routers; vrid++) {
            for (Node n : List.of(a, b)) {
                IpAddress peer = n == a ? b.primaryAddress() : a.primaryAddress();
                all.add(Havip.builder().name("VR" + vrid).interfaceName("eth0").vrid(vrid).version(VrrpVersion.V3)
                        .advertInterval(interval).preempt(false).priority(100)
                        .virtualAddress("203.0.113." + vrid + "/24").unicastPeer(peer)
                        .transport(n.openTransport("eth0")).binder(n.binder())
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
            stormThread = new Thread(() -> storm(stormBytes), "allocation-storm");
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

    /** Short-lived garbage, plus a rolling window of long-lived arrays that survive young collections. */
    private static void storm(AtomicLong bytes) {
        Object[] keep = new Object[2048];
        long sink = 0;
        for (long i = 0; ; i++) {
            byte[] garbage = new byte[256 + (int) (i % 4096)];
            sink += garbage.length;
            if (i % 64 == 0) {
                keep[(int) ((i / 64) % keep.length)] = new byte[8192];
            }
            if ((i & 1023) == 0) {
                bytes.addAndGet(sink);
                sink = 0;
            }
        }
    }
}
