package io.havip.vrrp;

import static org.assertj.core.api.Assertions.assertThat;

import io.havip.core.AdvertTransport;
import io.havip.core.Clock;
import io.havip.core.ManualClock;
import io.havip.core.RouterState;
import io.havip.core.StateChange;
import io.havip.core.TransitionReason;
import io.havip.core.memory.InMemoryNetwork;
import io.havip.core.memory.InMemoryTransport;
import io.havip.core.memory.Node;
import io.havip.core.net.IpAddress;
import io.havip.core.net.MacAddress;
import io.havip.vrrp.liveness.LivenessConfig;
import io.havip.vrrp.liveness.LoopbackEndpoints;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The engine with its liveness channel: VRRP on the in-memory network under a
 * {@link ManualClock}, the liveness channel over real TCP on 127.0.0.1 (one port per node).
 * A crash is the master's node detached from the network plus its liveness sockets closed
 * without goodbye, which is what the kernel does to a killed process.
 */
class EngineLivenessTest {

    private static final IpAddress VIP = IpAddress.parse("198.51.100.50");
    private static final String SECRET = "engine liveness test secret 32by";

    private final ManualClock clock = Clock.manual(Instant.parse("2026-01-01T00:00:00Z"));
    private final InMemoryNetwork network = new InMemoryNetwork(clock, 11);
    private final LoopbackEndpoints endpoints = new LoopbackEndpoints();
    private final List<Engine> engines = new ArrayList<>();
    private final Map<Engine, AdvertTransport> transports = new HashMap<>();
    private final List<StateChange> changes = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeAll() throws InterruptedException {
        for (Engine e : engines) {
            Thread closer = new Thread(e::close);
            closer.start();
            for (int i = 0; i < 1000 && closer.isAlive(); i++) {
                run(Duration.ofMillis(10));
            }
            closer.join(10_000);
        }
    }

    private Engine start(String name, int lastOctet, int priority, Duration grace) {
        IpAddress address = IpAddress.parse("198.51.100." + lastOctet);
        Node n = network.attach(name, MacAddress.parse(String.format("02:00:c6:33:64:%02x", lastOctet)), address);
        AdvertTransport t = n.openTransport("eth0");
        int port = endpoints.register(address);
        Engine e = (Engine) Havip.builder().name(name).interfaceName("eth0").vrid(51).priority(priority)
                .virtualAddress("198.51.100.50/24").advertInterval(Duration.ofMillis(100))
                .transport(t).binder(n.binder()).clock(clock)
                .liveness(LivenessConfig.withSecret(SECRET).withPort(port).withGrace(grace))
                .livenessEndpoints(endpoints).listener(changes::add).start();
        engines.add(e);
        transports.put(e, t);
        return e;
    }

    /** Advances virtual time in 10 ms steps; after each, every engine handles what is due. */
    private void run(Duration total) throws InterruptedException {
        for (long t = 0; t < total.toMillis(); t += 10) {
            clock.advance(Duration.ofMillis(10));
            settle();
        }
        for (Engine e : engines) {
            if (e.state() != RouterState.STOP) {
                e.sync();
                e.syncListeners();
            }
        }
    }

    private void settle() throws InterruptedException {
        for (int round = 0; round < 1000; round++) {
            boolean quiet = true;
            for (Engine e : engines) {
                if (e.state() == RouterState.STOP) {
                    continue;
                }
                e.sync();
                int pending = transports.get(e) instanceof InMemoryTransport mt ? mt.pending() : 0;
                quiet &= pending == 0 && e.packetsSettled();
            }
            if (quiet) {
                return;
            }
            Thread.sleep(0, 200_000);
        }
    }

