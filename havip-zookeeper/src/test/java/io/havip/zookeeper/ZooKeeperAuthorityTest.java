package io.havip.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.havip.core.Clock;
import io.havip.core.RouterId;
import io.havip.core.net.IpFamily;
import io.havip.vrrp.election.Lease;
import io.havip.vrrp.election.LeaseRequest;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.KillSession;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The ZooKeeper lease against a real ZooKeeper server in this JVM (curator-test's
 * {@link TestingServer}, tickTime 100 ms so sessions of 2 s are allowed): grants, contention,
 * session expiry, server loss, tokens across holders, priorities and preemption, strangers'
 * nodes, bad settings. The routers are stood in for by a {@link Recorder}.
 */
class ZooKeeperAuthorityTest {

    static final Duration SESSION = Duration.ofSeconds(2);
    private static final Duration WAIT = Duration.ofSeconds(10);

    private TestingServer server;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void startServer() throws Exception {
        File dir = Files.createTempDirectory("havip-zk").toFile();
        server = new TestingServer(new InstanceSpec(dir, -1, -1, -1, true, -1, 100, -1), true);
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        server.close();
    }

    private ZooKeeperAuthority authority(String node) {
        return authority(node, WhenUnreachable.RELEASE);
    }

    private ZooKeeperAuthority authority(String node, WhenUnreachable when) {
        ZooKeeperAuthority a = ZooKeeperAuthority.builder().connectString(server.getConnectString()).path("/havip/test")
                .nodeName(node).sessionTimeout(SESSION).pauseAllowance(Duration.ofMillis(200)).whenUnreachable(when)
                .build();
        closeables.add(a);
        return a;
    }

    private static LeaseRequest request(String router, boolean preempt) {
        return new LeaseRequest(new RouterId(router, "eth0", 51, IpFamily.IPV4), Clock.system(), preempt);
    }

    private CuratorFramework stranger() {
        CuratorFramework c = CuratorFrameworkFactory.newClient(server.getConnectString(), new RetryOneTime(100));
        c.start();
        closeables.add(c);
        return c;
    }

    @Test
    void aLeaseIsGrantedWithTheHolderNodesCreationZxidAsToken() throws Exception {
        Recorder r = new Recorder();
        Lease lease = authority("node1").lease(request("VI_51", true), r);
        lease.acquire(100);

        Recorder.Event g = r.awaitGrant(WAIT);
        assertThat(g).isNotNull();
        Stat stat = stranger().checkExists().forPath("/havip/test/VI_51/holder");
        assertThat(g.token()).isEqualTo(stat.getCzxid()).isPositive();
        assertThat(stat.getEphemeralOwner()).isNotZero();
        long now = System.nanoTime();
        assertThat(g.validUntil() - now).as("release deadline ahead, within the session timeout")
                .isPositive().isLessThan(SESSION.toNanos());
        assertThat(lease.holder()).get().extracting(h -> h.node()).isEqualTo("node1");
        assertThat(r.await(WAIT, e -> e.kind().equals("renewed") && e.token() == g.token())).as("renewed").isNotNull();
    }

    @Test
    void twoNodesContendAndOnlyOneIsGrantedUntilItReleases() throws Exception {
        Recorder r1 = new Recorder();
        Recorder r2 = new Recorder();
        Lease l1 = authority("node1").lease(request("VI_51", true), r1);
        Lease l2 = authority("node2").lease(request("VI_51", true), r2);
        l1.acquire(100);
        Recorder.Event g1 = r1.awaitGrant(WAIT);
        l2.acquire(100);
        assertThat(r2.await(WAIT, e -> e.kind().equals("holder") && e.holder() != null
                && e.holder().node().equals("node1"))).as("node2 sees node1 hold it").isNotNull();
        assertThat(r2.awaitGrant(Duration.ofMillis(1500))).as("no second grant while node1 holds").isNull();

        l1.release();
        Recorder.Event g2 = r2.awaitGrant(WAIT);
        assertThat(g2).isNotNull();
        assertThat(g2.token()).isGreaterThan(g1.token());
    }

