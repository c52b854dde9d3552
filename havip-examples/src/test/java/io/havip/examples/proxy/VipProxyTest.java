package io.havip.examples.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.havip.core.RouterId;
import io.havip.core.RouterState;
import io.havip.core.StateChange;
import io.havip.core.TransitionReason;
import io.havip.core.net.IpFamily;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** VipProxy on loopback (no root): the hooks open and drain the listener, bytes are forwarded both ways. */
class VipProxyTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @Test
    void listensOnlyBetweenAcquireAndReleaseAndForwardsBothWays() throws Exception {
        try (ServerSocket backend = echoServer(); ServerSocket probe = new ServerSocket(0, 1, LOOPBACK)) {
            InetSocketAddress listen = new InetSocketAddress(LOOPBACK, freePort(probe));
            VipProxy proxy = new VipProxy(listen, (InetSocketAddress) backend.getLocalSocketAddress(), Duration.ofSeconds(1));
            assertThatThrownBy(() -> new Socket(LOOPBACK, listen.getPort()).close()).isInstanceOf(ConnectException.class);

            proxy.beforeAcquire(change(RouterState.MASTER));
            assertThat(proxy.listening()).isTrue();
            assertThat(proxy.boundBeforeAddress()).isTrue(); // loopback is local: the bind cannot fail here
            try (Socket c = new Socket(LOOPBACK, listen.getPort())) {
                c.getOutputStream().write("ping".getBytes());
                assertThat(c.getInputStream().readNBytes(4)).isEqualTo("ping".getBytes());
                c.shutdownOutput(); // the echo ends, so the drain below finds nothing open
                assertThat(c.getInputStream().read()).isEqualTo(-1);
            }
            proxy.beforeRelease(change(RouterState.BACKUP));
            assertThat(proxy.listening()).isFalse();
            assertThat(proxy.forcedCloses()).as("the drain ended because nothing was open, not by its timeout").isZero();
            assertThatThrownBy(() -> new Socket(LOOPBACK, listen.getPort()).close()).isInstanceOf(ConnectException.class);
            assertThat(proxy.acceptedConnections()).isEqualTo(1);
            proxy.close();
        }
    }

    @Test
    void aReleaseClosesConnectionsStillOpenAtTheDrainTimeout() throws Exception {
        try (ServerSocket backend = echoServer(); ServerSocket probe = new ServerSocket(0, 1, LOOPBACK)) {
            InetSocketAddress listen = new InetSocketAddress(LOOPBACK, freePort(probe));
            VipProxy proxy = new VipProxy(listen, (InetSocketAddress) backend.getLocalSocketAddress(), Duration.ofMillis(200));
            proxy.beforeAcquire(change(RouterState.MASTER));
            try (Socket c = new Socket(LOOPBACK, listen.getPort())) {
                c.getOutputStream().write(1);
                assertThat(c.getInputStream().read()).isEqualTo(1); // proxied and open
                proxy.beforeRelease(change(RouterState.BACKUP));
                assertThat(proxy.forcedCloses()).isEqualTo(1);
                assertThat(proxy.openConnections()).isZero();
                assertThat(c.getInputStream().read()).isEqualTo(-1); // the proxy closed it
            }
            proxy.close();
        }
    }

    @Test
    void aMasterCallbackListensWhenTheHookCouldNotAndNotAfterARelease() throws Exception {
        try (ServerSocket backend = echoServer(); ServerSocket probe = new ServerSocket(0, 1, LOOPBACK)) {
            InetSocketAddress listen = new InetSocketAddress(LOOPBACK, freePort(probe));
            VipProxy proxy = new VipProxy(listen, (InetSocketAddress) backend.getLocalSocketAddress(), Duration.ZERO);
            proxy.onMaster(change(RouterState.MASTER));
            assertThat(proxy.listening()).as("no beforeAcquire: not ours").isFalse();
            proxy.beforeAcquire(change(RouterState.MASTER));
            proxy.beforeRelease(change(RouterState.BACKUP));
            proxy.onMaster(change(RouterState.MASTER)); // late callback of the earlier MASTER
            assertThat(proxy.listening()).isFalse();
            proxy.close();
            proxy.beforeAcquire(change(RouterState.MASTER));
            assertThat(proxy.listening()).as("closed for good").isFalse();
        }
    }

    @Test
    void refusesAWildcardOrUnresolvedAddressAndANegativeDrain() {
        InetSocketAddress backend = new InetSocketAddress(LOOPBACK, 3306);
        assertThatThrownBy(() -> new VipProxy(new InetSocketAddress(3306), backend, Duration.ZERO))
                .hasMessageContaining("must be the virtual address itself");
        assertThatThrownBy(() -> new VipProxy(new InetSocketAddress(LOOPBACK, 3306),
                InetSocketAddress.createUnresolved("db", 3306), Duration.ZERO))
                .hasMessageContaining("backend db/<unresolved>:3306 must be a resolved address");
        assertThatThrownBy(() -> new VipProxy(new InetSocketAddress(LOOPBACK, 3306), backend, Duration.ofSeconds(-1)))
                .hasMessage("drain timeout PT-1S must be zero or positive");
    }

    @Test
    void commandLineRefusals() {
        assertThatThrownBy(() -> ProxyCommand.parse(new String[] {"--vrid"})).hasMessage("--vrid needs a value");
        assertThatThrownBy(() -> ProxyCommand.parse(new String[] {"--vrid", "x"})).hasMessage("--vrid x is not a whole number");
        assertThatThrownBy(() -> ProxyCommand.parse(new String[] {"--bogus", "1"})).hasMessage("unknown option --bogus");
        assertThatThrownBy(() -> ProxyCommand.parse(new String[] {"--vrid", "1"}))
                .hasMessage("--interface, --vrid, --vip and --backend are required");
        assertThatThrownBy(() -> ProxyCommand.parse(new String[] {"--backend", "db"}))
                .hasMessage("--backend db must be HOST:PORT, e.g. 198.51.100.13:3306");
        ProxyCommand.Options o = ProxyCommand.parse(new String[] {"--interface", "eth0", "--vrid", "50", "--vip",
                "198.51.100.50/24", "--backend", "198.51.100.13:3306", "--nopreempt", "--unicast-peer", "198.51.100.12"});
        assertThat(o.port()).isEqualTo(3306);
        assertThat(o.preempt()).isFalse();
        assertThat(o.unicastPeers()).containsExactly("198.51.100.12");
        assertThat(o.drainTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThatThrownBy(() -> ProxyCommand.parse(new String[] {"--interface", "eth0", "--vrid", "50", "--vip",
                "198.51.100.50/24", "--backend", "198.51.100.13:3306", "--port", "70000"}))
                .hasMessage("--port 70000 is outside 1-65535");
    }

    private static int freePort(ServerSocket probe) throws IOException {
        int port = probe.getLocalPort();
        probe.close();
        return port;
    }

    private static StateChange change(RouterState to) {
        return new StateChange(new RouterId("VI_50", "lo", 50, IpFamily.IPV4), RouterState.BACKUP, to,
                TransitionReason.values()[0], 100, Instant.EPOCH);
    }

    /** A backend that echoes every connection until the client half-closes. */
    private static ServerSocket echoServer() throws IOException {
        ServerSocket s = new ServerSocket(0, 10, LOOPBACK);
        Thread t = new Thread(() -> {
            while (!s.isClosed()) {
                try {
                    Socket c = s.accept();
                    Thread echo = new Thread(() -> {
                        try (c; InputStream in = c.getInputStream(); OutputStream out = c.getOutputStream()) {
                            in.transferTo(out);
                        } catch (IOException ignored) {
                            // the test closed it
                        }
                    });
                    echo.setDaemon(true);
                    echo.start();
                } catch (IOException e) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return s;
    }
}
