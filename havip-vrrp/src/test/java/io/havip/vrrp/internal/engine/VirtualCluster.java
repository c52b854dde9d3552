package io.havip.vrrp.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.havip.core.AdvertTransport;
import io.havip.core.Clock;
import io.havip.core.ManualClock;
import io.havip.core.RouterState;
import io.havip.core.memory.InMemoryNetwork;
import io.havip.core.memory.InMemoryTransport;
import io.havip.core.memory.Node;
import io.havip.core.net.IpAddress;
import io.havip.core.net.MacAddress;
import io.havip.vrrp.Havip;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Engines on the in-memory network under a {@link ManualClock}, for the engine tests: time
 * moves only in {@link #run}, and each 10 ms step waits until every engine has handled what
 * is due and every advert sent has been received and handled, so the receive threads never
 * fall behind the virtual clock.
 */
final class VirtualCluster implements AutoCloseable {

    final ManualClock clock = Clock.manual(Instant.parse("2026-01-01T00:00:00Z"));
    final InMemoryNetwork network;
    private final List<Engine> engines = new ArrayList<>();
    private final Map<Engine, AdvertTransport> transports = new HashMap<>();
    private AdvertTransport lastTransport;

    VirtualCluster(long seed) {
        this.network = new InMemoryNetwork(clock, seed);
    }

    /** A builder for a node 198.51.100.{lastOctet} on the segment (VRID 51, VIP .50/24, 100 ms adverts). */
    Havip.Builder node(String name, int lastOctet, int priority) {
        Node n = network.attach(name, MacAddress.parse(String.format("02:00:c6:33:64:%02x", lastOctet)),
                IpAddress.parse("198.51.100." + lastOctet));
        lastTransport = n.openTransport("eth0");
        return Havip.builder().name(name).interfaceName("eth0").vrid(51).priority(priority)
                .virtualAddress("198.51.100.50/24").advertInterval(Duration.ofMillis(100))
                .transport(lastTransport).binder(n.binder()).clock(clock);
    }

    /** Starts a builder made by {@link #node}. */
    Engine start(Havip.Builder b) {
        return start(b, lastTransport);
    }

    /** Starts a builder using {@code transport}, which {@link #run} watches for pending adverts. */
    Engine start(Havip.Builder b, AdvertTransport transport) {
        Engine e = (Engine) b.start();
        engines.add(e);
        transports.put(e, transport);
        return e;
    }

    /** Watches an engine started elsewhere (a sync group's member) as if {@link #start} had started it. */
    void adopt(Engine e, AdvertTransport transport) {
        engines.add(e);
        transports.put(e, transport);
    }

    void run(Duration total) throws InterruptedException {
        for (long t = 0; t < total.toMillis(); t += 10) {
            clock.advance(Duration.ofMillis(10));
            settle();
        }
        for (Engine e : running()) {
            e.sync();
            e.syncListeners();
        }
    }

    private void settle() throws InterruptedException {
        for (int round = 0; round < 1000; round++) {
            // First let every engine handle what is due (sending adverts), then check, in a
            // separate pass, that nobody has anything left to receive: checking while syncing
            // would miss an advert the next engine in the list sends.
            for (Engine e : running()) {
                e.sync();
            }
            boolean quiet = true;
            for (Engine e : running()) {
                int pending = transports.get(e) instanceof InMemoryTransport mt ? mt.pending() : 0;
                quiet &= pending == 0 && e.packetsSettled();
            }
            if (quiet) {
                return;
            }
            Thread.sleep(0, 200_000);
        }
    }

    private List<Engine> running() {
        return engines.stream().filter(e -> e.state() != RouterState.STOP).toList();
    }

    /** close() of a master waits (in virtual time) for the handover, so keep time moving meanwhile. */
    void closeWhileRunning(Engine e) throws InterruptedException {
        Thread closer = new Thread(e::close);
        closer.start();
        for (int i = 0; i < 1000 && closer.isAlive(); i++) {
            run(Duration.ofMillis(10));
        }
        closer.join(10_000);
        assertThat(closer.isAlive()).as("close of %s returned", e.id()).isFalse();
    }

    @Override
    public void close() throws InterruptedException {
        for (Engine e : engines) {
            closeWhileRunning(e);
        }
    }
}