    @Test
    void sessionExpiryRevokesTheGrantAndTokensGrowAcrossEveryHolder() throws Exception {
        Recorder r1 = new Recorder();
        Recorder r2 = new Recorder();
        ZooKeeperAuthority a1 = authority("node1");
        Lease l1 = a1.lease(request("VI_51", true), r1);
        Lease l2 = authority("node2").lease(request("VI_51", true), r2);
        l1.acquire(100);
        Recorder.Event g1 = r1.awaitGrant(WAIT);
        l2.acquire(100);
        r2.await(WAIT, e -> e.kind().equals("holder") && e.holder() != null);

        KillSession.kill(a1.client().getZookeeperClient().getZooKeeper());
        Recorder.Event lost = r1.await(WAIT, e -> e.kind().equals("revoked"));
        assertThat(lost).isNotNull();
        assertThat(lost.flag()).as("lost, not a yield").isFalse();
        assertThat(lost.token()).isEqualTo(g1.token());
        Recorder.Event g2 = r2.awaitGrant(WAIT);
        assertThat(g2.token()).isGreaterThan(g1.token());

        // node1 asks again (as its router does after a loss) and gets it once node2 lets go
        l1.release();
        l1.acquire(100);
        l2.release();
        Recorder.Event g3 = r1.await(WAIT, e -> e.kind().equals("granted") && e.token() != g1.token());
        assertThat(g3.token()).isGreaterThan(g2.token());
    }

    @Test
    void aServerThatStopsAnsweringEndsTheGrantByItsDeadlineBeforeTheSessionCouldExpire() throws Exception {
        Recorder r = new Recorder();
        Lease lease = authority("node1").lease(request("VI_51", true), r);
        lease.acquire(100);
        Recorder.Event g = r.awaitGrant(WAIT);
        assertThat(g).isNotNull();
        Thread.sleep(600);
        server.stop();
        long stoppedAt = System.nanoTime();

        Recorder.Event down = r.await(WAIT, e -> e.kind().equals("reachable") && !e.flag());
        assertThat(down).as("reported unreachable").isNotNull();
        assertThat(down.detail()).doesNotContain("Exception");
        // every deadline handed out lies before the moment the server could expire the session:
        // (last time it heard us) + session timeout, and it heard us no later than it stopped
        long lastValidUntil = r.all().stream().filter(e -> e.kind().equals("renewed") || e.kind().equals("granted"))
                .mapToLong(Recorder.Event::validUntil).max().orElseThrow();
        assertThat(lastValidUntil).isLessThan(stoppedAt + SESSION.toNanos());
        assertThat(down.at()).as("reported by the deadline (+ one heartbeat)")
                .isLessThan(lastValidUntil + SESSION.toNanos() / 10 + 100_000_000);

        server.restart();
        assertThat(r.await(WAIT, e -> e.kind().equals("reachable") && e.flag())).as("reachable again").isNotNull();
    }

    @Test
    void aHigherPriorityCandidateThatPreemptsMakesTheHolderYield() throws Exception {
        Recorder low = new Recorder();
        Recorder high = new Recorder();
        Lease l1 = authority("node1").lease(request("VI_51", true), low);
        Lease l2 = authority("node2").lease(request("VI_51", true), high);
        l1.acquire(100);
        Recorder.Event g1 = low.awaitGrant(WAIT);
        l2.acquire(200);
        Recorder.Event y = low.await(WAIT, e -> e.kind().equals("revoked"));
        assertThat(y.flag()).as("a yield").isTrue();
        assertThat(y.detail()).contains("node2", "200");
        assertThat(high.awaitGrant(Duration.ofMillis(500))).as("not before node1 lets go").isNull();

        l1.release(); // what the router does after unbinding
        l1.acquire(100);
        Recorder.Event g2 = high.awaitGrant(WAIT);
        assertThat(g2.token()).isGreaterThan(g1.token());
        assertThat(low.await(Duration.ofMillis(1500), e -> e.kind().equals("granted") && e.token() != g1.token()))
                .as("node1 stays a candidate").isNull();
    }

    @Test
    void withoutPreemptAHigherPriorityCandidateWaits() throws Exception {
        Recorder low = new Recorder();
        Recorder high = new Recorder();
        Lease l1 = authority("node1").lease(request("VI_51", true), low);
        Lease l2 = authority("node2").lease(request("VI_51", false), high);
        l1.acquire(100);
        low.awaitGrant(WAIT);
        l2.acquire(200);
        assertThat(low.await(Duration.ofMillis(1500), e -> e.kind().equals("revoked"))).isNull();
    }

    @Test
    void theFirstCandidateObtainsAFreeLease() throws Exception {
        Recorder low = new Recorder();
        Recorder high = new Recorder();
        Recorder holder = new Recorder();
        Lease l0 = authority("node0").lease(request("VI_51", false), holder);
        l0.acquire(50);
        holder.awaitGrant(WAIT);
        Lease l1 = authority("node1").lease(request("VI_51", true), low);
        Lease l2 = authority("node2").lease(request("VI_51", true), high);
        l1.acquire(100);
        l2.acquire(200);
        Thread.sleep(500);
        l0.close();
        assertThat(high.awaitGrant(WAIT)).isNotNull();
        assertThat(low.awaitGrant(Duration.ofMillis(1500))).isNull();
    }

