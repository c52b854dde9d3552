package io.havip.vrrp.liveness;

import io.havip.core.net.IpAddress;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The liveness channel of one virtual router on this node: it listens for havip peers, dials
 * each peer it is given, and reports when a peer's <em>process</em> has died on a live host.
 *
 * <h2>What counts as a death</h2>
 * Only this sequence, on a connection this node dialled itself:
 * <ol>
 *   <li>the handshake completed (both sides proved the secret, see {@link LivenessAuth});</li>
 *   <li>the connection then ended (EOF or RST) without a goodbye;</li>
 *   <li>an immediate new connection to the peer's port is refused (RST): the peer's kernel is
 *       up and nothing listens there any more. (While a killed process exits, its kernel may
 *       still complete a TCP handshake on the closing listener and then reset it; such a cut
 *       handshake is retried for at most 500 ms. A peer that answers its hello lives.)</li>
 * </ol>
 * Then {@link Events#peerProcessDied} is called. Nothing else reports a death: a connection
 * that goes silent (half-open, a vanished host) is closed and redialled; a new connection that
 * times out or succeeds proves nothing. Someone who can only connect to our port can therefore
 * report nothing at all; someone who could forge both the RST of an established connection and
 * the refusal of a new one sits on the path and could as well forge a priority-0 advert.
 * Whether the dead peer was the master, and whether an advert arrives in the grace, is the
 * engine's decision.
 *
 * <h2>Threads</h2>
 * One acceptor thread, one thread per accepted connection (at most {@value #MAX_INCOMING}), one
 * dialler thread per peer; all daemon threads doing blocking I/O. {@link Events} is called on a
 * dialler thread and must only hand the report on.
 */
public final class LivenessMonitor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LivenessMonitor.class);
    /** Accepted connections open at once: a bound on threads a stranger can make us hold. */
    static final int MAX_INCOMING = 32;
    private static final int HANDSHAKE_TIMEOUT_MS = 2_000;
    private static final int CONNECT_TIMEOUT_MS = 1_000;
    private static final long BIND_RETRY_MS = 2_000;
    /** The confirming connection: a live kernel refuses within one round trip; wait no longer than this. */
    private static final int CONFIRM_TIMEOUT_MS = 200;
    /** How long a lost channel is confirmed: long enough for a killed JVM's exit to close its listener. */
    private static final long CONFIRM_WINDOW_NANOS = 500_000_000L;
    /**
     * Pause between confirming connections that a closing listener cut: 200 us, a few LAN round
     * trips (it was 1 ms, which Thread.sleep makes 1.1 ms or more). At most 2,500 connections in
     * the confirmation window, and only to a peer that authenticated and then vanished without
     * a goodbye.
     */
    private static final long CONFIRM_RETRY_NANOS = 200_000L;
    private static final long MIN_BACKOFF_MS = 100;
    /** Redial at most this far apart, so a restarted peer has its channel within seconds. */
    private static final long MAX_BACKOFF_MS = 2_000;
    private static final long REFUSAL_LOG_INTERVAL_NANOS = 10_000_000_000L;

    /** Where the monitor's reports go. */
    @FunctionalInterface
    public interface Events {
        /** {@code peer}'s process is gone (see the class comment); called on a liveness thread. */
        void peerProcessDied(IpAddress peer);

        /**
         * An established, authenticated channel to {@code peer} ended without a goodbye, and the
         * confirmation (a new connection that must be refused) starts now; called on a liveness
         * thread, before {@link #peerProcessDied} if that follows. Not a death: nothing may be
         * decided on it alone. The engine starts the grace here, so the grace and the
         * confirmation run side by side instead of one after the other.
         */
        default void peerChannelLost(IpAddress peer) {
        }
    }

    private final String name;
    private final int vrid;
    private final IpAddress local;
    private final Set<IpAddress> knownPeers;
    private final LivenessConfig config;
    private final byte[] secret;
    private final int port;
    private final LivenessEndpoints endpoints;
    private final Events events;
    private final long heartbeatMs;

    private final Set<IpAddress> dialled = ConcurrentHashMap.newKeySet();
    private final Set<Channel> channels = ConcurrentHashMap.newKeySet();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private final AtomicInteger incoming = new AtomicInteger();
    private volatile boolean running;
    private volatile ServerSocket server;
    private volatile long lastRefusalLog = System.nanoTime() - REFUSAL_LOG_INTERVAL_NANOS;

    private final AtomicLong established = new AtomicLong();
    private final AtomicLong withoutListener = new AtomicLong();
    private final AtomicLong badProof = new AtomicLong();
    private final AtomicLong unknownPeer = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong overLimit = new AtomicLong();
    private final AtomicLong goodbyesSent = new AtomicLong();
    private final AtomicLong goodbyesReceived = new AtomicLong();
    private final AtomicLong halfOpen = new AtomicLong();
    private final AtomicLong deaths = new AtomicLong();

    /**
     * @param name       the router's name, for logs and thread names
     * @param vrid       the router's VRID, named in every hello
     * @param local      this node's VRRP address (named in hellos; peers dial it)
     * @param knownPeers the only addresses whose hellos are accepted (unicast peers); empty:
     *                   any address that proves the secret (multicast, where backups never
     *                   advertise and so cannot be learnt)
     */
    public LivenessMonitor(String name, int vrid, IpAddress local, Set<IpAddress> knownPeers, LivenessConfig config,
                           LivenessEndpoints endpoints, Events events) {
        this.name = name;
        this.vrid = vrid;
        this.local = local;
        this.knownPeers = Set.copyOf(knownPeers);
        this.config = config;
        this.secret = config.secret();
        this.port = config.portFor(vrid);
        this.endpoints = endpoints;
        this.events = events;
        this.heartbeatMs = config.heartbeatInterval().toMillis();
    }

    // ------------------------------------------------------------------ lifecycle

    /**
     * Starts listening; dial peers with {@link #dial}.
     *
     * @throws UncheckedIOException when the port cannot be bound (the message says which and why)
     */
    public synchronized void start() {
        if (running || server != null) {
            throw new IllegalStateException(name + ": liveness monitor already started");
        }
        InetSocketAddress at = endpoints.listenAddress(local.family(), port);
        try {
            server = bind(at);
        } catch (IOException e) {
            throw new UncheckedIOException("router " + name + ": cannot listen for the liveness channel on " + at
                    + ": " + e.getMessage() + " — choose another port with livenessPort(...) (every havip node of "
                    + "the router must use the same one)", e);
        }
        running = true;
        spawn("havip-liveness-accept-" + name, this::acceptLoop);
        log.info("{}: liveness channel listening on {} ({})", name, at, config);
    }

    /**
     * Binds the listener, retrying for up to {@value #BIND_RETRY_MS} ms: connections of a
     * previous run (or of a close just before) may still hold the port for a moment.
     */
    private static ServerSocket bind(InetSocketAddress at) throws IOException {
        long end = System.nanoTime() + BIND_RETRY_MS * 1_000_000L;
        while (true) {
            ServerSocket s = new ServerSocket();
            try {
                s.setReuseAddress(true);
                s.bind(at, 16);
                return s;
            } catch (java.net.BindException e) {
                s.close();
                if (System.nanoTime() > end) {
                    throw e;
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** Keeps a channel to {@code peer} (idempotent; our own address is ignored). */
    public void dial(IpAddress peer) {
        if (!running || peer.equals(local) || peer.family() != local.family() || !dialled.add(peer)) {
            return;
        }
        spawn("havip-liveness-dial-" + name + "-" + peer, () -> dialLoop(peer));
    }

    /**
     * A graceful close: a goodbye on every channel, then every connection and the listener are
     * closed, so no peer mistakes this for a death. Idempotent.
     */
    public void goodbye() {
        if (!running) {
            return;
        }
        running = false;
        for (Channel c : channels) {
            if (c.send(new LivenessMessage.Goodbye())) {
                goodbyesSent.incrementAndGet();
            }
        }
        shutDown();
        log.info("{}: liveness channel closed with goodbye", name);
    }

    /**
     * Ends every connection and the listener without a goodbye, as the kernel does when the
     * process dies (for tests that simulate a crash).
     */
    public void abort() {
        running = false;
        shutDown();
    }

    /** The same as {@link #goodbye()}. */
    @Override
    public void close() {
        goodbye();
        shutDown();
    }

    private void shutDown() {
        ServerSocket s = server;
        if (s != null) {
            closeQuietly(s);
        }
        for (Socket socket : sockets) {
            closeQuietly(socket);
        }
        for (Thread t : threads) {
            t.interrupt();
        }
    }

    public int port() {
        return port;
    }

    public LivenessStats stats() {
        return new LivenessStats(true, port, config.grace(), channels.size(), established.get(), withoutListener.get(),
                badProof.get(), unknownPeer.get(), malformed.get(), overLimit.get(), goodbyesSent.get(),
                goodbyesReceived.get(), halfOpen.get(), deaths.get(), 0, 0, 0);
    }

    // ------------------------------------------------------------------ server side

    private void acceptLoop() {
        while (running) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                if (running) {
                    log.warn("{}: liveness accept failed: {}", name, e.toString());
                    pause(MIN_BACKOFF_MS);
                }
                continue;
            }
            if (incoming.incrementAndGet() > MAX_INCOMING) {
                incoming.decrementAndGet();
                overLimit.incrementAndGet();
                refusal("refused a liveness connection from {}: {} already open", s.getInetAddress(), MAX_INCOMING);
                closeQuietly(s);
                continue;
            }
            sockets.add(s);
            spawn("havip-liveness-serve-" + name + "-" + s.getInetAddress().getHostAddress(), () -> {
                try {
                    serve(s);
                } finally {
                    incoming.decrementAndGet();
                    sockets.remove(s);
                    closeQuietly(s);
                }
            });
        }
    }

    /** The server's half of the handshake, then heartbeats echoed until the end. */
    private void serve(Socket s) {
        Channel channel = null;
        try {
            s.setTcpNoDelay(true);
            s.setSoTimeout(HANDSHAKE_TIMEOUT_MS);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            LivenessMessage first = LivenessCodec.read(in);
            if (!(first instanceof LivenessMessage.Hello h1) || h1.hasProof()) {
                malformed.incrementAndGet();
                refusal("refused a liveness connection from {}: opened with {}, not a hello without proof",
                        s.getInetAddress(), first);
                return;
            }
            if (h1.vrid() != vrid || !h1.server().equals(local)) {
                malformed.incrementAndGet();
                refusal("refused a liveness hello from {}: {}", s.getInetAddress(), "it is for router " + h1.vrid()
                        + " at " + h1.server() + ", we are router " + vrid + " at " + local);
                return;
            }
            if (!knownPeers.isEmpty() && !knownPeers.contains(h1.client()) || !endpoints.isFrom(h1.client(),
                    s.getInetAddress())) {
                unknownPeer.incrementAndGet();
                refusal("refused a liveness hello from {} naming {}: not one of our peers " + knownPeers,
                        s.getInetAddress(), h1.client());
                return;
            }
            byte[] serverNonce = LivenessAuth.newNonce();
            byte[] clientNonce = h1.nonce();
            byte[] proof = LivenessAuth.proof(secret, LivenessAuth.Role.SERVER, vrid, h1.client(), local, clientNonce,
                    serverNonce);
            out.write(LivenessCodec.encode(new LivenessMessage.Hello(vrid, h1.client(), local, serverNonce, proof)));
            out.flush();
            LivenessMessage third = LivenessCodec.read(in);
            if (!(third instanceof LivenessMessage.Hello h3) || !h3.hasProof() || h3.vrid() != vrid
                    || !h3.client().equals(h1.client()) || !h3.server().equals(local)
                    || !java.util.Arrays.equals(h3.nonce(), clientNonce)) {
                malformed.incrementAndGet();
                refusal("refused a liveness connection from {}: {} does not complete its hello", s.getInetAddress(),
                        third);
                return;
            }
            if (!LivenessAuth.verify(h3.proof(), secret, LivenessAuth.Role.CLIENT, vrid, h1.client(), local,
                    clientNonce, serverNonce)) {
                badProof.incrementAndGet();
                refusal("refused a liveness hello from {} naming {}: wrong proof (another secret, or a forged or "
                        + "replayed hello)", s.getInetAddress(), h1.client());
                return;
            }
            channel = new Channel(h1.client(), s, out);
            channels.add(channel);
            established.incrementAndGet();
            log.debug("{}: liveness channel from {} up", name, h1.client());
            s.setSoTimeout((int) (3 * heartbeatMs));
            while (running) {
                LivenessMessage m = LivenessCodec.read(in);
                if (m instanceof LivenessMessage.Heartbeat) {
                    channel.send(m);
                } else if (m instanceof LivenessMessage.Goodbye) {
                    goodbyesReceived.incrementAndGet();
                    log.info("{}: goodbye from {}", name, h1.client());
                    return;
                } else {
                    malformed.incrementAndGet();
                    log.warn("{}: closing the liveness channel from {}: {} after the handshake", name, h1.client(), m);
                    return;
                }
            }
        } catch (SocketTimeoutException e) {
            if (channel != null) {
                halfOpen.incrementAndGet();
                log.info("{}: liveness channel from {} silent for {} ms; closed as half-open", name, channel.peer,
                        3 * heartbeatMs);
            } else {
                malformed.incrementAndGet();
                refusal("refused a liveness connection from {}: no hello within {} ms", s.getInetAddress(),
                        HANDSHAKE_TIMEOUT_MS);
            }
        } catch (LivenessProtocolException e) {
            malformed.incrementAndGet();
            refusal("refused a liveness connection from {}: {}", s.getInetAddress(), e.getMessage());
        } catch (IOException e) {
            log.debug("{}: liveness connection from {} ended: {}", name, s.getInetAddress(), e.toString());
        } finally {
            if (channel != null) {
                channels.remove(channel);
            }
        }
    }

    // ------------------------------------------------------------------ client side

    /** How a dialled connection ended. */
    private enum End {
        /** Refused by the peer during the handshake (proof, peer list), or it did not answer. */
        NOT_ESTABLISHED,
        /** Closed or reset before the peer's hello: its listener is going away (or refused us). */
        HANDSHAKE_CUT,
        GOODBYE, HALF_OPEN, PROTOCOL_ERROR,
        /** An established channel ended without a goodbye (EOF or RST). */
        LOST
    }

    /**
     * Keeps a channel to {@code peer}. When an established channel is LOST, it confirms at once
     * (see the class comment): it dials again for at most {@link #CONFIRM_WINDOW_NANOS}. A
     * refused connection is a death. A connection the peer's kernel accepted but that is cut
     * before the peer's hello comes from a listener that is closing as the process exits (the
     * kernel completes the TCP handshake on its own), so it dials again. A peer that answers
     * its hello lives; one that does not answer at all is the VRRP timers' business.
     */
    private void dialLoop(IpAddress peer) {
        boolean noted = false;
        long backoff = MIN_BACKOFF_MS;
        long confirmUntil = 0;
        long lostAt = 0;
        int attempts = 0;
        InetSocketAddress target = endpoints.peerAddress(peer, port);
        while (running) {
            boolean confirming = confirmUntil != 0;
            Socket s;
            try {
                s = connect(target, confirming ? CONFIRM_TIMEOUT_MS : CONNECT_TIMEOUT_MS);
            } catch (ConnectException e) {
                if (confirming) {
                    confirmUntil = 0;
                    reportDeath(peer, lostAt, attempts + 1);
                } else if (!noted) {
                    noted = true;
                    withoutListener.incrementAndGet();
                    log.info("{}: peer {} has no havip liveness channel on port {} ({}); it gets plain VRRP timing "
                            + "(normal for keepalived or a havip node without this secret/port)", name, peer, port,
                            e.getMessage());
                }
                backoff = sleepBackoff(backoff);
                continue;
            } catch (IOException e) {
                if (confirming) {
                    confirmUntil = 0;
                    log.info("{}: liveness channel to {} ended without goodbye and its host does not answer ({}); "
                            + "the VRRP timers decide", name, peer, e.toString());
                } else {
                    log.debug("{}: liveness connection to {} failed: {}", name, peer, e.toString());
                }
                backoff = sleepBackoff(backoff);
                continue;
            }
            End end = runClient(peer, s, confirming);
            if (!running) {
                return;
            }
            if (confirming) {
                attempts++;
                if (end == End.HANDSHAKE_CUT && System.nanoTime() < confirmUntil) {
                    // The dying process's listener is still being torn down; ask again soon.
                    LockSupport.parkNanos(CONFIRM_RETRY_NANOS);
                    continue;
                }
                confirmUntil = 0;
                log.info("{}: liveness channel to {} ended without goodbye; {}", name, peer,
                        end == End.HANDSHAKE_CUT || end == End.NOT_ESTABLISHED
                                ? "its port neither refuses nor answers; the VRRP timers decide"
                                : "it answered again, so it lives");
            }
            if (end == End.LOST) {
                lostAt = System.nanoTime();
                attempts = 0;
                confirmUntil = lostAt + CONFIRM_WINDOW_NANOS;
                log.info("{}: liveness channel to {} lost without goodbye at t={} ns; confirming", name, peer, lostAt);
                events.peerChannelLost(peer);
                continue;
            }
            if (end != End.NOT_ESTABLISHED && end != End.HANDSHAKE_CUT) {
                noted = true;
                backoff = MIN_BACKOFF_MS;
            }
            backoff = sleepBackoff(backoff);
        }
    }

    private void reportDeath(IpAddress peer, long lostAt, int attempts) {
        long now = System.nanoTime();
        log.info("{}: liveness channel to {} ended without goodbye and its port now refuses: its process died "
                + "(refused at t={} ns, {} us after the loss, {} confirming connection(s))", name, peer, now,
                (now - lostAt) / 1000, attempts);
        events.peerProcessDied(peer);
        deaths.incrementAndGet(); // after the report, so a reader of the counter knows it was handed on
    }

    /** The client's half of the handshake, then heartbeats until the end; says how it ended. */
    private End runClient(IpAddress peer, Socket s, boolean confirming) {
        Channel channel = null;
        try {
            s.setTcpNoDelay(true);
            s.setSoTimeout(HANDSHAKE_TIMEOUT_MS);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            byte[] clientNonce = LivenessAuth.newNonce();
            out.write(LivenessCodec.encode(new LivenessMessage.Hello(vrid, local, peer, clientNonce, new byte[0])));
            out.flush();
            LivenessMessage answer = LivenessCodec.read(in);
            if (!(answer instanceof LivenessMessage.Hello h) || !h.hasProof() || h.vrid() != vrid
                    || !h.client().equals(local) || !h.server().equals(peer)) {
                malformed.incrementAndGet();
                refusal("liveness peer {} answered our hello with {}", peer, answer);
                return End.NOT_ESTABLISHED;
            }
            byte[] serverNonce = h.nonce();
            if (!LivenessAuth.verify(h.proof(), secret, LivenessAuth.Role.SERVER, vrid, local, peer, clientNonce,
                    serverNonce)) {
                badProof.incrementAndGet();
                refusal("liveness peer {} sent a wrong proof (another secret?); {}", peer, "not using it");
                return End.NOT_ESTABLISHED;
            }
            byte[] proof = LivenessAuth.proof(secret, LivenessAuth.Role.CLIENT, vrid, local, peer, clientNonce,
                    serverNonce);
            out.write(LivenessCodec.encode(new LivenessMessage.Hello(vrid, local, peer, clientNonce, proof)));
            out.flush();
            channel = new Channel(peer, s, out);
            channels.add(channel);
            established.incrementAndGet();
            log.info("{}: liveness channel to {} up", name, peer);
            return heartbeats(channel, in);
        } catch (EOFException | SocketException e) {
            if (channel == null) {
                if (!confirming) {
                    refusal("liveness peer {} closed the connection during the handshake ({}); another secret, or we "
                            + "are not among its peers", peer, e.toString());
                }
                return End.HANDSHAKE_CUT;
            }
            return End.LOST;
        } catch (SocketTimeoutException e) {
            refusal("liveness peer {} did not answer our hello within {} ms", peer, HANDSHAKE_TIMEOUT_MS);
            return End.NOT_ESTABLISHED;
        } catch (LivenessProtocolException e) {
            malformed.incrementAndGet();
            refusal("liveness peer {}: {}", peer, e.getMessage());
            return channel == null ? End.NOT_ESTABLISHED : End.PROTOCOL_ERROR;
        } catch (IOException e) {
            log.debug("{}: liveness connection to {} failed: {}", name, peer, e.toString());
            return channel == null ? End.NOT_ESTABLISHED : End.LOST;
        } finally {
            if (channel != null) {
                channels.remove(channel);
                if (running) {
                    log.info("{}: liveness channel to {} down", name, peer);
                }
            }
            sockets.remove(s);
            closeQuietly(s);
        }
    }

    private End heartbeats(Channel channel, InputStream in) throws IOException, LivenessProtocolException {
        Socket s = channel.socket;
        s.setSoTimeout((int) heartbeatMs);
        long lastHeard = System.nanoTime();
        long lastSent = System.nanoTime();
        long sequence = 0;
        while (running) {
            try {
                LivenessMessage m = LivenessCodec.read(in);
                lastHeard = System.nanoTime();
                if (m instanceof LivenessMessage.Goodbye) {
                    goodbyesReceived.incrementAndGet();
                    log.info("{}: goodbye from {}", name, channel.peer);
                    return End.GOODBYE;
                }
                if (m instanceof LivenessMessage.Hello) {
                    malformed.incrementAndGet();
                    log.warn("{}: closing the liveness channel to {}: a hello after the handshake", name, channel.peer);
                    return End.PROTOCOL_ERROR;
                }
            } catch (SocketTimeoutException e) {
                if (System.nanoTime() - lastHeard > 3 * heartbeatMs * 1_000_000L) {
                    halfOpen.incrementAndGet();
                    log.info("{}: liveness channel to {} silent for {} ms; closed as half-open (the VRRP timers decide)",
                            name, channel.peer, 3 * heartbeatMs);
                    return End.HALF_OPEN;
                }
            }
            if (System.nanoTime() - lastSent >= heartbeatMs * 1_000_000L) {
                lastSent = System.nanoTime();
                if (!channel.send(new LivenessMessage.Heartbeat(sequence++ & 0xFFFF_FFFFL))) {
                    return End.LOST;
                }
            }
        }
        return End.GOODBYE;
    }

    // ------------------------------------------------------------------ helpers

    private Socket connect(InetSocketAddress target, int timeoutMs) throws IOException {
        Socket s = new Socket();
        sockets.add(s);
        try {
            s.connect(target, timeoutMs);
            return s;
        } catch (IOException e) {
            sockets.remove(s);
            closeQuietly(s);
            throw e;
        }
    }

    private long sleepBackoff(long backoff) {
        pause(backoff);
        return Math.min(MAX_BACKOFF_MS, backoff * 2);
    }

    private void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Refusals are logged at most once per 10 s at WARN (a stranger must not flood the log); the rest at DEBUG. */
    private void refusal(String format, Object a, Object b) {
        long now = System.nanoTime();
        if (now - lastRefusalLog >= REFUSAL_LOG_INTERVAL_NANOS) {
            lastRefusalLog = now;
            log.warn(name + ": " + format, a, b);
        } else {
            log.debug(name + ": " + format, a, b);
        }
    }

    private void spawn(String threadName, Runnable body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } finally {
                threads.remove(Thread.currentThread());
            }
        }, threadName);
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing: nothing to do about it
        }
    }

    /** An authenticated connection; sends are serialised (heartbeat echo vs goodbye). */
    private static final class Channel {
        final IpAddress peer;
        final Socket socket;
        private final OutputStream out;

        Channel(IpAddress peer, Socket socket, OutputStream out) {
            this.peer = peer;
            this.socket = socket;
            this.out = out;
        }

        synchronized boolean send(LivenessMessage m) {
            try {
                out.write(LivenessCodec.encode(m));
                out.flush();
                return true;
            } catch (IOException e) {
                return false;
            }
        }
    }
}
