package io.havip.arp.linux;

import com.sun.jna.LastErrorException;
import io.havip.core.AdvertTransport.Received;
import io.havip.core.net.IpAddress;
import io.havip.core.net.IpFamily;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * VRRP over raw IP sockets (RFC 5798 section 5.1) for many virtual routers at once: one
 * <b>receive</b> socket per network namespace, interface and address family, one <b>send</b>
 * socket per namespace, interface and source address, and one thread that reads every receive
 * socket and hands each message to the endpoints it is for. A host running 254 routers on one
 * interface holds two receive sockets (IPv4, IPv6), one send socket per source address, and one
 * thread, where a {@link RawVrrpTransport} per router held 508 sockets and a thread each.
 *
 * <p>Sockets are configured exactly as {@link RawVrrpTransport}'s (TTL / hop limit 255,
 * multicast loopback off, IP_MULTICAST_ALL off, PKTINFO and TTL with each message, the IPv6
 * checksum at offset 6, SO_RXQ_OVFL, a 1 MiB receive buffer, a drop-all filter on the send
 * socket). A receive socket joins 224.0.0.18 / ff02::12 when the first multicast endpoint of
 * its interface registers and leaves it when the last one closes. Its kernel filter passes
 * only the VRIDs registered on it (rebuilt on every register and close) and no datagram longer
 * than any VRRP message, so a flood of foreign VRIDs or of large datagrams never reaches user
 * space.
 *
 * <p><b>Delivery.</b> Each endpoint gets exactly what its own {@link RawVrrpTransport} would
 * have received: a {@linkplain #registerMulticast multicast endpoint} every datagram of its
 * VRID arriving on its interface in its family, sent to the group or unicast; a
 * {@linkplain #registerUnicast unicast endpoint} those of its VRID sent to its source address.
 * Several endpoints may share a VRID (a unicast and a multicast router, unicast routers with
 * different sources): a message goes to every one whose rule matches, as the same
 * {@link Received} object (immutable). A message no endpoint wants is counted
 * ({@link #unmatchedCount()}) and dropped, as are truncated and malformed datagrams
 * ({@link #droppedCount()}).
 *
 * <p><b>Threads.</b> {@link Sink#received} runs on the hub's one receive thread (named at
 * {@link #open}), in the order the kernel queued the messages of each socket; it must not
 * block (hand the message to a bounded queue). The thread polls every receive socket and an
 * eventfd (which wakes it for a new socket and for close), and reads each ready socket without
 * blocking, at most {@value #BUDGET} messages per socket per poll round, so a flooded interface
 * cannot starve another. It allocates no native memory per message. A sink that throws is
 * logged and the hub goes on. Endpoints may be registered and closed from any thread while the
 * receive thread runs; {@link Endpoint#send} is thread-safe. A hub {@linkplain #openDriven
 * driven} by an event loop has no thread: the loop reads the sockets in {@link #pollOnce} where
 * it would park, and the sinks run on it (the same rules otherwise).
 *
 * <p><b>Namespaces.</b> Sockets are opened on the thread calling {@link #registerMulticast} /
 * {@link #registerUnicast}, in its network namespace ({@code /proc/thread-self/ns/net}), which
 * is part of the sharing key: endpoints of different namespaces never share a socket, and the
 * hub's one thread serves all of them. Needs {@link Capability#CAP_NET_RAW} (and
 * {@link Capability#CAP_NET_ADMIN} for the 1 MiB receive buffer past {@code rmem_max}).
 */
public final class VrrpSocketHub implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(VrrpSocketHub.class);
    /** Messages read from one socket per poll round before the other sockets get their turn. */
    static final int BUDGET = 64;
    /** At most one log line this often about sinks that throw or sockets that fail. */
    private static final long LOG_INTERVAL_NANOS = 10_000_000_000L;

    /**
     * Where an endpoint's messages go.
     */
    @FunctionalInterface
    public interface Sink {
        /**
         * One message for the endpoint: its source, destination, TTL / hop limit, interface and
         * the VRRP bytes (the IPv4 header stripped). Runs on the hub's receive thread, in the
         * order the kernel queued the messages of the endpoint's receive socket; must return
         * quickly and not block (the engine offers it to a bounded queue), since every other
         * endpoint of the hub waits meanwhile. May run once more while {@link Endpoint#close}
         * of its endpoint runs on another thread, never after that returned. An exception is
         * logged and the message dropped.
         */
        void received(Received message);
    }

    private final String threadName;
    private final Object lock = new Object();
    /** Receive sockets by namespace, interface and family (under {@link #lock}). */
    private final Map<String, Receiver> receivers = new HashMap<>();
    /** Send sockets by namespace, interface and source (under {@link #lock}). */
    private final Map<String, Sender> senders = new HashMap<>();
    /** Receive sockets no endpoint uses any more, closed by the receive thread once it stopped polling them. */
    private final List<VrrpReceiveSocket> retired = new ArrayList<>();
    /** The receive sockets the thread polls: replaced (never changed) under {@link #lock}. */
    private volatile Receiver[] polled = new Receiver[0];
    private final int wakeup;
    private final Thread thread;
    private volatile boolean closed;
    /**
     * Held by the receive thread while it delivers a socket's batch: {@link Endpoint#close}
     * takes it once, so no sink call of the endpoint starts after close returned.
     */
    private final ReentrantLock delivering = new ReentrantLock();
    private final AtomicLong read = new AtomicLong();
    private final AtomicLong unmatched = new AtomicLong();
    /** Datagrams dropped by receive sockets closed since (their counts would be lost otherwise). */
    private final AtomicLong droppedByClosed = new AtomicLong();
    private long lastProblemLogged;
    /** Held by a driver's {@link #pollOnce}: {@link #close} waits for the round to end before it closes the sockets. */
    private final ReentrantLock driving = new ReentrantLock();

    // The reading thread's state (the hub's own thread, or the driver's), kept between rounds.
    private final RecvMsg message = new RecvMsg(VrrpReceiveSocket.RECEIVE_SIZE);
    private final VrrpReceiveSocket.Parsed parsed = new VrrpReceiveSocket.Parsed();
    private final byte[] counter = new byte[8];
    private Receiver[] current;
    private Sys.PollSet fds;
    private boolean[] more = new boolean[0];
    private boolean anyMore;
    private String waitFor;

    private VrrpSocketHub(String threadName, int wakeup, boolean ownThread) {
        this.threadName = threadName;
        this.wakeup = wakeup;
        if (ownThread) {
            this.thread = new Thread(this::run, threadName);
            this.thread.setDaemon(true);
        } else {
            this.thread = null;
        }
    }

    /**
     * A hub with no sockets yet and its receive thread, a daemon named {@code threadName},
     * started. Checks {@link LinuxNetworking#availability()} first and refuses with its reasons
     * ({@link UnsupportedOperationException}).
     */
    public static VrrpSocketHub open(String threadName) throws NativeException {
        Objects.requireNonNull(threadName, "threadName");
        LinuxNetworking.availability().ensureAvailable();
        int wakeup = Sys.eventfd("open the VRRP socket hub " + threadName);
        VrrpSocketHub hub = new VrrpSocketHub(threadName, wakeup, true);
        hub.thread.start();
        return hub;
    }

    /**
     * A hub with no sockets and no thread of its own: its owner's thread reads the sockets by
     * calling {@link #pollOnce} where it would otherwise park (an event loop: the messages then
     * reach the sinks on the thread that handles them, with no hand-off and no second wake-up
     * per message), and other threads cut that wait short with {@link #wakeup}. {@code name}
     * names it in messages. Close it only after the driver stopped calling {@link #pollOnce} or
     * from the driver (a round in progress on another thread is waited for). Otherwise as
     * {@link #open}.
     */
    public static VrrpSocketHub openDriven(String name) throws NativeException {
        Objects.requireNonNull(name, "name");
        LinuxNetworking.availability().ensureAvailable();
        int wakeup = Sys.eventfd("open the VRRP socket hub " + name);
        return new VrrpSocketHub(name, wakeup, false);
    }

    /**
     * Registers a multicast virtual router: it sends from {@code source} on {@code ifname} and
     * receives every message of {@code vrid} arriving on {@code ifname} in {@code source}'s
     * family (sent to the VRRP group, or unicast). Opens the interface's receive socket and the
     * source's send socket in the calling thread's network namespace unless they are open
     * already; joins the group if this is the interface's first multicast endpoint.
     *
     * @param vrid 1-255
     * @throws NativeException naming the system call, the value and what to do when a socket
     *                         cannot be opened or configured (nothing is registered then)
     * @throws IllegalStateException when the hub is closed
     */
    public Endpoint registerMulticast(String ifname, IpAddress source, int vrid, Sink sink) throws NativeException {
        return register(ifname, source, vrid, sink, true);
    }

    /**
     * Registers a unicast virtual router (keepalived's {@code unicast_peer}): it sends from
     * {@code source} on {@code ifname} and receives the messages of {@code vrid} sent to
     * {@code source} on {@code ifname}; joins no group. Otherwise as {@link #registerMulticast}.
     */
    public Endpoint registerUnicast(String ifname, IpAddress source, int vrid, Sink sink) throws NativeException {
        return register(ifname, source, vrid, sink, false);
    }

    private Endpoint register(String ifname, IpAddress source, int vrid, Sink sink, boolean multicast)
            throws NativeException {
        Objects.requireNonNull(ifname, "ifname");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(sink, "sink");
        if (vrid < 1 || vrid > 255) {
            throw new IllegalArgumentException("VRID " + vrid + " is outside 1-255");
        }
        String namespace = LinuxNetworking.currentNetworkNamespace();
        String receiveKey = namespace + " " + ifname + " " + source.family();
        String sendKey = namespace + " " + ifname + " " + source;
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("the VRRP socket hub " + threadName + " is closed");
            }
            Receiver receiver = receivers.get(receiveKey);
            Sender sender = senders.get(sendKey);
            boolean newReceiver = receiver == null;
            boolean newSender = sender == null;
            Endpoint endpoint = null;
            try {
                int ifindex = newReceiver || newSender ? Interfaces.query(ifname).index()
                        : receiver.socket.ifindex;
                if (newSender) {
                    sender = new Sender(sendKey, VrrpSendSocket.open(ifname, ifindex, source));
                }
                if (newReceiver) {
                    VrrpReceiveSocket socket = VrrpReceiveSocket.open(ifname, ifindex, source.family(), null);
                    receiver = new Receiver(receiveKey, socket);
                    try {
                        socket.acceptOnly(new int[0]);
                    } catch (NativeException | RuntimeException e) {
                        socket.close();
                        throw e;
                    }
                }
                endpoint = new Endpoint(receiver, sender, source, vrid, multicast, sink);
                receiver.add(endpoint);
                if (multicast) {
                    receiver.socket.joinGroup(source);
                }
            } catch (NativeException | RuntimeException e) {
                if (endpoint != null) {
                    receiver.remove(endpoint);
                }
                if (newReceiver && receiver != null) {
                    receiver.socket.close();
                }
                if (newSender && sender != null) {
                    sender.socket.close();
                }
                throw e;
            }
            sender.users++;
            if (newSender) {
                senders.put(sendKey, sender);
            }
            if (newReceiver) {
                receivers.put(receiveKey, receiver);
                polled = receivers.values().toArray(new Receiver[0]);
                Sys.signal(wakeup);
            }
            return endpoint;
        }
    }

    /** Receive sockets open (one per namespace, interface and family in use). */
    public int receiveSocketCount() {
        synchronized (lock) {
            return receivers.size();
        }
    }

    /** Send sockets open (one per namespace, interface and source address in use). */
    public int sendSocketCount() {
        synchronized (lock) {
            return senders.size();
        }
    }

    /** Datagrams read from the receive sockets (those the kernel filter passed), delivered or not. */
    public long readCount() {
        return read.get();
    }

    /** Messages read that no endpoint's rule matched (e.g. unicast to an address no endpoint sends from). */
    public long unmatchedCount() {
        return unmatched.get();
    }

    /** Datagrams read and dropped: truncated, longer than any VRRP message, or too short for an IP header. */
    public long droppedCount() {
        long n = droppedByClosed.get();
        for (Receiver r : polled) {
            n += r.socket.droppedCount();
        }
        return n;
    }

    /**
     * Closes every socket and stops the receive thread (waiting for it unless called from a
     * sink); endpoints still registered are closed too (their sends then throw
     * {@link ClosedChannelException}). Idempotent.
     */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (thread != null) {
            Sys.wakeAndJoin(wakeup, thread);
        } else {
            Sys.signal(wakeup);
            driving.lock(); // a round in progress on the driver's thread ends first
            driving.unlock();
        }
        synchronized (lock) {
            for (Receiver r : receivers.values()) {
                r.endpoints.forEach(e -> e.closed = true);
                r.socket.close();
            }
            receivers.clear();
            polled = new Receiver[0];
            senders.values().forEach(s -> s.socket.close());
            senders.clear();
            retired.forEach(VrrpReceiveSocket::close);
            retired.clear();
            Sys.closeQuietly(wakeup);
        }
    }

    @Override
    public String toString() {
        synchronized (lock) {
            return "VrrpSocketHub[" + threadName + ", " + receivers.size() + " receive and " + senders.size()
                    + " send sockets" + (closed ? ", closed]" : "]");
        }
    }

    // ------------------------------------------------------------------ the receive thread

    private void run() {
        try {
            while (!closed) {
                round(-1);
            }
        } catch (NativeException | RuntimeException | Error e) {
            if (!closed) {
                LOG.error("VRRP receive thread {} stopped: {}; no VRRP message is received any more", threadName,
                        e.getMessage(), e);
            }
        }
    }

    /**
     * For a hub {@linkplain #openDriven driven} by its owner's thread (an event loop that waits
     * here instead of parking): waits up to {@code timeoutNanos} (negative: until a message or
     * {@link #wakeup}; 0: not at all) for the receive sockets, then reads at most {@value #BUDGET}
     * messages per ready socket and delivers them to the sinks on the calling thread. Returns
     * at once, having waited for nothing, when more messages are queued than the last round
     * read, so the caller's other work runs between two rounds of a flood. Always the same
     * thread; never throws: a failed poll or read is logged (at most every 10 s) and the round
     * ends (after a 10 ms pause for a failed poll, so a broken socket does not spin the caller).
     * Does nothing once the hub is closed.
     *
     * @throws IllegalStateException when the hub has its own receive thread ({@link #open})
     */
    public void pollOnce(long timeoutNanos) {
        if (thread != null) {
            throw new IllegalStateException("the VRRP socket hub " + threadName + " reads on its own thread");
        }
        driving.lock();
        try {
            if (!closed) {
                round(timeoutNanos);
            }
        } catch (NativeException | RuntimeException e) {
            problem("VRRP receive round of " + threadName + " failed: " + e.getMessage() + "; going on", null);
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L);
        } finally {
            driving.unlock();
        }
    }

    /** Any thread: cuts the current or next {@link #pollOnce} wait short. */
    public void wakeup() {
        Sys.signal(wakeup);
    }

    /** One poll round of the reading thread (its own, or the driver's); see {@link #pollOnce}. */
    private void round(long timeoutNanos) throws NativeException {
        Receiver[] now = polled;
        if (now != current) {
            // a socket came or went: a new poll set (native memory only when sockets change)
            current = now;
            int[] set = new int[current.length + 1];
            for (int i = 0; i < current.length; i++) {
                set[i] = current[i].socket.fd;
            }
            set[current.length] = wakeup;
            fds = new Sys.PollSet(set);
            more = new boolean[current.length];
            anyMore = false;
            waitFor = "wait for VRRP on " + current.length + " sockets"; // not built per poll
            closeRetired();
        }
        fds.ppoll(anyMore ? 0 : timeoutNanos, waitFor);
        if (closed) {
            return;
        }
        if (fds.revents(current.length) != 0) {
            drain(counter);
            return; // the sockets changed, close, or the driver's wake-up: look at polled again first
        }
        anyMore = false;
        for (int i = 0; i < current.length; i++) {
            if (fds.revents(i) != 0 || more[i]) {
                delivering.lock();
                try {
                    more[i] = readSome(current[i], message, parsed, fds.revents(i) != 0);
                } finally {
                    delivering.unlock();
                }
                anyMore |= more[i];
            }
        }
    }

    /** Reads what the wake-up eventfd counted, so poll waits again. */
    private void drain(byte[] counter) {
        try {
            LibC.get().read(wakeup, counter, Sys.nl(8));
        } catch (LastErrorException ignored) {
            // EAGAIN: another read took it; the descriptor is not readable any more either way
        }
    }

    private void closeRetired() {
        synchronized (lock) {
            for (VrrpReceiveSocket s : retired) {
                droppedByClosed.addAndGet(s.droppedCount());
                s.close();
            }
            retired.clear();
        }
    }

    /**
     * Reads up to {@link #BUDGET} messages of {@code r} and delivers them; true when the budget
     * ran out (more may be queued). The first read reports errors ({@code ready}: poll said so),
     * the others are quiet reads that stop at the first empty one.
     */
    private boolean readSome(Receiver r, RecvMsg message, VrrpReceiveSocket.Parsed parsed, boolean ready) {
        for (int k = 0; k < BUDGET; k++) {
            VrrpReceiveSocket.Status s;
            if (k == 0 && ready || !DirectLibC.Quiet.AVAILABLE) {
                try {
                    s = r.socket.read(message, parsed);
                } catch (NativeException e) {
                    problem("reading VRRP on " + r.socket.ifname + " failed: " + e.getMessage(), null);
                    return false;
                }
            } else {
                s = r.socket.readQuietly(message, parsed);
            }
            if (s == VrrpReceiveSocket.Status.EMPTY) {
                return false;
            }
            read.incrementAndGet();
            if (s == VrrpReceiveSocket.Status.MESSAGE) {
                deliver(r, parsed);
            }
        }
        return true;
    }

    private void deliver(Receiver r, VrrpReceiveSocket.Parsed p) {
        if (p.payload.length < 2) {
            r.socket.countDropped(); // no VRID: too short for a VRRP header
            return;
        }
        Endpoint[] wanting = r.byVrid[p.payload[1] & 0xff];
        Received message = null;
        if (wanting != null) {
            for (Endpoint e : wanting) {
                if (e.closed || !(e.multicast || p.destination.equals(e.source))) {
                    continue;
                }
                if (message == null) {
                    message = p.toReceived();
                }
                try {
                    e.sink.received(message);
                } catch (RuntimeException ex) {
                    problem("the sink of " + e + " threw on " + message + "; the hub goes on", ex);
                }
            }
        }
        if (message == null) {
            unmatched.incrementAndGet();
        }
    }

    /** Logs a problem of the receive thread, at most once per {@link #LOG_INTERVAL_NANOS}. */
    private void problem(String text, Throwable cause) {
        long now = System.nanoTime();
        if (lastProblemLogged == 0 || now - lastProblemLogged >= LOG_INTERVAL_NANOS) {
            lastProblemLogged = now;
            LOG.warn(text, cause);
        }
    }

    // ------------------------------------------------------------------ sockets and endpoints

    /** A receive socket and the endpoints it serves. */
    private final class Receiver {
        final String key;
        final VrrpReceiveSocket socket;
        /** Under {@link #lock}. */
        final List<Endpoint> endpoints = new ArrayList<>();
        /** The endpoints wanting each VRID (null: none): replaced, never changed, under {@link #lock}. */
        volatile Endpoint[][] byVrid = new Endpoint[256][];
        /** The VRIDs the kernel filter passes, sorted (under {@link #lock}). */
        int[] filtered = new int[0];

        Receiver(String key, VrrpReceiveSocket socket) {
            this.key = key;
            this.socket = socket;
        }

        /** Adds {@code e} and passes its VRID in the kernel filter (under {@link #lock}). */
        void add(Endpoint e) throws NativeException {
            endpoints.add(e);
            try {
                update();
            } catch (NativeException | RuntimeException ex) {
                endpoints.remove(e);
                throw ex;
            }
        }

        /** Removes {@code e}; the kernel filter stops passing VRIDs nobody wants (under {@link #lock}). */
        void remove(Endpoint e) {
            endpoints.remove(e);
            try {
                update();
            } catch (NativeException ex) {
                // the old filter stays: it passes more than needed, and the demultiplexer drops the rest
                LOG.warn("{}", ex.getMessage());
            }
        }

        private void update() throws NativeException {
            int[] vrids = endpoints.stream().mapToInt(x -> x.vrid).distinct().sorted().toArray();
            if (!Arrays.equals(vrids, filtered)) {
                socket.acceptOnly(vrids);
                filtered = vrids;
            }
            Endpoint[][] table = new Endpoint[256][];
            for (Endpoint x : endpoints) {
                Endpoint[] before = table[x.vrid];
                Endpoint[] after = before == null ? new Endpoint[1] : Arrays.copyOf(before, before.length + 1);
                after[after.length - 1] = x;
                table[x.vrid] = after;
            }
            byVrid = table;
        }
    }

    /** A send socket and how many endpoints use it (under {@link #lock}). */
    private static final class Sender {
        final String key;
        final VrrpSendSocket socket;
        int users;

        Sender(String key, VrrpSendSocket socket) {
            this.key = key;
            this.socket = socket;
        }
    }

    /**
     * One virtual router's use of the hub: sends from its source address on the shared send
     * socket, receives through its {@link Sink}. Thread-safe.
     */
    public final class Endpoint implements AutoCloseable {
        private final Receiver receiver;
        private final Sender sender;
        private final IpAddress source;
        private final int vrid;
        private final boolean multicast;
        private final Sink sink;
        /** The receive socket's overflow count when this endpoint registered. */
        private final long overflowAtStart;
        volatile boolean closed;

        private Endpoint(Receiver receiver, Sender sender, IpAddress source, int vrid, boolean multicast, Sink sink) {
            this.receiver = receiver;
            this.sender = sender;
            this.source = source;
            this.vrid = vrid;
            this.multicast = multicast;
            this.sink = sink;
            this.overflowAtStart = receiver.socket.overflowDrops();
        }

        /**
         * Sends {@code vrrpMessage} to {@code destination} (the group or a unicast peer) from this
         * endpoint's source. A link-local or multicast IPv6 destination is scoped to the interface.
         * Thread-safe; allocates no native memory once a destination has been sent to.
         *
         * @throws ClosedChannelException when the endpoint or the hub is closed
         * @throws NativeException        naming sendto, the errno and what to do when the kernel refuses
         */
        public void send(IpAddress destination, byte[] vrrpMessage) throws IOException {
            if (closed) {
                throw new ClosedChannelException();
            }
            sender.socket.send(destination, vrrpMessage);
        }

        /** The address this endpoint sends from (and, for a unicast endpoint, receives on). */
        public IpAddress sourceAddress() {
            return source;
        }

        /** The interface of this endpoint. */
        public String interfaceName() {
            return receiver.socket.ifname;
        }

        /** This endpoint's VRID. */
        public int vrid() {
            return vrid;
        }

        /** Whether this endpoint receives the VRRP group (else only unicast to its source). */
        public boolean isMulticast() {
            return multicast;
        }

        /**
         * Messages the kernel dropped because the shared receive socket's buffer was full
         * (SO_RXQ_OVFL) since this endpoint registered: a flood faster than the receive thread.
         * They may have been any endpoint's of the interface and family; known as of the last
         * message read from the socket.
         */
        public long overflowDrops() {
            return receiver.socket.overflowDrops() - overflowAtStart;
        }

        /**
         * Unregisters: no sink call starts after this returns (unless called from the sink). The
         * last endpoint of a socket closes it; a VRID no other endpoint of the interface uses
         * leaves the kernel filter, and the group is left when no multicast endpoint remains.
         * Idempotent.
         */
        @Override
        public void close() {
            if (unregister()) {
                // a barrier: a batch being delivered, which may call this endpoint's sink, ends first
                delivering.lock();
                delivering.unlock();
            }
        }

        /** Unregisters under the hub's lock; false when closed already. */
        private boolean unregister() {
            synchronized (lock) {
                if (closed) {
                    return false;
                }
                closed = true;
                if (VrrpSocketHub.this.closed) {
                    return true; // the hub closes every socket
                }
                Receiver r = receiver;
                if (r.endpoints.size() == 1) {
                    r.endpoints.clear();
                    r.byVrid = new Endpoint[256][];
                    receivers.remove(r.key);
                    retired.add(r.socket);
                    polled = receivers.values().toArray(new Receiver[0]);
                    Sys.signal(wakeup);
                } else {
                    r.remove(this);
                    if (multicast && r.endpoints.stream().noneMatch(e -> e.multicast)) {
                        try {
                            r.socket.leaveGroup(source);
                        } catch (NativeException e) {
                            LOG.warn("{}", e.getMessage());
                        }
                    }
                }
                if (--sender.users == 0) {
                    senders.remove(sender.key);
                    sender.socket.close();
                }
                return true;
            }
        }

        @Override
        public String toString() {
            return "Endpoint[VRID " + vrid + " on " + receiver.socket.ifname + " from " + source
                    + (multicast ? ", multicast" : ", unicast") + (closed ? ", closed]" : "]");
        }
    }
}
