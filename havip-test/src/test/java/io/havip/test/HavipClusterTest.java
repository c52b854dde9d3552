package io.havip.test;

import static io.havip.test.HavipAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.havip.core.FailoverListener;
import io.havip.core.RouterState;
import io.havip.core.StateChange;
import io.havip.core.TransitionReason;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The kit against real routers: every fault it offers has the effect a user's test relies on. */
class HavipClusterTest {

    private final Map<String, List<StateChange>> heard = new ConcurrentHashMap<>();

    @RegisterExtension
    final HavipClusterExtension havip = HavipClusterExtension.withNodes("n1", "n2", "n3")
            .configure(c -> c.configure((node, b) -> b.listener(record(node))));

    private FailoverListener record(String node) {
        return change -> heard.computeIfAbsent(node, n -> new CopyOnWriteArrayList<>()).add(change);
    }

    @Test
    void theHighestPriorityWinsAndACrashMovesTheAddressWithinMasterDownInterval(HavipCluster cluster) throws Exception {
        assertThat(cluster).hasNoMaster();
        cluster.advance(Duration.ofMillis(500));
        assertThat(cluster).hasMaster("n1");

        cluster.crash("n1");
        assertThat(cluster).hasNoMaster(); // the crashed host answers no more
        Duration took = cluster.advanceUntil(() -> cluster.masters().equals(List.of("n2")), Duration.ofSeconds(2),
                "n2 MASTER");
        assertThat(cluster).hasMaster("n2");
        // Master_Down_Interval at 100 ms adverts and priority 150: 3 x 100 + (256 - 150) x 100 / 256 = 341 ms
        // from n1's last advert, which was up to one interval before the crash
        Assertions.assertThat(took).isBetween(Duration.ofMillis(240), Duration.ofMillis(360));
        Assertions.assertThat(heard.get("n2")).extracting(StateChange::reason).last()
                .isEqualTo(TransitionReason.MASTER_DOWN_TIMER);
        int n1Heard = heard.get("n1").size();

        cluster.restart("n1");
        cluster.advance(Duration.ofMillis(500));
        assertThat(cluster).hasMaster("n1"); // preempts (priority 200 over 150)
        assertThat(cluster).node("n2").isInState(RouterState.BACKUP).doesNotHoldTheAddress();
        Assertions.assertThat(heard.get("n1").subList(0, n1Heard)).as("a crashed node's listeners hear nothing more")
                .extracting(StateChange::to).doesNotContain(RouterState.STOP);
    }

    @Test
    void aPartitionMakesTwoMastersAndTheHealLeavesOne(HavipCluster cluster) throws Exception {
        cluster.advance(Duration.ofMillis(500));
        assertThat(cluster).hasMaster("n1");
        cluster.partition(List.of("n1"), List.of("n2", "n3"));
        cluster.advance(Duration.ofMillis(500));
        Assertions.assertThat(cluster.masters()).containsExactly("n1", "n2");
        Assertions.assertThat(cluster.addressHolders()).containsExactly("n1", "n2");
        assertThatThrownBy(() -> assertThat(cluster).hasNoSplitBrain()).hasMessageContaining("n1=MASTER");

        cluster.heal();
        cluster.advance(Duration.ofMillis(300));
        assertThat(cluster).hasMaster("n1").hasNoSplitBrain();
    }

    @Test
    void aPausedMasterLosesTheElectionAndYieldsWhenItWakes(HavipCluster cluster) throws Exception {
        cluster.advance(Duration.ofMillis(500));
        assertThat(cluster).hasMaster("n1");
        cluster.pause("n1");
        cluster.advance(Duration.ofMillis(500));
        Assertions.assertThat(cluster.masters()).as("a paused master still believes it is one").contains("n1", "n2");
        assertThat(cluster).node("n2").isInState(RouterState.MASTER).holdsTheAddress();
        Assertions.assertThat(cluster.addressHolders()).as("the paused one keeps its address").containsExactly("n1", "n2");
        cluster.resume("n1");
        cluster.advance(Duration.ofMillis(500));
        // n1 wakes, hears n2 (lower) and keeps advertising with priority 200: it preempts back
        assertThat(cluster).hasMaster("n1");
    }

    @Test
    void aGracefulStopHandsOverAndAStoppedNodeRestarts(HavipCluster cluster) throws Exception {
        cluster.advance(Duration.ofMillis(500));
        assertThat(cluster).hasMaster("n1");
        cluster.stop("n1");
        assertThat(cluster).hasMaster("n2");
        Assertions.assertThat(heard.get("n2")).extracting(StateChange::reason).last()
                .isEqualTo(TransitionReason.MASTER_RELEASED);
        Assertions.assertThat(heard.get("n1")).extracting(StateChange::to).last().isEqualTo(RouterState.STOP);
        assertThatThrownBy(() -> cluster.router("n1")).hasMessageContaining("restart(\"n1\")");
        assertThatThrownBy(() -> cluster.restart("n2")).hasMessageContaining("it is running");
        assertThatThrownBy(() -> cluster.crash("n9")).hasMessageContaining("no node named n9");
    }

    @Test
    void aFailedAssertionDescribesEveryNode(HavipCluster cluster) throws Exception {
        cluster.advance(Duration.ofMillis(500));
        assertThatThrownBy(() -> assertThat(cluster).hasMaster("n3"))
                .hasMessageContaining("expected n3 to be the one MASTER")
                .hasMessageContaining("n1=MASTER/prio 200/holds 198.51.100.50")
                .hasMessageContaining("clients reach n1");
    }
}
