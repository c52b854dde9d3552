package io.havip.bench;

import io.havip.core.AdvertTransport;
import io.havip.core.RouterState;
import io.havip.core.memory.InMemoryNetwork;
import io.havip.core.memory.Node;
import io.havip.core.net.IpAddress;
import io.havip.core.net.Ipv4Address;
import io.havip.core.net.MacAddress;
import io.havip.vrrp.Havip;
import io.havip.vrrp.HavipRuntime;
import io.havip.vrrp.VirtualRouter;
import io.havip.vrrp.codec.VrrpAdvertisement;
import io.havip.vrrp.codec.VrrpCodec;
import io.havip.vrrp.codec.VrrpVersion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-advert receive path of the runtime, from the transport's sink to the counters a
 * caller reads: {@code Engine.received} (queue, wake the loop), the loop thread's turn
 * (timer heap, the router's events), {@code VrrpMachine.onPacket} (the steady path: the
 * master's advert, byte for byte the one accepted last), the Master_Down_Timer moved in the
 * heap, and the counters published for {@link VirtualRouter#stats()}. 254 BACKUP routers
 * (VRIDs 1..254) of one {@link HavipRuntime} follow one master, as in the scale run; the
 * benchmark thread pushes one advert per router, as the runtime's receive thread does, and
 * waits (parked, off the loop's core) until the loop handled the last.
 *
 * <p>So one operation is one advert through everything in the JVM except the socket: the time
 * includes the hand-off to the loop thread (an unpark and its wake-up), which on a real node
 * is paid per advert too. The kernel's part (recvmsg, poll) is not in it; see the scale run
 * in BENCHMARKS.md for the whole. Run with {@code -prof gc} for the bytes allocated per
 * advert (the benchmark thread's stats() read allocates its snapshot; the loop's side is the
 * target of "no allocation per advert").
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AdvertPathBenchmark {

    static final int ROUTERS = 254;
    private final int routers = ROUTERS;
    /** Batches pushed: what each router's advertisementsReceived reaches once the loop handled them. */
    private long pushed;

    private final IpAddress self = Ipv4Address.parse("198.51.100.12");
    private final IpAddress master = Ipv4Address.parse("198.51.100.11");
    private HavipRuntime runtime;
    private final List<VirtualRouter> backups = new ArrayList<>();
    private byte[][] adverts;
    private long[] received;
    private PushTransport[] transports;
    private int next;

    @Setup(Level.Trial)
    public void setup() throws Exception {
        InMemoryNetwork network = new InMemoryNetwork();
        Node node = network.attach("backup", MacAddress.parse("02:00:5e:20:00:0c"), self);
        transports = new PushTransport[routers];
        runtime = HavipRuntime.builder().name("bench").build();
        adverts = new byte[routers][];
        for (int vrid = 1; vrid <= routers; vrid++) {
            IpAddress vip = Ipv4Address.parse("203.0.113." + vrid);
            backups.add(Havip.builder().runtime(runtime).name("VR" + vrid).interfaceName("eth0").vrid(vrid)
                    .version(VrrpVersion.V3).advertInterval(Duration.ofSeconds(1)).priority(100)
                    .virtualAddress("203.0.113." + vrid + "/32").unicastPeer(master)
                    .transport(transports[vrid - 1] = new PushTransport(self)).binder(node.binder()).start());
            adverts[vrid - 1] = VrrpCodec.encode(VrrpAdvertisement.v3(vrid, 200, 100, vip), master, self);
        }
        for (VirtualRouter r : backups) {
            if (!r.awaitState(RouterState.BACKUP, Duration.ofSeconds(10))) {
                throw new IllegalStateException("benchmark set-up: " + r.id() + " is " + r.state() + ", not BACKUP");
            }
        }
        // the first advert of each takes the decode path; the benchmark's the steady one
        adverts();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        backups.forEach(VirtualRouter::close);
        runtime.close();
    }

    /**
     * One advert for every router (a second's worth at 1 s adverts), pushed as the receive
     * thread does, then until the loop handled the last one (it handles them in the order they
     * came): the score is per advert.
     */
    @Benchmark
    @OperationsPerInvocation(ROUTERS)
    public long adverts() {
        for (int i = 0; i < routers; i++) {
            transports[i].push(new AdvertTransport.Received(master, self, 255, "eth0", adverts[i]));
        }
        int last = routers - 1;
        long want = ++pushed;
        VirtualRouter r = backups.get(last);
        long n;
        while ((n = r.stats().vrrp().advertisementsReceived()) < want) {
            LockSupport.parkNanos(20_000); // the reader stays off the loop's core
        }
        return n;
    }

    /**
     * A router's transport as the runtime's socket hub makes it ({@code HubTransport}): the
     * messages of its VRID only (the hub's kernel filter and demultiplexer), pushed to the
     * engine's sink on the receiving thread. Sends go nowhere (only BACKUP routers here).
     */
    static final class PushTransport implements AdvertTransport {
        private final IpAddress source;
        private volatile java.util.function.Consumer<Received> sink;

        PushTransport(IpAddress source) {
            this.source = source;
        }

        void push(Received r) {
            sink.accept(r);
        }

        @Override
        public void send(IpAddress destination, byte[] vrrpMessage) {
            // a BACKUP sends nothing; a priority-0 advert on close goes nowhere
        }

        @Override
        public Received receive(Duration timeout) throws java.io.IOException {
            throw new java.io.IOException("pushed to the sink only");
        }

        @Override
        public boolean deliverTo(java.util.function.Consumer<Received> sink) {
            this.sink = sink;
            return true;
        }

        @Override
        public IpAddress sourceAddress() {
            return source;
        }

        @Override
        public void close() {
        }
    }
}
