package io.havip.examples.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.havip.core.RouterId;
import io.havip.core.RouterState;
import io.havip.core.StateChange;
import io.havip.core.TransitionReason;
import io.havip.core.net.IpFamily;
import io.havip.vrrp.liveness.LivenessConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * VipProxy on loopback (no root): the acquire hook opens the listener, the proxy serves until the
 * router reports the address gone (not merely about to go), then drains; bytes are forwarded both ways.
 */
class VipProxyTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @Test
    void theCloseOfARouterServesUntilItsStopReportThenTheProxyDrains() throws Exception {
        try (ServerSocket backend = echoServer(); ServerSocket probe = new ServerSocket(0, 1, LOOPBACK)) {
            InetSocketAddress listen = new InetSocketAddress(LOOPBACK, freePort(probe));
            VipProxy proxy = new VipProxy(listen, (InetSocketAddress) backend.getLocalSocketAddress(), Duration.ofSeconds(5));
            proxy.beforeAcquire(change(RouterState.MASTER));
            try (Socket c = new Socket(LOOPBACK, listen.getPort())) {
                c.getOutputStream().write(1);
                assertThat(c.getInputStream().read()).isEqualTo(1);
                proxy.beforeRelease(change(RouterState.STOP)); // close() of a master: the hook runs first
                echoes(listen);
                proxy.onStop(change(RouterState.STOP));
                assertThat(proxy.listening()).isFalse();
                assertThat(proxy.openConnections()).as("draining on its own thread, not closed").isEqualTo(1);
                c.getOutputStream().write(2);
                assertThat(c.getInputStream().read()).as("still forwarded while it drains").isEqualTo(2);
                c.shutdownOutput();
                assertThat(c.getInputStream().read()).isEqualTo(-1);
            }
            long start = System.nanoTime();
            proxy.close();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("nothing left to drain").isLessThan(Duration.ofSeconds(4));
            assertThat(proxy.forcedCloses()).isZero();
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
                proxy.onBackup(change(RouterState.BACKUP));
                c.setSoTimeout(5_000);
                assertThat(c.getInputStream().read()).isEqualTo(-1); // the drain thread closed it at 200 ms
                assertThat(proxy.forcedCloses()).isEqualTo(1);
                assertThat(proxy.openConnections()).isZero();
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
            proxy.onBackup(change(RouterState.BACKUP));
            proxy.onMaster(change(RouterState.MASTER)); // late callback of the earlier MASTER
            assertThat(proxy.listening()).isFalse();
            proxy.close();
            proxy.beforeAcquire(change(RouterState.MASTER));
            assertThat(proxy.listening()).as("closed for good").isFalse();
        }
    }

    @Test
    void aReleaseReportThatLagsBehindTheNextAcquireLeavesItsListenerOpen() throws Exception {
        try (ServerSocket backend = echoServer(); ServerSocket probe = new ServerSocket(0, 1, LOOPBACK)) {
            InetSocketAddress listen = new InetSocketAddress(LOOPBACK, freePort(probe));
            VipProxy proxy = new VipProxy(listen, (InetSocketAddress) backend.getLocalSocketAddress(), Duration.ZERO);
            proxy.onBackup(change(RouterState.INITIALIZE, RouterState.BACKUP)); // start-up: nothing to close
            // Hook thread: acquire, release, acquire again; the listener thread reports them afterwards.
            proxy.beforeAcquire(change(RouterState.MASTER));
            proxy.beforeRelease(change(RouterState.BACKUP));
            proxy.beforeAcquire(change(RouterState.MASTER));
            proxy.onMaster(change(RouterState.MASTER));
            proxy.onBackup(change(RouterState.BACKUP)); // the first release, reported late
            assertThat(proxy.listening()).as("acquired again since that release").isTrue();
            echoes(listen);
            proxy.onMaster(change(RouterState.MASTER));
            proxy.beforeRelease(change(RouterState.FAULT));
            proxy.onFault(change(RouterState.FAULT));
            assertThat(proxy.listening()).as("the second release").isFalse();
            proxy.onStop(change(RouterState.FAULT, RouterState.STOP));
            assertThat(proxy.listening()).isFalse();
            proxy.close();
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
        assertThatThrownBy(() -> parse(new String[] {"--vrid"})).hasMessage("--vrid needs a value");
        assertThatThrownBy(() -> parse(new String[] {"--vrid", "x"})).hasMessage("--vrid x is not a whole number");
        assertThatThrownBy(() -> parse(new String[] {"--bogus", "1"})).hasMessage("unknown option --bogus");
        assertThatThrownBy(() -> parse(new String[] {"--vrid", "1"}))
                .hasMessage("--interface, --vrid, --vip and --backend are required");
        assertThatThrownBy(() -> parse(new String[] {"--backend", "db"}))
                .hasMessage("--backend db must be HOST:PORT, e.g. 198.51.100.13:3306");
        ProxyCommand.Options o = parse(new String[] {"--interface", "eth0", "--vrid", "50", "--vip",
                "198.51.100.50/24", "--backend", "198.51.100.13:3306", "--nopreempt", "--unicast-peer", "198.51.100.12"});
        assertThat(o.port()).isEqualTo(3306);
        assertThat(o.preempt()).isFalse();
        assertThat(o.unicastPeers()).containsExactly("198.51.100.12");
        assertThat(o.drainTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThatThrownBy(() -> parse(new String[] {"--interface", "eth0", "--vrid", "50", "--vip",
                "198.51.100.50/24", "--backend", "198.51.100.13:3306", "--port", "70000"}))
                .hasMessage("--port 70000 is outside 1-65535");
    }

    @Test
    void zooKeeperOptionsAndTheirRefusals() {
        String[] base = {"--interface", "eth0", "--vrid", "50", "--vip", "198.51.100.50/24", "--backend",
            "198.51.100.13:3306"};
        assertThatThrownBy(() -> parse(concat(base, "--fence-mysql"))).hasMessage("--fence-mysql needs a fencing token,"
                + " which only a ZooKeeper lease gives: give the ensemble with --zookeeper HOST:PORT,...");
        assertThatThrownBy(() -> parse(concat(base, "--lease-only"))).hasMessageEndingWith(
                "give the ensemble with --zookeeper HOST:PORT,...");
        assertThatThrownBy(() -> parse(concat(base, "--zookeeper", "198.51.100.21:2181", "--zookeeper-session-ms", "0")))
                .hasMessage("--zookeeper-session-ms 0 must be positive, e.g. 10000");
        assertThat(parse(base).zookeeper()).isEmpty();
        ProxyCommand.Options o = parse(concat(base, "--zookeeper", "198.51.100.21:2181,198.51.100.22:2181", "--lease-only",
                "--fence-mysql", "--zookeeper-session-ms", "4000", "--node-name", "proxy1"));
        assertThat(o.fenceMySql()).isTrue();
        assertThat(o.preempt()).isTrue();
        assertThat(o.zookeeper()).contains(new ProxyCommand.ZooKeeper("198.51.100.21:2181,198.51.100.22:2181", "/havip",
                Duration.ofSeconds(4), java.util.Optional.of("proxy1"), true));
    }

    @Test
    void zooKeeperAuthFileAndItsRefusals(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        String[] base = {"--interface", "eth0", "--vrid", "50", "--vip", "198.51.100.50/24", "--backend",
            "198.51.100.13:3306"};
        Path auth = dir.resolve("zk-auth");
        Files.writeString(auth, "proxy:Zk-Secret-77\n");
        Files.setPosixFilePermissions(auth, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        ProxyCommand.Options o = parse(concat(base, "--zookeeper", "198.51.100.21:2181", "--zookeeper-auth-file",
                auth.toString()));
        var a = o.zookeeper().orElseThrow().auth().orElseThrow();
        assertThat(a.user()).isEqualTo("proxy");
        assertThat(new String(a.password(), java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("Zk-Secret-77");
        assertThat(o.zookeeper().orElseThrow().toString()).doesNotContain("Zk-Secret");
        assertThatThrownBy(() -> parse(concat(base, "--zookeeper-auth-file", auth.toString())))
                .hasMessageEndingWith("give the ensemble with --zookeeper HOST:PORT,...");
        Files.setPosixFilePermissions(auth, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> parse(concat(base, "--zookeeper", "198.51.100.21:2181", "--zookeeper-auth-file",
                auth.toString()))).hasMessage("--zookeeper-auth-file " + auth + " is readable by every user: whoever "
                + "reads it can take the ZooKeeper leases; make it readable by the daemon only (chmod 600 " + auth + ")");
        Files.writeString(auth, "no-colon\n");
        Files.setPosixFilePermissions(auth, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() -> parse(concat(base, "--zookeeper", "198.51.100.21:2181", "--zookeeper-auth-file",
                auth.toString()))).hasMessageContaining("without a ':'").hasMessageNotContaining("no-colon\n");
        assertThatThrownBy(() -> parse(concat(base, "--zookeeper", "198.51.100.21:2181", "--zookeeper-auth-file",
                dir.resolve("missing").toString()))).hasMessageContaining("does not exist");
    }

    @Test
    void withoutNonLocalBindItListensOnTheWildcardAndResetsConnectionsToOtherAddresses() throws Exception {
        // 198.51.100.77 is not an address of this host: the bind fails unless ip_nonlocal_bind is 1 here.
        assumeThat(Files.readString(Path.of("/proc/sys/net/ipv4/ip_nonlocal_bind")).strip()).isEqualTo("0");
        try (ServerSocket backend = echoServer(); ServerSocket probe = new ServerSocket(0, 1, LOOPBACK)) {
            int port = freePort(probe);
            VipProxy proxy = new VipProxy(new InetSocketAddress(InetAddress.getByName("198.51.100.77"), port),
                    (InetSocketAddress) backend.getLocalSocketAddress(), Duration.ZERO);
            proxy.beforeAcquire(change(RouterState.MASTER));
            assertThat(proxy.listeningOn()).isEqualTo(VipProxy.Listening.WILDCARD);
            try (Socket c = new Socket(LOOPBACK, port)) {
                c.setSoTimeout(5_000);
                assertThatThrownBy(() -> {
                    c.getOutputStream().write(1);
                    c.getInputStream().read();
                }).as("reset: not made to the VIP").isInstanceOf(SocketException.class).hasMessageContaining("reset");
            }
            assertThat(proxy.notOurs()).isEqualTo(1);
            assertThat(proxy.acceptedConnections()).isZero();
            proxy.onStop(change(RouterState.STOP));
            assertThat(proxy.listening()).isFalse();
            proxy.close();
        }
    }

    @Test
    void theLivenessSecretComesFromAFileOrTheEnvironmentNeverTheCommandLine(@TempDir Path dir) throws Exception {
        String[] base = {"--interface", "eth0", "--vrid", "50", "--vip", "198.51.100.50/24", "--backend", "198.51.100.13:3306"};
        assertThat(parse(base).liveness()).isEmpty();
        Path file = Files.writeString(dir.resolve("secret"), "0123456789abcdef-proxy\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        LivenessConfig l = parse(concat(base, "--liveness-secret-file", file.toString(), "--liveness-grace-ms", "10",
                "--liveness-port", "11999")).liveness().orElseThrow();
        assertThat(l.secret()).as("without its line break").isEqualTo("0123456789abcdef-proxy".getBytes());
        assertThat(l.grace()).isEqualTo(Duration.ofMillis(10));
        assertThat(l.portFor(50)).isEqualTo(11999);
        LivenessConfig env = ProxyCommand.parse(concat(base, "--liveness-secret-env", "PROXY_SECRET"),
                Map.of("PROXY_SECRET", "from the environment, 34 bytes")::get).liveness().orElseThrow();
        assertThat(env.secret()).isEqualTo("from the environment, 34 bytes".getBytes());
        assertThat(env.grace()).isEqualTo(LivenessConfig.DEFAULT_GRACE);
        assertThat(env.portFor(50)).isEqualTo(11250);

        assertThatThrownBy(() -> parse(concat(base, "--liveness-secret", "0123456789abcdef-proxy")))
                .hasMessageStartingWith("--liveness-secret is not accepted: a secret on the command line can be read by"
                        + " every user").hasMessageNotContaining("0123456789abcdef");
        Files.writeString(file, "short\n");
        assertThatThrownBy(() -> parse(concat(base, "--liveness-secret-file", file.toString())))
                .hasMessage("--liveness-secret-file " + file + " holds 5 bytes (not shown), fewer than 16; use a random"
                        + " string such as the output of `openssl rand -base64 24`, the same on every proxy node");
        assertThatThrownBy(() -> parse(concat(base, "--liveness-secret-file", dir.resolve("none").toString())))
                .hasMessageContaining("none does not exist");
        assertThatThrownBy(() -> parse(concat(base, "--liveness-secret-env", "NOT_SET")))
                .hasMessage("--liveness-secret-env NOT_SET: the environment has no variable NOT_SET; set it to the shared secret");
        assertThatThrownBy(() -> parse(concat(base, "--liveness-port", "11999")))
                .hasMessage("--liveness-port needs the liveness channel on: give its secret with --liveness-secret-file or"
                        + " --liveness-secret-env");
        Files.writeString(file, "0123456789abcdef-proxy");
        assertThatThrownBy(() -> parse(concat(base, "--liveness-secret-file", file.toString(), "--liveness-grace-ms", "5000")))
                .hasMessageStartingWith("--liveness-grace-ms 5000 is outside 0-1000");
        assertThatThrownBy(() -> parse(concat(base, "--liveness-secret-file", file.toString(), "--liveness-secret-env", "X")))
                .hasMessage("--liveness-secret-env: the secret is already given by --liveness-secret-file; give one of"
                        + " --liveness-secret-file or --liveness-secret-env, once");
    }

    private static ProxyCommand.Options parse(String... args) {
        return ProxyCommand.parse(args, name -> null);
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    /** One connection through the proxy to the echo backend, ended by the client. */
    private static void echoes(InetSocketAddress listen) throws IOException {
        try (Socket c = new Socket(LOOPBACK, listen.getPort())) {
            c.getOutputStream().write("ping".getBytes());
            assertThat(c.getInputStream().readNBytes(4)).isEqualTo("ping".getBytes());
            c.shutdownOutput(); // the echo ends, so a drain finds nothing open
            assertThat(c.getInputStream().read()).isEqualTo(-1);
        }
    }

    private static int freePort(ServerSocket probe) throws IOException {
        int port = probe.getLocalPort();
        probe.close();
        return port;
    }

    /** To MASTER from BACKUP; anything else from MASTER (a release). */
    private static StateChange change(RouterState to) {
        return change(to == RouterState.MASTER ? RouterState.BACKUP : RouterState.MASTER, to);
    }

    private static StateChange change(RouterState from, RouterState to) {
        return new StateChange(new RouterId("VI_50", "lo", 50, IpFamily.IPV4), from, to, TransitionReason.values()[0], 100,
                Instant.EPOCH);
    }

    /** A backend that echoes every connection until the client half-closes (also {@link VipProxyFailoverTest}'s). */
    static ServerSocket echoServer() throws IOException {
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
