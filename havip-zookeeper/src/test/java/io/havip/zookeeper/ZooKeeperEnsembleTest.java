package io.havip.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;

import io.havip.core.Clock;
import io.havip.core.RouterId;
import io.havip.core.net.IpFamily;
import io.havip.vrrp.election.Lease;
import io.havip.vrrp.election.LeaseRequest;
import java.io.File;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The lease across server restarts and against a three-server ensemble (curator-test's
 * {@link TestingCluster}): tokens keep growing after a restart with the data kept, a lost quorum
 * ends a grant by its deadline, and {@link WhenUnreachable#HOLD} keeps it until the session is
 * lost.
 */
class ZooKeeperEnsembleTest {

    private static final Duration SESSION = Duration.ofSeconds(2);
    private static final Duration WAIT = Duration.ofSeconds(20);
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private static InstanceSpec spec() throws Exception {
        File dir = Files.createTempDirectory("havip-zk").toFile();
        return new InstanceSpec(dir, -1, -1, -1, true, -1, 100, -1);
    }

    private ZooKeeperAuthority authority(String connect, String node, WhenUnreachable when) {
        ZooKeeperAuthority a = ZooKeeperAuthority.builder().connectString(connect).path("/havip/e").nodeName(node)
                .sessionTimeout(SESSION).pauseAllowance(Duration.ofMillis(200)).whenUnreachable(when).build();
        closeables.add(a);
        return a;
    }

    private static LeaseRequest request() {
        return new LeaseRequest(new RouterId("VI_51", "eth0", 51, IpFamily.IPV4), Clock.system(), true);
    }

    @Test
    void tokensKeepGrowingAcrossARestartOfTheServerWithItsData() throws Exception {
        TestingServer server = new TestingServer(spec(), true);
        closeables.add(server);
        Recorder r1 = new Recorder();
        Recorder r2 = new Recorder();
        Lease l1 = authority(server.getConnectString(), "node1", WhenUnreachable.RELEASE).lease(request(), r1);
        Lease l2 = authority(server.getConnectString(), "node2", WhenUnreachable.RELEASE).lease(request(), r2);
        l1.acquire(100);
        Recorder.Event g1 = r1.awaitGrant(WAIT);

        server.restart();
        l1.release();
        l2.acquire(100);
        Recorder.Event g2 = r2.awaitGrant(WAIT);
        assertThat(g2).isNotNull();
        assertThat(g2.token()).isGreaterThan(g1.token());
    }

    @Test
    void aLostQuorumEndsTheGrantByItsDeadlineAndItsReturnIsReported() throws Exception {
        TestingCluster cluster = new TestingCluster(spec(), spec(), spec());
        closeables.add(cluster);
        cluster.start();
        Recorder r = new Recorder();
        ZooKeeperAuthority a = authority(cluster.getConnectString(), "node1", WhenUnreachable.RELEASE);
        a.lease(request(), r).acquire(100);
        assertThat(r.awaitGrant(WAIT)).isNotNull();
        Thread.sleep(500);

        InstanceSpec mine = cluster.findConnectionInstance(a.client().getZookeeperClient().getZooKeeper());
        List<InstanceSpec> others = cluster.getInstances().stream().filter(s -> !s.equals(mine)).toList();
        long killedAt = System.nanoTime();
        for (InstanceSpec s : others) {
            cluster.killServer(s); // the server this node talks to is left alone, without a quorum
        }
        Recorder.Event down = r.await(WAIT, e -> e.kind().equals("reachable") && !e.flag());
        assertThat(down).isNotNull();
        long lastValidUntil = r.all().stream().filter(e -> e.kind().equals("granted") || e.kind().equals("renewed"))
                .mapToLong(Recorder.Event::validUntil).max().orElseThrow();
        assertThat(lastValidUntil).as("no deadline beyond the moment a new quorum could expire the session")
                .isLessThan(killedAt + SESSION.toNanos());
        System.out.printf("quorum lost: the last release deadline was %d ms after the kill, unreachable reported after %d ms%n",
                (lastValidUntil - killedAt) / 1_000_000, (down.at() - killedAt) / 1_000_000);

        for (InstanceSpec s : others) {
            cluster.restartServer(s);
        }
        assertThat(r.await(WAIT, e -> e.kind().equals("reachable") && e.flag())).as("reachable again").isNotNull();
    }

    @Test
    void holdKeepsTheGrantWhileTheServerIsGoneUntilTheSessionIsLost() throws Exception {
        TestingServer server = new TestingServer(spec(), true);
        closeables.add(server);
        Recorder r = new Recorder();
        Lease l = authority(server.getConnectString(), "node1", WhenUnreachable.HOLD).lease(request(), r);
        l.acquire(100);
        Recorder.Event g = r.awaitGrant(WAIT);
        assertThat(g.validUntil()).as("no deadline").isEqualTo(Long.MAX_VALUE);
        server.stop();
        long stopped = System.nanoTime();
        assertThat(r.await(Duration.ofMillis(1500), e -> e.kind().equals("revoked")
                || e.kind().equals("reachable") && !e.flag())).as("held past the RELEASE deadline").isNull();
        Recorder.Event lost = r.await(WAIT, e -> e.kind().equals("revoked"));
        assertThat(lost).as("revoked once Curator declares the session lost").isNotNull();
        System.out.printf("HOLD: revoked %d ms after the server stopped (session %d ms)%n",
                (lost.at() - stopped) / 1_000_000, SESSION.toMillis());
    }
}
