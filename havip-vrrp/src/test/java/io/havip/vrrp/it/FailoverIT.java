package io.havip.vrrp.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.havip.arp.testbed.Node;
import io.havip.arp.testbed.Testbed;
import io.havip.arp.testbed.TestbedExtension;
import io.havip.core.net.IpAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Two havip nodes, each its own JVM in its own namespace, plus a client, on one bridge:
 * VRRPv3 at a 100 ms advert interval (Master_Down_Interval about 340 ms for priority 100).
 * After each event the client must reach the VIP at the new master's MAC, and exactly one
 * node must hold it once converged. Bounds are generous (seconds): the measured times are logged.
 */
@ExtendWith(TestbedExtension.class)
class FailoverIT {

    private static final Duration CONVERGE = Duration.ofSeconds(10);
    /** 3 x 100 ms + skew is 340 ms; the bound leaves room for a loaded 2-core CI host. */
    private static final long TAKEOVER_BOUND_MS = 3_000;

    private record Pair(Testbed net, Node n1, Node n2, Node client, List<Node> routers) { }

    private static Pair pair(Testbed net) {
        Node n1 = net.addNode("n1");
        Node n2 = net.addNode("n2");
        Node client = net.addNode("client");
        return new Pair(net, n1, n2, client, List.of(n1, n2));
    }

    /** {@code master} is MASTER, {@code backup} BACKUP, only the master holds the VIP and the client reaches it there. */
    private static void awaitServing(Pair p, HavipProcess master, HavipProcess backup, IpAddress vip) {
        master.awaitState("MASTER", CONVERGE);
        backup.awaitState("BACKUP", CONVERGE);
        VipChecks.awaitSoleHolder(p.routers(), master.node(), vip, CONVERGE);
        VipChecks.awaitClientReaches(p.client(), vip, master.node(), CONVERGE);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void electionThenCrashThenRestartCleansTheStaleAddress(Mode mode, Testbed net) throws Exception {
        Pair p = pair(net);
        IpAddress vip = mode.vip();
        try (HavipProcess h1 = HavipProcess.start(p.n1(), mode.args(p.n1(), p.routers(), 150));
                HavipProcess h2 = HavipProcess.start(p.n2(), mode.args(p.n2(), p.routers(), 100))) {
            // election: the higher priority wins, the other stays backup
            awaitServing(p, h1, h2, vip);
            assertThat(h2.lines("STATE MASTER")).as("the backup never became master").isEmpty();

            // crash: SIGKILL the master's JVM; the backup takes over after Master_Down_Interval
            long killedAt = System.currentTimeMillis();
            h1.kill();
            long masterAt = h2.awaitLine("STATE MASTER", Duration.ofMillis(TAKEOVER_BOUND_MS));
            Measured.report("%s: takeover after SIGKILL of the master: %d ms", mode, masterAt - killedAt);
            assertThat(h2.lines("STATE MASTER").get(0)).contains("MASTER_DOWN_TIMER");
            assertThat(VipChecks.holds(p.n1(), vip)).as("SIGKILL leaves the crashed node's address behind").isTrue();
            VipChecks.awaitClientReaches(p.client(), vip, p.n2(), CONVERGE);

            // restart of the crashed node without preemption: start-up reconciliation removes the
            // stale address, the node stays backup, and only the new master holds the VIP
            try (HavipProcess again = HavipProcess.start(p.n1(), mode.args(p.n1(), p.routers(), 150, "preempt=false"))) {
                again.awaitState("BACKUP", CONVERGE);
                VipChecks.awaitSoleHolder(p.routers(), p.n2(), vip, CONVERGE);
                HavipProcess.sleep(500); // five advert intervals: nothing may flip
                assertThat(again.lines("STATE MASTER")).isEmpty();
                assertThat(h2.lastState()).contains("MASTER");
                VipChecks.awaitSoleHolder(p.routers(), p.n2(), vip, CONVERGE);
                VipChecks.awaitClientReaches(p.client(), vip, p.n2(), CONVERGE);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void gracefulCloseHandsOverMakeBeforeBreak(Mode mode, Testbed net) throws Exception {
        Pair p = pair(net);
        IpAddress vip = mode.vip();
        try (HavipProcess h1 = HavipProcess.start(p.n1(), mode.args(p.n1(), p.routers(), 150));
                HavipProcess h2 = HavipProcess.start(p.n2(), mode.args(p.n2(), p.routers(), 100))) {
            awaitServing(p, h1, h2, vip);

            long[] ping;
            long stoppedAt;
            long masterAt;
            try (VipChecks.PingRun run = new VipChecks.PingRun(p.client(), vip, 200)) { // 2 s at 10 ms
                HavipProcess.sleep(600);
                stoppedAt = System.currentTimeMillis();
                assertThat(h1.terminate()).as("exit status after SIGTERM; events " + h1.lines()).isEqualTo(143);
                masterAt = h2.awaitLine("STATE MASTER", CONVERGE);
                ping = run.result();
            }
            long lost = ping[0] - ping[1];
            Measured.report("%s: graceful handover: new master %d ms after SIGTERM; client lost %d of %d pings at 10 ms",
                    mode, masterAt - stoppedAt, lost, ping[0]);
            assertThat(h1.lines("STATE STOP")).as(h1.lines().toString()).hasSize(1);
            assertThat(h1.lines("CLOSED").get(0)).as("the new master was heard before release").contains("handovers=1");
            assertThat(h2.lines("STATE MASTER").get(0)).contains("MASTER_RELEASED");
            assertThat(masterAt - stoppedAt).isLessThan(TAKEOVER_BOUND_MS);
            // keepalived drops the address at once and clients wait out Skew_Time (about 60 pings at 10 ms);
            // make-before-break keeps the address until the new master speaks.
            assertThat(lost).as("pings lost during the handover").isLessThanOrEqualTo(10);
            VipChecks.awaitSoleHolder(p.routers(), p.n2(), vip, CONVERGE);
            VipChecks.awaitClientReaches(p.client(), vip, p.n2(), CONVERGE);
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void isolatedMasterIsReplacedAndWinsBackAfterHealing(Mode mode, Testbed net) throws Exception {
        Pair p = pair(net);
        IpAddress vip = mode.vip();
        try (HavipProcess h1 = HavipProcess.start(p.n1(), mode.args(p.n1(), p.routers(), 150));
                HavipProcess h2 = HavipProcess.start(p.n2(), mode.args(p.n2(), p.routers(), 100))) {
            awaitServing(p, h1, h2, vip);

            try (VipChecks.Partition cut = VipChecks.isolate(net, p.n1())) {
                long cutAt = System.currentTimeMillis();
                long masterAt = h2.awaitLine("STATE MASTER", Duration.ofMillis(TAKEOVER_BOUND_MS));
                Measured.report("%s: takeover from an isolated master: %d ms", mode, masterAt - cutAt);
                VipChecks.awaitClientReaches(p.client(), vip, p.n2(), CONVERGE);
                assertThat(h1.lastState()).as("the isolated node cannot know; it stays master").contains("MASTER");
            }
            // healed: both masters hear each other; the lower priority steps down, the higher one
            // answers the lower-priority advert with a GARP burst, so the client follows it back
            h2.awaitLine("STATE BACKUP", 2, CONVERGE);
            assertThat(h1.lines("STATE BACKUP")).as("n1 stayed master throughout; events " + h1.lines()).hasSize(1);
            VipChecks.awaitSoleHolder(p.routers(), p.n1(), vip, CONVERGE);
            VipChecks.awaitClientReaches(p.client(), vip, p.n1(), CONVERGE);
        }
    }
}
