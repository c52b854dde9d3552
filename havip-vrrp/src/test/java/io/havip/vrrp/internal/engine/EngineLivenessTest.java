package io.havip.vrrp.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.havip.core.ManualClock;
import io.havip.core.RouterState;
import io.havip.core.StateChange;
import io.havip.core.TransitionReason;
import io.havip.core.memory.InMemoryNetwork;
import io.havip.core.memory.Node;
import io.havip.core.net.IpAddress;
import io.havip.vrrp.BuilderSeams;
import io.havip.vrrp.liveness.LivenessConfig;
import io.havip.vrrp.liveness.LoopbackEndpoints;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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

    private final VirtualCluster cluster = new VirtualCluster(11);
    private final ManualClock clock = cluster.clock;
    private final InMemoryNetwork network = cluster.network;
    private final LoopbackEndpoints endpoints = new LoopbackEndpoints();
    private final List<StateChange> changes = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeAll() throws InterruptedException {
        cluster.close();
    }

    private Engine start(String name, int lastOctet, int priority, Duration grace) {
        int port = endpoints.register(IpAddress.parse("198.51.100." + lastOctet));
        return cluster.start(BuilderSeams.livenessEndpoints(cluster.node(name, lastOctet, priority)
                .liveness(LivenessConfig.withSecret(SECRET).withPort(port).withGrace(grace)), endpoints)
                .listener(changes::add));
    }

    private void run(Duration total) throws InterruptedException {
        cluster.run(total);
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
        Engine plain = cluster.start(cluster.node("n3", 13, 100));
        assertThat(plain.liveness()).isNull();
        assertThat(plain.stats().liveness().enabled()).isFalse();
        assertThat(plain.stats().liveness().port()).isZero();
    }
}
