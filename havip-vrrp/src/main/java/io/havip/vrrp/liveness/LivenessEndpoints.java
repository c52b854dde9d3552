package io.havip.vrrp.liveness;

import io.havip.core.net.IpAddress;
import io.havip.core.net.IpFamily;
import io.havip.core.net.Ipv6Address;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;

/**
 * Where the liveness channel listens and dials, and whether an accepted connection really
 * comes from the VRRP address its hello names. The default ({@link #tcp}) uses the peers' VRRP
 * addresses themselves; tests map them onto loopback ports.
 */
public interface LivenessEndpoints {

    /** The local socket address to listen on. */
    InetSocketAddress listenAddress(IpFamily family, int port);

    /** The socket address to dial for {@code peer}. */
    InetSocketAddress peerAddress(IpAddress peer, int port);

    /** Whether a connection from {@code remote} may carry a hello naming {@code claimed}. */
    boolean isFrom(IpAddress claimed, InetAddress remote);

    /**
     * Listens on the family's wildcard address; dials each peer at its VRRP address (an IPv6
     * link-local one scoped to {@code interfaceName}); accepts a hello only from the address
     * it names.
     */
    static LivenessEndpoints tcp(String interfaceName) {
        return new LivenessEndpoints() {
            @Override
            public InetSocketAddress listenAddress(IpFamily family, int port) {
                return new InetSocketAddress(family == IpFamily.IPV4 ? "0.0.0.0" : "::", port);
            }

            @Override
            public InetSocketAddress peerAddress(IpAddress peer, int port) {
                if (peer instanceof Ipv6Address v6 && v6.isLinkLocal()) {
                    try {
                        NetworkInterface nif = NetworkInterface.getByName(interfaceName);
                        if (nif == null) {
                            throw new IllegalStateException("interface " + interfaceName + " not found for scoping "
                                    + peer);
                        }
                        return new InetSocketAddress(Inet6Address.getByAddress(null, peer.toBytes(), nif), port);
                    } catch (SocketException | UnknownHostException e) {
                        throw new UncheckedIOException("cannot scope " + peer + " to " + interfaceName, e);
                    }
                }
                return new InetSocketAddress(peer.toInetAddress(), port);
            }

            @Override
            public boolean isFrom(IpAddress claimed, InetAddress remote) {
                return IpAddress.of(remote).equals(claimed);
            }

            @Override
            public String toString() {
                return "tcp on " + interfaceName;
            }
        };
    }
}
