package io.havip.vrrp.internal.engine;

import io.havip.core.AdvertTransport;
import io.havip.core.net.IpAddress;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Lease only: the machine runs as it would, but no advert leaves and none is read, so every
 * node's machine is a candidate and the election authority's lease alone decides who binds.
 * Closing closes the wrapped transport (it gives the source address).
 */
public final class SilentTransport implements AdvertTransport {

    private final AdvertTransport wrapped;

    public SilentTransport(AdvertTransport wrapped) {
        this.wrapped = wrapped;
    }

    @Override
    public void send(IpAddress destination, byte[] vrrpMessage) {
        // lease only: nothing goes on the wire
    }

    @Override
    public Received receive(Duration timeout) throws InterruptedException {
        Thread.sleep(timeout.toMillis());
        return null;
    }

    /** Nothing will be delivered: no receive thread is needed. */
    @Override
    public boolean deliverTo(Consumer<Received> sink) {
        return true;
    }

    @Override
    public IpAddress sourceAddress() {
        return wrapped.sourceAddress();
    }

    @Override
    public void close() {
        wrapped.close();
    }
}
