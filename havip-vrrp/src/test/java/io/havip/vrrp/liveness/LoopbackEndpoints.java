package io.havip.vrrp.liveness;

import io.havip.core.net.IpAddress;
import io.havip.core.net.IpFamily;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Test endpoints: every node listens on its own port of 127.0.0.1 and peers are found by
 * their VRRP address in a map. Everything arrives from 127.0.0.1, so the source check
 * accepts any loopback connection; the peer list and the proofs still apply. With
 * {@link #withStrangers()}, only 127.0.0.1 (where every monitor dials from) counts as a peer's
 * source, so a client bound to 127.0.0.2 and up is a stranger.
 */
public final class LoopbackEndpoints implements LivenessEndpoints {

    /** Where every monitor's dialled connections come from. */
    public static final InetAddress PEER_SOURCE = InetAddress.getLoopbackAddress();

    private final Map<IpAddress, Integer> ports = new ConcurrentHashMap<>();
    private final boolean strangers;

    public LoopbackEndpoints() {
        this(false);
    }

    private LoopbackEndpoints(boolean strangers) {
        this.strangers = strangers;
    }

    /** Endpoints where a connection from a loopback address other than 127.0.0.1 is a stranger's. */
    public static LoopbackEndpoints withStrangers() {
        return new LoopbackEndpoints(true);
    }

    /** The loopback address of stranger {@code n} (1-250): 127.0.0.{n+1}. */
    public static InetAddress stranger(int n) {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) (n + 1)});
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Gives {@code node} a free loopback port and returns it. */
    public int register(IpAddress node) {
        int port = freePort();
        ports.put(node, port);
        return port;
    }

    public int port(IpAddress node) {
        return ports.get(node);
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    @Override
    public InetSocketAddress listenAddress(IpFamily family, int port) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    @Override
    public InetSocketAddress peerAddress(IpAddress peer, int port) {
        Integer p = ports.get(peer);
        // An unregistered peer gets a port nobody listens on (refused, like a keepalived host).
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), p != null ? p : freePort());
    }

    @Override
    public boolean isFrom(IpAddress claimed, InetAddress remote) {
        return strangers ? remote.equals(PEER_SOURCE) : remote.isLoopbackAddress();
    }
}
