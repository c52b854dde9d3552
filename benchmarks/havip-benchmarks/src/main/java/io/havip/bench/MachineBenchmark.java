package io.havip.bench;

import io.havip.core.RouterId;
import io.havip.core.RouterState;
import io.havip.core.net.IpAddress;
import io.havip.core.net.IpFamily;
import io.havip.core.net.Ipv4Address;
import io.havip.vrrp.codec.VrrpAdvertisement;
import io.havip.vrrp.codec.AdvertEncoder;
import io.havip.vrrp.codec.VrrpCodec;
import io.havip.vrrp.codec.VrrpVersion;
import io.havip.vrrp.machine.Action;
import io.havip.vrrp.machine.RouterConfig;
import io.havip.vrrp.machine.VrrpMachine;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The steady path of {@link VrrpMachine}, once per advert interval, as the engine drives it:
 * <ul>
 *   <li>{@link #backupOnPacket}: a BACKUP receives its master's advert bytes ({@code onPacket}:
 *       decode, validate, reset Master_Down_Timer);</li>
 *   <li>{@link #masterOnTimer}: a MASTER's Adver_Timer fires ({@code onTimer}) and the
 *       SendAdvert it returns is encoded for its unicast peer through an {@link AdvertEncoder},
 *       as {@code Engine.send} does.</li>
 * </ul>
 * Virtual time advances one interval per operation, so every operation is one advert.
 * Run with {@code -prof gc}: the target is no allocation per advert.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MachineBenchmark {

    private static final long INTERVAL = Duration.ofMillis(100).toNanos();

    private final IpAddress self = Ipv4Address.parse("198.51.100.12");
    private final IpAddress peer = Ipv4Address.parse("198.51.100.11");
    private VrrpMachine backup;
    private VrrpMachine master;
    private byte[] masterAdvert;
    private final AdvertEncoder encoder = new AdvertEncoder();
    private long backupNow;
    private long masterNow;

    @Setup
    public void setup() {
        RouterConfig config = RouterConfig.builder(new RouterId("VI_BENCH", "eth0", 51, IpFamily.IPV4))
                .version(VrrpVersion.V3).priority(100).advertInterval(Duration.ofMillis(100)).preempt(false)
                .virtualAddress("198.51.100.50/24").unicastPeer(peer).build();
        masterAdvert = VrrpCodec.encode(VrrpAdvertisement.v3(51, 100, 10, Ipv4Address.parse("198.51.100.50")), peer, self);

        backup = new VrrpMachine(config, self);
        backupNow = 1_000_000_000L;
        backup.start(backupNow);
        require(backup.state() == RouterState.BACKUP, "backup");

        master = new VrrpMachine(config, self);
        masterNow = 1_000_000_000L;
        master.start(masterNow);
        masterNow = master.nextDeadlineNanos();
        master.onTimer(masterNow); // Master_Down_Timer: becomes MASTER
        require(master.state() == RouterState.MASTER, "master");
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("benchmark set-up: the " + what + " machine is not in the expected state");
        }
    }

    @Benchmark
    public List<Action> backupOnPacket() {
        backupNow += INTERVAL;
        return backup.onPacket(backupNow, peer, self, 255, masterAdvert);
    }

    @Benchmark
    public void masterOnTimer(Blackhole bh) {
        masterNow += INTERVAL;
        List<Action> actions = master.onTimer(masterNow);
        for (int i = 0; i < actions.size(); i++) {
            if (actions.get(i) instanceof Action.SendAdvert send) {
                List<IpAddress> destinations = send.destinations();
                for (int d = 0; d < destinations.size(); d++) {
                    bh.consume(encoder.encode(send.advertisement(), self, destinations.get(d)));
                }
            }
        }
        bh.consume(actions);
    }
}
