package io.havip.vrrp.internal.linux;

import io.havip.arp.linux.NativeException;
import io.havip.arp.linux.VrrpSocketHub;
import io.havip.core.AdvertTransport;
import io.havip.core.net.IpAddress;
import java.io.IOException;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * A router's VRRP transport on its runtime's {@link VrrpSocketHub}: sends on the shared send
 * socket of its source, and the hub's receive thread pushes its messages (its VRID, and for
 * unicast its destination) to the engine ({@link #deliverTo}). Messages that arrive before
 * the engine asks for them are dropped: the router is not running yet.
 */
final class HubTransport implements AdvertTransport {

    private final VrrpSocketHub.Endpoint endpoint;
    private volatile Consumer<Received> sink;

    private HubTransport(VrrpSocketHub hub, String ifname, IpAddress source, int vrid, boolean multicast)
            throws NativeException {
        VrrpSocketHub.Sink forward = message -> {
            Consumer<Received> s = sink;
            if (s != null) {
                s.accept(message);
            }
        };
        this.endpoint = multicast ? hub.registerMulticast(ifname, source, vrid, forward)
                : hub.registerUnicast(ifname, source, vrid, forward);
    }

    static HubTransport open(VrrpSocketHub hub, String ifname, IpAddress source, int vrid, boolean multicast)
            throws NativeException {
        return new HubTransport(hub, ifname, source, vrid, multicast);
    }

    @Override
    public void send(IpAddress destination, byte[] vrrpMessage) throws IOException {
        endpoint.send(destination, vrrpMessage);
    }

    /** Never used: the hub pushes (see {@link #deliverTo}). */
    @Override
    public Received receive(Duration timeout) throws IOException {
        throw new IOException("the VRRP messages of " + endpoint + " are pushed by the runtime's receive thread");
    }

    @Override
    public boolean deliverTo(Consumer<Received> sink) {
        this.sink = sink;
        return true;
    }

    @Override
    public IpAddress sourceAddress() {
        return endpoint.sourceAddress();
    }

    @Override
    public long overflowDrops() {
        return endpoint.overflowDrops();
    }

    @Override
    public void close() {
        endpoint.close();
    }

    @Override
    public String toString() {
        return endpoint.toString();
    }
}
