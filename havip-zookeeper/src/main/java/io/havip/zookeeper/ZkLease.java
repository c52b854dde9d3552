package io.havip.zookeeper;

import io.havip.vrrp.election.Lease;
import io.havip.vrrp.election.LeaseHolder;
import io.havip.vrrp.election.LeaseRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.CuratorWatcher;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One router's lease in ZooKeeper ({@link LeaseNodes} shows the znodes). The public calls only
 * set what the router wants and wake the authority's worker thread, which reconciles the store
 * with it ({@link #work}): registers this node as a candidate, watches the holder node and the
 * candidates, creates the holder node when the lease is free and this node is the first
 * candidate (or the free lease was left for {@link #FREE_LEASE_GRACE} by the candidates before
 * it), asks the router to yield to a higher-priority candidate that preempts, deletes its own
 * holder node on release. Every ZooKeeper call runs on the worker; a watch or a reconnect wakes
 * it again.
 */
final class ZkLease implements Lease {

    private static final Logger log = LoggerFactory.getLogger(ZkLease.class);
    /**
     * A free lease is left this long to the first candidate (highest priority) before the others
     * try: a first candidate that cannot reach ZooKeeper any more (its session not yet expired)
     * must not keep the lease free.
     */
    static final Duration FREE_LEASE_GRACE = Duration.ofSeconds(1);
    private static final long NONE = -1;

    private final ZooKeeperAuthority authority;
    private final LeaseRequest request;
    private final Events events;
    private final String holderPath;
    private final String candidatesPath;
    private final String node;
    private final CuratorWatcher watcher = event -> schedule();
    private final AtomicBoolean scheduled = new AtomicBoolean();

    // what the router wants: any thread, guarded by this
    private boolean wants;
    private int priority;
    private boolean closed;
    /** The token of a holder node of ours to delete (released, yielded, lost by deadline); guarded by this. */
    private long pendingDelete = NONE;
    /** The grant handed to the router, or NONE; guarded by this. */
    private long heldToken = NONE;
    private long heldSession;

    // worker thread only
    private String myCandidate;
    private long candidateSession;
    private boolean yieldAsked;
    private long freeSince = Long.MAX_VALUE;
    private volatile LeaseHolder lastHolder;
    private boolean holderKnown;
    /** What the worker asks of ZooKeeper now, for a refusal's message: the permission, on which node, for what. */
    private String askPerm;
    private String askNode;
    private String askWhy;
    private String lastDenied;
    private volatile String denied;

    ZkLease(ZooKeeperAuthority authority, LeaseRequest request, Events events, String base) {
        this.authority = authority;
        this.request = request;
        this.events = events;
        this.holderPath = base + "/holder";
        this.candidatesPath = base + "/candidates";
        this.node = authority.nodeName();
    }

    @Override
    public void acquire(int priority) {
        if (priority < 1 || priority > 255) {
            throw new IllegalArgumentException("priority " + priority + " is outside 1-255");
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            wants = true;
            this.priority = priority;
        }
        schedule();
    }

    @Override
    public void release() {
        synchronized (this) {
            wants = false;
            giveUp();
        }
        schedule();
    }

    /** Guarded by this: the grant (if any) is the router's no more; its node is deleted by the worker. */
    private void giveUp() {
        if (heldToken != NONE) {
            pendingDelete = heldToken;
            heldToken = NONE;
        }
    }

    @Override
    public Optional<LeaseHolder> holder() {
        return Optional.ofNullable(lastHolder);
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            wants = false;
            giveUp();
        }
        schedule();
    }

    /** Wakes the worker (coalesced). */
    void schedule() {
        if (scheduled.compareAndSet(false, true)) {
            try {
                authority.worker.execute(() -> {
                    scheduled.set(false);
                    work();
                });
            } catch (RejectedExecutionException e) {
                scheduled.set(false); // the authority is closing
            }
        }
    }

    private void scheduleIn(long millis) {
        try {
            authority.worker.schedule(this::schedule, millis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // the authority is closing
        }
    }

    /** Heartbeat thread: the session was proven; the grant of that session is confirmed until {@code until}. */
    void renew(long sid, long until) {
        long token;
        synchronized (this) {
            if (heldToken == NONE || heldSession != sid) {
                return;
            }
            token = heldToken;
        }
        events.renewed(token, until);
    }

    /**
     * The authority's reachability, passed on; once ZooKeeper has refused this lease a permission
     * (see {@link #denied}) it stays unreachable for the router whatever the ensemble does.
     */
    void reachable(boolean reachable, String why) {
        String refusal = denied;
        if (reachable && refusal != null) {
            return;
        }
        events.reachable(reachable, why);
    }

    /** Curator declared the session lost: a grant of ours is gone with it. */
    void sessionLost() {
        long token;
        synchronized (this) {
            token = heldToken;
            heldToken = NONE;
            pendingDelete = NONE; // the ensemble deletes it with the session
        }
        if (token != NONE) {
            events.revoked(token, false, "the ZooKeeper session expired");
        }
        schedule();
    }

    /** Worker thread: brings the store in line with what the router wants. */
    private void work() {
        CuratorFramework zk = authority.client();
        long sid = authority.sessionId();
        if (sid == 0) {
            return; // not connected: the reconnect wakes us
        }
        try {
            reconcile(zk, sid);
        } catch (KeeperException.NoAuthException e) {
            denied(zk, e);
            scheduleIn(5000);
        } catch (KeeperException.ConnectionLossException | KeeperException.SessionExpiredException e) {
            log.debug("{}: ZooKeeper connection lost during lease work; waiting for the reconnect", request.router());
        } catch (Exception e) {
            log.warn("{}: lease work at {} failed: {}; retrying in 1 s", request.router(), holderPath, e.getMessage());
            scheduleIn(1000);
        }
    }

    /**
     * ZooKeeper refused a call for want of a permission: one warning per distinct refusal (then
     * retried every 5 s quietly), naming the node, the permission, who asked and what to do.
     */
    private void denied(CuratorFramework zk, KeeperException.NoAuthException e) {
        // a create or delete is checked against the parent (also of a parent Curator creates on the way)
        String node = e.getPath() == null || e.getPath().isEmpty() ? askNode
                : "READ".equals(askPerm) ? e.getPath() : parent(e.getPath());
        String what = askPerm + " permission on " + node + " (" + askWhy + ")";
        String aclText;
        try {
            aclText = "its ACL is " + LeaseAcl.show(zk.getACL().forPath(node));
        } catch (Exception ex) {
            aclText = "its ACL cannot be read either";
        }
        LeaseAcl acl = authority.acl();
        String msg = "ZooKeeper refused " + what + " to " + acl.who() + " (" + aclText + "): "
                + (acl.hasCredentials() ? "the password is wrong (every node of the group needs the same user and "
                + "password), or the node was created with other credentials; have its owner or a ZooKeeper admin run "
                + acl.setAclCommand(authority.rootPath())
                : "it was created by a client with credentials: give this node the same ones (ZooKeeperAuthority"
                + ".builder().digest(...), havipd: zookeeper { auth_file PATH })")
                + "; this node cannot hold the lease until then";
        boolean first = denied == null;
        denied = msg;
        if (!msg.equals(lastDenied)) {
            lastDenied = msg;
            log.warn("{}: {}", request.router(), msg);
        }
        if (first) {
            // As an unreachable ensemble: the router goes to FAULT (priority 0 in VRRP), so a node
            // whose credentials are right wins the election and holds the address. For good: in
            // FAULT the router no longer asks for the lease, so nothing would show the permission
            // back, and credentials are read at start: the fix is a restart with the right ones.
            events.reachable(false, msg + " (the router stays in FAULT until havip is restarted with credentials"
                    + " ZooKeeper accepts)");
        }
    }

    private void ask(String perm, String node, String why) {
        askPerm = perm;
        askNode = node;
        askWhy = why;
    }

    private static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }

    /** The last refusal's message, or null (for tests and status). */
    String denied() {
        return denied;
    }

    private void reconcile(CuratorFramework zk, long sid) throws Exception {
        boolean want;
        int prio;
        long delete;
        boolean isClosed;
        synchronized (this) {
            want = wants;
            prio = priority;
            delete = pendingDelete;
            isClosed = closed;
        }
        if (delete != NONE) {
            deleteHolderIfMine(zk, sid, delete);
            synchronized (this) {
                if (pendingDelete == delete) {
                    pendingDelete = NONE;
                }
            }
        }
        String desired = want ? LeaseNodes.candidateName(prio, request.preempt(), node) : null;
        if (myCandidate != null && (!myCandidate.equals(desired) || candidateSession != sid)) {
            if (candidateSession == sid) {
                deleteQuietly(zk, candidatesPath + "/" + myCandidate);
            }
            myCandidate = null;
        }
        if (desired != null && myCandidate == null) {
            registerCandidate(zk, sid, desired);
        }
        if (isClosed) {
            authority.forget(this);
            return;
        }
        List<LeaseNodes.Candidate> candidates = want ? candidates(zk) : List.of();
        Stat stat = new Stat();
        byte[] data;
        try {
            ask("READ", holderPath, "to see who holds the lease");
            data = zk.getData().storingStatIn(stat).usingWatcher(watcher).forPath(holderPath);
        } catch (KeeperException.NoNodeException e) {
            data = null;
            if (zk.checkExists().usingWatcher(watcher).forPath(holderPath) != null) {
                schedule(); // created meanwhile: look again
                return;
            }
        }
        if (data != null) {
            held(zk, sid, want, prio, candidates, data, stat);
        } else {
            free(zk, sid, want, prio, candidates);
        }
    }

    private void held(CuratorFramework zk, long sid, boolean want, int prio, List<LeaseNodes.Candidate> candidates,
                      byte[] data, Stat stat) throws Exception {
        freeSince = Long.MAX_VALUE;
        LeaseHolder h = LeaseNodes.holder(data, stat);
        // ours by session: this session creates no other ephemeral holder node (its data may have been rewritten)
        boolean mine = stat.getEphemeralOwner() == sid;
        if (mine && !LeaseNodes.node(data).map(node::equals).orElse(false)) {
            h = restore(zk, stat, prio);
            if (h == null) {
                return;
            }
        }
        long held;
        synchronized (this) {
            held = heldToken;
        }
        if (!mine) {
            if (held != NONE) {
                lose(held, "the lease node now belongs to " + h);
            }
            seen(h);
            return;
        }
        long token = stat.getCzxid();
        if (!want) {
            deleteHolderIfMine(zk, sid, token); // ours, not wanted (a create whose answer was lost)
            return;
        }
        if (held == NONE) {
            // ours and wanted, never handed out: our create's answer was lost on the way; nobody held it since
            grant(sid, token, h);
            return;
        }
        if (held != token) {
            lose(held, "the lease node was replaced");
            return;
        }
        for (LeaseNodes.Candidate c : candidates) {
            if (!c.node().equals(node) && c.preempt() && c.priority() > prio) {
                if (!yieldAsked) {
                    yieldAsked = true;
                    events.revoked(token, true, c.node() + " (priority " + c.priority() + ", preempt) asks for the "
                            + "lease held at priority " + prio);
                }
                return;
            }
        }
    }

    /**
     * Our lease node's data was rewritten by another client (only possible without credentials):
     * the lease is still ours (same node, same token), so the data is put back for the others
     * to read. Null when the node changed meanwhile (looked at again).
     */
    private LeaseHolder restore(CuratorFramework zk, Stat stat, int prio) throws Exception {
        byte[] mine = LeaseNodes.holderData(node, prio);
        ask("WRITE", holderPath, "to restore the lease node's data");
        try {
            Stat s = zk.setData().withVersion(stat.getVersion()).forPath(holderPath, mine);
            log.warn("{}: another client rewrote the data of this node's lease node {}; restored (set credentials so "
                    + "that only havip can write there)", request.router(), holderPath);
            return LeaseNodes.holder(mine, s);
        } catch (KeeperException.NoNodeException | KeeperException.BadVersionException e) {
            schedule();
            return null;
        }
    }

    private void free(CuratorFramework zk, long sid, boolean want, int prio, List<LeaseNodes.Candidate> candidates)
            throws Exception {
        long held;
        synchronized (this) {
            held = heldToken;
        }
        if (held != NONE) {
            lose(held, "the lease node " + holderPath + " was deleted (by an operator or another client?)");
        }
        seen(null);
        if (!want) {
            return;
        }
        long now = authority.clock().nanoTime();
        if (!authority.mayGrant(now)) {
            scheduleIn(200); // the session is not proven yet (or past its deadline): the heartbeat's answer wakes us
            return;
        }
        if (freeSince == Long.MAX_VALUE) {
            freeSince = now;
        }
        LeaseNodes.Candidate first = null;
        for (LeaseNodes.Candidate c : candidates) {
            if (first == null || c.before(first)) {
                first = c;
            }
        }
        long waited = now - freeSince;
        if (first != null && !first.node().equals(node) && waited < FREE_LEASE_GRACE.toNanos()) {
            scheduleIn(Math.max(1, (FREE_LEASE_GRACE.toNanos() - waited) / 1_000_000));
            return;
        }
        long t0 = authority.clock().nanoTime();
        try {
            ask("CREATE", parent(holderPath), "to create the lease node " + holderPath);
            zk.create().creatingParentContainersIfNeeded().withMode(CreateMode.EPHEMERAL)
                    .withACL(authority.acl().acl(), true).forPath(holderPath, LeaseNodes.holderData(node, prio));
        } catch (KeeperException.NodeExistsException e) {
            schedule(); // another candidate was first
            return;
        }
        authority.answered(t0, sid);
        Stat stat = zk.checkExists().usingWatcher(watcher).forPath(holderPath);
        if (stat == null || stat.getEphemeralOwner() != sid) {
            schedule();
            return;
        }
        boolean still;
        synchronized (this) {
            still = wants && !closed;
        }
        if (!still) {
            deleteHolderIfMine(zk, sid, stat.getCzxid());
            return;
        }
        grant(sid, stat.getCzxid(), LeaseNodes.holder(LeaseNodes.holderData(node, prio), stat));
    }

    private void grant(long sid, long token, LeaseHolder me) {
        synchronized (this) {
            heldToken = token;
            heldSession = sid;
        }
        yieldAsked = false;
        freeSince = Long.MAX_VALUE;
        seen(me);
        log.info("{}: lease {} granted to {} (fencing token {})", request.router(), holderPath, node, token);
        events.granted(token, authority.validUntil());
    }

    private void lose(long token, String why) {
        synchronized (this) {
            if (heldToken != token) {
                return;
            }
            heldToken = NONE;
        }
        log.warn("{}: lease {} lost: {}", request.router(), holderPath, why);
        events.revoked(token, false, why);
    }

    private void seen(LeaseHolder h) {
        if (holderKnown && Objects.equals(h, lastHolder)) {
            return;
        }
        holderKnown = true;
        lastHolder = h;
        events.holderChanged(h);
    }

    private List<LeaseNodes.Candidate> candidates(CuratorFramework zk) throws Exception {
        List<String> names;
        try {
            ask("READ", candidatesPath, "to list the candidates");
            names = zk.getChildren().usingWatcher(watcher).forPath(candidatesPath);
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        }
        List<LeaseNodes.Candidate> out = new ArrayList<>(names.size());
        for (String n : names) {
            LeaseNodes.Candidate c = LeaseNodes.candidate(n);
            if (c != null) {
                out.add(c);
            } else {
                log.debug("{}: ignoring {}/{}: not a havip candidate", request.router(), candidatesPath, n);
            }
        }
        return out;
    }

    private void registerCandidate(CuratorFramework zk, long sid, String name) throws Exception {
        String path = candidatesPath + "/" + name;
        try {
            ask("CREATE", candidatesPath, "to register this node as candidate " + path);
            zk.create().creatingParentContainersIfNeeded().withMode(CreateMode.EPHEMERAL)
                    .withACL(authority.acl().acl(), true).forPath(path);
        } catch (KeeperException.NodeExistsException e) {
            Stat s = zk.checkExists().forPath(path);
            if (s != null && s.getEphemeralOwner() != sid) {
                log.warn("{}: {} exists from another session: a node of the same name ({}) asks for this lease, or "
                        + "this node's previous session has not expired yet; give every node its own nodeName", 
                        request.router(), path, node);
                scheduleIn(1000);
                return;
            }
        }
        myCandidate = name;
        candidateSession = sid;
    }

    /** Deletes the holder node if it is still the one of {@code token} and of this session. */
    private void deleteHolderIfMine(CuratorFramework zk, long sid, long token) throws Exception {
        Stat s = zk.checkExists().forPath(holderPath);
        if (s == null || s.getCzxid() != token || s.getEphemeralOwner() != sid) {
            return; // gone already, or not ours
        }
        try {
            ask("DELETE", parent(holderPath), "to release the lease node " + holderPath);
            zk.delete().withVersion(s.getVersion()).forPath(holderPath);
            log.info("{}: lease {} released by {} (fencing token {})", request.router(), holderPath, node, token);
        } catch (KeeperException.NoNodeException | KeeperException.BadVersionException e) {
            // gone meanwhile
        }
    }

    private void deleteQuietly(CuratorFramework zk, String path) throws Exception {
        try {
            ask("DELETE", parent(path), "to delete " + path);
            zk.delete().forPath(path);
        } catch (KeeperException.NoNodeException e) {
            // gone
        }
    }
}
