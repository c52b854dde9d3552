package io.havip.bench;

import io.havip.arp.garp.GarpConfig;
import io.havip.core.net.IpAddress;
import io.havip.vrrp.Havip;
import io.havip.vrrp.VirtualRouter;
import io.havip.vrrp.config.GarpSettings;
import io.havip.vrrp.config.KeepalivedConfig;
import io.havip.vrrp.config.KeepalivedConfigReader;
import io.havip.vrrp.config.VirtualIpAddress;
import io.havip.vrrp.config.VrrpInstanceConfig;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The havip side of the failover harness until {@code havipd} is available: runs the first
 * {@code vrrp_instance} of a keepalived.conf through {@link Havip#builder()}, prints every state
 * change with a wall-clock timestamp, and closes gracefully (priority-0 advert, make-before-break)
 * on SIGTERM through a shutdown hook. SIGKILL is the crash.
 *
 * <pre>java -cp benchmarks.jar io.havip.bench.BenchNode -f keepalived.conf</pre>
 *
 * Only the keys the benchmark configurations use are mapped; the rest of the instance is what
 * {@link KeepalivedConfigReader} resolved (keepalived's defaults).
 */
public final class BenchNode {

    private BenchNode() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !args[0].equals("-f")) {
            System.err.println("usage: BenchNode -f keepalived.conf");
            System.exit(2);
        }
        KeepalivedConfig config = KeepalivedConfigReader.read(Path.of(args[1]));
        config.warnings().forEach(w -> System.err.println("config warning: " + w));
        if (config.instances().isEmpty()) {
            throw new IllegalArgumentException(args[1] + " has no vrrp_instance");
        }
        VirtualRouter router = start(config.instances().get(0));
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            router.close();
            closed.countDown();
        }, "bench-node-close"));
        closed.await();
    }

    /** Maps one instance onto the builder, as havipd does for the keys used here. */
    static VirtualRouter start(VrrpInstanceConfig i) {
        Havip.Builder b = Havip.builder()
                .name(i.name())
                .interfaceName(i.interfaceName().orElseThrow(() ->
                        new IllegalArgumentException(i.name() + ": the benchmark needs an interface")))
                .vrid(i.virtualRouterId())
                .version(i.version())
                .priority(i.priority())
                .advertInterval(i.advertInterval())
                .preempt(i.preempt())
                .preemptDelay(i.preemptDelay())
                .garp(garp(i.garp()))
                .listener(change -> System.out.println(System.currentTimeMillis() + " " + change));
        for (VirtualIpAddress v : i.virtualAddresses()) {
            b.virtualAddress(v.address());
        }
        i.authentication().ifPresent(a -> b.authPassword(a.password()));
        i.sourceAddress().ifPresent(b::sourceAddress);
        for (IpAddress peer : i.unicastPeers()) {
            b.unicastPeer(peer);
        }
        return b.start();
    }

    private static GarpConfig garp(GarpSettings g) {
        return GarpConfig.keepalivedDefaults()
                .withMasterDelay(g.masterDelay()).withMasterRepeat(g.masterRepeat())
                .withLowerPriorityDelay(g.lowerPrioDelay()).withLowerPriorityRepeat(g.lowerPrioRepeat())
                .withMasterRefresh(g.masterRefresh()).withMasterRefreshRepeat(g.masterRefreshRepeat());
    }
}
