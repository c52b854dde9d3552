package io.havip.examples.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.havip.core.RouterId;
import io.havip.core.RouterState;
import io.havip.core.StateChange;
import io.havip.core.TransitionReason;
import io.havip.core.net.IpFamily;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * A fencing proxy against a scripted backend on loopback (no root, no MariaDB): a connection whose
 * session cannot be fenced is closed on both sides, never piped unfenced, and counted. (The real
 * exchange with MariaDB is {@link VipProxyFencingIT}.)
 */
class MySqlFencingTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    /** A minimal greeting: protocol 10, version "x", NUL. */
    private static final byte[] GREETING = {3, 0, 0, 0, 10, 'x', 0};

    @Test
    void aClientAskingForTlsIsClosedNotPipedUnfenced() throws Exception {
        byte[] sslRequest = new byte[4 + 32];
        sslRequest[0] = 32;
        sslRequest[3] = 1;
        sslRequest[4 + 1] = 0x08; // CLIENT_SSL (0x800) in the capability flags
        assertRefused(sslRequest, null);
    }

    @Test
    void aClientAskingForCompressionIsClosed() throws Exception {
        byte[] login = new byte[4 + 32];
        login[0] = 32;
        login[3] = 1;
        login[4] = 0x20; // CLIENT_COMPRESS
        assertRefused(login, null);
    }

    @Test
    void anUnexpectedAnswerToTheLoginIsClosed() throws Exception {
        byte[] login = new byte[4 + 32];
        login[0] = 32;
        login[3] = 1;
        assertRefused(login, new byte[] {1, 0, 0, 2, 0x42});
    }

    @Test
    void aServerRefusingTheTokenClosesTheConnectionBeforeTheClientSeesTheLogin() throws Exception {
        byte[] login = new byte[4 + 32];
        login[0] = 32;
        login[3] = 1;
        // OK to the login, then an ERR to the SET: the client must never see the OK
        assertRefused(login, new byte[] {7, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 9, 0, 0, 1, (byte) 0xFF, 0x10, 0x04, '#', 'H', 'Y',
            '0', '0', '0'});
    }

    /**
     * The backend sends the greeting, reads the login, answers {@code answer} (when not null), and
     * the proxy must close the client after the greeting, the backend too, and count one refusal.
     */
    private static void assertRefused(byte[] login, byte[] answer) throws Exception {
        try (ServerSocket backend = new ServerSocket(0, 1, LOOPBACK); ServerSocket probe = new ServerSocket(0, 1, LOOPBACK)) {
            InetSocketAddress listen = new InetSocketAddress(LOOPBACK, probe.getLocalPort());
            probe.close();
            VipProxy proxy = new VipProxy(listen, (InetSocketAddress) backend.getLocalSocketAddress(), Duration.ofSeconds(1),
                    true);
            try {
                proxy.beforeAcquire(new StateChange(new RouterId("VI_50", "lo", 50, IpFamily.IPV4), RouterState.BACKUP,
                        RouterState.MASTER, TransitionReason.values()[0], 100, Instant.EPOCH, 7));
                try (Socket client = new Socket(LOOPBACK, listen.getPort())) {
                    client.setSoTimeout(5_000);
                    try (Socket server = backend.accept()) {
                        server.setSoTimeout(5_000);
                        server.getOutputStream().write(GREETING);
                        InputStream fromProxy = client.getInputStream();
                        assertThat(fromProxy.readNBytes(GREETING.length)).isEqualTo(GREETING);
                        OutputStream toProxy = client.getOutputStream();
                        toProxy.write(login);
                        InputStream atServer = server.getInputStream();
                        if (answer != null) {
                            assertThat(atServer.readNBytes(login.length)).isEqualTo(login);
                            server.getOutputStream().write(answer);
                        }
                        byte[] rest = fromProxy.readAllBytes();
                        if (answer != null && answer[4] == 0) {
                            assertThat(rest).as("the login's OK must not reach the client").isEmpty();
                        }
                        long end = System.nanoTime() + 5_000_000_000L;
                        while (atServer.read() >= 0 && System.nanoTime() < end) {
                            // drain what the proxy sent (the SET) until it closes
                        }
                    }
                }
                assertThat(proxy.fenceRefusals()).isEqualTo(1);
                assertThat(proxy.openConnections()).isZero();
            } finally {
                proxy.close();
            }
        }
    }
}
