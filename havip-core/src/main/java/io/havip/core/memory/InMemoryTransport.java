package io.havip.core.memory;

import io.havip.core.AdvertTransport;
import io.havip.core.net.IpAddress;
import io.havip.core.net.IpFamily;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A node's VRRP transport on an {@link InMemoryNetwork}: sends go through the segment
 * (partitions, loss), receives block on a queue. Every message arrives with TTL 255, as a
 * VRRP sender sets it (RFC 5798 section 5.1.1.3) and a single segment keeps it.
 * Thread-safe; after {@link #close()} (or the node's detach) a blocked or later
 * {@link #receive} and every {@link #send} fail with an {@link IOException}.
 */
public final class InMemoryTransport implements AdvertTransport {

    /** Wakes a blocked receiver on close; compared by identity. */
    private static final Received CLOSED = new Received(IpAddress.parse("0.0.0.0"), IpAddress.parse("0.0.0.0"), 0,
            "closed", new byte[0]);
    private static final int TTL = 255;

    private final InMemoryNetwork network;
    private final Node node;
    private final String interfaceName;
    private final LinkedBlockingQueue<Received> queue = new LinkedBlockingQueue<>();
    private volatile boolean closed;
    /** Where messages go when the receiver asked to be pushed to (see {@link #deliverTo}). */
    private volatile java.util.function.Consumer<Received> sink;

    InMemoryTransport(InMemoryNetwork network, Node node, String interfaceName) {
        if (interfaceName == null || interfaceName.isBlank()) {
            throw new IllegalArgumentException("interface name is empty for a transport on " + node.name());
        }
        this.network = network;
        this.node = node;
        this.interfaceName = interfaceName;
    }

    @Override
    public void send(IpAddress destination, byte[] vrrpMessage) throws IOException {
        if (destination == null || vrrpMessage == null) {
            throw new IllegalArgumentException("destination and message are required");
        }
        if (closed) {
            throw new IOException("cannot send from " + node.name() + "/" + interfaceName + " to " + destination
                    + ": the transport is closed");
        }
        network.deliver(node, destination, vrrpMessage.clone());
    }

    @Override
    public Received receive(Duration timeout) throws IOException, InterruptedException {
        if (closed) {
            throw closedException();
        }
        Received r = queue.poll(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
        if (r == CLOSED) {
            queue.offer(CLOSED); // wake any other receiver too
            throw closedException();
        }
        return r;
    }

    private IOException closedException() {
        return new IOException("cannot receive on " + node.name() + "/" + interfaceName + ": the transport is closed");
    }

    @Override
    public IpAddress sourceAddress() {
        return node.primaryAddress();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            queue.clear();
            queue.offer(CLOSED);
            node.transportClosed(this);
        }
    }

    /** Messages delivered to this transport and not yet received (tests wait for zero to let the receiver catch up). */
    public int pending() {
        return (int) queue.stream().filter(r -> r != CLOSED).count();
    }

    IpFamily family() {
        return node.primaryAddress().family();
    }

    void enqueue(IpAddress source, IpAddress destination, byte[] message) {
        if (!closed) {
            Received r = new Received(source, destination, TTL, interfaceName, message);
            java.util.function.Consumer<Received> s = sink;
            if (s == null) {
                synchronized (this) {
                    s = sink;
                    if (s == null) {
                        queue.offer(r);
                        return;
                    }
                }
            }
            s.accept(r);
        }
    }

    /**
     * Messages go to {@code sink} on the sender's thread from now on; {@link #receive} gets none.
     * Those that arrived before are handed to it first, in order (a message queued while the
     * receiver started would otherwise wait for a {@link #receive} that never comes).
     */
    @Override
    public boolean deliverTo(java.util.function.Consumer<Received> sink) {
        if (sink == null) {
            throw new IllegalArgumentException("sink is null");
        }
        synchronized (this) {
            Received r;
            while ((r = queue.poll()) != null) {
                if (r != CLOSED) {
                    sink.accept(r);
                }
            }
            this.sink = sink;
        }
        return true;
    }

    @Override
    public String toString() {
        return "InMemoryTransport[" + node.name() + "/" + interfaceName + (closed ? ", closed" : "") + "]";
    }
}
