package io.havip.vrrp.liveness;

import static org.assertj.core.api.Assertions.assertThat;

import io.havip.core.Clock;
import io.havip.core.ManualClock;
import io.havip.core.net.IpAddress;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two or more monitors (and hand-written peers) over real TCP on 127.0.0.1, each on its own
 * port. Waits poll for an observable state; nothing asserts on elapsed time.
 *
 * <p>Two kinds of tests. Those about time (heartbeats, silence, the handshake deadline) run on
 * a {@link ManualClock} that only the test moves, {@link #step} by step: the monitor decides on
 * that clock, so a loaded machine cannot make a channel look silent. The others (deaths by
 * refusal, proofs, limits) run on the system clock with a {@link #QUIET} heartbeat, so no
 * silence can be declared during them whatever the load: with 50 ms heartbeats a stall of
 * 150 ms closed a channel as half-open, and a test waiting for a death after the next kill then
 * waited for ever (the flake of {@code theLossIsReportedBeforeTheConfirmedDeath...}).
 */
class LivenessMonitorTest {

    private static final String SECRET = "liveness test secret, 32 bytes!!";
    private static final IpAddress A = IpAddress.parse("198.51.100.11");
    private static final IpAddress B = IpAddress.parse("198.51.100.12");
    private static final IpAddress STRANGER = IpAddress.parse("198.51.100.99");
    private static final int VRID = 51;
    /** A heartbeat for the tests not about time: three silent intervals (30 s) never pass in them. */
    private static final Duration QUIET = Duration.ofSeconds(10);
    private static final Duration HEARTBEAT = Duration.ofMillis(50);

    private final LoopbackEndpoints endpoints = new LoopbackEndpoints();
    private final List<AutoCloseable> open = new ArrayList<>();
    private final List<IpAddress> deaths = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private LivenessMonitor monitor(IpAddress self, IpAddress peer, String secret) {
        int port = endpoints.register(self);
        return monitorOn(self, peer, secret, port);
    }

    private LivenessMonitor monitorOn(IpAddress self, IpAddress peer, String secret, int port) {
        LivenessConfig c = LivenessConfig.withSecret(secret).withPort(port)
                .withHeartbeatInterval(QUIET);
        LivenessMonitor m = new LivenessMonitor("VI_" + self, VRID, self, Set.of(peer), c, endpoints, deaths::add);
        open.add(m);
        m.start();
        return m;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        for (int i = 0; i < 1000; i++) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("timed out waiting until " + what);
    }

    @Test
    void aChannelThatEndsWithoutGoodbyeOnARefusingPortIsADeath() throws Exception {
        LivenessMonitor a = monitor(A, B, SECRET);
        LivenessMonitor b = monitor(B, A, SECRET);
        b.dial(A);
        await("the channel is up on both ends", () -> a.stats().channelsUp() == 1 && b.stats().channelsUp() == 1);

        a.abort(); // the kernel closing a killed process's sockets: FIN, then RST to new connections

        await("b reports a's death", () -> !deaths.isEmpty());
        assertThat(deaths).containsExactly(A);
        assertThat(b.stats().processDeaths()).isEqualTo(1);
        assertThat(b.stats().goodbyesReceived()).isZero();
        // the first channel, plus possibly a reconnect that raced the dying listener's close
        assertThat(b.stats().channelsEstablished()).isBetween(1L, 2L);
    }

    @Test
    void theLossIsReportedBeforeTheConfirmedDeathAndAGoodbyeIsNeitherLossNorDeath() throws Exception {
        int portA = endpoints.register(A);
        LivenessMonitor a = monitorOn(A, B, SECRET, portA);
        LivenessConfig c = LivenessConfig.withSecret(SECRET).withPort(endpoints.register(B))
                .withHeartbeatInterval(QUIET);
        LivenessMonitor b = new LivenessMonitor("VI_b", VRID, B, Set.of(A), c, endpoints, recorder);
        open.add(b);
        b.start();
        b.dial(A);
        await("the channel is up on both ends", () -> a.stats().channelsUp() == 1 && b.stats().channelsUp() == 1);

        a.goodbye();
        await("b hears the goodbye", () -> b.stats().goodbyesReceived() == 1);
        LivenessMonitor restarted = monitorOn(A, B, SECRET, portA);
        await("b reconnects", () -> b.stats().channelsUp() == 1 && restarted.stats().channelsUp() == 1);
        assertThat(reports).as("a goodbye is no loss").isEmpty();

        restarted.abort();
        await("b reports the death", () -> reports.contains("died " + A));
        // abort() closes the channels before the listener, so a confirming connection may still be
        // answered (the peer lives) and then lost again: each death follows a loss, one death.
        assertThat(reports.get(0)).isEqualTo("lost " + A);
        assertThat(reports.get(reports.size() - 1)).isEqualTo("died " + A);
        assertThat(reports.subList(0, reports.size() - 1)).containsOnly("lost " + A);
        assertThat(b.stats().processDeaths()).isEqualTo(1);
    }

    @Test
    void aGoodbyeIsNoDeathEvenThoughThePortThenRefuses() throws Exception {
        LivenessMonitor a = monitor(A, B, SECRET);
        LivenessMonitor b = monitor(B, A, SECRET);
        b.dial(A);
        // both ends: a says goodbye only on channels it has registered
        await("the channel is up on both ends", () -> a.stats().channelsUp() == 1 && b.stats().channelsUp() == 1);

        a.goodbye();
        await("b hears the goodbye", () -> b.stats().goodbyesReceived() == 1);
        assertThat(a.stats().goodbyesSent()).isEqualTo(1);

        // b redials a closed port (refused) until a restarts on it; none of that is a death.
        LivenessMonitor restarted = monitorOn(A, B, SECRET, endpoints.port(A));
        await("b reconnects to the restarted a", () -> b.stats().channelsEstablished() == 2
                && restarted.stats().channelsUp() == 1);
        assertThat(deaths).isEmpty();
        assertThat(b.stats().processDeaths()).isZero();
    }

    @Test
    void aPeerWithoutListenerIsNotedOnceAndNeverADeath() throws Exception {
        LivenessMonitor b = monitor(B, A, SECRET);
        endpoints.register(A); // nothing listens there: keepalived, say
        b.dial(A);
        await("the refusal is noted", () -> b.stats().peersWithoutListener() == 1);
        assertThat(b.stats().channelsEstablished()).isZero();
        assertThat(deaths).isEmpty();
    }

    @Test
    void aChannelThatEndsButWhosePortStillAcceptsIsNoDeath() throws Exception {
        try (RawServer server = new RawServer(endpoints.register(A), RawServer.Mode.CLOSE_AFTER_HANDSHAKE)) {
            LivenessMonitor b = monitor(B, A, SECRET);
            b.dial(A);
            // the server counts a handshake when it read the proof, which b sends just before it counts
            await("b has handshaken three times", () -> server.handshakes.get() >= 3
                    && b.stats().channelsEstablished() >= 3);
            assertThat(deaths).isEmpty();
            assertThat(b.stats().processDeaths()).isZero();
            assertThat(b.stats().channelsEstablished()).isGreaterThanOrEqualTo(3);
        }
    }

    @Test
    void aSilentServerIsClosedAsHalfOpenAtThreeHeartbeatsOfClockTimeAndIsNoDeath() throws Exception {
        try (RawServer server = new RawServer(endpoints.register(A), RawServer.Mode.SILENT_AFTER_HANDSHAKE)) {
            LivenessMonitor b = timed(B, Set.of(A), endpoints);
            b.dial(A);
            await("the channel is up", () -> b.stats().channelsUp() == 1);
            step(HEARTBEAT.multipliedBy(3).minusNanos(1), b); // one jump: one heartbeat sent, not answered
            assertThat(b.stats().halfOpenClosed()).isZero();
            assertThat(b.stats().channelsUp()).isEqualTo(1);
            step(Duration.ofNanos(1), b);
            assertThat(b.stats().halfOpenClosed()).isEqualTo(1);
            assertThat(b.stats().channelsUp()).isZero();
            assertThat(b.heartbeatsSent()).isEqualTo(1);
            assertThat(deaths).isEmpty();
            assertThat(b.stats().processDeaths()).isZero();
        }
    }

    @Test
    void aSilentClientIsClosedAsHalfOpenByTheServerAtThreeHeartbeatsOfClockTime() throws Exception {
        LivenessMonitor a = timed(A, Set.of(B), endpoints);
        try (RawClient c = new RawClient(InetAddress.getLoopbackAddress(), endpoints.port(A), VRID)) {
            c.prove(SECRET, c.hello(B, A, LivenessAuth.newNonce()));
            await("a's end of the channel is up", () -> a.stats().channelsUp() == 1);
            step(HEARTBEAT, a);
            c.send(new LivenessMessage.Heartbeat(1)); // heard: the silence counts from here
            assertThat(LivenessCodec.read(c.in)).as("the echo").isEqualTo(new LivenessMessage.Heartbeat(1));
            step(HEARTBEAT.multipliedBy(3).minusNanos(1), a);
            assertThat(a.stats().halfOpenClosed()).isZero();
            step(Duration.ofNanos(1), a);
            assertThat(a.stats().halfOpenClosed()).isEqualTo(1);
            assertThat(a.stats().channelsUp()).isZero();
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    /** Waits until a connection to {@code port} on loopback is refused (a closed listener). */
    private static void awaitRefusing(int port) throws InterruptedException {
        await("port " + port + " refuses", () -> {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return false;
            } catch (java.net.ConnectException e) {
                return true;
            } catch (IOException e) {
                return false;
            }
        });
    }

    /** Records "lost X" and "died X" in order. */
    private final List<String> reports = new CopyOnWriteArrayList<>();
    private final LivenessMonitor.Events recorder = new LivenessMonitor.Events() {
        @Override
        public void peerProcessDied(IpAddress peer) {
            reports.add("died " + peer);
        }

        @Override
        public void peerChannelLost(IpAddress peer) {
            reports.add("lost " + peer);
        }
    };

    /**
     * b's channel to a (a hand-written server) is lost, and a's next connection is cut before
     * its hello: b has confirmed once and waits {@link LivenessMonitor#CONFIRM_RETRY_NANOS} of the
     * clock before it asks again.
     */
    private LivenessMonitor lostAndCutOnce(RawServer server) throws InterruptedException {
        LivenessMonitor b = timed(B, Set.of(A), endpoints, recorder);
        b.dial(A);
        await("the channel is lost", () -> reports.contains("lost " + A));
        await("the first confirming connection is cut", () -> server.accepted.get() == 2 && b.openConnections() == 0);
        return b;
    }

    @Test
    void aRefusalWithinTheConfirmWindowOfClockTimeIsADeath() throws Exception {
        LivenessMonitor b;
        try (RawServer server = new RawServer(endpoints.register(A), RawServer.Mode.CUT_AFTER_FIRST)) {
            b = lostAndCutOnce(server);
        }
        awaitRefusing(endpoints.port(A));
        step(Duration.ofNanos(LivenessMonitor.CONFIRM_WINDOW_NANOS - 1), b);
        await("b reports the death", () -> reports.contains("died " + A));
        assertThat(reports).containsExactly("lost " + A, "died " + A);
        assertThat(b.stats().processDeaths()).isEqualTo(1);
    }

    @Test
    void aRefusalAfterTheConfirmWindowOfClockTimeIsNoDeath() throws Exception {
        LivenessMonitor b;
        try (RawServer server = new RawServer(endpoints.register(A), RawServer.Mode.CUT_AFTER_FIRST)) {
            b = lostAndCutOnce(server);
            step(Duration.ofNanos(LivenessMonitor.CONFIRM_WINDOW_NANOS), b); // the retry, cut again: the window is over
            await("the last confirming connection is cut", () -> server.accepted.get() == 3 && b.openConnections() == 0);
        }
        awaitRefusing(endpoints.port(A));
        step(Duration.ofMillis(LivenessMonitor.MIN_BACKOFF_MS), b); // the ordinary redial
        await("b finds the port refusing", () -> b.stats().peersWithoutListener() == 1);
        assertThat(reports).containsExactly("lost " + A);
        assertThat(b.stats().processDeaths()).isZero();
    }

    @Test
    void heartbeatsKeepAChannelUpOverAnyStretchOfClockTime() throws Exception {
        LivenessMonitor a = timed(A, Set.of(B), endpoints);
        LivenessMonitor b = timed(B, Set.of(A), endpoints);
        b.dial(A);
        await("the channel is up", () -> b.stats().channelsUp() == 1 && a.stats().channelsUp() == 1);
        beats(100, a, b); // 5 s of clock time, one heartbeat interval at a time
        assertThat(b.heartbeatsSent()).isEqualTo(100);
        assertThat(a.stats().channelsUp()).isEqualTo(1);
        assertThat(b.stats().channelsUp()).isEqualTo(1);
        assertThat(b.stats().channelsEstablished()).isEqualTo(1);
        assertThat(a.stats().halfOpenClosed() + b.stats().halfOpenClosed()).isZero();
        assertThat(a.stats().handshakesTimedOut()).isZero();
    }

    @Test
    void aServerWithAnotherSecretIsRefusedByTheClient() throws Exception {
        LivenessMonitor a = monitor(A, B, SECRET);
        LivenessMonitor b = monitor(B, A, "a different secret of 32 bytes!!");
        b.dial(A);
        await("b refuses a's proof", () -> b.stats().refusedBadProof() >= 1);
        assertThat(a.stats().channelsUp()).isZero();
        assertThat(b.stats().channelsEstablished()).isZero();
    }

    @Test
    void aClientWithTheWrongSecretIsRefusedAndCounted() throws Exception {
        LivenessMonitor a = monitor(A, B, SECRET);
        try (RawClient c = new RawClient(InetAddress.getLoopbackAddress(), endpoints.port(A), VRID)) {
            LivenessMessage.Hello answer = c.hello(B, A, LivenessAuth.newNonce());
            c.prove("not the secret, but 32 bytes long", answer);
            assertThat(c.closedByPeer()).isTrue();
        }
        await("a counts the bad proof", () -> a.stats().refusedBadProof() == 1);
        assertThat(a.stats().channelsEstablished()).isZero();
    }

    @Test
    void aForgedProofIsRefusedAndCounted() throws Exception {
        LivenessMonitor a = monitor(A, B, SECRET);
        try (RawClient c = new RawClient(InetAddress.getLoopbackAddress(), endpoints.port(A), VRID)) {
            LivenessMessage.Hello answer = c.hello(B, A, LivenessAuth.newNonce());
            c.send(new LivenessMessage.Hello(VRID, B, A, c.nonce, new byte[32]));
            assertThat(answer.hasProof()).isTrue();
            assertThat(c.closedByPeer()).isTrue();
        }
        await("a counts the forged proof", () -> a.stats().refusedBadProof() == 1);
    }

    @Test
    void aReplayedHandshakeIsRefused() throws Exception {
        LivenessMonitor a = monitor(A, B, SECRET);
        byte[] nonce = LivenessAuth.newNonce();
        LivenessMessage.Hello recorded;
        try (RawClient first = new RawClient(InetAddress.getLoopbackAddress(), endpoints.port(A), VRID)) {
            recorded = first.prove(SECRET, first.hello(B, A, nonce));
            await("the genuine handshake succeeds", () -> a.stats().channelsEstablished() == 1);
        }
        try (RawClient replay = new RawClient(InetAddress.getLoopbackAddress(), endpoints.port(A), VRID)) {
            replay.hello(B, A, nonce); // same opening; the server answers with a fresh nonce
            replay.send(recorded);
            assertThat(replay.closedByPeer()).isTrue();
        }
        await("a counts the replay", () -> a.stats().refusedBadProof() == 1);
        assertThat(a.stats().channelsEstablished()).isEqualTo(1);
    }

    @Test
    void anUnknownPeerIsRefusedBeforeAnyProof() throws Exception {
        LivenessMonitor a = monitor(A, B, SECRET);
        try (RawClient c = new RawClient(InetAddress.getLoopbackAddress(), endpoints.port(A), VRID)) {
            c.send(new LivenessMessage.Hello(VRID, STRANGER, A, LivenessAuth.newNonce(), new byte[0]));
            assertThat(c.closedByPeer()).isTrue();
        }
        await("a counts the unknown peer", () -> a.stats().refusedUnknownPeer() == 1);
    }

    @Test
    void oversizedUnknownAndMisdirectedFramesAreRefused() throws Exception {
        LivenessMonitor a = monitor(A, B, SECRET);
        try (RawClient c = new RawClient(InetAddress.getLoopbackAddress(), endpoints.port(A), VRID)) {
            c.out.write(new byte[] {1, (byte) 0xFF, (byte) 0xFF});
            assertThat(c.closedByPeer()).isTrue();
        }
        try (RawClient c = new RawClient(InetAddress.getLoopbackAddress(), endpoints.port(A), VRID)) {
            c.out.write(LivenessCodec.frame(77, new byte[0]));
            assertThat(c.closedByPeer()).isTrue();
        }
        try (RawClient c = new RawClient(InetAddress.getLoopbackAddress(), endpoints.port(A), VRID)) {
            c.send(new LivenessMessage.Heartbeat(1)); // before any hello
            assertThat(c.closedByPeer()).isTrue();
        }
        try (RawClient c = new RawClient(InetAddress.getLoopbackAddress(), endpoints.port(A), VRID)) {
            c.send(new LivenessMessage.Hello(52, B, A, LivenessAuth.newNonce(), new byte[0])); // another router
            assertThat(c.closedByPeer()).isTrue();
        }
        await("a counts four malformed connections", () -> a.stats().refusedMalformed() == 4);
        assertThat(a.stats().channelsEstablished()).isZero();
    }

    // ------------------------------------------------------------------ limits on unauthenticated connections

    private final LoopbackEndpoints strict = LoopbackEndpoints.withStrangers();
    private final ManualClock clock = Clock.manual(Instant.parse("2026-12-07T12:00:00Z"));

    /** A monitor on {@link #strict} endpoints and the manual clock; {@code peers} empty: multicast. */
    private LivenessMonitor limited(IpAddress self, Set<IpAddress> peers) {
        LivenessConfig c = LivenessConfig.withSecret(SECRET).withPort(strict.register(self))
                .withHeartbeatInterval(HEARTBEAT);
        LivenessMonitor m = new LivenessMonitor("VI_" + self, VRID, self, peers, c, strict, deaths::add, clock);
        open.add(m);
        m.start();
        return m;
    }

    /** A monitor on the manual clock, with a {@link #HEARTBEAT} of 50 ms of that clock. */
    private LivenessMonitor timed(IpAddress self, Set<IpAddress> peers, LoopbackEndpoints on) {
        return timed(self, peers, on, deaths::add);
    }

    private LivenessMonitor timed(IpAddress self, Set<IpAddress> peers, LoopbackEndpoints on,
                                  LivenessMonitor.Events events) {
        LivenessConfig c = LivenessConfig.withSecret(SECRET).withPort(on.register(self)).withHeartbeatInterval(HEARTBEAT);
        LivenessMonitor m = new LivenessMonitor("VI_" + self, VRID, self, peers, c, on, events, clock);
        open.add(m);
        m.start();
        return m;
    }

    /**
     * Moves the manual clock by {@code by} and waits until each monitor ran every timer then
     * due: what a monitor decides on time is decided when this returns (its I/O may still fly).
     */
    private void step(Duration by, LivenessMonitor... monitors) {
        clock.advance(by);
        for (LivenessMonitor m : monitors) {
            m.sync();
        }
    }

    /** {@code n} heartbeat intervals of clock time, each heartbeat of {@code client} echoed by {@code server}. */
    private void beats(int n, LivenessMonitor server, LivenessMonitor client) throws InterruptedException {
        long before = client.heartbeatsHeard();
        for (int i = 1; i <= n; i++) {
            step(HEARTBEAT, server, client);
            long heard = before + i;
            await("heartbeat " + heard + " is echoed", () -> client.heartbeatsHeard() == heard);
        }
    }

    /** {@code n} idle connections to {@code node} from stranger address {@code stranger}. */
    private List<RawClient> idle(IpAddress node, int stranger, int n) throws IOException {
        List<RawClient> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            RawClient c;
            try {
                c = new RawClient(InetAddress.getLoopbackAddress(), strict.port(node), VRID,
                        stranger == 0 ? LoopbackEndpoints.PEER_SOURCE : LoopbackEndpoints.stranger(stranger));
            } catch (java.net.SocketException e) {
                continue; // reset at the accept before the connect returned: refused, which the counters show
            }
            open.add(c);
            out.add(c);
        }
        return out;
    }

    @Test
    void withUnicastPeersAStrangersConnectionsAreClosedAtTheAcceptAndThePeerGetsItsChannel() throws Exception {
        LivenessMonitor a = limited(A, Set.of(B));
        List<RawClient> strangers = idle(A, 8, 40);
        await("a closes all 40 at the accept", () -> a.stats().refusedUnknownPeer() == 40);
        assertThat(a.stats().unauthenticatedOpen()).isZero();
        for (RawClient c : strangers) {
            assertThat(c.closedByPeer()).isTrue();
        }
        LivenessMonitor b = limited(B, Set.of(A));
        b.dial(A);
        await("b's channel to a is up", () -> b.stats().channelsUp() == 1 && a.stats().channelsUp() == 1);
        assertThat(a.stats().refusedOverLimit()).isZero();
        assertThat(a.stats().evictedUnauthenticated()).isZero();
    }

    @Test
    void aPeerAddressIsNeverRefusedAndItsNewestAttemptsReplaceItsOldest() throws Exception {
        LivenessMonitor a = limited(A, Set.of(B));
        List<RawClient> fromPeerAddress = idle(A, 0, LivenessMonitor.MAX_UNAUTHENTICATED_PER_SOURCE + 2);
        await("the two oldest are evicted", () -> a.stats().evictedUnauthenticated() == 2
                && a.stats().unauthenticatedOpen() == LivenessMonitor.MAX_UNAUTHENTICATED_PER_SOURCE);
        assertThat(fromPeerAddress.get(0).closedByPeer()).isTrue();
        assertThat(fromPeerAddress.get(1).closedByPeer()).isTrue();
        LivenessMonitor b = limited(B, Set.of(A));
        b.dial(A);
        await("b's channel to a is up", () -> b.stats().channelsUp() == 1 && a.stats().channelsUp() == 1);
        assertThat(a.stats().refusedOverLimit()).isZero();
    }

    @Test
    void inMulticastEachStrangerAddressIsLimitedAndANewStrangerEvictsTheOldest() throws Exception {
        int perSource = LivenessMonitor.MAX_UNAUTHENTICATED_PER_SOURCE;
        LivenessMonitor a = limited(A, Set.of());
        List<RawClient> first = idle(A, 1, perSource + 2);
        await("one address holds its limit; the surplus is refused", () -> a.stats().refusedOverLimit() == 2
                && a.stats().unauthenticatedOpen() == perSource);
        int sources = LivenessMonitor.MAX_UNAUTHENTICATED / perSource;
        for (int n = 2; n <= sources + 1; n++) {
            idle(A, n, perSource);
            int upTo = n;
            await("stranger " + n + " is admitted", () -> a.stats().unauthenticatedOpen() + a.stats()
                    .evictedUnauthenticated() == upTo * perSource);
        }
        assertThat(a.stats().unauthenticatedOpen()).isEqualTo(LivenessMonitor.MAX_UNAUTHENTICATED);
        assertThat(a.stats().evictedUnauthenticated()).isEqualTo(perSource);
        for (RawClient c : first.subList(0, perSource)) {
            assertThat(c.closedByPeer()).as("the oldest strangers are evicted").isTrue();
        }
        // A backup that never connected before is a stranger too: it gets in by evicting the oldest.
        LivenessMonitor b = limited(B, Set.of());
        b.dial(A);
        await("b's channel to a is up", () -> b.stats().channelsUp() == 1 && a.stats().channelsUp() == 1);
    }

    @Test
    void inMulticastAnAddressThatAuthenticatedOnceIsAPeerAndNeverRefused() throws Exception {
        int perSource = LivenessMonitor.MAX_UNAUTHENTICATED_PER_SOURCE;
        LivenessMonitor a = limited(A, Set.of());
        idle(A, 0, perSource + 2); // from b's address, before b ever authenticated: a stranger's limit
        await("b's address is still a stranger", () -> a.stats().refusedOverLimit() == 2);
        step(Duration.ofMillis(LivenessMonitor.HANDSHAKE_DEADLINE_MS), a); // they time out: room for b
        assertThat(a.stats().handshakesTimedOut()).isEqualTo(perSource);
        LivenessMonitor b = limited(B, Set.of());
        b.dial(A);
        await("b's channel to a is up", () -> b.stats().channelsUp() == 1 && a.stats().channelsUp() == 1);
        long refusedBefore = a.stats().refusedOverLimit();
        long evictedBefore = a.stats().evictedUnauthenticated();
        idle(A, 0, perSource + 2);
        await("b's address, now a peer, replaces its own oldest attempts", () -> a.stats().evictedUnauthenticated()
                >= evictedBefore + 2);
        assertThat(a.stats().refusedOverLimit()).isEqualTo(refusedBefore);
    }

    @Test
    void aHandshakeMustCompleteWithinItsDeadlineFromTheAcceptEvenIfBytesTrickleIn() throws Exception {
        LivenessMonitor a = limited(A, Set.of());
        List<RawClient> idle = idle(A, 1, 3);
        idle.get(0).out.write(LivenessCodec.TYPE_HELLO); // one byte of a header, then nothing
        idle.get(0).out.flush();
        await("all three wait for their hello", () -> a.stats().unauthenticatedOpen() == 3);
        step(Duration.ofMillis(LivenessMonitor.HANDSHAKE_DEADLINE_MS).minusNanos(1), a);
        assertThat(a.stats().handshakesTimedOut()).isZero();
        idle.get(0).out.write(0); // a second byte, just before the deadline, does not extend it
        idle.get(0).out.flush();
        step(Duration.ofNanos(1), a);
        assertThat(a.stats().handshakesTimedOut()).isEqualTo(3);
        assertThat(a.stats().unauthenticatedOpen()).isZero();
        for (RawClient c : idle) {
            assertThat(c.closedByPeer()).isTrue();
        }
        assertThat(a.stats().refusedMalformed()).as("a timeout is not a malformed frame").isZero();
    }

    @Test
    void aChannelIsNotSubjectToTheHandshakeDeadline() throws Exception {
        LivenessMonitor a = limited(A, Set.of(B));
        LivenessMonitor b = limited(B, Set.of(A));
        b.dial(A);
        await("the channel is up", () -> b.stats().channelsUp() == 1 && a.stats().channelsUp() == 1);
        beats(2 * LivenessMonitor.HANDSHAKE_DEADLINE_MS / (int) HEARTBEAT.toMillis(), a, b);
        assertThat(a.stats().channelsUp()).isEqualTo(1);
        assertThat(a.stats().handshakesTimedOut()).isZero();
        assertThat(b.stats().channelsEstablished()).isEqualTo(1);
    }

    // ------------------------------------------------------------------ hostile peers, one thread

    @Test
    void aFloodOfConnectionsAndSlowlorisHandshakesCostNoThreadAndThePeerStillGetsItsChannel() throws Exception {
        LivenessMonitor a = limited(A, Set.of());
        int before = livenessThreads();
        List<RawClient> flood = new ArrayList<>();
        for (int n = 1; n <= 50; n++) {
            flood.addAll(idle(A, n, LivenessMonitor.MAX_UNAUTHENTICATED_PER_SOURCE + 1));
        }
        for (RawClient c : flood) {
            try {
                c.out.write(LivenessCodec.TYPE_HELLO); // a header's first byte, then nothing
            } catch (IOException e) {
                // refused or evicted already
            }
        }
        await("every connection is sorted", () -> a.stats().unauthenticatedOpen() == LivenessMonitor.MAX_UNAUTHENTICATED
                && a.stats().refusedOverLimit() == 50);
        assertThat(livenessThreads()).as("threads of the liveness monitors").isEqualTo(before);
        LivenessMonitor b = limited(B, Set.of());
        b.dial(A);
        await("b's channel to a is up", () -> b.stats().channelsUp() == 1 && a.stats().channelsUp() == 1);
        assertThat(livenessThreads()).as("one more monitor, one more thread").isEqualTo(before + 1);
        beats(LivenessMonitor.HANDSHAKE_DEADLINE_MS / (int) HEARTBEAT.toMillis(), a, b);
        assertThat(a.stats().unauthenticatedOpen()).isZero();
        assertThat(a.stats().channelsUp()).isEqualTo(1);
    }

    @Test
    void aPeerThatSendsGarbageAfterItsHandshakeIsClosedAndCounted() throws Exception {
        LivenessMonitor a = monitor(A, B, SECRET);
        try (RawClient c = new RawClient(InetAddress.getLoopbackAddress(), endpoints.port(A), VRID)) {
            c.prove(SECRET, c.hello(B, A, LivenessAuth.newNonce()));
            await("a's end of the channel is up", () -> a.stats().channelsUp() == 1);
            byte[] garbage = new byte[64];
            new java.util.Random(13).nextBytes(garbage);
            garbage[0] = 9; // no frame type
            c.out.write(garbage);
            assertThat(c.closedByPeer()).isTrue();
        }
        await("a counts the garbage", () -> a.stats().refusedMalformed() == 1);
        assertThat(a.stats().channelsUp()).isZero();
        assertThat(deaths).isEmpty();
    }

    @Test
    void aPeerThatStopsReadingIsClosedWithoutBlockingTheLoop() throws Exception {
        LivenessMonitor a = monitor(A, B, SECRET);
        // Its kernel soon stops taking a's echoes. (With the buffer shrunk after the connect, the
        // test took 0.6 s or 107 s, likely TCP's persist-timer backoff; set before it, under 2 s.)
        try (RawClient c = new RawClient(InetAddress.getLoopbackAddress(), endpoints.port(A), VRID, null, 4096)) {
            c.prove(SECRET, c.hello(B, A, LivenessAuth.newNonce()));
            await("a's end of the channel is up", () -> a.stats().channelsUp() == 1);
            byte[] beats = new byte[7 * 1024];
            for (int i = 0; i < 1024; i++) {
                System.arraycopy(LivenessCodec.encode(new LivenessMessage.Heartbeat(i)), 0, beats, 7 * i, 7);
            }
            try {
                for (int i = 0; i < 2_000 && a.stats().halfOpenClosed() == 0; i++) { // never reads an echo
                    c.out.write(beats);
                }
            } catch (IOException e) {
                // a closed it: what the test waits for
            }
            await("a closes the channel of the peer that does not read", () -> a.stats().halfOpenClosed() == 1);
            // the loop was never blocked: a still sorts new connections and answers hellos at once
            try (RawClient d = new RawClient(InetAddress.getLoopbackAddress(), endpoints.port(A), VRID)) {
                assertThat(d.hello(B, A, LivenessAuth.newNonce()).hasProof()).isTrue();
            }
        }
        assertThat(a.stats().channelsUp()).isZero();
        assertThat(deaths).isEmpty();
    }

    @Test
    void monitorsOnASharedLoopUseItsOneThreadHoweverManyChannelsTheyHold() throws Exception {
        List<IpAddress> nodes = List.of(A, B, STRANGER);
        try (LivenessLoop shared = new LivenessLoop("havip-liveness-shared-test", Clock.system())) {
            List<LivenessMonitor> monitors = new ArrayList<>();
            for (IpAddress n : nodes) {
                Set<IpAddress> peers = new java.util.HashSet<>(nodes);
                peers.remove(n);
                LivenessConfig c = LivenessConfig.withSecret(SECRET).withPort(endpoints.register(n))
                        .withHeartbeatInterval(QUIET);
                LivenessMonitor m = new LivenessMonitor("VI_" + n, VRID, n, peers, c, endpoints, deaths::add, shared);
                open.add(m);
                m.start();
                monitors.add(m);
            }
            for (LivenessMonitor m : monitors) {
                nodes.forEach(m::dial);
            }
            // each dials the two others and accepts their two: 4 channels each, 12 in all
            await("every channel is up", () -> monitors.stream().allMatch(m -> m.stats().channelsUp() == 4));
            long loopThreads = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals(shared.threadName())).count();
            assertThat(loopThreads).isEqualTo(1);
            assertThat(monitors).allMatch(m -> shared.threadName().equals(m.threadName()));
            monitors.get(0).abort(); // one monitor's end leaves the others running on the loop
            await("the others report its death", () -> deaths.size() == 2);
            assertThat(deaths).containsOnly(A);
            assertThat(monitors.get(1).stats().channelsUp()).isEqualTo(2);
            monitors.forEach(LivenessMonitor::close); // before their loop
        }
    }

    /** Threads of all liveness monitors in this JVM. */
    private static int livenessThreads() {
        return (int) Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("havip-liveness")).count();
    }

    // ------------------------------------------------------------------ hand-written peers

    /** A server that handshakes correctly and then misbehaves. */
    private static final class RawServer implements AutoCloseable {
        /**
         * CUT_AFTER_FIRST: the first connection is handshaken and closed; every later one is
         * closed at the accept, before any hello (a dying process's listener, as its kernel
         * tears it down).
         */
        enum Mode { CLOSE_AFTER_HANDSHAKE, SILENT_AFTER_HANDSHAKE, CUT_AFTER_FIRST }

        final AtomicInteger accepted = new AtomicInteger();

        final ServerSocket server;
        final AtomicInteger handshakes = new AtomicInteger();
        final List<Socket> held = new CopyOnWriteArrayList<>();
        final Thread thread;

        RawServer(int port, Mode mode) throws IOException {
            server = new ServerSocket(port, 16, InetAddress.getLoopbackAddress());
            thread = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        held.add(s);
                        if (accepted.incrementAndGet() > 1 && mode == Mode.CUT_AFTER_FIRST) {
                            s.close();
                            continue;
                        }
                        s.setSoTimeout(5_000);
                        LivenessMessage.Hello h1 = (LivenessMessage.Hello) LivenessCodec.read(s.getInputStream());
                        byte[] ns = LivenessAuth.newNonce();
                        byte[] proof = LivenessAuth.proof(SECRET.getBytes(StandardCharsets.UTF_8),
                                LivenessAuth.Role.SERVER, VRID, h1.client(), h1.server(), h1.nonce(), ns);
                        s.getOutputStream().write(LivenessCodec.encode(new LivenessMessage.Hello(VRID, h1.client(),
                                h1.server(), ns, proof)));
                        LivenessCodec.read(s.getInputStream());
                        handshakes.incrementAndGet();
                        if (mode != Mode.SILENT_AFTER_HANDSHAKE) {
                            s.close();
                        }
                    } catch (Exception e) {
                        // closed at the end of the test
                    }
                }
            }, "raw-liveness-server");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : held) {
                s.close();
            }
        }
    }
}
