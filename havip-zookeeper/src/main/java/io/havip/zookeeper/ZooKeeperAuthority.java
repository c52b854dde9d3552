package io.havip.zookeeper;

import io.havip.core.Clock;
import io.havip.vrrp.election.ElectionAuthority;
import io.havip.vrrp.election.Lease;
import io.havip.vrrp.election.LeaseRequest;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A ZooKeeper ensemble as havip's {@link ElectionAuthority}, on Apache Curator: one lease per
 * virtual router under {@link Builder#path path}, an ephemeral node whose creation zxid is the
 * fencing token (ZooKeeper's zxids only grow, so every new holder's token is larger than every
 * earlier one, across session expiry, leader changes and restarts of the ensemble with its
 * data).
 *
 * <pre>{@code
 * ZooKeeperAuthority zk = ZooKeeperAuthority.builder()
 *         .connectString("10.0.0.11:2181,10.0.0.12:2181,10.0.0.13:2181")
 *         .path("/havip/prod").nodeName("node1")
 *         .digest("havip", password)     // shared ensemble: only havip may change the lease
 *         .build();                       // connects in the background
 * VirtualRouter vip = Havip.builder().interfaceName("eth1").vrid(51).priority(150)
 *         .virtualAddress("198.51.100.50/24")
 *         .quorumGuard(zk)                // or .leaseOnly(zk)
 *         .start();
 * }</pre>
 *
 * <p>A shared ensemble: give {@link Builder#digest digest credentials} (the same on every node
 * of the group) so that other clients of the ensemble can read the leases but not take, delete
 * or block them; without, the authority warns once at start. The package documentation says
 * what the ACL protects and what it does not.
 *
 * <p>Time: {@link SessionDeadline} decides when a holder must let go (the arithmetic is in its
 * comment); a {@code sync} every tenth of the session timeout proves the session, each answer
 * renews the grants. {@link WhenUnreachable} says what a holder does while ZooKeeper does not
 * answer. Threads: one heartbeat thread and one worker thread per authority (all ZooKeeper
 * calls of the leases run there, in order), Curator's own; the routers' events are queued for
 * their loops. Close the authority after the routers that use it.
 */
public final class ZooKeeperAuthority implements ElectionAuthority, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ZooKeeperAuthority.class);
    /** The default session timeout (ZooKeeper's default tickTime of 2 s allows 4 s to 40 s). */
    public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(10);
    /** The default lease path. */
    public static final String DEFAULT_PATH = "/havip";
    /**
     * How long a grant must be valid at each renewal for the kernel lifetime of a held address
     * (whole seconds, removed up to 1 s late) to end before the grant does.
     */
    static final Duration KERNEL_LIFETIME_NEEDS = Duration.ofSeconds(2);

    /**
     * The warning for a session timeout whose grants are too short for the kernel to enforce
     * them: said at start, not only at the first short grant, so an operator who set 2 s for a
     * fast failover learns what it costs before a freeze.
     */
    static java.util.Optional<String> shortSessionWarning(Duration sessionTimeout, Duration margin) {
        Duration valid = sessionTimeout.minus(margin);
        if (valid.compareTo(KERNEL_LIFETIME_NEEDS) >= 0) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of("ZooKeeper session timeout " + sessionTimeout.toMillis() + " ms: a grant is valid for "
                + Math.max(0, valid.toMillis()) + " ms after the release margin of " + margin.toMillis() + " ms, less than the "
                + KERNEL_LIFETIME_NEEDS.toSeconds() + " s the kernel lifetime of a held address needs (whole seconds, up to 1 s "
                + "late): a frozen or killed holder's kernel may keep answering for the address up to 1 s past its "
                + "grant. Use a session timeout of 4 s or more to have the kernel enforce the lease");
    }

    private final CuratorFramework client;
    private final boolean ownsClient;
    private final String root;
    private final String nodeName;
    private final WhenUnreachable whenUnreachable;
    private final Clock clock;
    private final String connectString;
    private final long startedAt;
    final ScheduledExecutorService worker;
    private final ScheduledExecutorService heartbeat;
    private final List<ZkLease> leases = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final LeaseAcl acl;
    private final AtomicBoolean aclChecked = new AtomicBoolean();

    /** Guarded by this. */
    private SessionDeadline deadline;
    private boolean reachable = true;
    private boolean everAnswered;
    /** HOLD: Curator declared the session lost and no answer came since. */
    private boolean lostSinceAnswer;

    private ZooKeeperAuthority(Builder b) {
        this.clock = b.clock;
        this.root = b.root;
        this.nodeName = b.nodeName != null ? b.nodeName : defaultNodeName();
        this.whenUnreachable = b.whenUnreachable;
        this.deadline = new SessionDeadline(b.sessionTimeout, b.pauseAllowance);
        this.acl = b.acl;
        if (b.client != null) {
            this.client = b.client;
            this.ownsClient = false;
            this.connectString = client.getZookeeperClient().getCurrentConnectionString();
        } else {
            int st = (int) b.sessionTimeout.toMillis();
            CuratorFrameworkFactory.Builder cb = CuratorFrameworkFactory.builder().connectString(b.connectString)
                    .sessionTimeoutMs(st).connectionTimeoutMs(st).retryPolicy(new ExponentialBackoffRetry(100, 3, st / 4));
            if (acl.hasCredentials()) {
                cb.authorization("digest", acl.authData()); // Curator adds it again to every new session
            }
            this.client = cb.build();
            this.ownsClient = true;
            this.connectString = b.connectString;
        }
        this.worker = Executors.newSingleThreadScheduledExecutor(daemon("havip-zookeeper-lease"));
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(daemon("havip-zookeeper-heartbeat"));
        this.startedAt = clock.nanoTime();
        client.getConnectionStateListenable().addListener((c, state) -> connectionChanged(state));
        if (ownsClient) {
            client.start();
        }
        long every = Math.max(20, b.sessionTimeout.toMillis() / 10);
        heartbeat.scheduleWithFixedDelay(this::beat, 0, every, TimeUnit.MILLISECONDS);
        log.info("ZooKeeper lease authority for {} at {}{}: session timeout {} ms, release margin {} ms, when "
                + "unreachable {}", nodeName, connectString, root.isEmpty() ? "/" : root,
                b.sessionTimeout.toMillis(), deadline.margin().toMillis(), whenUnreachable);
        shortSessionWarning(b.sessionTimeout, deadline.margin()).ifPresent(log::warn);
        if (!acl.hasCredentials()) {
            log.warn("ZooKeeper lease path {} is open to every client of the ensemble (no credentials set): any of them "
                    + "can delete or overwrite a holder's node, create a persistent one that blocks every node, or fake a "
                    + "preempting candidate; set digest credentials (ZooKeeperAuthority.builder().digest(user, password); "
                    + "havipd: zookeeper { auth_file PATH }) on every node", root.isEmpty() ? "/" : root);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The settings; {@link #build()} validates them and names the one at fault. */
    public static final class Builder {
        private String connectString;
        private CuratorFramework client;
        private String root = DEFAULT_PATH;
        private String nodeName;
        private Duration sessionTimeout = DEFAULT_SESSION_TIMEOUT;
        private Duration pauseAllowance = SessionDeadline.DEFAULT_PAUSE_ALLOWANCE;
        private WhenUnreachable whenUnreachable = WhenUnreachable.RELEASE;
        private Clock clock = Clock.system();
        private LeaseAcl acl = LeaseAcl.OPEN;
        private String digestUser;
        private byte[] digestPassword;
        private boolean worldReadable = true;

        private Builder() {
        }

        /**
         * ZooKeeper digest credentials ({@code digest} scheme, {@code user:password}): the session
         * authenticates with them, and every znode havip creates (the holder, the candidates and
         * the parents it creates) gets the ACL {@code digest:<user>:<hash>:cdrwa} plus
         * {@code world:anyone:r} (see {@link #worldReadable}). A client of a shared ensemble
         * without them can then read the leases but not take, delete, overwrite or block them,
         * nor fake a candidate. Give every node of the group the same credentials: a node
         * without them, or with another password, is refused (its log names the path and the
         * missing permission) and never holds the lease.
         *
         * <p>What the ACL does not protect against: a client with the same credentials (anyone
         * who can read the password file), a ZooKeeper superuser or admin (the server's
         * {@code superDigest}, or whoever can edit its data directory), and nodes created before
         * the credentials were set (the authority warns once at connect with the path and the
         * {@code setAcl} to run; it does not change them itself, so that nodes of the group still
         * without credentials in a rolling change keep working until the operator decides).
         * Digest sends the password in clear on the wire unless the ensemble uses TLS
         * ({@code zookeeper.client.secure}); SASL/Kerberos is Curator's
         * {@code authorization(...)} on an application's own {@link #client client}.
         *
         * <p>The password is copied; it must be printable ASCII (the server decodes it in its
         * platform charset). With {@link #client(CuratorFramework) client(...)} the application's
         * client must itself authenticate as this user ({@code CuratorFrameworkFactory.builder()
         * .authorization("digest", "user:password".getBytes(US_ASCII))}); the credentials here
         * then only set the ACL.
         *
         * @param user     1-200 printable ASCII characters, no space or {@code :}
         * @param password the password bytes (not kept beyond this authority)
         */
        public Builder digest(String user, byte[] password) {
            LeaseAcl.digest(user, password, true); // validates now, where the caller is
            this.digestUser = user;
            this.digestPassword = password.clone();
            return this;
        }

        /**
         * With {@link #digest credentials}: whether everyone may read the lease znodes (who holds
         * it, since when, the candidates); default {@code true}, so operators and monitoring
         * without the password can still see it ({@code get <path>/<router>/holder}). Reading
         * does not let anyone take or block the lease. {@code false} gives only the digest user
         * any right.
         */
        public Builder worldReadable(boolean worldReadable) {
            this.worldReadable = worldReadable;
            return this;
        }

        /** ZooKeeper's connect string, e.g. {@code zk1:2181,zk2:2181,zk3:2181} (optionally with a chroot). */
        public Builder connectString(String connectString) {
            this.connectString = connectString;
            return this;
        }

        /**
         * A Curator client of the application's instead of one of the authority's own; it must be
         * started by the application, is not closed by the authority, and its session timeout is
         * the one to give to {@link #sessionTimeout}.
         */
        public Builder client(CuratorFramework client) {
            this.client = client;
            return this;
        }

        /** Where the leases live: {@code <path>/<router name>/holder}; default {@value ZooKeeperAuthority#DEFAULT_PATH}. */
        public Builder path(String path) {
            this.root = LeaseNodes.root(path);
            return this;
        }

        /** This node's name in the store and in "held by" messages; default the host name. */
        public Builder nodeName(String nodeName) {
            this.nodeName = LeaseNodes.segment("nodeName", nodeName);
            return this;
        }

        /**
         * The session timeout asked of ZooKeeper (the server may clamp it to its
         * {@code minSessionTimeout}-{@code maxSessionTimeout}, by default 2-20 tickTimes; the
         * negotiated one is used). It bounds the failover after a crash: the lease of a node
         * killed with SIGKILL is free once its session expires. Default 10 s.
         */
        public Builder sessionTimeout(Duration sessionTimeout) {
            if (sessionTimeout == null || sessionTimeout.toMillis() < 100 || sessionTimeout.toMillis() > 3_600_000) {
                throw new IllegalArgumentException("sessionTimeout " + sessionTimeout + " must be 100 ms to 1 h");
            }
            this.sessionTimeout = sessionTimeout;
            return this;
        }

        /** The pause allowance of {@link SessionDeadline}; default 500 ms. */
        public Builder pauseAllowance(Duration pauseAllowance) {
            if (pauseAllowance == null || pauseAllowance.isNegative()) {
                throw new IllegalArgumentException("pauseAllowance " + pauseAllowance + " must be zero or positive");
            }
            this.pauseAllowance = pauseAllowance;
            return this;
        }

        /** See {@link WhenUnreachable}; default {@link WhenUnreachable#RELEASE}. */
        public Builder whenUnreachable(WhenUnreachable whenUnreachable) {
            if (whenUnreachable == null) {
                throw new IllegalArgumentException("whenUnreachable is null");
            }
            this.whenUnreachable = whenUnreachable;
            return this;
        }

        /** The clock of the routers that use this authority (the same object); default the system clock. */
        public Builder clock(Clock clock) {
            if (clock == null) {
                throw new IllegalArgumentException("clock is null");
            }
            this.clock = clock;
            return this;
        }

        /** Validates, starts the client (unless given one) and returns at once; the connection is made in the background. */
        public ZooKeeperAuthority build() {
            if (client == null && (connectString == null || connectString.isBlank())) {
                throw new IllegalArgumentException("connectString is not set: give the ensemble as host:port[,host:port...], "
                        + "e.g. 10.0.0.11:2181,10.0.0.12:2181,10.0.0.13:2181");
            }
            if (client == null) {
                checkConnectString(connectString);
            }
            new SessionDeadline(sessionTimeout, pauseAllowance); // validates the pair
            acl = digestUser == null ? LeaseAcl.OPEN : LeaseAcl.digest(digestUser, digestPassword, worldReadable);
            return new ZooKeeperAuthority(this);
        }
    }

    /** host:port[,host:port...][/chroot]; a clear message instead of a parser's exception at connect time. */
    static void checkConnectString(String s) {
        io.havip.vrrp.config.ZooKeeperSettings.connectProblem(s).ifPresent(p -> {
            throw new IllegalArgumentException("connectString '" + s + "': " + p);
        });
    }

    @Override
    public Lease lease(LeaseRequest request, Lease.Events events) {
        if (closed.get()) {
            throw new IllegalStateException("the ZooKeeper authority is closed: build a new one");
        }
        if (request.clock() != clock) {
            throw new IllegalArgumentException("router " + request.router().name() + " runs on another clock than the "
                    + "ZooKeeper authority: give the authority the runtime's clock (ZooKeeperAuthority.builder().clock(...))");
        }
        String base = root + "/" + LeaseNodes.segment("router name", request.router().name());
        ZkLease lease = new ZkLease(this, request, events, base);
        leases.add(lease);
        return lease;
    }

    @Override
    public String describe() {
        return "zookeeper " + connectString + (root.isEmpty() ? "/" : root);
    }

    String nodeName() {
        return nodeName;
    }

    /** The lease path as ZooKeeper shows it ("/" for the root). */
    String rootPath() {
        return root.isEmpty() ? "/" : root;
    }

    LeaseAcl acl() {
        return acl;
    }

    /** Whether digest credentials are set. */
    public boolean hasCredentials() {
        return acl.hasCredentials();
    }

    /**
     * Worker thread, once after the first connect (before any lease work), with credentials only.
     * Creates the lease path as a persistent znode with havip's ACL (the routers' znodes below it
     * are containers, which the server deletes when empty; a container path could be deleted the
     * same way and then squatted by another client). Then the lease znodes that already exist
     * (the path, each router's node and its candidates) and let a client without the credentials
     * change something are named in one warning with the {@code setAcl} to run. Returns them
     * (for tests).
     */
    List<String> checkExistingAcls() {
        List<String> open = new java.util.ArrayList<>();
        if (!acl.hasCredentials()) {
            return open;
        }
        String top = root.isEmpty() ? "/" : root;
        try {
            if (!root.isEmpty() && client.checkExists().forPath(top) == null) {
                try {
                    client.create().creatingParentsIfNeeded().withACL(acl.acl(), true).forPath(top);
                    return open;
                } catch (org.apache.zookeeper.KeeperException.NodeExistsException e) {
                    // created meanwhile: checked below
                } catch (org.apache.zookeeper.KeeperException.NoAuthException e) {
                    log.warn("ZooKeeper refused to create the lease path {} to {} (no CREATE permission on {}): have a "
                            + "ZooKeeper admin create it, then run {}", top, acl.who(), e.getPath() == null ? top
                            : e.getPath().substring(0, Math.max(1, e.getPath().lastIndexOf('/'))), acl.setAclCommand(top));
                    return open;
                }
            }
            checkAcl(top, open);
            for (String router : client.getChildren().forPath(top)) {
                String r = root + "/" + router;
                checkAcl(r, open);
                if (client.checkExists().forPath(r + "/candidates") != null) {
                    checkAcl(r + "/candidates", open);
                }
            }
        } catch (Exception e) {
            log.debug("checking the ACLs under {}: {}", top, e.getMessage());
        }
        if (!open.isEmpty()) {
            log.warn("ZooKeeper lease znodes let clients without the credentials of {} change them (take, delete or block "
                    + "the lease; created before the credentials were set, or with other ones): {}. havip does not "
                    + "change existing ACLs itself (nodes of the group still without credentials would be locked out); "
                    + "once every node has the credentials, run in zkCli.sh as a client allowed to: {}", acl.who(),
                    String.join(", ", open), acl.setAclCommand(top));
        }
        return open;
    }

    private void checkAcl(String path, List<String> open) throws Exception {
        List<org.apache.zookeeper.data.ACL> a = client.getACL().forPath(path);
        if (LeaseAcl.strangersMayChange(a, acl.digestId())) {
            open.add(path + " (" + LeaseAcl.show(a) + ")");
        }
    }

    CuratorFramework client() {
        return client;
    }

    Clock clock() {
        return clock;
    }

    /** The open leases (for tests). */
    List<ZkLease> leasesForTest() {
        return List.copyOf(leases);
    }

    void forget(ZkLease lease) {
        leases.remove(lease);
    }

    /** The current session's id, or 0 when not connected. */
    long sessionId() {
        try {
            if (!client.getZookeeperClient().isConnected()) {
                return 0;
            }
            return client.getZookeeperClient().getZooKeeper().getSessionId();
        } catch (Exception e) {
            return 0;
        }
    }

    /** A request sent at {@code sentAt} in session {@code sid} was answered in it. */
    synchronized void answered(long sentAt, long sid) {
        if (sid == 0 || sid != sessionId()) {
            return;
        }
        deadline.answered(sentAt, sid);
        everAnswered = true;
        lostSinceAnswer = false;
    }

    /** The deadline a grant (or renewal) carries now: {@link Long#MAX_VALUE} under {@link WhenUnreachable#HOLD}. */
    synchronized long validUntil() {
        return whenUnreachable == WhenUnreachable.HOLD ? Long.MAX_VALUE : deadline.releaseDeadline();
    }

    /** Whether a grant may be handed out now (the session is proven within its deadline). */
    synchronized boolean mayGrant(long now) {
        return deadline.valid(now);
    }

    /** Heartbeat thread: a sync through the leader proves the session; then renewals and reachability. */
    private void beat() {
        try {
            long sid = sessionId();
            if (sid != 0) {
                long t0 = clock.nanoTime();
                client.sync().inBackground((c, event) -> {
                    if (event.getResultCode() == 0) {
                        answered(t0, sid);
                        renewAll(sid);
                    }
                }).forPath("/");
            }
            checkReachable(clock.nanoTime());
        } catch (Exception | LinkageError e) {
            log.warn("ZooKeeper heartbeat at {} failed: {}", connectString, e.getMessage());
        }
    }

    private void renewAll(long sid) {
        long until = validUntil();
        for (ZkLease l : leases) {
            l.renew(sid, until);
        }
        checkReachable(clock.nanoTime());
    }

    private void checkReachable(long now) {
        String why;
        synchronized (this) {
            boolean ok;
            if (whenUnreachable == WhenUnreachable.RELEASE) {
                ok = deadline.valid(now) || (!everAnswered && now - startedAt < deadline.sessionTimeout().toNanos());
                why = ok ? "answering" : everAnswered
                        ? deadline.lastHeardNanos() == SessionDeadline.NEVER
                                ? "the session with " + connectString + " was lost; no answer in the new one yet"
                                : "no answer from " + connectString + " for "
                                        + (now - deadline.lastHeardNanos()) / 1_000_000 + " ms (past the release deadline)"
                        : "could not connect to " + connectString + " within " + deadline.sessionTimeout().toMillis()
                        + " ms: is ZooKeeper running there? (check the connect string)";
            } else {
                ok = !lostSinceAnswer && (everAnswered || now - startedAt < deadline.sessionTimeout().toNanos());
                why = ok ? "answering" : everAnswered ? "session lost, no answer from " + connectString + " since"
                        : "could not connect to " + connectString + " within " + deadline.sessionTimeout().toMillis()
                        + " ms: is ZooKeeper running there? (check the connect string)";
            }
            if (ok == reachable) {
                return;
            }
            reachable = ok;
        }
        if (reachable) {
            log.info("ZooKeeper at {} answers again", connectString);
        } else {
            log.warn("ZooKeeper unreachable: {}", why);
        }
        for (ZkLease l : leases) {
            l.reachable(reachable, why);
        }
    }

    synchronized boolean reachable() {
        return reachable;
    }

    private void connectionChanged(ConnectionState state) {
        switch (state) {
            case CONNECTED, RECONNECTED -> {
                negotiated();
                log.info("ZooKeeper {} ({}), session 0x{}", state == ConnectionState.CONNECTED ? "connected"
                        : "reconnected", connectString, Long.toHexString(sessionId()));
                heartbeat.execute(this::beat);
                if (aclChecked.compareAndSet(false, true)) {
                    worker.execute(this::checkExistingAcls);
                }
                leases.forEach(ZkLease::schedule);
            }
            case SUSPENDED -> {
                long d;
                synchronized (this) {
                    d = deadline.releaseDeadline();
                }
                log.warn("ZooKeeper connection suspended ({}); {}", connectString,
                        whenUnreachable == WhenUnreachable.HOLD ? "holding the leases until the session is lost"
                                : d == SessionDeadline.NEVER ? "no lease can be held"
                                : "a holder releases in " + Math.max(0, d - clock.nanoTime()) / 1_000_000
                                + " ms unless it answers (the release deadline)");
            }
            case LOST -> {
                synchronized (this) {
                    deadline.lost();
                    lostSinceAnswer = true;
                }
                log.warn("ZooKeeper session lost ({}): the leases it held are gone", connectString);
                leases.forEach(ZkLease::sessionLost);
                checkReachable(clock.nanoTime());
            }
            default -> { }
        }
    }

    /** Uses the session timeout the server granted (it may have clamped the one asked for). */
    private void negotiated() {
        try {
            int ms = client.getZookeeperClient().getZooKeeper().getSessionTimeout();
            synchronized (this) {
                if (ms > 0 && ms != deadline.sessionTimeout().toMillis()) {
                    log.info("ZooKeeper granted a session timeout of {} ms (asked {} ms): the release deadline follows it",
                            ms, deadline.sessionTimeout().toMillis());
                    deadline = deadline.withSessionTimeout(Duration.ofMillis(ms));
                }
            }
        } catch (Exception e) {
            log.debug("reading the negotiated session timeout: {}", e.getMessage());
        }
    }

    /** The session timeout in use (the negotiated one once connected). */
    public synchronized Duration sessionTimeout() {
        return deadline.sessionTimeout();
    }

    /** This node's name in the store. */
    public String node() {
        return nodeName;
    }

    /**
     * Releases every lease still open (after their routers; a router's own close releases its
     * lease first), waits up to 5 s for the deletes, stops the threads and closes the client if
     * it is the authority's own. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (ZkLease l : leases) {
            l.close();
        }
        worker.shutdown();
        try {
            if (!worker.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("ZooKeeper lease work still running after 5 s at close; the sessions' end frees the leases");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        heartbeat.shutdownNow();
        if (ownsClient) {
            client.close();
        }
    }

    boolean closed() {
        return closed.get();
    }

    private static String defaultNodeName() {
        try {
            String h = InetAddress.getLocalHost().getHostName();
            int dot = h.indexOf('.');
            return LeaseNodes.segment("host name", dot > 0 ? h.substring(0, dot) : h);
        } catch (Exception e) {
            throw new IllegalArgumentException("nodeName is not set and the host name does not serve as one ("
                    + e.getMessage() + "): set ZooKeeperAuthority.builder().nodeName(...)");
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
