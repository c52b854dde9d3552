package io.havip.vrrp.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.havip.core.AdvertTransport;
import io.havip.core.Clock;
import io.havip.core.ManualClock;
import io.havip.core.RouterState;
import io.havip.core.memory.InMemoryNetwork;
import io.havip.core.memory.Node;
import io.havip.core.net.IpAddress;
import io.havip.core.net.MacAddress;
import io.havip.vrrp.Havip;
import io.havip.vrrp.RouterStats;
import io.havip.vrrp.codec.VrrpPacketBuilder;
import io.havip.vrrp.machine.RouterConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A transport that delivers a flood as fast as the receive thread asks (no kernel in between),
 * under a {@link ManualClock}: the engine's queue stays bounded, what does not fit is counted
 * as dropped, and the master's adverts go out at every deadline while the flood goes on.
 */
class EngineFloodTest {

    private static final IpAddress SELF = IpAddress.parse("198.51.100.11");
    private static final IpAddress ATTACKER = IpAddress.parse("198.51.100.66");
    private static final int FLOOD = 20_000;

    /** Delivers {@link #FLOOD} copies of one advert, then nothing; counts what is sent. */
    private static final class FloodTransport implements AdvertTransport {
        final AtomicLong delivered = new AtomicLong();
        final AtomicLong sent = new AtomicLong();
        final Received packet;
        volatile boolean closed;

        FloodTransport(byte[] payload) {
            this.packet = new Received(ATTACKER, RouterConfig.MULTICAST_V4, 255, "eth0", payload);
        }

        @Override
        public void send(IpAddress destination, byte[] vrrpMessage) {
            sent.incrementAndGet();
        }

        @Override
        public Received receive(Duration timeout) throws InterruptedException {
            if (closed) {
                throw new InterruptedException("closed");
            }
            if (delivered.get() < FLOOD) {
                delivered.incrementAndGet();
                return packet;
            }
            Thread.sleep(Math.min(10, timeout.toMillis()));
            return null;
        }

        @Override
        public IpAddress sourceAddress() {
            return SELF;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    void aFloodOfLowerPriorityAdvertsIsBoundedDroppedAndCountedWhileTheMasterAdvertisesOnTime() throws Exception {
        ManualClock clock = Clock.manual(Instant.parse("2026-01-01T00:00:00Z"));
        Node node = new InMemoryNetwork(clock, 1).attach("n1", MacAddress.parse("02:00:c6:33:64:0b"), SELF);
        byte[] lower = VrrpPacketBuilder.v3().vrid(51).priority(50).interval(10)
                .addAddress(IpAddress.parse("198.51.100.50")).build(ATTACKER, RouterConfig.MULTICAST_V4);
        FloodTransport flood = new FloodTransport(lower);
        Engine e = (Engine) Havip.builder().name("n1").interfaceName("eth0").vrid(51).priority(255)
                .virtualAddress("198.51.100.50/24").advertInterval(Duration.ofMillis(100))
                .transport(flood).binder(node.binder()).clock(clock).start();
        try {
            long maxPending = 0;
            int steps = 20;
            for (int i = 0; i < steps; i++) {
                long before = flood.sent.get();
                clock.advance(Duration.ofMillis(100));
                long t0 = System.nanoTime();
                e.sync();
                long took = System.nanoTime() - t0;
                maxPending = Math.max(maxPending, e.packetsPending());
                assertThat(flood.sent.get()).as("an advert per 100 ms step in the flood").isGreaterThan(before);
                assertThat(took).as("a due advert waits at most a few batches").isLessThan(2_000_000_000L);
            }
            long deadline = System.nanoTime() + 60_000_000_000L;
            while ((flood.delivered.get() < FLOOD || !e.packetsSettled()) && System.nanoTime() < deadline) {
                maxPending = Math.max(maxPending, e.packetsPending());
                Thread.sleep(5);
            }
            e.sync();
            e.syncAddressWork(); // state() is what the address thread published, after the bind
            RouterStats s = e.stats();
            assertThat(e.state()).isEqualTo(RouterState.MASTER);
            assertThat(maxPending).as("taken off the transport, not yet handled")
                    .isLessThanOrEqualTo(Engine.PACKET_QUEUE + 1);
            assertThat(s.overloadDrops()).as("dropped when the queue was full").isPositive();
            assertThat(s.overloadDrops() + s.vrrp().lowerPriorityAdverts()).isEqualTo(FLOOD);
            assertThat(s.vrrp().lowerPriorityAnswers()).as("one answer per advert interval (of virtual time)")
                    .isBetween(1L, steps + 1L);
        } finally {
            // a closing master hands over until a new master is heard or its timeout passes, on
            // this test's virtual clock
            e.beginClose();
            e.sync();
            clock.advance(Duration.ofSeconds(5));
            e.close();
        }
    }
}