    @Test
    void closingTheAuthorityReleasesItsLeases() throws Exception {
        Recorder r1 = new Recorder();
        Recorder r2 = new Recorder();
        ZooKeeperAuthority a1 = authority("node1");
        a1.lease(request("VI_51", true), r1).acquire(100);
        r1.awaitGrant(WAIT);
        authority("node2").lease(request("VI_51", true), r2).acquire(100);
        long t0 = System.nanoTime();
        a1.close();
        assertThat(r2.awaitGrant(WAIT)).isNotNull();
        assertThat(System.nanoTime() - t0).as("at once, not after the session timeout").isLessThan(SESSION.toNanos());
    }

    @Test
    void aStrangersNodeWithGarbageKeepsTheLeaseTakenAndIsShownAsUnknown() throws Exception {
        CuratorFramework s = stranger();
        s.create().creatingParentsIfNeeded().withMode(CreateMode.PERSISTENT)
                .forPath("/havip/test/VI_51/holder", "\u0000\u00ffgarbage".getBytes(StandardCharsets.ISO_8859_1));
        s.create().creatingParentsIfNeeded().forPath("/havip/test/VI_51/candidates/p999-x-y", new byte[0]);
        Recorder r = new Recorder();
        Lease lease = authority("node1").lease(request("VI_51", true), r);
        lease.acquire(100);
        Recorder.Event h = r.await(WAIT, e -> e.kind().equals("holder") && e.holder() != null);
        assertThat(h.holder().node()).startsWith("unknown (a persistent node not written by havip");
        assertThat(r.awaitGrant(Duration.ofMillis(1500))).as("never taken from under a stranger").isNull();

        s.delete().forPath("/havip/test/VI_51/holder");
        assertThat(r.awaitGrant(WAIT)).isNotNull();
    }

    @Test
    void badSettingsAreRefusedWithClearMessages() {
        assertThatThrownBy(() -> ZooKeeperAuthority.builder().path("havip"))
                .hasMessageContaining("path 'havip' is not an absolute ZooKeeper path");
        assertThatThrownBy(() -> ZooKeeperAuthority.builder().path("/havip/"))
                .hasMessageContaining("no trailing /");
        assertThatThrownBy(() -> ZooKeeperAuthority.builder().nodeName("a/b"))
                .hasMessageContaining("nodeName 'a/b' cannot name a ZooKeeper node");
        assertThatThrownBy(() -> ZooKeeperAuthority.builder().nodeName("n").build())
                .hasMessageContaining("connectString is not set");
        assertThatThrownBy(() -> ZooKeeperAuthority.builder().nodeName("n").connectString("zk1:99999").build())
                .hasMessageContaining("'zk1:99999' is not host:port");
        assertThatThrownBy(() -> ZooKeeperAuthority.builder().sessionTimeout(Duration.ofMillis(10)))
                .hasMessageContaining("sessionTimeout");
        assertThatThrownBy(() -> ZooKeeperAuthority.builder().nodeName("n").connectString("zk1:2181")
                .sessionTimeout(Duration.ofMillis(500)).pauseAllowance(Duration.ofMillis(400)).build())
                .hasMessageContaining("leaves no time to hold a lease");
        ZooKeeperAuthority a = authority("node1");
        assertThatThrownBy(() -> a.lease(request("bad name", true), new Recorder()))
                .hasMessageContaining("router name 'bad name' cannot name a ZooKeeper node");
        assertThatThrownBy(() -> a.lease(new LeaseRequest(new RouterId("VI_51", "eth0", 51, IpFamily.IPV4),
                Clock.manual(java.time.Instant.EPOCH), true), new Recorder()))
                .hasMessageContaining("runs on another clock");
    }

    @Test
    void zooKeeperDownAtStartIsReportedUnreachableAndNothingIsGranted() throws Exception {
        int port = server.getPort();
        server.stop();
        ZooKeeperAuthority a = ZooKeeperAuthority.builder().connectString("127.0.0.1:" + port).path("/havip/test")
                .nodeName("node1").sessionTimeout(SESSION).build();
        closeables.add(a);
        Recorder r = new Recorder();
        a.lease(request("VI_51", true), r).acquire(100);
        Recorder.Event down = r.await(WAIT, e -> e.kind().equals("reachable") && !e.flag());
        assertThat(down).isNotNull();
        assertThat(down.detail()).contains("could not connect to 127.0.0.1:" + port, "is ZooKeeper running")
                .doesNotContain("Exception");
        assertThat(r.of("granted")).isEmpty();

        server.restart();
        assertThat(r.awaitGrant(WAIT)).as("granted once it runs").isNotNull();
    }
}
