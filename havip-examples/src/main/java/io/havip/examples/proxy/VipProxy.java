package io.havip.examples.proxy;

import io.havip.core.AddressHook;
import io.havip.core.FailoverListener;
import io.havip.core.StateChange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
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
 * A TCP proxy (e.g. for MySQL on port 3306) that listens on the virtual address only while
 * its node is MASTER, and forwards every byte to one backend. No protocol parsing: each
 * accepted connection gets its own backend connection and two pump threads.
 *
 * <h2>Where the listening socket is opened, and why</h2>
 * The socket is bound in {@link #beforeAcquire}, before the engine adds the address and sends
 * the gratuitous ARP: the first SYN that follows the ARP finds a listener, so no client is
 * refused during the switch. Binding to an address the host does not have yet needs
 * {@code IP_FREEBIND} or {@code IP_TRANSPARENT} on the socket (Java cannot set either without
 * native code), or the sysctl {@code net.ipv4.ip_nonlocal_bind=1} ({@code net.ipv6.ip_nonlocal_bind}
 * for IPv6), which is per network namespace. When the kernel refuses the bind
 * ({@code EADDRNOTAVAIL}, the sysctl is 0), the proxy logs it and binds in {@link #onMaster}
 * instead, once the address is there: correct, but connections that arrive between the ARP
 * and that callback (a few milliseconds) are refused and the client retries.
 *
 * <h2>Release</h2>
 * {@link #beforeRelease} stops accepting (closes the listening socket), waits up to the drain
 * timeout for the connections in flight to end, then closes the rest; the engine releases the
 * address after it. Register the proxy as a hook with a timeout longer than the drain timeout
 * (see {@link #hookTimeout()}). A connection that outlives the address cannot be saved: once
 * the new master has announced the address, the client's packets reach the new master, whose
 * kernel answers with a reset, and the client reconnects there.
 *
 * <h2>Threads</h2>
 * Hooks run on the router's hook thread and listener callbacks on its listener thread, each in
 * transition order; the proxy's own state is guarded by one lock, and it never calls back into
 * the router. One accept thread while listening; two daemon threads per proxied connection.
 */
public final class VipProxy implements AddressHook, FailoverListener.PerState, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(VipProxy.class);
    /** How long a backend connect may take before the client connection is given up. */
    private static final int BACKEND_CONNECT_MILLIS = 2_000;
    /** The listen backlog: generous, so a burst of reconnects after a failover is queued, not refused. */
    private static final int BACKLOG = 256;
    /** A bound on waiting for the accept thread to leave accept(2) after the close woke it. */
    private static final int ACCEPTOR_EXIT_MILLIS = 1_000;

    private final InetSocketAddress listen;
    private final InetSocketAddress backend;
    private final Duration drainTimeout;
    private final Object lock = new Object();
    private final Set<Pipe> pipes = ConcurrentHashMap.newKeySet();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong backendFailures = new AtomicLong();
    private final AtomicLong forcedCloses = new AtomicLong();
    private ServerSocket server;
    private Thread acceptor;
    /** True between beforeAcquire and beforeRelease: the address is ours or about to be. */
    private boolean wanted;
    private boolean closed;
    private volatile boolean boundBeforeAddress;

    /**
     * @param listen       the virtual address and port to serve, e.g. 198.51.100.50:3306
     * @param backend      where every connection is forwarded
     * @param drainTimeout how long a release waits for connections in flight
     */
    public VipProxy(InetSocketAddress listen, InetSocketAddress backend, Duration drainTimeout) {
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
    }

    /** The hook timeout to register this proxy with: the drain timeout plus 2 s for the backend connect and closing. */
    public Duration hookTimeout() {
        return drainTimeout.plusSeconds(2);
    }

    // ------------------------------------------------------------------ hooks and listener

    /** Opens the listening socket before the address is bound (needs non-local bind, see the class comment). */
    @Override
    public void beforeAcquire(StateChange pending) throws IOException {
        synchronized (lock) {
            wanted = true;
            if (closed || server != null) {
                return;
            }
            try {
                open();
                boundBeforeAddress = true;
            } catch (BindException e) {
                LOG.info("cannot bind {} before the address is here ({}; {}): binding once MASTER instead", listen,
                        e.getMessage(), nonLocalBindHint());
            }
        }
    }

    /** Falls back to binding now, with the address present, if {@link #beforeAcquire} could not. */
    @Override
    public void onMaster(StateChange change) {
        synchronized (lock) {
            if (!wanted || closed || server != null) {
                return; // released again already, or listening
            }
            try {
                open();
            } catch (IOException e) {
                LOG.error("MASTER but cannot listen on {}: {}; clients are refused until the next transition", listen,
                        e.toString());
            }
        }
    }

    /** Stops accepting, drains connections in flight up to the drain timeout, closes the rest. */
    @Override
    public void beforeRelease(StateChange pending) throws InterruptedException {
        stopServing(drainTimeout);
    }

    // A hook that timed out (or a release without a hook) still must not leave a listener behind.
    @Override
    public void onBackup(StateChange change) {
        closeIfUnwanted();
    }

    @Override
    public void onFault(StateChange change) {
        closeIfUnwanted();
    }

    @Override
    public void onStop(StateChange change) {
        closeIfUnwanted();
    }

    private void closeIfUnwanted() {
        try {
            stopServing(Duration.ZERO);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ serving

    private void open() throws IOException {
        ServerSocket s = new ServerSocket();
        try {
            s.setReuseAddress(true); // rebinding while old connections sit in TIME_WAIT
            s.bind(listen, BACKLOG);
        } catch (IOException e) {
            s.close();
            throw e;
        }
        server = s;
        acceptor = new Thread(() -> acceptLoop(s), "vip-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        LOG.info("listening on {}, forwarding to {}", listen, backend);
    }

    private void acceptLoop(ServerSocket s) {
        while (!s.isClosed()) {
            Socket client;
            try {
                client = s.accept();
            } catch (IOException e) {
                if (!s.isClosed()) {
                    LOG.warn("accept on {} failed: {}", listen, e.toString());
                }
                continue;
            }
            accepted.incrementAndGet();
            Thread t = new Thread(() -> connect(client), "vip-proxy-connect");
            t.setDaemon(true);
            t.start();
        }
    }

    private void connect(Socket client) {
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
        Pipe p = new Pipe(client, server);
        pipes.add(p);
        p.start();
    }

    /**
     * Closes the listener, waits up to {@code timeout} for open connections to end, closes the
     * rest. Idempotent.
     */
    private void stopServing(Duration timeout) throws InterruptedException {
        synchronized (lock) {
            wanted = false;
            if (server != null) {
                closeQuietly(server);
                server = null;
                // The kernel keeps completing handshakes until the thread blocked in accept(2) lets go of
                // the socket (the JDK closes it with dup2 while that call holds a reference): wait for it.
                acceptor.join(ACCEPTOR_EXIT_MILLIS);
                acceptor = null;
                LOG.info("stopped accepting on {}; draining {} connection(s) for at most {}", listen, pipes.size(), timeout);
            }
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (pipes) {
            while (!pipes.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                pipes.wait(Math.max(1, left / 1_000_000));
            }
        }
        if (!pipes.isEmpty()) {
            LOG.info("drain timeout: closing {} connection(s) still open", pipes.size());
            for (Pipe p : pipes) {
                forcedCloses.incrementAndGet();
                p.close();
            }
        }
    }

    /** Stops serving at once and closes every connection; idempotent. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
        }
        closeIfUnwanted();
    }

    /** Whether the listening socket is open. */
    public boolean listening() {
        synchronized (lock) {
            return server != null;
        }
    }

    /** Whether the last bind happened before the address was there (non-local bind allowed). */
    public boolean boundBeforeAddress() {
        return boundBeforeAddress;
    }

    /** Connections open right now. */
    public int openConnections() {
        return pipes.size();
    }

    /** Connections accepted since start. */
    public long acceptedConnections() {
        return accepted.get();
    }

    /** Accepted connections closed because the backend could not be reached. */
    public long backendFailures() {
        return backendFailures.get();
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
            closeQuietly(client);
            closeQuietly(server);
            if (pipes.remove(this)) {
                synchronized (pipes) {
                    pipes.notifyAll();
                }
            }
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
