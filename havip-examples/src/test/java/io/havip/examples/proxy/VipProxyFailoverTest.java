package io.havip.examples.proxy;

import static io.havip.test.HavipAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.havip.core.AddressHook;
import io.havip.core.StateChange;
import io.havip.test.HavipCluster;
import io.havip.test.HavipClusterExtension;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * VipProxy driven by real routers of the havip-test kit (two nodes on the in-memory network,
 * virtual clock), each node's proxy on its own loopback port: only the master's proxy listens, it
 * still serves while its release hooks run, and the address and the listener move together on a
 * planned stop and on a crash. (Formerly the first case of {@link VipProxyTest}, which called the
 * hooks with made-up changes.)
 */
class VipProxyFailoverTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final ServerSocket backend = VipProxyTest.echoServer();
    private final Map<String, VipProxy> proxies = new ConcurrentHashMap<>();
    private final Map<String, InetSocketAddress> listen = new ConcurrentHashMap<>();
    /** What each node's proxy reported while a later hook ran before the release: still listening? */
    private final List<Boolean> listeningDuringRelease = new CopyOnWriteArrayList<>();

    @RegisterExtension
    final HavipClusterExtension havip = HavipClusterExtension.withNodes("n1", "n2")
            .configure(c -> c.configure((node, b) -> {
                VipProxy proxy = proxies.computeIfAbsent(node, this::proxy);
                b.hook(proxy, proxy.hookTimeout()).listener(proxy)
                        .hook(new AddressHook() {
                            @Override
                            public void beforeRelease(StateChange pending) {
                                listeningDuringRelease.add(proxy.listening());
                            }
                        }, Duration.ofSeconds(1));
            }));

    VipProxyFailoverTest() throws IOException {
    }

    private VipProxy proxy(String node) {
        try (ServerSocket probe = new ServerSocket(0, 1, LOOPBACK)) {
            InetSocketAddress address = new InetSocketAddress(LOOPBACK, probe.getLocalPort());
            listen.put(node, address);
            VipProxy proxy = new VipProxy(address, (InetSocketAddress) backend.getLocalSocketAddress(),
                    Duration.ofSeconds(1));
            proxy.warmUp();
            return proxy;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterEach
    void closeProxies() throws IOException {
        proxies.values().forEach(VipProxy::close);
        backend.close();
    }

    @Test
    void onlyTheMastersProxyListensAndItMovesWithTheAddress(HavipCluster cluster) throws Exception {
        assertThat(proxies.get("n1").listening()).as("BACKUP at start, after the warm-up: nothing open").isFalse();
        refused("n1");
        cluster.advance(Duration.ofMillis(500));
        assertThat(cluster).hasMaster("n1");
        assertThat(proxies.get("n1").listening()).isTrue();
        assertThat(proxies.get("n1").listeningOn()).isEqualTo(VipProxy.Listening.VIP); // loopback is local
        assertThat(proxies.get("n2").listening()).isFalse();
        echoes("n1");
        refused("n2");

        cluster.stop("n1"); // planned: priority 0, n2 takes over, n1 releases and hears STOP
        assertThat(cluster).hasMaster("n2");
        assertThat(listeningDuringRelease).as("the address is still here while release hooks run: clients still"
                + " arrive and are served").containsExactly(true);
        awaitNotListening("n1");
        assertThat(proxies.get("n1").lastListening()).isEqualTo(VipProxy.Listening.VIP);
        refused("n1");
        assertThat(proxies.get("n1").forcedCloses()).as("the drain ended because nothing was open").isZero();
        assertThat(proxies.get("n2").listening()).isTrue();
        echoes("n2");
        assertThat(proxies.get("n1").acceptedConnections()).isEqualTo(1);

        cluster.restart("n1"); // same proxy object: the node's application restarts its router
        cluster.advance(Duration.ofMillis(500));
        assertThat(cluster).hasMaster("n1"); // preempts
        awaitNotListening("n2");
        echoes("n1");

        cluster.crash("n1");
        cluster.advance(Duration.ofMillis(500));
        assertThat(cluster).hasMaster("n2");
        assertThat(proxies.get("n2").listening()).isTrue();
        echoes("n2");
    }

    private void awaitNotListening(String node) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (proxies.get(node).listening() && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        assertThat(proxies.get(node).listening()).as("%s stopped listening", node).isFalse();
    }

    private void refused(String node) {
        assertThatThrownBy(() -> new Socket(LOOPBACK, listen.get(node).getPort()).close())
                .isInstanceOf(ConnectException.class);
    }

    /** One connection through {@code node}'s proxy to the echo backend, ended by the client. */
    private void echoes(String node) throws IOException {
        try (Socket c = new Socket(LOOPBACK, listen.get(node).getPort())) {
            c.getOutputStream().write("ping".getBytes());
            assertThat(c.getInputStream().readNBytes(4)).isEqualTo("ping".getBytes());
            c.shutdownOutput();
            assertThat(c.getInputStream().read()).isEqualTo(-1);
        }
    }
}
