package io.havip.core;

import io.havip.core.net.IpAddress;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Carries VRRP messages (the IP payload, protocol 112) for one virtual router: a raw
 * IP socket on Linux, an in-memory segment in tests and the demo. The transport sets
 * the TTL / hop limit to 255 (RFC 5798 section 5.1.1.3) and reports the received one
 * so the receiver can check it.
 */
public interface AdvertTransport extends AutoCloseable {

    /**
     * Sends one VRRP message to {@code destination} (the multicast group or a unicast peer).
     * The engine sends the same array again for a master's steady adverts: read it, copy it if
     * it must outlive the call, never modify it.
     */
    void send(IpAddress destination, byte[] vrrpMessage) throws IOException;

    /**
     * Waits up to {@code timeout} for the next message on this transport.
     *
     * @return the message, or {@code null} when the timeout passed first
     */
    Received receive(Duration timeout) throws IOException, InterruptedException;

    /**
     * Asks the transport to hand every message it receives from now on to {@code sink} instead
     * of returning it from {@link #receive}, so that no thread has to wait in {@code receive}
     * for each router. {@code sink} is called on the transport's own delivery thread (or the
     * sender's, in memory), must return at once and never throws; it keeps what it needs of
     * the message. Returns false when the transport cannot push (the default): the router then
     * reads with {@link #receive} on a thread of its own. Called at most once, before any
     * {@code receive}.
     */
    default boolean deliverTo(java.util.function.Consumer<Received> sink) {
        return false;
    }

    /** The source address adverts are sent from (the primary address of the interface, or mcast_src_ip). */
    IpAddress sourceAddress();

    /**
     * Messages lost before {@link #receive} could return them because they came faster than
     * they were read (e.g. a kernel socket buffer that overflowed); 0 when the transport cannot tell.
     */
    default long overflowDrops() {
        return 0;
    }

    @Override
    void close();

    /**
     * One received message with what the IP layer knew about it.
     *
     * @param source        the sender's address (the primary address used in tie-breaks)
     * @param destination   where it was sent (multicast group or this node's address)
     * @param ttl           the IPv4 TTL or IPv6 hop limit it arrived with
     * @param interfaceName the interface it arrived on
     * @param payload       the VRRP message bytes
     */
    record Received(IpAddress source, IpAddress destination, int ttl, String interfaceName, byte[] payload) {
        public Received {
            payload = payload.clone();
        }

        @Override
        public byte[] payload() {
            return payload.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Received r && r.source.equals(source) && r.destination.equals(destination) && r.ttl == ttl
                    && r.interfaceName.equals(interfaceName) && Arrays.equals(r.payload, payload);
        }

        @Override
        public int hashCode() {
            return source.hashCode() * 31 + Arrays.hashCode(payload);
        }

        @Override
        public String toString() {
            return "Received[" + source + " -> " + destination + " ttl " + ttl + " on " + interfaceName + ": "
                    + HexFormat.of().formatHex(payload) + "]";
        }
    }
}
