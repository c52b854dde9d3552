package io.havip.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.havip.core.Clock;
import io.havip.core.RouterId;
import io.havip.core.net.IpFamily;
import io.havip.vrrp.election.Lease;
import io.havip.vrrp.election.LeaseHolder;
import io.havip.vrrp.election.LeaseRequest;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The lease on a shared ensemble, against a real ZooKeeper server in this JVM: what a stranger
 * (another client of the ensemble, with no or the wrong password) can and cannot do to the
 * lease znodes with and without digest credentials, and a stranger who keeps deleting,
 * rewriting, squatting and faking preempting candidates while two nodes contend (churn).
 */
class ZooKeeperAclTest {

    private static final Duration SESSION = ZooKeeperAuthorityTest.SESSION;
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final byte[] PASSWORD = "s3cret-Pa55word".getBytes(StandardCharsets.US_ASCII);
    private static final String HOLDER = "/havip/test/VI_51/holder";
    private static final String CANDIDATES = "/havip/test/VI_51/candidates";

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

    private ZooKeeperAuthority authority(String node, byte[] password) {
        ZooKeeperAuthority.Builder b = ZooKeeperAuthority.builder().connectString(server.getConnectString())
                .path("/havip/test").nodeName(node).sessionTimeout(SESSION).pauseAllowance(Duration.ofMillis(200));
        if (password != null) {
            b.digest("havip", password);
        }
        ZooKeeperAuthority a = b.build();
        closeables.add(a);
        return a;
    }

    private static LeaseRequest request(boolean preempt) {
        return new LeaseRequest(new RouterId("VI_51", "eth0", 51, IpFamily.IPV4), Clock.system(), preempt);
    }

    /** Another client of the ensemble: unauthenticated, or with {@code auth} ("user:password"). */
    private CuratorFramework stranger(String auth) throws InterruptedException {
        CuratorFrameworkFactory.Builder b = CuratorFrameworkFactory.builder().connectString(server.getConnectString())
                .retryPolicy(new RetryOneTime(100)).sessionTimeoutMs(10_000);
        if (auth != null) {
            b.authorization("digest", auth.getBytes(StandardCharsets.US_ASCII));
        }
        CuratorFramework c = b.build();
        c.start();
        c.blockUntilConnected();
        closeables.add(c);
        return c;
    }

    private interface ZkCall {
        void run() throws Exception;
    }

    private static void assertNoAuth(String what, ZkCall call) {
        assertThatThrownBy(call::run).as(what).isInstanceOf(KeeperException.NoAuthException.class);
    }

