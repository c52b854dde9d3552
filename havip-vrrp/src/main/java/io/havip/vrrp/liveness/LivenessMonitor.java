package io.havip.vrrp.liveness;

import io.havip.core.Clock;
import io.havip.core.net.IpAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
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
 * that goes silent (half-open, a vanished host) or stops reading what we send is closed and
 * redialled; a new connection that times out or succeeds proves nothing. Someone who can only
 * connect to our port can therefore report nothing at all; someone who could forge both the RST
 * of an established connection and the refusal of a new one sits on the path and could as well
 * forge a priority-0 advert. Whether the dead peer was the master, and whether an advert
 * arrives in the grace, is the engine's decision.
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
 * <h2>Time</h2>
 * Every timing decision is taken on the injected {@link Clock}: the heartbeat that is due, the
 * silence of three heartbeat intervals that closes a channel as half-open, the handshake
 * deadline, the connect and hello timeouts, the confirmation window after a loss and its
 * redials, the redial backoff, and the rate of the refusal log. The only real-time waits are
 * the kernel's: the selector's wait for the next deadline, and the pauses between attempts to
 * bind a port a previous run still holds.
 *
 * <h2>Threads</h2>
 * All of a monitor's I/O and timers run on one {@link LivenessLoop} thread with non-blocking
 * sockets: the listener, every accepted and dialled connection, every peer's redials. A monitor
 * makes its own loop (one thread) unless it is given one to share with other monitors (one
 * thread for all of them). Nothing on it blocks: a peer that stops reading gets at most
 * {@value #MAX_UNSENT} bytes queued before its channel is closed. {@link Events} is called on
 * the loop thread and must only hand the report on. {@link #sayGoodbye()}, {@link #goodbye()},
 * {@link #abort()}, {@link #close()} and {@link #stats()} may be called from any thread.
 */
public final class LivenessMonitor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LivenessMonitor.class);
    /** Loaded with the monitor, not when the first channel ends: that is when a peer closes or dies, a takeover. */
    private static final java.util.List<Class<?>> PRELOADED = java.util.List.of(End.class);
    /** Unauthenticated connections all strangers together may hold (multicast; unicast allows none). */
    static final int MAX_UNAUTHENTICATED = 32;
    /**
     * Unauthenticated connections one address may hold: a peer needs one, two while a redial
     * overlaps a stale attempt; four leaves room.
     */
    static final int MAX_UNAUTHENTICATED_PER_SOURCE = 4;
    /** Accepted connections open at once, authenticated or not: the last bound. */
    static final int MAX_CONNECTIONS = 256;
    /** The whole server-side handshake, from the accept to the client's proof (not per read). */
    static final int HANDSHAKE_DEADLINE_MS = 1_000;
    /** How long the dialler waits for the peer's answer to its hello. */
    static final int HANDSHAKE_TIMEOUT_MS = 2_000;
    /** The listen backlog: a burst of connects is accepted and sorted, not dropped by the kernel. */
    private static final int BACKLOG = 128;
    /** Connections taken from the backlog per turn of the loop, so a flood cannot starve the channels. */
    private static final int ACCEPTS_PER_TURN = 64;
    static final int REFUSAL_SUMMARY_SECONDS = 10;
    static final int CONNECT_TIMEOUT_MS = 1_000;
    /** Attempts to bind the listener, {@value #BIND_PAUSE_MS} ms apart (2 s in all). */
    private static final int BIND_ATTEMPTS = 40;
    private static final long BIND_PAUSE_MS = 50;
    /** The confirming connection: a live kernel refuses within one round trip; wait no longer than this. */
    static final int CONFIRM_TIMEOUT_MS = 200;
    /** How long a lost channel is confirmed: long enough for a killed JVM's exit to close its listener. */
    static final long CONFIRM_WINDOW_NANOS = 500_000_000L;
    /**
     * Pause between confirming connections that a closing listener cut: 200 us, a few LAN round
     * trips. At most 2,500 connections in the confirmation window, and only to a peer that
     * authenticated and then vanished without a goodbye.
     */
    static final long CONFIRM_RETRY_NANOS = 200_000L;
    static final long MIN_BACKOFF_MS = 100;
    /** Redial at most this far apart, so a restarted peer has its channel within seconds. */
    static final long MAX_BACKOFF_MS = 2_000;
    private static final long REFUSAL_LOG_INTERVAL_NANOS = 10_000_000_000L;
    /**
     * Bytes a connection may have queued that the kernel did not take (its send buffer is full:
     * the peer stopped reading). About a hundred frames; beyond that the channel is closed as
     * half-open rather than let anything block or grow.
     */
    static final int MAX_UNSENT = 1_024;
    /** Read at most this much per connection per turn: a flooding peer shares the thread fairly. */
    private static final int READ_BUFFER = 512;
    private static final byte[] GOODBYE_FRAME = LivenessCodec.encode(new LivenessMessage.Goodbye());

    /** Where the monitor's reports go. */
    @FunctionalInterface
    public interface Events {
        /** {@code peer}'s process is gone (see the class comment); called on the liveness loop thread. */
        void peerProcessDied(IpAddress peer);

        /**
         * An established, authenticated channel to {@code peer} ended without a goodbye, and the
         * confirmation (a new connection that must be refused) starts now; called on the
         * liveness loop thread, before {@link #peerProcessDied} if that follows. Not a death:
         * nothing may be decided on it alone. The engine starts the grace here, so the grace and
         * the confirmation run side by side instead of one after the other.
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
    private final long heartbeatNanos;
    private final long silenceNanos;
    private final Clock clock;
    /** The shared loop, or the monitor's own from {@link #start()} on. */
    private volatile LivenessLoop loop;
    private final boolean ownLoop;

    private final Set<IpAddress> dialled = ConcurrentHashMap.newKeySet();
    /** Addresses that completed a handshake with our listener (the peers of multicast mode, with {@link #dialled}). */
    private final Set<IpAddress> authenticated = ConcurrentHashMap.newKeySet();
    /** Unauthenticated accepted connections; guarded by itself (stats() reads its size). */
    private final HandshakeAdmission<Accepted> admission;
    private final RefusalLog refusals;
    /** Authenticated connections, both directions: what {@link #sayGoodbye()} writes to. */
    private final Set<Conn> channels = ConcurrentHashMap.newKeySet();
    /** Loop thread only: every open connection, and the diallers. */
    private final Set<Conn> connections = ConcurrentHashMap.newKeySet();
    private final List<Dialer> diallers = new ArrayList<>();
    /** Loop thread only: accepted connections open. */
    private int serving;
    private volatile boolean running;
    private volatile boolean goodbyeSaid;
    private final AtomicBoolean closedAfterGoodbye = new AtomicBoolean();
    private final AtomicBoolean shut = new AtomicBoolean();
    private ServerSocketChannel server;
    private SelectionKey serverKey;
    /** Loop thread only. */
    private long lastRefusalLog;
    /** Loop thread only: the next summary of the refusal log. */
    private LivenessLoop.Timer summary;

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
    /** Heartbeats sent and heard on dialled channels (tests follow the clock's effect with them). */
    private final AtomicLong heartbeatsSent = new AtomicLong();
    private final AtomicLong heartbeatsHeard = new AtomicLong();

    /**
     * A monitor on the system clock with a loop (a thread) of its own.
     *
     * @param name       the router's name, for logs and the thread's name
     * @param vrid       the router's VRID, named in every hello
     * @param local      this node's VRRP address (named in hellos; peers dial it)
     * @param knownPeers the only addresses whose hellos are accepted (unicast peers); empty:
     *                   any address that proves the secret (multicast, where backups never
     *                   advertise and so cannot be learnt)
     */
    public LivenessMonitor(String name, int vrid, IpAddress local, Set<IpAddress> knownPeers, LivenessConfig config,
                           LivenessEndpoints endpoints, Events events) {
        this(name, vrid, local, knownPeers, config, endpoints, events, null, Clock.system());
    }

    /**
     * As above, on {@code loop}'s thread and clock, shared with the other monitors on it (the
     * loop outlives them: its owner closes it after them).
     */
    public LivenessMonitor(String name, int vrid, IpAddress local, Set<IpAddress> knownPeers, LivenessConfig config,
                           LivenessEndpoints endpoints, Events events, LivenessLoop loop) {
        this(name, vrid, local, knownPeers, config, endpoints, events, loop, loop.clock());
    }

    /** With a loop of its own on {@code clock} (tests). */
    LivenessMonitor(String name, int vrid, IpAddress local, Set<IpAddress> knownPeers, LivenessConfig config,
                    LivenessEndpoints endpoints, Events events, Clock clock) {
        this(name, vrid, local, knownPeers, config, endpoints, events, null, clock);
    }

    private LivenessMonitor(String name, int vrid, IpAddress local, Set<IpAddress> knownPeers, LivenessConfig config,
                            LivenessEndpoints endpoints, Events events, LivenessLoop sharedLoop, Clock clock) {
        this.name = name;
        this.vrid = vrid;
        this.local = local;
        this.knownPeers = Set.copyOf(knownPeers);
        this.config = config;
        this.secret = config.secret();
        this.port = config.portFor(vrid);
        this.endpoints = endpoints;
        this.events = events;
        this.heartbeatNanos = config.heartbeatInterval().toNanos();
        this.silenceNanos = 3 * heartbeatNanos;
        this.clock = clock;
        this.ownLoop = sharedLoop == null;
        this.loop = sharedLoop;
        this.admission = new HandshakeAdmission<>(this.knownPeers.isEmpty(), MAX_UNAUTHENTICATED_PER_SOURCE,
                MAX_UNAUTHENTICATED, HANDSHAKE_DEADLINE_MS * 1_000_000L);
        long now = clock.nanoTime();
        this.refusals = new RefusalLog(name, this::why, log::warn, REFUSAL_SUMMARY_SECONDS * 1_000_000_000L, now);
        this.lastRefusalLog = now - REFUSAL_LOG_INTERVAL_NANOS;
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
        if (running || server != null || shut.get()) {
            throw new IllegalStateException(name + ": liveness monitor already started");
        }
        InetSocketAddress at = endpoints.listenAddress(local.family(), port);
        ServerSocketChannel s;
        try {
            s = bind(at);
        } catch (IOException e) {
            throw new UncheckedIOException("router " + name + ": cannot listen for the liveness channel on " + at
                    + ": " + e.getMessage() + " — choose another port with livenessPort(...) (every havip node of "
                    + "the router must use the same one)", e);
        }
        server = s;
        if (ownLoop) {
            loop = new LivenessLoop("havip-liveness-" + name, clock);
        }
        running = true;
        loop.execute(() -> {
            try {
                serverKey = loop.register(s, SelectionKey.OP_ACCEPT, key -> acceptSome());
            } catch (IOException e) {
                log.warn("{}: liveness listener on {} cannot be watched: {}", name, at, e.toString());
            }
            summarise();
        });
        log.info("{}: liveness channel listening on {} ({})", name, at, config);
    }

    /**
     * Binds the listener, {@value #BIND_ATTEMPTS} attempts {@value #BIND_PAUSE_MS} ms apart:
     * connections of a previous run (or of a close just before) may still hold the port for a
     * moment. The pause waits for the kernel, so it is real time whatever the clock.
     */
    private static ServerSocketChannel bind(InetSocketAddress at) throws IOException {
        for (int attempt = 1; ; attempt++) {
            ServerSocketChannel s = ServerSocketChannel.open();
            try {
                s.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                s.bind(at, BACKLOG);
                return s;
            } catch (java.net.BindException e) {
                s.close();
                if (attempt >= BIND_ATTEMPTS) {
                    throw e;
                }
                try {
                    Thread.sleep(BIND_PAUSE_MS);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            } catch (IOException | RuntimeException e) {
                s.close();
                throw e;
            }
        }
    }

    /** Keeps a channel to {@code peer} (idempotent; our own address is ignored). Any thread. */
    public void dial(IpAddress peer) {
        if (!running || peer.equals(local) || peer.family() != local.family() || !dialled.add(peer)) {
            return;
        }
        loop.execute(() -> {
            if (!running) {
                return;
            }
            InetSocketAddress target;
            try {
                target = endpoints.peerAddress(peer, port);
            } catch (RuntimeException e) {
                log.warn("{}: cannot dial liveness peer {}: {}; it gets plain VRRP timing", name, peer, e.getMessage());
                return;
            }
            Dialer d = new Dialer(peer, target);
            diallers.add(d);
            d.attempt();
        });
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
     * The first half of {@link #goodbye()}: a goodbye written on every channel (a non-blocking
     * write of 3 bytes each, from the calling thread), nothing closed yet and nothing logged, so
     * a closing master can put its priority-0 advert on the wire a few microseconds later and
     * leave the closing of sockets (milliseconds) to {@link #goodbye()} after it. From here on
     * the monitor accepts and dials no channel. Idempotent; does nothing after {@link #abort()}.
     */
    public void sayGoodbye() {
        if (!running) {
            return;
        }
        running = false;
        goodbyeSaid = true;
        for (Conn c : channels) {
            sendGoodbye(c);
        }
    }

    private void sendGoodbye(Conn c) {
        if (c.goodbye.compareAndSet(false, true) && c.send(GOODBYE_FRAME) == Sent.OK) {
            goodbyesSent.incrementAndGet();
        }
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

    /**
     * Closes the listener, then every connection, on the loop; waits (at most 2 s) until their
     * file descriptors are closed, so the port refuses when this returns. Then stops the loop if
     * it is the monitor's own.
     */
    private void shutDown() {
        if (!shut.compareAndSet(false, true) || loop == null) {
            return; // closed before, or never started
        }
        boolean done = loop.executeAndWait(() -> {
            if (summary != null) {
                summary.cancel();
            }
            if (server != null) {
                closeQuietly(server);
                loop.flushClosed(); // the listener first: the port refuses before any peer sees an EOF
            }
            for (Conn c : List.copyOf(connections)) {
                c.close();
            }
            diallers.forEach(Dialer::stop);
            loop.flushClosed();
        }, 2_000);
        if (!done) {
            log.warn("{}: liveness loop did not close the channel's sockets within 2 s; closing them here", name);
            if (server != null) {
                closeQuietly(server);
            }
            connections.forEach(c -> closeQuietly(c.ch));
        }
        if (ownLoop) {
            loop.close();
        }
    }

    public int port() {
        return port;
    }

    /** Any thread. */
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

    /** The loop's thread name (tests count threads). */
    String threadName() {
        LivenessLoop l = loop;
        return l == null ? null : l.threadName();
    }

    /** Connections open now, of every kind (tests). */
    int openConnections() {
        return connections.size();
    }

    long heartbeatsSent() {
        return heartbeatsSent.get();
    }

    long heartbeatsHeard() {
        return heartbeatsHeard.get();
    }

    /**
     * Any thread (tests): returns when the loop has run every timer due at the clock's reading
     * now, so what the monitor decides on time is decided (its I/O may still be under way).
     */
    void sync() {
        LivenessLoop l = loop;
        if (l != null && !l.executeAndWait(l::runDue, 10_000)) {
            throw new IllegalStateException(name + ": the liveness loop did not answer within 10 s");
        }
    }

    // ------------------------------------------------------------------ connections

    /** What a send did. */
    private enum Sent {
        OK,
        /** The connection failed (reset, closed). */
        FAILED,
        /** The kernel took nothing for long enough that {@value #MAX_UNSENT} bytes wait: the peer does not read. */
        STALLED
    }

    /**
     * A connection on the loop: non-blocking reads into a small buffer cut into frames, and
     * writes that queue what the kernel does not take (bounded). Reads, timers and closing on the
     * loop thread; {@link #send} from any thread (the goodbye).
     */
    private abstract class Conn implements LivenessLoop.Handler {
        final SocketChannel ch;
        SelectionKey key;
        final ByteBuffer in = ByteBuffer.allocate(READ_BUFFER);
        /** Guarded by this: bytes the kernel has not taken yet, in write mode; null when none. */
        private ByteBuffer unsent;
        final AtomicBoolean goodbye = new AtomicBoolean();
        volatile boolean closed;
        /** The deadline this connection waits for now (handshake, heartbeat, silence), or null. */
        LivenessLoop.Timer timer;

        Conn(SocketChannel ch) {
            this.ch = ch;
        }

        /** Writes {@code frame} whole or queues the rest; any thread. */
        synchronized Sent send(byte[] frame) {
            if (closed) {
                return Sent.FAILED;
            }
            try {
                if (unsent == null) {
                    ByteBuffer b = ByteBuffer.wrap(frame);
                    ch.write(b);
                    if (!b.hasRemaining()) {
                        return Sent.OK;
                    }
                    unsent = ByteBuffer.allocate(MAX_UNSENT).put(b);
                    SelectionKey k = key;
                    if (k != null && k.isValid()) {
                        k.interestOps(k.interestOps() | SelectionKey.OP_WRITE);
                        loop.wakeup(); // a select in progress does not see the new interest otherwise
                    }
                    return Sent.OK;
                }
                if (unsent.remaining() < frame.length) {
                    return Sent.STALLED;
                }
                unsent.put(frame);
                return Sent.OK;
            } catch (IOException | java.nio.channels.CancelledKeyException e) {
                return Sent.FAILED;
            }
        }

        /** Loop thread: the kernel has room again. */
        private synchronized boolean flush() {
            if (unsent == null) {
                key.interestOps(key.interestOps() & ~SelectionKey.OP_WRITE);
                return true;
            }
            try {
                unsent.flip();
                ch.write(unsent);
                if (unsent.hasRemaining()) {
                    unsent.compact();
                } else {
                    unsent = null;
                    key.interestOps(key.interestOps() & ~SelectionKey.OP_WRITE);
                }
                return true;
            } catch (IOException e) {
                return false;
            }
        }

        @Override
        public void ready(SelectionKey k) {
            if (k.isConnectable()) {
                connected();
                if (closed || !k.isValid()) {
                    return;
                }
            }
            if (k.isWritable() && !flush()) {
                ended(new IOException("write failed"));
                return;
            }
            if (k.isReadable()) {
                read();
            }
        }

        private void read() {
            int n;
            try {
                n = ch.read(in);
            } catch (IOException e) {
                ended(e);
                return;
            }
            if (n < 0) {
                ended(null);
                return;
            }
            in.flip();
            try {
                LivenessMessage m;
                while (!closed && (m = LivenessCodec.take(in)) != null) {
                    received(m);
                }
            } catch (LivenessProtocolException e) {
                protocolError(e);
            }
            in.compact();
            if (!closed) {
                afterFrames();
            }
        }

        /** Loop thread: the frames of one read were handled (the server sends its echoes here, in one write). */
        void afterFrames() {
        }

        /** Loop thread: a non-blocking connect completed (dialled connections only). */
        void connected() {
        }

        /** Loop thread: one whole frame. */
        abstract void received(LivenessMessage m);

        /** Loop thread: the peer closed or reset the connection ({@code e} null: EOF). */
        abstract void ended(IOException e);

        abstract void protocolError(LivenessProtocolException e);

        /** Loop thread: (re)arms this connection's one deadline. */
        void arm(long at, Runnable action) {
            if (timer != null) {
                timer.cancel();
            }
            timer = loop.schedule(at, action);
        }

        /** Loop thread; idempotent. */
        void close() {
            if (closed) {
                return;
            }
            closed = true;
            if (timer != null) {
                timer.cancel();
                timer = null;
            }
            connections.remove(this);
            channels.remove(this);
            closeQuietly(ch);
            closedHere();
        }

        /** What the connection's side does after it closed. */
        void closedHere() {
        }

        InetAddress remote() {
            return ch.socket().getInetAddress();
        }
    }

    // ------------------------------------------------------------------ server side

    /** Loop thread: takes what the backlog holds (a bounded number per turn) and sorts it. */
    private void acceptSome() {
        for (int i = 0; i < ACCEPTS_PER_TURN && running; i++) {
            SocketChannel s;
            try {
                s = server.accept();
            } catch (IOException e) {
                // out of file descriptors, say: stop accepting for a moment instead of spinning
                log.warn("{}: liveness accept failed: {}; accepting again in {} ms", name, e.toString(), MIN_BACKOFF_MS);
                serverKey.interestOps(0);
                loop.schedule(clock.nanoTime() + MIN_BACKOFF_MS * 1_000_000L, () -> {
                    if (running && serverKey.isValid()) {
                        serverKey.interestOps(SelectionKey.OP_ACCEPT);
                    }
                });
                return;
            }
            if (s == null) {
                return;
            }
            admit(s);
        }
    }

    /** Keeps {@code s} (it waits for its hello) or closes it, by the rules of {@link HandshakeAdmission}. */
    private void admit(SocketChannel s) {
        Accepted c = new Accepted(s);
        InetAddress from = c.remote();
        long now = clock.nanoTime();
        HandshakeAdmission.Decision<Accepted> d;
        synchronized (admission) {
            d = admission.admit(c, from, isPeerSource(from), now);
        }
        d.evicted().forEach(p -> {
            p.connection().resetAndClose();
            countAndLog(p.source(), HandshakeAdmission.Reason.EVICTED);
        });
        if (!d.admitted()) {
            closeUnauthenticated(s, from, d.refusal());
            return;
        }
        if (serving >= MAX_CONNECTIONS) {
            synchronized (admission) {
                admission.remove(c);
            }
            overLimit.incrementAndGet();
            refusal("refused a liveness connection from {}: {} connections already open", from, MAX_CONNECTIONS);
            closeQuietly(s);
            return;
        }
        serving++;
        connections.add(c);
        try {
            s.setOption(StandardSocketOptions.TCP_NODELAY, true);
            c.key = loop.register(s, SelectionKey.OP_READ, c);
        } catch (IOException e) {
            log.debug("{}: liveness connection from {} ended: {}", name, from, e.toString());
            c.close();
            return;
        }
        c.arm(now + HANDSHAKE_DEADLINE_MS * 1_000_000L, this::expireHandshakes);
    }

    /** Loop thread: the refusal log's summary, every {@value #REFUSAL_SUMMARY_SECONDS} s of the clock. */
    private void summarise() {
        long now = clock.nanoTime();
        refusals.summarise(now);
        summary = running ? loop.schedule(now + REFUSAL_SUMMARY_SECONDS * 1_000_000_000L, this::summarise) : null;
    }

    /** Loop thread: closes the unauthenticated connections past their deadline. */
    private void expireHandshakes() {
        List<HandshakeAdmission.Pending<Accepted>> late;
        long now = clock.nanoTime();
        synchronized (admission) {
            late = admission.expired(now);
        }
        for (HandshakeAdmission.Pending<Accepted> p : late) {
            p.connection().resetAndClose();
            countAndLog(p.source(), HandshakeAdmission.Reason.TIMED_OUT);
        }
        refusals.summarise(now);
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
    private void closeUnauthenticated(SocketChannel s, InetAddress from, HandshakeAdmission.Reason reason) {
        countAndLog(from, reason);
        reset(s);
        closeQuietly(s);
    }

    private void countAndLog(InetAddress from, HandshakeAdmission.Reason reason) {
        (switch (reason) {
            case NOT_A_PEER -> unknownPeer;
            case SOURCE_OVER_LIMIT -> overLimit;
            case EVICTED -> evicted;
            case TIMED_OUT -> handshakesTimedOut;
        }).incrementAndGet();
        refusals.closed(from, reason);
        refusals.summarise(clock.nanoTime());
    }

    private static void reset(SocketChannel s) {
        try {
            s.setOption(StandardSocketOptions.SO_LINGER, 0);
        } catch (IOException e) {
            // already closed: the close is a no-op
        }
    }

    /** An accepted connection: the server's half of the handshake, then heartbeats echoed until the end. */
    private final class Accepted extends Conn {
        /** 1: waits for the opening hello; 3: for the client's proof; 0: authenticated. */
        private int waitingFor = 1;
        private LivenessMessage.Hello opening;
        private byte[] serverNonce;
        private long lastHeard;
        /** The echoes of one read's heartbeats, written together after it (one write, not one per frame). */
        private final ByteBuffer echoes = ByteBuffer.allocate(READ_BUFFER);

        Accepted(SocketChannel ch) {
            super(ch);
        }

        @Override
        void received(LivenessMessage m) {
            switch (waitingFor) {
                case 1 -> opening(m);
                case 3 -> proof(m);
                default -> heard(m);
            }
        }

        private void opening(LivenessMessage first) {
            if (!(first instanceof LivenessMessage.Hello h1) || h1.hasProof()) {
                refuse(malformed, "refused a liveness connection from {}: opened with {}, not a hello without proof",
                        remote(), first);
                return;
            }
            if (h1.vrid() != vrid || !h1.server().equals(local)) {
                refuse(malformed, "refused a liveness hello from {}: {}", remote(), "it is for router " + h1.vrid()
                        + " at " + h1.server() + ", we are router " + vrid + " at " + local);
                return;
            }
            if (!knownPeers.isEmpty() && !knownPeers.contains(h1.client()) || !endpoints.isFrom(h1.client(),
                    remote())) {
                refuse(unknownPeer, "refused a liveness hello from {} naming {}: not one of our peers " + knownPeers,
                        remote(), h1.client());
                return;
            }
            opening = h1;
            serverNonce = LivenessAuth.newNonce();
            byte[] proof = LivenessAuth.proof(secret, LivenessAuth.Role.SERVER, vrid, h1.client(), local, h1.nonce(),
                    serverNonce);
            waitingFor = 3;
            if (send(LivenessCodec.encode(new LivenessMessage.Hello(vrid, h1.client(), local, serverNonce, proof)))
                    != Sent.OK) {
                close();
            }
        }

        private void proof(LivenessMessage third) {
            LivenessMessage.Hello h1 = opening;
            if (!(third instanceof LivenessMessage.Hello h3) || !h3.hasProof() || h3.vrid() != vrid
                    || !h3.client().equals(h1.client()) || !h3.server().equals(local)
                    || !java.util.Arrays.equals(h3.nonce(), h1.nonce())) {
                refuse(malformed, "refused a liveness connection from {}: {} does not complete its hello", remote(),
                        third);
                return;
            }
            if (!LivenessAuth.verify(h3.proof(), secret, LivenessAuth.Role.CLIENT, vrid, h1.client(), local,
                    h1.nonce(), serverNonce)) {
                refuse(badProof, "refused a liveness hello from {} naming {}: wrong proof (another secret, or a forged "
                        + "or replayed hello)", remote(), h1.client());
                return;
            }
            synchronized (admission) {
                if (!admission.remove(this)) {
                    close(); // evicted or timed out as the proof arrived
                    return;
                }
            }
            waitingFor = 0;
            authenticated.add(h1.client());
            channels.add(this);
            established.incrementAndGet();
            log.debug("{}: liveness channel from {} up", name, h1.client());
            if (goodbyeSaid) {
                sendGoodbye(this); // raced with sayGoodbye(): it must still see one
            }
            lastHeard = clock.nanoTime();
            arm(lastHeard + silenceNanos, this::silence);
        }

        private void heard(LivenessMessage m) {
            if (m instanceof LivenessMessage.Heartbeat) {
                lastHeard = clock.nanoTime();
                echoes.put(LivenessCodec.encode(m)); // a read of READ_BUFFER bytes holds fewer heartbeats than that
            } else if (m instanceof LivenessMessage.Goodbye) {
                goodbyesReceived.incrementAndGet();
                log.info("{}: goodbye from {}", name, opening.client());
                close();
            } else {
                malformed.incrementAndGet();
                log.warn("{}: closing the liveness channel from {}: {} after the handshake", name, opening.client(), m);
                close();
            }
        }

        @Override
        void afterFrames() {
            if (echoes.position() == 0) {
                return;
            }
            byte[] out = java.util.Arrays.copyOf(echoes.array(), echoes.position());
            echoes.clear();
            Sent sent = send(out);
            if (sent == Sent.STALLED) {
                stalled(this, opening.client());
            } else if (sent == Sent.FAILED) {
                close();
            }
        }

        /** The deadline of three heartbeat intervals since the last one heard. */
        private void silence() {
            timer = null;
            long now = clock.nanoTime();
            if (now - lastHeard < silenceNanos) {
                arm(lastHeard + silenceNanos, this::silence);
                return;
            }
            halfOpen.incrementAndGet();
            log.info("{}: liveness channel from {} silent for {} ms; closed as half-open", name, opening.client(),
                    silenceNanos / 1_000_000);
            close();
        }

        private void refuse(AtomicLong counter, String format, Object a, Object b) {
            counter.incrementAndGet();
            refusal(format, a, b);
            close();
        }

        @Override
        void ended(IOException e) {
            log.debug("{}: liveness connection from {} ended: {}", name, remote(), e == null ? "EOF" : e.toString());
            close();
        }

        @Override
        void protocolError(LivenessProtocolException e) {
            malformed.incrementAndGet();
            refusal("refused a liveness connection from {}: {}", remote(), e.getMessage());
            close();
        }

        /** Closed at its handshake deadline or evicted: a reset. */
        void resetAndClose() {
            reset(ch);
            close();
        }

        @Override
        void closedHere() {
            serving--;
            synchronized (admission) {
                admission.remove(this);
            }
        }
    }

    /** A peer stopped reading: the channel is closed as half-open (never a death, nor a loss). */
    private void stalled(Conn c, IpAddress peer) {
        halfOpen.incrementAndGet();
        log.info("{}: liveness channel with {} closed as half-open: it read none of our last {} bytes", name, peer,
                MAX_UNSENT);
        c.close();
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
     * Keeps a channel to one peer. When an established channel is LOST, it confirms at once
     * (see the class comment): it dials again for at most {@link #CONFIRM_WINDOW_NANOS}. A
     * refused connection is a death. A connection the peer's kernel accepted but that is cut
     * before the peer's hello comes from a listener that is closing as the process exits (the
     * kernel completes the TCP handshake on its own), so it dials again. A peer that answers
     * its hello lives; one that does not answer at all is the VRRP timers' business. Loop thread
     * only.
     */
    private final class Dialer {
        final IpAddress peer;
        final InetSocketAddress target;
        boolean noted;
        long backoffMs = MIN_BACKOFF_MS;
        /** While confirming a loss: the end of the window; 0 otherwise. */
        long confirmUntil;
        long lostAt;
        int attempts;
        Dial current;
        LivenessLoop.Timer retry;
        boolean stopped;
        /**
         * The retry, made with the dialer: the first one comes when the peer's channel ends, which is
         * when the peer closes or dies, a takeover, and linking a method reference then would
         * compete with it (the {@code End} of that channel is loaded with the monitor for the same reason).
         */
        private final Runnable attemptTask = this::attempt;

        Dialer(IpAddress peer, InetSocketAddress target) {
            this.peer = peer;
            this.target = target;
        }

        boolean confirming() {
            return confirmUntil != 0;
        }

        void attempt() {
            retry = null;
            if (!running || stopped) {
                return;
            }
            boolean confirming = confirming();
            SocketChannel ch;
            try {
                ch = SocketChannel.open();
            } catch (IOException e) {
                connectFailed(e);
                return;
            }
            Dial d = new Dial(this, ch, confirming);
            current = d;
            connections.add(d);
            try {
                ch.configureBlocking(false);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                if (ch.connect(target)) {
                    d.key = loop.register(ch, SelectionKey.OP_READ, d);
                    d.connected();
                    return;
                }
                d.key = loop.register(ch, SelectionKey.OP_CONNECT, d);
            } catch (IOException e) {
                d.failConnect(e);
                return;
            }
            long timeoutMs = confirming ? CONFIRM_TIMEOUT_MS : CONNECT_TIMEOUT_MS;
            d.arm(clock.nanoTime() + timeoutMs * 1_000_000L,
                    () -> d.failConnect(new java.net.SocketTimeoutException("connect timed out after " + timeoutMs
                            + " ms")));
        }

        /** The connection could not be made. */
        void connectFailed(IOException e) {
            current = null;
            if (!running || stopped) {
                return;
            }
            boolean confirming = confirming();
            if (e instanceof ConnectException) {
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
            } else if (confirming) {
                confirmUntil = 0;
                log.info("{}: liveness channel to {} ended without goodbye and its host does not answer ({}); "
                        + "the VRRP timers decide", name, peer, e.toString());
            } else {
                log.debug("{}: liveness connection to {} failed: {}", name, peer, e.toString());
            }
            retryAfterBackoff();
        }

        /** A connection that was made ended so. */
        void ended(End end) {
            current = null;
            if (!running || stopped) {
                return;
            }
            long now = clock.nanoTime();
            if (confirming()) {
                attempts++;
                if (end == End.HANDSHAKE_CUT && now - confirmUntil < 0) {
                    // The dying process's listener is still being torn down; ask again soon.
                    retryAt(now + CONFIRM_RETRY_NANOS);
                    return;
                }
                confirmUntil = 0;
                log.info("{}: liveness channel to {} ended without goodbye; {}", name, peer,
                        end == End.HANDSHAKE_CUT || end == End.NOT_ESTABLISHED
                                ? "its port neither refuses nor answers; the VRRP timers decide"
                                : "it answered again, so it lives");
            }
            if (end == End.LOST) {
                lostAt = now;
                attempts = 0;
                confirmUntil = lostAt + CONFIRM_WINDOW_NANOS;
                log.info("{}: liveness channel to {} lost without goodbye at t={} ns; confirming", name, peer, lostAt);
                events.peerChannelLost(peer);
                attempt();
                return;
            }
            if (end != End.NOT_ESTABLISHED && end != End.HANDSHAKE_CUT) {
                noted = true;
                backoffMs = MIN_BACKOFF_MS;
            }
            retryAfterBackoff();
        }

        private void retryAfterBackoff() {
            retryAt(clock.nanoTime() + backoffMs * 1_000_000L);
            backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
        }

        private void retryAt(long at) {
            retry = loop.schedule(at, attemptTask);
        }

        void stop() {
            stopped = true;
            if (retry != null) {
                retry.cancel();
            }
        }
    }

    private void reportDeath(IpAddress peer, long lostAt, int attempts) {
        long now = clock.nanoTime();
        log.info("{}: liveness channel to {} ended without goodbye and its port now refuses: its process died "
                + "(refused at t={} ns, {} us after the loss, {} confirming connection(s))", name, peer, now,
                (now - lostAt) / 1000, attempts);
        events.peerProcessDied(peer);
        deaths.incrementAndGet(); // after the report, so a reader of the counter knows it was handed on
    }

    /** A dialled connection: the client's half of the handshake, then heartbeats until the end. */
    private final class Dial extends Conn {
        private final Dialer dialer;
        private final IpAddress peer;
        private final boolean confirming;
        private boolean connecting = true;
        private byte[] clientNonce;
        private boolean up;
        private long lastHeard;
        private long lastSent;
        private long sequence;

        Dial(Dialer dialer, SocketChannel ch, boolean confirming) {
            super(ch);
            this.dialer = dialer;
            this.peer = dialer.peer;
            this.confirming = confirming;
        }

        /** The connect failed or timed out: nothing was established. */
        void failConnect(IOException e) {
            timer = null;
            super.close();
            dialer.connectFailed(e);
        }

        @Override
        void connected() {
            if (connecting) {
                try {
                    if (!ch.finishConnect()) {
                        return;
                    }
                } catch (IOException e) {
                    if (!(e instanceof ConnectException) && e.getMessage() != null
                            && e.getMessage().contains("reset")) {
                        // The peer's kernel completed the TCP handshake and reset it before we
                        // looked: a listener being torn down, as a cut before the hello.
                        ended(e);
                        return;
                    }
                    failConnect(e);
                    return;
                }
                connecting = false;
                key.interestOps(SelectionKey.OP_READ);
            }
            clientNonce = LivenessAuth.newNonce();
            if (send(LivenessCodec.encode(new LivenessMessage.Hello(vrid, local, peer, clientNonce, new byte[0])))
                    != Sent.OK) {
                end(End.HANDSHAKE_CUT);
                return;
            }
            arm(clock.nanoTime() + HANDSHAKE_TIMEOUT_MS * 1_000_000L, () -> {
                timer = null;
                refusal("liveness peer {} did not answer our hello within {} ms", peer, HANDSHAKE_TIMEOUT_MS);
                end(End.NOT_ESTABLISHED);
            });
        }

        @Override
        void received(LivenessMessage m) {
            if (up) {
                heard(m);
                return;
            }
            if (!(m instanceof LivenessMessage.Hello h) || !h.hasProof() || h.vrid() != vrid
                    || !h.client().equals(local) || !h.server().equals(peer)) {
                malformed.incrementAndGet();
                refusal("liveness peer {} answered our hello with {}", peer, m);
                end(End.NOT_ESTABLISHED);
                return;
            }
            byte[] serverNonce = h.nonce();
            if (!LivenessAuth.verify(h.proof(), secret, LivenessAuth.Role.SERVER, vrid, local, peer, clientNonce,
                    serverNonce)) {
                badProof.incrementAndGet();
                refusal("liveness peer {} sent a wrong proof (another secret?); {}", peer, "not using it");
                end(End.NOT_ESTABLISHED);
                return;
            }
            byte[] proof = LivenessAuth.proof(secret, LivenessAuth.Role.CLIENT, vrid, local, peer, clientNonce,
                    serverNonce);
            if (send(LivenessCodec.encode(new LivenessMessage.Hello(vrid, local, peer, clientNonce, proof)))
                    != Sent.OK) {
                end(End.HANDSHAKE_CUT);
                return;
            }
            up = true;
            channels.add(this);
            established.incrementAndGet();
            log.info("{}: liveness channel to {} up", name, peer);
            if (goodbyeSaid) {
                sendGoodbye(this); // raced with sayGoodbye(): it must still see one
            }
            lastHeard = clock.nanoTime();
            lastSent = lastHeard;
            arm(lastSent + heartbeatNanos, this::beat);
        }

        private void heard(LivenessMessage m) {
            lastHeard = clock.nanoTime();
            if (m instanceof LivenessMessage.Heartbeat) {
                heartbeatsHeard.incrementAndGet();
            } else if (m instanceof LivenessMessage.Goodbye) {
                goodbyesReceived.incrementAndGet();
                log.info("{}: goodbye from {}", name, peer);
                end(End.GOODBYE);
            } else if (m instanceof LivenessMessage.Hello) {
                malformed.incrementAndGet();
                log.warn("{}: closing the liveness channel to {}: a hello after the handshake", name, peer);
                end(End.PROTOCOL_ERROR);
            }
        }

        /** The heartbeat deadline: silent for three intervals is half-open; otherwise a heartbeat when due. */
        private void beat() {
            timer = null;
            long now = clock.nanoTime();
            if (now - lastHeard >= silenceNanos) {
                halfOpen.incrementAndGet();
                log.info("{}: liveness channel to {} silent for {} ms; closed as half-open (the VRRP timers decide)",
                        name, peer, silenceNanos / 1_000_000);
                end(End.HALF_OPEN);
                return;
            }
            if (now - lastSent >= heartbeatNanos) {
                lastSent = now;
                heartbeatsSent.incrementAndGet();
                Sent sent = send(LivenessCodec.encode(new LivenessMessage.Heartbeat(sequence++ & 0xFFFF_FFFFL)));
                if (sent == Sent.FAILED) {
                    end(End.LOST);
                    return;
                }
                if (sent == Sent.STALLED) {
                    halfOpen.incrementAndGet();
                    log.info("{}: liveness channel to {} closed as half-open: it read none of our last {} bytes",
                            name, peer, MAX_UNSENT);
                    end(End.HALF_OPEN);
                    return;
                }
            }
            long next = lastSent + heartbeatNanos;
            long silent = lastHeard + silenceNanos;
            arm(next - silent < 0 ? next : silent, this::beat);
        }

        @Override
        void ended(IOException e) {
            if (!up) {
                if (!confirming) {
                    refusal("liveness peer {} closed the connection before answering our hello ({}): we are not "
                            + "among its peers, or its listener turned us away (see its log)", peer,
                            e == null ? "EOF" : e.toString());
                }
                end(End.HANDSHAKE_CUT);
                return;
            }
            end(End.LOST);
        }

        @Override
        void protocolError(LivenessProtocolException e) {
            malformed.incrementAndGet();
            refusal("liveness peer {}: {}", peer, e.getMessage());
            end(up ? End.PROTOCOL_ERROR : End.NOT_ESTABLISHED);
        }

        private void end(End end) {
            close();
            if (up && running) {
                log.info("{}: liveness channel to {} down", name, peer);
            }
            dialer.ended(end);
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Refusals are logged at most once per 10 s at WARN (a stranger must not flood the log); the rest at DEBUG. */
    private void refusal(String format, Object a, Object b) {
        long now = clock.nanoTime();
        if (now - lastRefusalLog >= REFUSAL_LOG_INTERVAL_NANOS) {
            lastRefusalLog = now;
            log.warn(name + ": " + format, a, b);
        } else {
            log.debug(name + ": " + format, a, b);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing: nothing to do about it
        }
    }
}
