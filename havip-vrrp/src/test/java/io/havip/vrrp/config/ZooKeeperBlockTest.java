package io.havip.vrrp.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code havip { zookeeper { ... } }}: every key, the defaults, and each refusal with its file, line and key. */
class ZooKeeperBlockTest {

    private static final String INSTANCE = "vrrp_instance VI {\n interface eth0\n virtual_router_id 51\n"
            + " virtual_ipaddress {\n  198.51.100.50\n }\n}\n";

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("keepalived.conf");
    }

    /** The block's lines start at line 9 (havip { is line 8). */
    private HavipSettings havip(String zookeeperBody) {
        return KeepalivedConfigReader.parse(INSTANCE + "havip {\n zookeeper {\n" + zookeeperBody + "\n }\n}\n", file())
                .havip();
    }

    private String error(String zookeeperBody) {
        try {
            havip(zookeeperBody);
        } catch (ConfigException e) {
            assertThat(e.getMessage()).startsWith(file() + ":").doesNotContain("Exception");
            return e.getMessage().substring(file().toString().length() + 1);
        }
        throw new AssertionError("no ConfigException for:\n" + zookeeperBody);
    }

    @Test
    void everyKeyIsRead() {
        ZooKeeperSettings z = havip("  connect 10.0.0.11:2181,10.0.0.12:2181,10.0.0.13:2181/chroot\n  path /havip/prod\n"
                + "  mode lease\n  session_timeout 4500ms\n  unreachable hold\n  node node-1.a").zookeeper().orElseThrow();
        assertThat(z.connect()).isEqualTo("10.0.0.11:2181,10.0.0.12:2181,10.0.0.13:2181/chroot");
        assertThat(z.path()).isEqualTo("/havip/prod");
        assertThat(z.mode()).isEqualTo(ZooKeeperSettings.Mode.LEASE);
        assertThat(z.sessionTimeout()).isEqualTo(Duration.ofMillis(4500));
        assertThat(z.unreachable()).isEqualTo(ZooKeeperSettings.Unreachable.HOLD);
        assertThat(z.node()).contains("node-1.a");
        assertThat(z.location().line()).isEqualTo(9);
    }

    @Test
    void theDefaultsAreTheSafeOnesAndTheBlockDoesNotAskForTheLivenessChannel() {
        HavipSettings h = havip("  connect zk1:2181");
        ZooKeeperSettings z = h.zookeeper().orElseThrow();
        assertThat(z.path()).isEqualTo("/havip");
        assertThat(z.mode()).isEqualTo(ZooKeeperSettings.Mode.GUARD);
        assertThat(z.sessionTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(z.unreachable()).isEqualTo(ZooKeeperSettings.Unreachable.RELEASE);
        assertThat(z.node()).isEmpty();
        assertThat(h.livenessOn()).isFalse();
        assertThat(havip("  connect zk1:2181\n  session_timeout 7").zookeeper().orElseThrow().sessionTimeout())
                .as("plain seconds").isEqualTo(Duration.ofSeconds(7));
        assertThat(havip("  connect zk1:2181\n  session_timeout 2.5s").zookeeper().orElseThrow().sessionTimeout())
                .isEqualTo(Duration.ofMillis(2500));
        assertThat(KeepalivedConfigReader.parse(INSTANCE, file()).havip().zookeeper()).isEqualTo(Optional.empty());
    }

    @Test
    void refusalsNameTheLineTheKeyAndWhatWouldDo() {
        assertThat(error("  connect zk1:2181\n  sesion_timeout 10s")).isEqualTo("11: key 'sesion_timeout': unknown "
                + "keyword 'sesion_timeout' in zookeeper (allowed: connect, path, mode, session_timeout, unreachable, node)");
        assertThat(error("  path /havip")).startsWith("9: key 'zookeeper': no connect line");
        assertThat(error("  connect zk1:99999")).startsWith("10: key 'connect': 'zk1:99999' is not host:port");
        assertThat(error("  connect zk1:2181,,zk2:2181")).startsWith("10: key 'connect': '' is not host:port");
        assertThat(error("  connect zk1:2181\n  path havip")).startsWith("11: key 'path': 'havip' is not an absolute "
                + "ZooKeeper path");
        assertThat(error("  connect zk1:2181\n  path /havip/../x")).contains("segment '..' cannot name a ZooKeeper node");
        assertThat(error("  connect zk1:2181\n  mode vrrp")).startsWith("11: key 'mode': \"vrrp\" is not a mode (allowed: "
                + "guard");
        assertThat(error("  connect zk1:2181\n  session_timeout 10m")).startsWith("11: key 'session_timeout': \"10m\" is "
                + "not a duration");
        assertThat(error("  connect zk1:2181\n  session_timeout 500ms")).startsWith("11: key 'session_timeout': 500ms is "
                + "out of range (allowed: 1s-3600s");
        assertThat(error("  connect zk1:2181\n  unreachable ignore")).startsWith("11: key 'unreachable': \"ignore\" is "
                + "not what to do when ZooKeeper is unreachable (allowed: release (default");
        assertThat(error("  connect zk1:2181\n  node a/b")).startsWith("11: key 'node': node 'a/b' cannot name a "
                + "ZooKeeper node");
        assertThat(error("  connect zk1:2181\n  connect zk2:2181")).startsWith("11: key 'connect': given twice in "
                + "zookeeper (first at ");
        assertThat(error("  connect zk1:2181\n  mode { guard }")).startsWith("11: key 'mode': takes a value, not a");
        assertThat(error("  connect")).startsWith("10: key 'connect':");
    }

    @Test
    void theBlockTwiceOrWithoutBracesIsRefused() {
        String twice = INSTANCE + "havip {\n zookeeper {\n  connect a:1\n }\n zookeeper {\n  connect b:1\n }\n}\n";
        try {
            KeepalivedConfigReader.parse(twice, file());
            throw new AssertionError("accepted twice");
        } catch (ConfigException e) {
            assertThat(e.getMessage()).contains(":12: key 'zookeeper': given twice in havip");
        }
        try {
            KeepalivedConfigReader.parse(INSTANCE + "havip {\n zookeeper zk1:2181\n}\n", file());
            throw new AssertionError("accepted without braces");
        } catch (ConfigException e) {
            assertThat(e.getMessage()).contains(":9: key 'zookeeper': takes a { ... } block");
        }
    }
}
