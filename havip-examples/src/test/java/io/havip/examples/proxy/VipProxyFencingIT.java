package io.havip.examples.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.havip.arp.testbed.LinuxTestRequirements;
import io.havip.arp.testbed.Node;
import io.havip.arp.testbed.Testbed;
import io.havip.arp.testbed.TestbedExtension;
import io.havip.core.RouterId;
import io.havip.core.RouterState;
import io.havip.core.StateChange;
import io.havip.core.TransitionReason;
import io.havip.core.net.IpFamily;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The MySQL proxy passes the fencing token on, and MariaDB refuses the old holder's late write:
 * a real MariaDB with the fence of {@link MySqlFencing}'s comment (a fence row, a check procedure,
 * a trigger on {@code havip.t}), and two fencing proxies in front of it, the old holder (acquired
 * under token 5) and the new one (token 6). The old holder was paused through the takeover: it
 * never heard that it lost the lease, so it still listens and its session (opened under token 5)
 * is still open when it resumes. Once the new holder has written, the old session's write is
 * refused by the database, and so is a new session through the old holder; the new holder's
 * writes go on. The tokens come from made-up StateChanges here (the routers' side, where the
 * ZooKeeper lease issues them, is havip-zookeeper's ITs); what is real is the proxy's handshake
 * relay with the token set in the session, and the database's refusal.
 */
@ExtendWith(TestbedExtension.class)
class VipProxyFencingIT {

    static final String FENCE = """
            CREATE TABLE havip_fence (id TINYINT PRIMARY KEY, token BIGINT NOT NULL);
            INSERT INTO havip_fence VALUES (1, -1);
            CREATE PROCEDURE havip_fence_check()
            BEGIN
              DECLARE seen BIGINT;
              SELECT token INTO seen FROM havip_fence WHERE id = 1 FOR UPDATE;
              IF @havip_fencing_token IS NULL OR @havip_fencing_token < seen THEN
                SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'havip fence: a newer VIP holder has written; write refused';
              ELSEIF @havip_fencing_token > seen THEN
                UPDATE havip_fence SET token = @havip_fencing_token WHERE id = 1;
              END IF;
            END;
            CREATE TRIGGER t_fenced BEFORE INSERT ON t FOR EACH ROW CALL havip_fence_check()
            """;

    @Test
    void theOldHoldersLateWriteIsRefusedOnceTheNewHolderHasWritten(Testbed net) throws Exception {
        LinuxTestRequirements.require("mariadbd", "mariadb-install-db");
        Node db = net.addNode("db");
        List<Fenced> proxies = new ArrayList<>();
        try (MariaDbServer server = MariaDbServer.start(db)) {
            installFence(db, server);
            InetSocketAddress backend = new InetSocketAddress(db.ipv4().toInetAddress(), MariaDbServer.PORT);
            Fenced old = proxy(db, backend, proxies);
            Fenced fresh = proxy(db, backend, proxies);

            db.run(() -> old.proxy().beforeAcquire(master(5)));
            assertThat(old.proxy().listening()).isTrue();
            db.run(() -> {
                try (Connection oldSession = connect(old)) {
                    insert(oldSession, 1); // the old holder's term: token 5 raises the fence to 5

                    // the takeover, while the old holder is paused: the new holder acquires under token 6
                    fresh.proxy().beforeAcquire(master(6)); // (already on db's namespace thread)
                    try (Connection newSession = connect(fresh)) {
                        insert(newSession, 2);

                        // the old holder resumes, still listening, its session still open: its write is late
                        assertThatThrownBy(() -> insert(oldSession, 3)).isInstanceOf(SQLException.class)
                                .hasMessageContaining("havip fence: a newer VIP holder has written");
                        try (Connection lateSession = connect(old)) {
                            assertThatThrownBy(() -> insert(lateSession, 4)).isInstanceOf(SQLException.class)
                                    .hasMessageContaining("havip fence");
                        }
                        insert(newSession, 5); // the new holder's term goes on
                    }
                }
                try (Connection direct = DriverManager.getConnection(server.directUrl(), MariaDbServer.USER,
                        MariaDbServer.PASSWORD)) {
                    assertThatThrownBy(() -> insert(direct, 6)).as("a session without a token is fenced too")
                            .isInstanceOf(SQLException.class).hasMessageContaining("havip fence");
                    assertThat(rows(direct)).containsExactly(1L, 2L, 5L);
                }
            });
            assertThat(old.proxy().fenceRefusals()).isZero();
            assertThat(fresh.proxy().fenceRefusals()).isZero();

            // fencing on but no token (VRRP alone): the proxy refuses the connection instead of piping it unfenced
            Fenced unfenced = proxy(db, backend, proxies);
            db.run(() -> unfenced.proxy().beforeAcquire(master(StateChange.NO_TOKEN)));
            db.run(() -> assertThatThrownBy(() -> connect(unfenced).close()).isInstanceOf(SQLException.class));
            assertThat(unfenced.proxy().fenceRefusals()).isEqualTo(1);
        } finally {
            proxies.forEach(p -> p.proxy().close());
        }
    }

    /** Creates {@link #FENCE} in {@code server}'s database havip (which has table t), connecting from {@code node}. */
    static void installFence(Node node, MariaDbServer server) throws Exception {
        node.run(() -> {
            try (Connection c = DriverManager.getConnection(server.directUrl(), MariaDbServer.USER,
                    MariaDbServer.PASSWORD); Statement s = c.createStatement()) {
                for (String sql : FENCE.split(";\n(?=CREATE|INSERT)")) {
                    s.execute(sql);
                }
            }
        });
    }

    /** A fencing proxy and the loopback port it serves. */
    private record Fenced(VipProxy proxy, int port) {
    }

    /** A fencing proxy on a free loopback port of {@code db}'s namespace. */
    private static Fenced proxy(Node db, InetSocketAddress backend, List<Fenced> proxies) throws Exception {
        int port = db.call(() -> {
            try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                return probe.getLocalPort();
            }
        });
        Fenced p = new Fenced(new VipProxy(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), backend,
                Duration.ofSeconds(1), true), port);
        proxies.add(p);
        return p;
    }

    private static Connection connect(Fenced proxy) throws SQLException {
        return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + proxy.port() + "/havip?connectTimeout=5000",
                MariaDbServer.USER, MariaDbServer.PASSWORD);
    }

    private static void insert(Connection c, long seq) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO t (seq) VALUES (?)")) {
            s.setLong(1, seq);
            s.executeUpdate();
        }
    }

    private static List<Long> rows(Connection c) throws SQLException {
        List<Long> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT seq FROM t ORDER BY seq")) {
            while (r.next()) {
                out.add(r.getLong(1));
            }
        }
        return out;
    }

    private static StateChange master(long token) {
        return new StateChange(new RouterId("VI_50", "eth0", 50, IpFamily.IPV4), RouterState.BACKUP, RouterState.MASTER,
                TransitionReason.values()[0], 100, Instant.EPOCH, token);
    }
}
