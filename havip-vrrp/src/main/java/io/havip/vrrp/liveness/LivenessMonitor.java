package io.havip.vrrp.liveness;

import io.havip.core.Clock;
import io.havip.core.net.IpAddress;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * <h2>Who may connect</h2>
 * A connection is unauthenticated until its client proved the secret, and the listener limits
 * what strangers can hold (see {@link HandshakeAdmission} for the rules):
 * <ul>
 *   <li>every handshake must complete within {@value #HANDSHAKE_DEADLINE_MS} ms of the accept
 *       (a peer on the link needs one round trip and two HMACs, about a millisecond; a second
 *       covers a loaded or pausing peer), or the connection is closed;</li>
 *   <li>with unicast peers configured, only connections from a peer's address are kept; any other
 *       is closed at the accept (its hello could only be refused);</li>
 *   <li>otherwise (multicast) one address may hold {@value #MAX_UNAUTHENTICATED_PER_SOURCE}
 *       unauthenticated connections and all strangers together {@value #MAX_UNAUTHENTICATED}; a
 *       stranger beyond that evicts the oldest stranger;</li>
 *   <li>a peer's connection never competes with strangers: peers do not count against their
 *       limits. A peer is a configured unicast peer; in multicast, where peers are not
 *       configured, a peer is an address this node dials (a master it followed, learnt from its
 *       adverts) or one that completed a handshake with this node since it started (a backup,
 *       which never advertises, is learnt by its first handshake).</li>
 * </ul>
 * What was refused, evicted or timed out is counted ({@link LivenessStats}) and logged once per
 * source and reason, then summarised at most every {@value #REFUSAL_SUMMARY_SECONDS} s.
 *
 * <h2>Threads</h2>
 * One acceptor thread, one thread per admitted connection (bounded by the limits above, and at
 * most {@value #MAX_CONNECTIONS} in all: a flood of connects costs no thread beyond them, and with
 * unicast peers a stranger's connection costs none at all), one dialler thread per peer; all
 * daemon threads doing blocking I/O. {@link Events} is called on a dialler thread and must only
 * hand the report on.
 */
public final class LivenessMonitor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LivenessMonitor.class);
    /** Unauthenticated connections all strangers together may hold (multicast; unicast allows none). */
    static final int MAX_UNAUTHENTICATED = 32;
    /**
     * Unauthenticated connections one address may hold: a peer needs one, two while a redial
     * overlaps a stale attempt; four leaves room and keeps one stranger host to four threads.
     */
    static final int MAX_UNAUTHENTICATED_PER_SOURCE = 4;
    /** Accepted connections (threads) open at once, authenticated or not: the last bound. */
    static final int MAX_CONNECTIONS = 256;
    /** The whole server-side handshake, from the accept to the client's proof (not per read). */
    static final int HANDSHAKE_DEADLINE_MS = 1_000;
    /** A blocking read's own timeout during the handshake: a backstop behind the deadline above. */
    private static final int HANDSHAKE_READ_TIMEOUT_MS = 5 * HANDSHAKE_DEADLINE_MS;
    /** How long the dialler waits for the peer's answer to its hello. */
    private static final int HANDSHAKE_TIMEOUT_MS = 2_000;
    /** How often the acceptor, when no connection arrives, looks for handshakes past their deadline. */
    private static final int ACCEPT_TICK_MS = 100;
    /** The listen backlog: a burst of connects is accepted and sorted, not dropped by the kernel. */
    private static final int BACKLOG = 128;
    static final int REFUSAL_SUMMARY_SECONDS = 10;
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
    private final Clock clock;

    private final Set<IpAddress> dialled = ConcurrentHashMap.newKeySet();
    /** Addresses that completed a handshake with our listener (the peers of multicast mode, with {@link #dialled}). */
    private final Set<IpAddress> authenticated = ConcurrentHashMap.newKeySet();
    /** Unauthenticated accepted connections; guarded by itself. */
    private final HandshakeAdmission<Socket> admission;
    private final RefusalLog refusals;
    private final Set<Channel> channels = ConcurrentHashMap.newKeySet();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private final AtomicInteger serving = new AtomicInteger();
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
    private final AtomicLong handshakesTimedOut = new AtomicLong();
    private final AtomicLong evicted = new AtomicLong();

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
        this(name, vrid, local, knownPeers, config, endpoints, events, Clock.system());
    }

    /** As above, with the clock that times the handshake deadlines and the log summaries (tests). */
    LivenessMonitor(String name, int vrid, IpAddress local, Set<IpAddress> knownPeers, LivenessConfig config,
                    LivenessEndpoints endpoints, Events events, Clock clock) {
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
        this.clock = clock;
        this.admission = new HandshakeAdmission<>(this.knownPeers.isEmpty(), MAX_UNAUTHENTICATED_PER_SOURCE,
                MAX_UNAUTHENTICATED, HANDSHAKE_DEADLINE_MS * 1_000_000L);
        this.refusals = new RefusalLog(name, this::why, log::warn, REFUSAL_SUMMARY_SECONDS * 1_000_000_000L,
                clock.nanoTime());
    }

    /** What an operator reads for each reason a connection was closed before it authenticated. */
    private String why(HandshakeAdmission.Reason reason) {
        return switch (reason) {
            case NOT_A_PEER -> "it is not one of the configured peers " + knownPeers + " (only they may connect)";
            case SOURCE_OVER_LIMIT -> "it already had " + MAX_UNAUTHENTICATED_PER_SOURCE
                    + " unauthenticated connections open (the limit per address)";
            case EVICTED -> "evicted, unauthenticated, to make room for a newer connection (at most "
                    + MAX_UNAUTHENTICATED + " from strangers together, " + MAX_UNAUTHENTICATED_PER_SOURCE
                    + " from one address)";
            case TIMED_OUT -> "it sent no complete hello within " + HANDSHAKE_DEADLINE_MS + " ms";
        };
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
            server.setSoTimeout(ACCEPT_TICK_MS);
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
                s.bind(at, BACKLOG);
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
        sayGoodbye();
        if (goodbyeSaid && closedAfterGoodbye.compareAndSet(false, true)) {
            shutDown();
            log.info("{}: liveness channel closed with goodbye", name);
        }
    }

    /**
     * The first half of {@link #goodbye()}: a goodbye written on every channel, nothing closed
     * yet and nothing logged, so a closing master can put its priority-0 advert on the wire a
     * few microseconds later and leave the closing of sockets and threads (milliseconds) to
     * {@link #goodbye()} after it. From here on the monitor accepts and dials no channel.
     * Idempotent; does nothing after {@link #abort()}.
     */
    public void sayGoodbye() {
        if (!running) {
            return;
        }
        running = false;
        goodbyeSaid = true;
        for (Channel c : channels) {
            if (c.send(new LivenessMessage.Goodbye())) {
                goodbyesSent.incrementAndGet();
            }
        }
    }

    private volatile boolean goodbyeSaid;
    private final AtomicBoolean closedAfterGoodbye = new AtomicBoolean();

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
                goodbyesReceived.get(), halfOpen.get(), deaths.get(), 0, 0, 0, handshakesTimedOut.get(),
                evicted.get(), unauthenticatedOpen());
    }

    private int unauthenticatedOpen() {
        synchronized (admission) {
            return admission.size();
        }
    }

    // ------------------------------------------------------------------ server side

    private void acceptLoop() {
        while (running) {
            long now = clock.nanoTime();
            List<HandshakeAdmission.Pending<Socket>> late;
            synchronized (admission) {
                late = admission.expired(now);
            }
            late.forEach(p -> closeUnauthenticated(p.connection(), p.source(), HandshakeAdmission.Reason.TIMED_OUT));
            refusals.summarise(now);
            Socket s;
            try {
                s = server.accept();
            } catch (SocketTimeoutException e) {
                continue; // the tick: look at the deadlines again
            } catch (IOException e) {
                if (running) {
                    log.warn("{}: liveness accept failed: {}", name, e.toString());
                    pause(MIN_BACKOFF_MS);
                }
                continue;
            }
            admit(s);
        }
    }

    /** Keeps {@code s} (a thread reads its hello) or closes it, by the rules of {@link HandshakeAdmission}. */
    private void admit(Socket s) {
        InetAddress from = s.getInetAddress();
        HandshakeAdmission.Decision<Socket> d;
        synchronized (admission) {
            d = admission.admit(s, from, isPeerSource(from), clock.nanoTime());
        }
        d.evicted().forEach(p -> closeUnauthenticated(p.connection(), p.source(), HandshakeAdmission.Reason.EVICTED));
        if (!d.admitted()) {
            closeUnauthenticated(s, from, d.refusal());
            return;
        }
        if (serving.incrementAndGet() > MAX_CONNECTIONS) {
            serving.decrementAndGet();
            synchronized (admission) {
                admission.remove(s);
            }
            overLimit.incrementAndGet();
            refusal("refused a liveness connection from {}: {} connections already open", from, MAX_CONNECTIONS);
            closeQuietly(s);
            return;
        }
        sockets.add(s);
        if (!running) {
            // shut down meanwhile: its sweep of the sockets may have missed this one
            closeQuietly(s);
        }
        spawn("havip-liveness-serve-" + name + "-" + from.getHostAddress(), () -> {
            try {
                serve(s);
            } finally {
                serving.decrementAndGet();
                synchronized (admission) {
                    admission.remove(s);
                }
                sockets.remove(s);
                closeQuietly(s);
            }
        });
    }

    /** Whether {@code from} is a peer's address: configured (unicast) or learnt (multicast; see the class comment). */
    private boolean isPeerSource(InetAddress from) {
        if (!knownPeers.isEmpty()) {
            return knownPeers.stream().anyMatch(p -> endpoints.isFrom(p, from));
        }
        return dialled.stream().anyMatch(p -> endpoints.isFrom(p, from))
                || authenticated.stream().anyMatch(p -> endpoints.isFrom(p, from));
    }

    /**
     * Closes an unauthenticated connection at once (a reset: nothing to linger for), counts it
     * and logs it through the rate-limited {@link RefusalLog}.
     */
    private void closeUnauthenticated(Socket s, InetAddress from, HandshakeAdmission.Reason reason) {
        (switch (reason) {
            case NOT_A_PEER -> unknownPeer;
            case SOURCE_OVER_LIMIT -> overLimit;
            case EVICTED -> evicted;
            case TIMED_OUT -> handshakesTimedOut;
        }).incrementAndGet();
        refusals.closed(from, reason);
        try {
            s.setSoLinger(true, 0);
        } catch (SocketException e) {
            // already closed: the close below is a no-op
        }
        closeQuietly(s);
    }

    /** The server's half of the handshake, then heartbeats echoed until the end. */
    private void serve(Socket s) {
        Channel channel = null;
        try {
            s.setTcpNoDelay(true);
            s.setSoTimeout(HANDSHAKE_READ_TIMEOUT_MS);
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
            synchronized (admission) {
                if (!admission.remove(s)) {
                    return; // the acceptor closed it (deadline or eviction) as the proof arrived
                }
            }
            authenticated.add(h1.client());
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
                boolean stillPending;
                synchronized (admission) {
                    stillPending = admission.remove(s);
                }
                if (stillPending) {
                    closeUnauthenticated(s, s.getInetAddress(), HandshakeAdmission.Reason.TIMED_OUT);
                }
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
                    refusal("liveness peer {} closed the connection before answering our hello ({}): we are not "
                            + "among its peers, or its listener turned us away (see its log)", peer, e.toString());
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
        if (!running) {
            closeQuietly(s); // shut down meanwhile: the connect below fails and cleans up
        }
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