    /** Waits (real time, polling) for something the TCP side does; time does not move meanwhile. */
    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        for (int i = 0; i < 1000; i++) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("timed out waiting until " + what);
    }

    private List<StateChange> changesOf(Engine e) {
        return changes.stream().filter(c -> c.router().equals(e.id())).toList();
    }

    @Test
    void backupTakesOverWithinGracePlusFastSkewWhenTheMastersProcessDies() throws Exception {
        Engine master = start("n1", 11, 120, Duration.ofMillis(10));
        Engine backup = start("n2", 12, 50, Duration.ofMillis(10));
        run(Duration.ofSeconds(1));
        assertThat(master.state()).isEqualTo(RouterState.MASTER);
        await("the backup's channel to the master is up", () -> backup.stats().liveness().channelsUp() == 1);

        Instant killed = clock.instant();
        network.detach("n1");
        master.liveness().abort();
        await("the backup learns of the death", () -> backup.stats().liveness().processDeaths() == 1);
        backup.sync();
        run(Duration.ofMillis(100)); // the takeover's own time is checked on its StateChange below

        assertThat(backup.state()).as("%s %s", backup.stats().liveness(), changesOf(backup))
                .isEqualTo(RouterState.MASTER);
        StateChange last = changesOf(backup).get(changesOf(backup).size() - 1);
        assertThat(last.reason()).isEqualTo(TransitionReason.MASTER_PROCESS_DIED);
        // grace 10 ms + Skew_Time at the 10 ms interval (8.05 ms at priority 50), in 10 ms steps, plus up to
        // a few steps for the real-TCP confirm racing the virtual clock; Master_Down_Interval would be 360 ms
        assertThat(Duration.between(killed, last.at())).isLessThanOrEqualTo(Duration.ofMillis(60));
        assertThat(network.holders(VIP)).extracting(Node::name).containsExactly("n2");
        assertThat(backup.stats().liveness().takeoversTriggered()).isEqualTo(1);
        assertThat(backup.stats().liveness().enabled()).isTrue();
        assertThat(backup.stats().liveness().grace()).isEqualTo(Duration.ofMillis(10));
    }

    @Test
    void anAdvertWithinTheGraceCancelsTheTakeover() throws Exception {
        Engine master = start("n1", 11, 120, Duration.ofMillis(500));
        Engine backup = start("n2", 12, 50, Duration.ofMillis(500));
        run(Duration.ofSeconds(1));
        await("the backup's channel to the master is up", () -> backup.stats().liveness().channelsUp() == 1);

        master.liveness().abort(); // the channel dies but the master keeps advertising
        await("the backup learns of the death", () -> backup.stats().liveness().processDeaths() == 1);
        backup.sync();
        run(Duration.ofSeconds(1));

        assertThat(backup.state()).isEqualTo(RouterState.BACKUP);
        assertThat(master.state()).isEqualTo(RouterState.MASTER);
        assertThat(backup.stats().liveness().cancelledByAdvert()).isEqualTo(1);
        assertThat(backup.stats().liveness().takeoversTriggered()).isZero();
        assertThat(changesOf(backup)).as("%s", changesOf(backup)).extracting(StateChange::to)
                .containsExactly(RouterState.BACKUP);
    }

    @Test
    void aGracefulCloseSaysGoodbyeAndTheBackupTakesOverAsReleased() throws Exception {
        Engine master = start("n1", 11, 120, Duration.ofMillis(10));
        Engine backup = start("n2", 12, 50, Duration.ofMillis(10));
        run(Duration.ofSeconds(1));
        await("the backup's channel to the master is up", () -> backup.stats().liveness().channelsUp() == 1);

        Thread closer = new Thread(master::close);
        closer.start();
        for (int i = 0; i < 100 && closer.isAlive(); i++) {
            run(Duration.ofMillis(10));
        }
        closer.join(10_000);
        await("the backup hears the goodbye", () -> backup.stats().liveness().goodbyesReceived() == 1);
        run(Duration.ofMillis(500));

        assertThat(backup.state()).isEqualTo(RouterState.MASTER);
        assertThat(changesOf(backup).get(changesOf(backup).size() - 1).reason())
                .isEqualTo(TransitionReason.MASTER_RELEASED);
        assertThat(backup.stats().liveness().processDeaths()).isZero();
        assertThat(master.stats().liveness().goodbyesSent()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void withoutASecretTheChannelIsOff() throws Exception {
        Node n = network.attach("n3", MacAddress.parse("02:00:c6:33:64:13"), IpAddress.parse("198.51.100.13"));
        Engine plain = (Engine) Havip.builder().name("n3").interfaceName("eth0").vrid(51)
                .virtualAddress("198.51.100.50/24").transport(n.openTransport("eth0")).binder(n.binder())
                .clock(clock).start();
        engines.add(plain);
        transports.put(plain, null);
        assertThat(plain.liveness()).isNull();
        assertThat(plain.stats().liveness().enabled()).isFalse();
        assertThat(plain.stats().liveness().port()).isZero();
    }
}
