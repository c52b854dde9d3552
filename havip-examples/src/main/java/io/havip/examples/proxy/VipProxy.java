package io.havip.examples.proxy;

import io.havip.core.AddressHook;
import io.havip.core.FailoverListener;
import io.havip.core.RouterState;
import io.havip.core.StateChange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP proxy (e.g. for MySQL on port 3306) that serves the virtual address while its node holds
 * it, and forwards every byte to one backend. No protocol parsing: each accepted connection gets
 * its own backend connection and two pump threads.
 *
 * <h2>Make-before-break, end to end</h2>
 * A client's SYN to the virtual address reaches the node its ARP (IPv6: neighbour) entry names,
 * and only a node that has the address on an interface delivers it to a local socket; anywhere
 * else it is dropped silently (no RST), and the client retransmits. So:
 * <ul>
 *   <li><b>Acquire.</b> The listening socket is opened in {@link #beforeAcquire}, before the engine
 *       adds the address and sends the gratuitous ARP: the first SYN that follows the ARP finds a
 *       listener. Binding to an address the host does not have yet needs the sysctl
 *       {@code net.ipv4.ip_nonlocal_bind=1} ({@code net.ipv6.ip_nonlocal_bind} for IPv6; per
 *       network namespace), or {@code IP_FREEBIND} / {@code IP_TRANSPARENT}, which Java cannot set.
 *       Without it the proxy listens on the wildcard address and port instead ({@code [::]:3306},
 *       which takes IPv4 too) and closes at once, with a reset, any connection that was not made
 *       to the virtual address: the kernel delivers the VIP's SYNs to that listener from the
 *       moment the address is added, so nothing is refused either. Only when the wildcard is
 *       taken too (another program listens on the port on some address of the host) does the
 *       proxy bind the virtual address in {@link #onMaster}, once the address is there; clients
 *       that arrive between the ARP and that callback (milliseconds) are refused and retry.</li>
 *   <li><b>Release.</b> The node serves for as long as it holds the address. {@link #beforeRelease}
 *       changes nothing: the address is still here then (on {@code close()} the engine even keeps
 *       it until the new master has announced itself), so clients still arrive, and closing the
 *       listener there would answer their SYNs with resets. The listener closes when the router
 *       reports the address gone ({@link #onBackup}, {@link #onFault}, {@link #onStop}): from then
 *       on the kernel does not deliver the VIP's SYNs here anyway, and clients follow the new
 *       master's announcement. The connections still open then get up to the drain timeout to
 *       end before the proxy closes them. They cannot carry much more: this node's kernel no
 *       longer sends from an address it does not have, and a client that sends on one reaches
 *       the new master, whose kernel resets it, and reconnects there. So the one connection a
 *       move can still cut is one accepted in the last milliseconds before it whose first reply
 *       had not gone out yet. (A byte proxy cannot move a connection, nor tell
 *       an idle pooled connection from one in the middle of a query, so the only clean point to
 *       end a connection is the client's.)</li>
 * </ul>
 *
 * <h2>Fencing (MySQL / MariaDB)</h2>
 * With an election authority (the ZooKeeper guard or lease of havip-zookeeper) every change to
 * MASTER carries a fencing token that grows with every new holder of the VIP. A proxy built with
 * {@code fenceMySql = true} opens each backend session with {@code SET @havip_fencing_token = N},
 * N being the token of the acquisition under which it accepted the connection, and a trigger in
 * the database refuses writes under a smaller token than it has seen: the sessions of a paused
 * or partitioned old master cannot write once the new holder has. See {@link MySqlFencing} for
 * the schema and the limits. Without a token (VRRP alone) such a proxy refuses every connection
 * rather than pipe one unfenced.
 *
 * <h2>Threads</h2>
 * Hooks run on the router's hook thread and listener callbacks on its listener thread, each in
 * transition order; the proxy's own state is guarded by one lock, and it never calls back into
 * the router. One accept thread while listening; two daemon threads per proxied connection; one
 * daemon thread per drain, so a drain never holds up the router's listener thread.
 */
public final class VipProxy implements AddressHook, FailoverListener.PerState, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(VipProxy.class);
    /** How long a backend connect may take before the client connection is given up. */
    private static final int BACKEND_CONNECT_MILLIS = 2_000;
    /** The listen backlog: generous, so a burst of reconnects after a failover is queued, not refused. */
    private static final int BACKLOG = 256;
    /** A bound on waiting for the accept thread to leave accept(2) after the close woke it. */
    private static final int ACCEPTOR_EXIT_MILLIS = 1_000;

    /** Where the listening socket is bound (see the class comment). */
    public enum Listening {
        /** Not listening. */
        NONE,
        /** On the virtual address, before it arrived (non-local bind allowed). */
        VIP,
        /** On the wildcard address, serving only connections made to the virtual address. */
        WILDCARD,
        /** On the virtual address, bound once MASTER (the wildcard was taken): a few milliseconds of refusals. */
        VIP_AFTER_ADDRESS
    }

    private final InetSocketAddress listen;
    private final InetSocketAddress backend;
    private final Duration drainTimeout;
    private final Object lock = new Object();
    private final Set<Pipe> pipes = ConcurrentHashMap.newKeySet();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong notOurs = new AtomicLong();
    private final AtomicLong backendFailures = new AtomicLong();
    private final AtomicLong forcedCloses = new AtomicLong();
    private final AtomicLong fenceRefusals = new AtomicLong();
    private final boolean fenceMySql;
    /** The fencing token of the last acquisition (hook thread, under the lock); NO_TOKEN without an election authority. */
    private long token = StateChange.NO_TOKEN;
    private final Set<Thread> drains = ConcurrentHashMap.newKeySet();
    private ServerSocket server;
    private Thread acceptor;
    private Listening listening = Listening.NONE;
    /** How the last listener was bound; stays after it closed, for reports. */
    private volatile Listening lastListening = Listening.NONE;
    /** beforeAcquire calls so far (hook thread, in transition order). */
    private long acquires;
    /**
     * Reports of a release (a change from MASTER) so far (listener thread, in transition order).
     * The listener thread may lag behind the hook thread: a report whose release was followed by
     * another acquire ({@code acquires > releasesReported}) is stale and must not close the
     * listener that acquire opened.
     */
    private long releasesReported;
    private boolean closed;

    /**
     * @param listen       the virtual address and port to serve, e.g. 198.51.100.50:3306
     * @param backend      where every connection is forwarded
     * @param drainTimeout how long connections still open when the address has gone may take to end
     */
    public VipProxy(InetSocketAddress listen, InetSocketAddress backend, Duration drainTimeout) {
        this(listen, backend, drainTimeout, false);
    }

    /**
     * @param listen       the virtual address and port to serve, e.g. 198.51.100.50:3306
     * @param backend      where every connection is forwarded (a MySQL or MariaDB server when fencing)
     * @param drainTimeout how long connections still open when the address has gone may take to end
     * @param fenceMySql   open every backend session with {@code SET @havip_fencing_token = N} (see the
     *                     class comment); connections are refused while there is no token
     */
    public VipProxy(InetSocketAddress listen, InetSocketAddress backend, Duration drainTimeout, boolean fenceMySql) {
        if (listen == null || listen.isUnresolved() || listen.getAddress().isAnyLocalAddress()) {
            throw new IllegalArgumentException("listen address " + listen
                    + " must be the virtual address itself (resolved, not the wildcard), e.g. 198.51.100.50:3306");
        }
        if (backend == null || backend.isUnresolved()) {
            throw new IllegalArgumentException("backend " + backend + " must be a resolved address and port, e.g. 198.51.100.13:3306");
        }
        if (drainTimeout == null || drainTimeout.isNegative()) {
            throw new IllegalArgumentException("drain timeout " + drainTimeout + " must be zero or positive");
        }
        this.listen = listen;
        this.backend = backend;
        this.drainTimeout = drainTimeout;
        this.fenceMySql = fenceMySql;
    }

    /** The hook timeout to register this proxy with: its hooks only open a socket, so 2 s is plenty. */
    public Duration hookTimeout() {
        return Duration.ofSeconds(2);
    }

    /**
     * Runs once, before the router starts, the socket code the hooks and the first connection
     * run: a bind of the virtual address on an ephemeral port (which also tells whether
     * non-local bind is allowed, and logs how the proxy will listen) and a loopback connection.
     * In a fresh JVM the first bind and connect load and link a few hundred classes, which took
     * 100-150 ms on a loaded test host: the acquire hook would spend them while the address waits,
     * longer than a planned handover waits for the new master at 100 ms adverts (300 ms in all).
     */
    public void warmUp() {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(listen.getAddress(), 0), 1);
            LOG.info("can bind {} before it arrives: will listen on it while MASTER", listen.getAddress().getHostAddress());
        } catch (IOException e) {
            LOG.info("cannot bind {} before it arrives ({}; {}): will listen on the wildcard address while MASTER and "
                    + "serve only {}", listen.getAddress().getHostAddress(), e.getMessage(), nonLocalBindHint(),
                    listen.getAddress().getHostAddress());
        }
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()); Socket c = new Socket()) {
            c.setTcpNoDelay(true);
            c.connect(s.getLocalSocketAddress(), BACKEND_CONNECT_MILLIS);
            try (Socket a = s.accept()) {
                a.getOutputStream().write(0);
                c.getInputStream().read();
            }
        } catch (IOException e) {
            LOG.debug("warm-up connection on loopback failed: {}", e.toString());
        }
    }

    // ------------------------------------------------------------------ hooks and listener

    /** Opens the listening socket before the address is bound (see the class comment for where). */
    @Override
    public void beforeAcquire(StateChange pending) {
        synchronized (lock) {
            acquires++;
            token = pending.fencingToken(); // the lease just granted: what new sessions are fenced with
            if (closed || server != null) {
                return;
            }
            try {
                open(listen, Listening.VIP);
                return;
            } catch (IOException e) {
                LOG.debug("cannot bind {} before the address is here ({}): listening on the wildcard address", listen,
                        e.getMessage());
            }
            InetSocketAddress wildcard = new InetSocketAddress(listen.getPort());
            try {
                open(wildcard, Listening.WILDCARD);
            } catch (IOException e) {
                LOG.warn("cannot listen on {} either ({}): binding {} once MASTER instead; clients arriving in the "
                        + "milliseconds between the address and that bind are refused", wildcard, e.getMessage(), listen);
            }
        }
    }

    /** Falls back to binding now, with the address present, if {@link #beforeAcquire} could not. */
    @Override
    public void onMaster(StateChange change) {
        synchronized (lock) {
            if (acquires <= releasesReported || closed || server != null) {
                return; // no acquire of ours (or released again already), or listening
            }
            try {
                open(listen, Listening.VIP_AFTER_ADDRESS);
            } catch (IOException e) {
                LOG.error("MASTER but cannot listen on {}: {}; clients are refused until the next transition", listen,
                        e.toString());
            }
        }
    }

    /**
     * Nothing: the address is still here, so clients still arrive and are served (see the class
     * comment). The listener closes when the router reports the address gone.
     */
    @Override
    public void beforeRelease(StateChange pending) {
        LOG.debug("{} is about to be released ({}): serving until it has gone", listen, pending);
    }

    @Override
    public void onBackup(StateChange change) {
        addressGone(change);
    }

    @Override
    public void onFault(StateChange change) {
        addressGone(change);
    }

    @Override
    public void onStop(StateChange change) {
        addressGone(change);
    }

    /**
     * The address is not (or no longer) here: stop accepting, and drain the connections open now
     * on a thread of their own; unless the report is stale (see {@link #releasesReported}).
     */
    private void addressGone(StateChange change) {
        synchronized (lock) {
            if (change.from() == RouterState.MASTER) {
                releasesReported++;
            }
            if (acquires > releasesReported && !closed) {
                LOG.debug("{} reported after the address was acquired again: still serving", change);
                return;
            }
        }
        Set<Pipe> open = stopAccepting();
        if (open.isEmpty()) {
            return;
        }
        Thread t = new Thread(() -> {
            try {
                drain(open, drainTimeout);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                drains.remove(Thread.currentThread());
            }
        }, "vip-proxy-drain");
        t.setDaemon(true);
        drains.add(t);
        t.start();
    }

    // ------------------------------------------------------------------ serving

    private void open(InetSocketAddress address, Listening how) throws IOException {
        ServerSocket s = new ServerSocket();
        try {
            s.setReuseAddress(true); // rebinding while old connections sit in TIME_WAIT
            s.bind(address, BACKLOG);
        } catch (IOException e) {
            s.close();
            throw e;
        }
        server = s;
        listening = how;
        lastListening = how;
        acceptor = new Thread(() -> acceptLoop(s, how == Listening.WILDCARD), "vip-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        LOG.info("listening on {} ({}), forwarding to {}", address, how, backend);
    }

    private void acceptLoop(ServerSocket s, boolean filter) {
        while (!s.isClosed()) {
            Socket client;
            try {
                client = s.accept();
            } catch (IOException e) {
                if (!s.isClosed()) {
                    LOG.warn("accept on {} failed: {}", s.getLocalSocketAddress(), e.toString());
                }
                continue;
            }
            if (filter && !listen.getAddress().equals(client.getLocalAddress())) {
                notOurs.incrementAndGet(); // made to another address of this host: reset, as no listener would
                reset(client);
                continue;
            }
            accepted.incrementAndGet();
            long fence;
            synchronized (lock) {
                fence = token;
            }
            Thread t = new Thread(() -> connect(client, fence), "vip-proxy-connect");
            t.setDaemon(true);
            t.start();
        }
    }

    private void connect(Socket client, long fence) {
        if (fenceMySql && fence == StateChange.NO_TOKEN) {
            fenceRefusals.incrementAndGet();
            LOG.error("fencing is on but this node holds the address without a fencing token (no election authority: "
                    + "VRRP alone); closing client {} instead of piping it unfenced. Enable the ZooKeeper guard or lease "
                    + "(havip-zookeeper), or build the proxy with fenceMySql = false", client.getRemoteSocketAddress());
            closeQuietly(client);
            return;
        }
        Socket server = new Socket();
        try {
            server.setTcpNoDelay(true);
            client.setTcpNoDelay(true);
            server.connect(backend, BACKEND_CONNECT_MILLIS);
        } catch (IOException e) {
            backendFailures.incrementAndGet();
            LOG.warn("cannot reach backend {} for client {}: {}; closing the client connection", backend,
                    client.getRemoteSocketAddress(), e.toString());
            closeQuietly(client);
            closeQuietly(server);
            return;
        }
        if (fenceMySql) {
            try {
                MySqlFencing.handshake(client, server, fence);
            } catch (IOException e) {
                fenceRefusals.incrementAndGet();
                LOG.warn("closing client {}: its session could not be fenced with token {}: {}",
                        client.getRemoteSocketAddress(), fence, e.getMessage());
                closeQuietly(client);
                closeQuietly(server);
                return;
            }
        }
        Pipe p = new Pipe(client, server);
        pipes.add(p);
        p.start();
    }

    /** Closes the listener (idempotent) and returns the connections open at that moment. */
    private Set<Pipe> stopAccepting() {
        synchronized (lock) {
            if (server != null) {
                closeQuietly(server);
                server = null;
                listening = Listening.NONE;
                // The kernel keeps completing handshakes until the thread blocked in accept(2) lets go of
                // the socket (the JDK closes it with dup2 while that call holds a reference): wait for it.
                try {
                    acceptor.join(ACCEPTOR_EXIT_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                acceptor = null;
                LOG.info("the address has gone: stopped accepting on {}; draining {} connection(s) for at most {}", listen,
                        pipes.size(), drainTimeout);
            }
            return Set.copyOf(pipes);
        }
    }

    /** Waits up to {@code timeout} for the connections {@code draining} to end, then closes the rest. */
    private void drain(Set<Pipe> draining, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (pipes) {
            while (draining.stream().anyMatch(pipes::contains)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                pipes.wait(Math.max(1, left / 1_000_000));
            }
        }
        int forced = 0;
        for (Pipe p : draining) {
            if (p.close(true)) {
                forced++;
            }
        }
        if (forced > 0) {
            LOG.info("drain timeout: closed {} connection(s) still open", forced);
        }
    }

    /**
     * Stops accepting and drains every open connection up to the drain timeout, then closes the
     * rest; blocks until then (so a JVM that exits after it does not cut them shorter). Idempotent.
     */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
        }
        try {
            drain(stopAccepting(), drainTimeout);
            for (Thread t : drains) {
                t.join(drainTimeout.toMillis() + ACCEPTOR_EXIT_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether the listening socket is open. */
    public boolean listening() {
        synchronized (lock) {
            return server != null;
        }
    }

    /** How the listening socket is bound now ({@link Listening#NONE} when closed). */
    public Listening listeningOn() {
        synchronized (lock) {
            return listening;
        }
    }

    /** How the last listening socket was bound, open or not ({@link Listening#NONE} before the first). */
    public Listening lastListening() {
        return lastListening;
    }

    /** Connections open right now. */
    public int openConnections() {
        return pipes.size();
    }

    /** Connections accepted since start. */
    public long acceptedConnections() {
        return accepted.get();
    }

    /** Connections reset because they were made to another address of the host (wildcard listener only). */
    public long notOurs() {
        return notOurs.get();
    }

    /** Accepted connections closed because the backend could not be reached. */
    public long backendFailures() {
        return backendFailures.get();
    }

    /** Connections closed unpiped because their session could not be fenced (no token, TLS, refused login...). */
    public long fenceRefusals() {
        return fenceRefusals.get();
    }

    /** Connections still open at a drain timeout, closed by the proxy. */
    public long forcedCloses() {
        return forcedCloses.get();
    }

    private String nonLocalBindHint() {
        boolean v6 = listen.getAddress() instanceof Inet6Address;
        String key = v6 ? "net.ipv6.ip_nonlocal_bind" : "net.ipv4.ip_nonlocal_bind";
        Path file = Path.of("/proc/sys/net", v6 ? "ipv6" : "ipv4", "ip_nonlocal_bind");
        String value;
        try {
            value = Files.readString(file).strip();
        } catch (IOException e) {
            value = "unreadable";
        }
        return key + " is " + value + "; set it to 1 in this network namespace to listen before the address arrives";
    }

    /** Closes with a reset (SO_LINGER 0), as the kernel answers a connection nobody listens for. */
    private static void reset(Socket s) {
        try {
            s.setSoLinger(true, 0);
        } catch (IOException ignored) {
            // closing anyway
        }
        closeQuietly(s);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing after an error: nothing more to do
        }
    }

    /** One proxied connection: two pump threads; the first end of either direction closes both sockets. */
    private final class Pipe {
        private final Socket client;
        private final Socket server;

        Pipe(Socket client, Socket server) {
            this.client = client;
            this.server = server;
        }

        void start() {
            pump(client, server, "up");
            pump(server, client, "down");
        }

        private void pump(Socket from, Socket to, String direction) {
            Thread t = new Thread(() -> {
                byte[] buffer = new byte[16 * 1024];
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    for (int n; (n = in.read(buffer)) >= 0; ) {
                        out.write(buffer, 0, n);
                    }
                } catch (SocketException e) {
                    // the other pump (or a drain) closed the sockets, or the peer reset
                } catch (IOException e) {
                    LOG.debug("{} {} -> {}: {}", direction, from.getRemoteSocketAddress(), to.getRemoteSocketAddress(), e.toString());
                } finally {
                    close();
                }
            }, "vip-proxy-pipe-" + direction);
            t.setDaemon(true);
            t.start();
        }

        void close() {
            close(false);
        }

        /** Closes both sockets; true if this call ended the connection (it was still open), counted when forced. */
        boolean close(boolean forced) {
            boolean open = pipes.remove(this);
            if (open && forced) {
                forcedCloses.incrementAndGet(); // before the client can see the close
            }
            closeQuietly(client);
            closeQuietly(server);
            if (open) {
                synchronized (pipes) {
                    pipes.notifyAll();
                }
            }
            return open;
        }
    }

    /** The address the proxy serves. */
    public InetAddress virtualAddress() {
        return listen.getAddress();
    }

    /**
     * Runs a proxy node until SIGTERM (or Ctrl-C), which hands the address over gracefully.
     * See {@link ProxyCommand#USAGE} for the arguments; needs CAP_NET_ADMIN and CAP_NET_RAW.
     */
    public static void main(String[] args) throws Exception {
        int status = ProxyCommand.run(args, System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }
}
