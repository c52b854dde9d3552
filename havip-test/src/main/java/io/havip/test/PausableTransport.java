package io.havip.test;

import io.havip.core.AdvertTransport;
import io.havip.core.memory.InMemoryTransport;
import io.havip.core.net.IpAddress;
import java.io.IOException;
import java.time.Duration;

/**
 * A node's transport that reads nothing while its node is paused: messages wait in the segment's
 * queue, as in a stopped process's socket buffer, and are read when it resumes.
 */
final class PausableTransport implements AdvertTransport {

    private final AdvertTransport delegate;
    private final NodeClock clock;

    PausableTransport(AdvertTransport delegate, NodeClock clock) {
        this.delegate = delegate;
        this.clock = clock;
    }

    @Override
    public void send(IpAddress destination, byte[] vrrpMessage) throws IOException {
        delegate.send(destination, vrrpMessage);
    }

    @Override
    public Received receive(Duration timeout) throws IOException, InterruptedException {
        if (clock.paused()) {
            Thread.sleep(Math.min(timeout.toMillis(), HavipCluster.TICK_MILLIS));
            return null;
        }
        // short slices, so that a pause takes effect within one
        Duration slice = timeout.compareTo(Duration.ofMillis(HavipCluster.TICK_MILLIS)) > 0
                ? Duration.ofMillis(HavipCluster.TICK_MILLIS) : timeout;
        return delegate.receive(slice);
    }

    /** Messages waiting to be read. */
    int pending() {
        return delegate instanceof InMemoryTransport t ? t.pending() : 0;
    }

    @Override
    public IpAddress sourceAddress() {
        return delegate.sourceAddress();
    }

    @Override
    public long overflowDrops() {
        return delegate.overflowDrops();
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public String toString() {
        return delegate.toString();
    }
}