    @Test
    void withCredentialsAStrangerCanReadTheLeaseButNeitherTakeNorBlockNorFakeIt() throws Exception {
        Recorder r1 = new Recorder();
        Recorder r2 = new Recorder();
        Lease l1 = authority("node1", PASSWORD).lease(request(true), r1);
        Lease l2 = authority("node2", PASSWORD).lease(request(true), r2);
        l1.acquire(100);
        Recorder.Event g1 = r1.awaitGrant(WAIT);
        assertThat(g1).isNotNull();
        l2.acquire(100);
        r2.await(WAIT, e -> e.kind().equals("holder") && e.holder() != null);

        for (String auth : new String[] {null, "havip:wrong-password", "other:" + new String(PASSWORD,
                StandardCharsets.US_ASCII)}) {
            CuratorFramework s = stranger(auth);
            String who = auth == null ? "unauthenticated" : auth.substring(0, auth.indexOf(':') + 2) + "...";
            Stat stat = new Stat();
            assertThat(new String(s.getData().storingStatIn(stat).forPath(HOLDER), StandardCharsets.UTF_8))
                    .as(who + " reads who holds").contains("node=node1");
            assertNoAuth(who + " deletes the holder", () -> s.delete().forPath(HOLDER));
            assertNoAuth(who + " rewrites the holder", () -> s.setData().forPath(HOLDER, "mine".getBytes()));
            assertNoAuth(who + " creates a persistent holder", () -> s.create().withMode(CreateMode.PERSISTENT)
                    .forPath(HOLDER));
            assertNoAuth(who + " creates a router node", () -> s.create().forPath("/havip/test/VI_99"));
            assertNoAuth(who + " fakes a preempting candidate", () -> s.create().withMode(CreateMode.EPHEMERAL)
                    .forPath(CANDIDATES + "/p255-preempt-evil"));
            assertNoAuth(who + " deletes a real candidate", () -> s.delete().forPath(CANDIDATES + "/"
                    + s.getChildren().forPath(CANDIDATES).get(0)));
            assertNoAuth(who + " changes the ACL", () -> s.setACL().withACL(org.apache.zookeeper.ZooDefs.Ids
                    .OPEN_ACL_UNSAFE).forPath("/havip/test/VI_51"));
            assertThat(stat.getCzxid()).isEqualTo(g1.token());
        }
        assertThat(r1.of("revoked")).as("nothing the strangers did reached the holder").isEmpty();

        // the ACL is the documented one, on the parents too
        CuratorFramework s = stranger(null);
        for (String p : List.of("/havip", "/havip/test", "/havip/test/VI_51", CANDIDATES, HOLDER)) {
            assertThat(LeaseAcl.show(s.getACL().forPath(p))).as(p).startsWith("digest:havip:").endsWith(":cdrwa, world:anyone:r");
        }

        // the lease path is persistent (a container would be deleted when empty, and could then be squatted)
        assertThat(s.checkExists().forPath("/havip/test").getEphemeralOwner()).isZero();
        assertThat(s.checkExists().forPath("/havip").getEphemeralOwner()).isZero();

        // the two nodes with the credentials still hand over, with a larger token
        l1.release();
        Recorder.Event g2 = r2.awaitGrant(WAIT);
        assertThat(g2).isNotNull();
        assertThat(g2.token()).isGreaterThan(g1.token());
        l1.acquire(100);
        l2.release();
        Recorder.Event g3 = r1.await(WAIT, e -> e.kind().equals("granted") && e.token() != g1.token());
        assertThat(g3.token()).isGreaterThan(g2.token());
    }

