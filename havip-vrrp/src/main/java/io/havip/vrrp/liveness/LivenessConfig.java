package io.havip.vrrp.liveness;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

/**
 * Settings of the liveness channel between havip peers of one virtual router (see
 * {@link LivenessMonitor}). Immutable; change a field with the {@code with*} methods.
 *
 * <p>The channel is only ever on with a shared secret: without one there is nothing to
 * authenticate a peer with, and an unauthenticated channel whose end can move the address
 * is exactly what the design must not offer. So a router without a secret runs plain VRRP.
 *
 * @param secret            the shared secret, at least {@value #MIN_SECRET_BYTES} bytes, the
 *                          same on every havip node of the router
 * @param port              the TCP port every node listens on; 0 means
 *                          {@value #DEFAULT_PORT_BASE} + VRID (so several routers on a host do
 *                          not collide; 11201-11455 lies below Linux's ephemeral range
 *                          32768-60999, so no outgoing connection can hold it)
 * @param grace             how long, counted from the end of the channel to the master (without
 *                          a goodbye), an advert from that master may still arrive and cancel the
 *                          takeover; it runs side by side with the confirmation (the port must
 *                          refuse a new connection), and the takeover waits for both
 * @param heartbeatInterval how often each side sends a heartbeat; a channel that hears nothing
 *                          for three intervals is closed as half-open (and never moves the
 *                          address: a silent peer is the VRRP timers' job)
 */
public record LivenessConfig(byte[] secret, int port, Duration grace, Duration heartbeatInterval) {

    /** 128 bits: the HMAC-SHA256 key must not be guessable offline from a captured handshake. */
    public static final int MIN_SECRET_BYTES = 16;
    /** Default port base: "112" for the VRRP protocol number; the VRID is added. */
    public static final int DEFAULT_PORT_BASE = 11200;
    /**
     * Default grace: 2 ms. It starts when the master's kernel closed the channel, so the process
     * is already gone, and it runs side by side with the confirmation (a refused reconnect, about
     * one round trip); it only lets an advert that was already in flight on the link count, which
     * takes well under a millisecond. Every millisecond here is a millisecond of client outage.
     */
    public static final Duration DEFAULT_GRACE = Duration.ofMillis(2);
    /** Default heartbeat: 1 s (three missed = half-open, the same scale as VRRP's 3 x 1 s). */
    public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(1);
    private static final Duration MAX_GRACE = Duration.ofSeconds(1);

    public LivenessConfig {
        if (secret == null || secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("liveness secret must have at least " + MIN_SECRET_BYTES
                    + " bytes (got " + (secret == null ? "none" : secret.length) + "); use a random string such as "
                    + "the output of `openssl rand -base64 24`, the same on every havip node");
        }
        secret = secret.clone();
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("liveness port " + port + " is outside 0-65535 (0 = "
                    + DEFAULT_PORT_BASE + " + VRID)");
        }
        if (grace == null || grace.isNegative() || grace.compareTo(MAX_GRACE) > 0) {
            throw new IllegalArgumentException("liveness grace " + grace + " must be between 0 and " + MAX_GRACE
                    + " (it only waits for an advert already in flight; longer is what the VRRP timers are for)");
        }
        if (heartbeatInterval == null || heartbeatInterval.toMillis() < 10) {
            throw new IllegalArgumentException("liveness heartbeatInterval " + heartbeatInterval
                    + " must be at least 10 ms");
        }
    }

    /** The defaults with {@code secret} (UTF-8). */
    public static LivenessConfig withSecret(String secret) {
        if (secret == null) {
            throw new IllegalArgumentException("liveness secret is null");
        }
        return new LivenessConfig(secret.getBytes(StandardCharsets.UTF_8), 0, DEFAULT_GRACE, DEFAULT_HEARTBEAT);
    }

    public LivenessConfig withPort(int newPort) {
        return new LivenessConfig(secret, newPort, grace, heartbeatInterval);
    }

    public LivenessConfig withGrace(Duration newGrace) {
        return new LivenessConfig(secret, port, newGrace, heartbeatInterval);
    }

    public LivenessConfig withHeartbeatInterval(Duration interval) {
        return new LivenessConfig(secret, port, grace, interval);
    }

    /** A copy of the secret. */
    @Override
    public byte[] secret() {
        return secret.clone();
    }

    /** The port for router {@code vrid}: {@link #port()} or, when 0, {@value #DEFAULT_PORT_BASE} + vrid. */
    public int portFor(int vrid) {
        return port != 0 ? port : DEFAULT_PORT_BASE + vrid;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LivenessConfig c && Arrays.equals(secret, c.secret) && port == c.port
                && grace.equals(c.grace) && heartbeatInterval.equals(c.heartbeatInterval);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(secret) + port;
    }

    /** Never shows the secret. */
    @Override
    public String toString() {
        return "LivenessConfig[port " + (port == 0 ? DEFAULT_PORT_BASE + "+vrid" : port) + ", grace " + grace
                + ", heartbeat " + heartbeatInterval + ", secret " + secret.length + " bytes]";
    }
}