    @Test
    void aNodeWithTheWrongPasswordIsRefusedWithAMessageNamingThePathAndThePermission() throws Exception {
        Recorder r1 = new Recorder();
        authority("node1", PASSWORD).lease(request(true), r1).acquire(100);
        assertThat(r1.awaitGrant(WAIT)).isNotNull();

        ZooKeeperAuthority wrong = authority("node2", "not-the-password".getBytes(StandardCharsets.US_ASCII));
        Recorder r2 = new Recorder();
        wrong.lease(request(true), r2).acquire(200);
        ZkLease l2 = (ZkLease) wrong.leasesForTest().get(0);
        long end = System.nanoTime() + WAIT.toNanos();
        while (l2.denied() == null && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        assertThat(l2.denied()).as("refused").isNotNull()
                .contains("CREATE permission on /havip/test/VI_51/candidates", "digest user 'havip'", "password is wrong",
                        "setAcl -R /havip/test digest:havip:")
                .doesNotContain("Exception", "not-the-password");
        assertThat(r2.of("granted")).isEmpty();
        assertThat(r1.of("revoked")).as("the right node keeps it").isEmpty();
        // the refused node reports itself unreachable (its router goes to FAULT, so a node with the
        // right credentials wins VRRP), and stays so when the ensemble's reachability is reported again
        assertThat(r2.await(WAIT, e -> e.kind().equals("reachable") && !e.flag())).isNotNull().satisfies(e ->
                assertThat(e.detail()).contains("password is wrong", "stays in FAULT until havip is restarted")
                        .doesNotContain("not-the-password"));
        l2.reachable(true, "answering");
        assertThat(r2.of("reachable")).last().satisfies(e -> assertThat(e.flag()).isFalse());

        // an authority without credentials on the protected path is told the same way
        ZooKeeperAuthority none = authority("node3", null);
        none.lease(request(true), new Recorder()).acquire(200);
        ZkLease l3 = (ZkLease) none.leasesForTest().get(0);
        end = System.nanoTime() + WAIT.toNanos();
        while (l3.denied() == null && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        assertThat(l3.denied()).contains("CREATE permission on /havip/test/VI_51/candidates",
                "an unauthenticated client", "give this node the same ones").doesNotContain("Exception");
    }

    @Test
    void leaseZnodesCreatedOpenBeforeTheCredentialsAreNamedOnce() throws Exception {
        CuratorFramework s = stranger(null);
        s.create().creatingParentsIfNeeded().forPath(CANDIDATES);
        ZooKeeperAuthority a = authority("node1", PASSWORD);
        assertThat(a.checkExistingAcls()).containsExactly("/havip/test (world:anyone:cdrwa)",
                "/havip/test/VI_51 (world:anyone:cdrwa)", CANDIDATES + " (world:anyone:cdrwa)");
        // the operator's fix, as the warning says, and the check is quiet
        String digest = a.acl().digestId();
        for (String p : List.of("/havip/test", "/havip/test/VI_51", CANDIDATES)) {
            s.setACL().withACL(a.acl().acl()).forPath(p);
        }
        assertThat(a.checkExistingAcls()).isEmpty();
        assertThat(digest).startsWith("havip:");
        assertThat(authority("node2", null).checkExistingAcls()).as("no credentials: warned at start instead").isEmpty();
    }

    @Test
    void worldReadCanBeTurnedOff() throws Exception {
        ZooKeeperAuthority a = ZooKeeperAuthority.builder().connectString(server.getConnectString()).path("/havip/test")
                .nodeName("node1").sessionTimeout(SESSION).digest("havip", PASSWORD).worldReadable(false).build();
        closeables.add(a);
        Recorder r = new Recorder();
        a.lease(request(true), r).acquire(100);
        assertThat(r.awaitGrant(WAIT)).isNotNull();
        CuratorFramework s = stranger(null);
        assertNoAuth("read", () -> s.getData().forPath(HOLDER));
        assertThat(LeaseAcl.show(stranger("havip:" + new String(PASSWORD, StandardCharsets.US_ASCII)).getACL()
                .forPath(HOLDER))).startsWith("digest:havip:").endsWith(":cdrwa").doesNotContain("world");
    }

    @Test
    void badCredentialsAreRefusedWithoutShowingThePassword() {
        assertThatThrownBy(() -> ZooKeeperAuthority.builder().digest("ha:vip", PASSWORD)).hasMessageContaining("':'");
        assertThatThrownBy(() -> ZooKeeperAuthority.builder().digest("", PASSWORD)).hasMessageContaining("1-200");
        assertThatThrownBy(() -> ZooKeeperAuthority.builder().digest("havip", new byte[0])).hasMessageContaining("empty");
        assertThatThrownBy(() -> ZooKeeperAuthority.builder().digest("havip", "pässXYZ".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("not printable ASCII at position 2 of").hasMessageNotContaining("XYZ");
        assertThatThrownBy(() -> ZooKeeperAuthority.builder().digest("havip", "XYZ123\n".getBytes()))
                .hasMessageContaining("position 7 of 7").hasMessageNotContaining("XYZ");
    }

    // ---- churn ------------------------------------------------------------------------------

    /** A router stand-in: holds from grant to revoke, and asks again after every revoke (as a router does). */
    private static final class Node extends Recorder {
        final String name;
        final int priority;
        Lease lease;
        private long since = -1;
        final List<long[]> held = new ArrayList<>(); // [from, to, token]

        Node(String name, int priority) {
            this.name = name;
            this.priority = priority;
        }

        @Override
        public synchronized void granted(long token, long validUntilNanos) {
            since = System.nanoTime();
            super.granted(token, validUntilNanos);
        }

        @Override
        public void revoked(long token, boolean yield, String detail) {
            synchronized (this) {
                if (since >= 0) {
                    held.add(new long[] {since, System.nanoTime(), token});
                    since = -1;
                }
                super.revoked(token, yield, detail);
            }
            lease.release(); // the router unbinds, gives the lease back and stays a candidate
            lease.acquire(priority);
        }

        synchronized boolean holding() {
            return since >= 0;
        }

        /** Held intervals, the current one closed at {@code now}. */
        synchronized List<long[]> intervals(long now) {
            List<long[]> out = new ArrayList<>(held);
            if (since >= 0) {
                out.add(new long[] {since, now, -1});
            }
            return out;
        }
    }

    private record ChurnResult(Node n1, Node n2, List<long[]> deletedTokens, long worstOverlapNanos, long totalOverlapNanos,
                               int actions) {
    }

    /** The stranger's loop for {@code millis} while node1 and node2 contend in lease-only style (preempting). */
    private ChurnResult churn(byte[] password, long millis) throws Exception {
        Node n1 = new Node("node1", 100);
        Node n2 = new Node("node2", 100);
        n1.lease = authority("node1", password).lease(request(true), n1);
        n2.lease = authority("node2", password).lease(request(true), n2);
        n1.lease.acquire(100);
        assertThat(n1.awaitGrant(WAIT)).isNotNull();
        n2.lease.acquire(100);
        n2.await(WAIT, e -> e.kind().equals("holder") && e.holder() != null);

        CuratorFramework s = stranger(null);
        Random rnd = new Random(14);
        List<long[]> deleted = new ArrayList<>(); // [token, when]
        int actions = 0;
        long end = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < end) {
            actions++;
            try {
                switch (rnd.nextInt(4)) {
                    case 0 -> { // delete the holder's node
                        Stat st = new Stat();
                        byte[] d = s.getData().storingStatIn(st).forPath(HOLDER);
                        s.delete().forPath(HOLDER);
                        if (LeaseNodes.node(d).isPresent() && st.getEphemeralOwner() != 0) {
                            deleted.add(new long[] {st.getCzxid(), System.nanoTime()});
                        }
                    }
                    case 1 -> s.setData().forPath(HOLDER, "\u0000garbage".getBytes(StandardCharsets.ISO_8859_1));
                    case 2 -> { // squat: replace it by a persistent node for a while
                        try {
                            s.delete().forPath(HOLDER);
                        } catch (KeeperException.NoNodeException e) {
                            // free already
                        }
                        s.create().creatingParentsIfNeeded().withMode(CreateMode.PERSISTENT).forPath(HOLDER,
                                LeaseNodes.holderData("node2", 100)); // even one that looks like havip's
                        Thread.sleep(150);
                        s.delete().forPath(HOLDER);
                    }
                    default -> { // a fake candidate that preempts, for a while
                        String c = CANDIDATES + "/p255-preempt-evil";
                        s.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL).forPath(c);
                        Thread.sleep(200);
                        s.delete().forPath(c);
                    }
                }
            } catch (KeeperException e) {
                // NoAuth with credentials; NoNode/NodeExists in races with the nodes: the stranger goes on
            }
            Thread.sleep(20 + rnd.nextInt(60));
        }
        long now = System.nanoTime();
        List<long[]> a = n1.intervals(now);
        List<long[]> b = n2.intervals(now);
        long worst = 0;
        long total = 0;
        for (long[] x : a) {
            for (long[] y : b) {
                long o = Math.min(x[1], y[1]) - Math.max(x[0], y[0]);
                if (o > 0) {
                    worst = Math.max(worst, o);
                    total += o;
                }
            }
        }
        return new ChurnResult(n1, n2, deleted, worst, total, actions);
    }

    /** Exactly one of the two holds within the session timeout plus a margin, and keeps holding. */
    private static void exactlyOneHoldsSoon(Node n1, Node n2) throws InterruptedException {
        long start = System.nanoTime();
        long end = start + SESSION.toNanos() + 2_000_000_000L;
        while (!(n1.holding() ^ n2.holding()) && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        long took = (System.nanoTime() - start) / 1_000_000;
        assertThat(n1.holding() ^ n2.holding()).as("exactly one holds " + took + " ms after the stranger stopped").isTrue();
        Thread.sleep(1500);
        assertThat(n1.holding() ^ n2.holding()).as("and keeps holding").isTrue();
        System.out.println("churn: exactly one holder " + took + " ms after the stranger stopped");
    }

    private static List<Recorder.Event> grantsInOrder(Node n1, Node n2) {
        List<Recorder.Event> g = new ArrayList<>(n1.of("granted"));
        g.addAll(n2.of("granted"));
        g.sort(java.util.Comparator.comparingLong(Recorder.Event::at));
        return g;
    }

    @Test
    void withoutCredentialsAStrangersChurnMakesTheLeaseFlapButTokensGrowAndItSettlesOnOneHolder() throws Exception {
        ChurnResult r = churn(null, 5000);
        List<Recorder.Event> grants = grantsInOrder(r.n1(), r.n2());
        System.out.printf("churn without credentials: %d stranger actions, %d grants, %d holder deletions, worst overlap "
                + "%.1f ms, total overlap %.1f ms%n", r.actions(), grants.size(), r.deletedTokens().size(),
                r.worstOverlapNanos() / 1e6, r.totalOverlapNanos() / 1e6);
        assertThat(grants.size()).as("the stranger makes it flap (the risk this test pins)").isGreaterThan(2);
        long yields = java.util.stream.Stream.of(r.n1(), r.n2()).flatMap(n -> n.of("revoked").stream())
                .filter(e -> e.flag() && e.detail().contains("evil")).count();
        System.out.printf("churn without credentials: %d yields to the fake preempting candidate%n", yields);
        assertThat(yields).as("a fake candidate of priority 255 makes the holder yield").isPositive();
        for (int i = 1; i < grants.size(); i++) {
            assertThat(grants.get(i).token()).as("grant " + i + " token").isGreaterThan(grants.get(i - 1).token());
        }
        long worstTold = 0;
        for (long[] d : r.deletedTokens()) {
            long t = d[0];
            Node owner = r.n1().of("granted").stream().anyMatch(e -> e.token() == t) ? r.n1() : r.n2();
            Recorder.Event told = owner.await(WAIT, e -> e.kind().equals("revoked") && e.token() == t);
            assertThat(told).as("the holder of deleted token " + t + " is told").isNotNull();
            worstTold = Math.max(worstTold, told.at() - d[1]);
        }
        System.out.printf("churn without credentials: a deleted holder was told at most %.1f ms after the delete "
                + "returned to the stranger (0 when it had yielded before)%n", worstTold / 1e6);
        assertThat(worstTold).as("told within a session timeout").isLessThan(SESSION.toNanos());
        for (Node n : List.of(r.n1(), r.n2())) {
            assertThat(n.of("revoked")).allSatisfy(e -> assertThat(e.detail()).doesNotContain("Exception"));
        }
        exactlyOneHoldsSoon(r.n1(), r.n2());
    }

    @Test
    void withCredentialsTheSameChurnChangesNothing() throws Exception {
        ChurnResult r = churn(PASSWORD, 4000);
        Recorder.Event g = r.n1().lastGrant();
        System.out.printf("churn with credentials: %d stranger actions, no effect%n", r.actions());
        assertThat(r.n1().of("granted")).hasSize(1);
        assertThat(r.n1().of("revoked")).isEmpty();
        assertThat(r.n2().of("granted")).isEmpty();
        assertThat(r.deletedTokens()).isEmpty();
        assertThat(r.n1().holding()).isTrue();
        LeaseHolder h = r.n2().lease.holder().orElseThrow();
        assertThat(h.node()).isEqualTo("node1");
        assertThat(h.token()).isEqualTo(g.token());
    }
}
