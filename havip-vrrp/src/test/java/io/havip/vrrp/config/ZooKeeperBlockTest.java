package io.havip.vrrp.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
                + "keyword 'sesion_timeout' in zookeeper (allowed: connect, path, mode, session_timeout, unreachable, node, "
                + "auth_file)");
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

    private Path authFile(String name, String content, String mode) throws Exception {
        Path f = dir.resolve(name);
        Files.write(f, content.getBytes(StandardCharsets.UTF_8));
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
        return f;
    }

    @Test
    void authFileGivesDigestCredentialsAndNeverShowsThePassword() throws Exception {
        Path f = authFile("zk-auth", "havip:Secret-Pa55:with:colons\n", "rw-------");
        KeepalivedConfig c = KeepalivedConfigReader.parse(INSTANCE + "havip {\n zookeeper {\n  connect zk1:2181\n"
                + "  auth_file " + f + "\n }\n}\n", file());
        ZooKeeperSettings z = c.havip().zookeeper().orElseThrow();
        ZooKeeperSettings.Auth a = z.auth().orElseThrow();
        assertThat(a.user()).isEqualTo("havip");
        assertThat(new String(a.password(), StandardCharsets.US_ASCII)).as("the first ':' splits; a line break is not part")
                .isEqualTo("Secret-Pa55:with:colons");
        assertThat(a.file()).isEqualTo(f);
        assertThat(z.toString()).contains("digest user havip from " + f + " (password not shown)").doesNotContain("Secret");
        assertThat(c.warnings()).isEmpty();
        // relative to the configuration file, CRLF too
        authFile("rel-auth", "u:p\r\n", "rw-------");
        assertThat(new String(havip("  connect zk1:2181\n  auth_file rel-auth").zookeeper().orElseThrow().auth()
                .orElseThrow().password(), StandardCharsets.US_ASCII)).isEqualTo("p");
        assertThat(havip("  connect zk1:2181").zookeeper().orElseThrow().auth()).isEmpty();
        // group-readable: warned, as the liveness secret file
        Path g = authFile("group-auth", "havip:Secret-Pa55\n", "rw-r-----");
        KeepalivedConfig warned = KeepalivedConfigReader.parse(INSTANCE + "havip {\n zookeeper {\n  connect zk1:2181\n"
                + "  auth_file " + g + "\n }\n}\n", file());
        assertThat(warned.warnings()).extracting(ConfigWarning::toString).singleElement().asString()
                .contains(":11:", "readable by its group", "chmod 600").doesNotContain("Secret");
    }

    @Test
    void authFileRefusalsNameFileLineAndKeyAndNeverThePassword() throws Exception {
        String missing = dir.resolve("nope").toString();
        assertThat(error("  connect zk1:2181\n  auth_file " + missing)).startsWith("11:").contains("key 'auth_file': "
                + missing + " does not exist");
        Path world = authFile("world", "havip:Secret-Pa55\n", "rw-r--r--");
        assertThat(error("  connect zk1:2181\n  auth_file " + world)).contains("key 'auth_file': " + world
                + " is readable by every user", "chmod 600").doesNotContain("Secret");
        Path empty = authFile("empty", "\n", "rw-------");
        assertThat(error("  connect zk1:2181\n  auth_file " + empty)).contains(empty + " is empty");
        Path noColon = authFile("nocolon", "Secret-Pa55\n", "rw-------");
        assertThat(error("  connect zk1:2181\n  auth_file " + noColon)).contains(noColon + " holds 11 bytes (not shown) "
                + "without a ':'").doesNotContain("Secret");
        Path noPassword = authFile("nopass", "havip:\n", "rw-------");
        assertThat(error("  connect zk1:2181\n  auth_file " + noPassword)).contains("the password for user 'havip' is empty");
        Path twoLines = authFile("twolines", "havip:Secret-Pa55\nmore\n", "rw-------");
        assertThat(error("  connect zk1:2181\n  auth_file " + twoLines)).contains("not printable ASCII at position 12 of 16")
                .doesNotContain("Secret");
        Path badUser = authFile("baduser", "ha vip:Secret-Pa55\n", "rw-------");
        assertThat(error("  connect zk1:2181\n  auth_file " + badUser)).contains("its character 3 is U+0020");
        assertThat(error("  connect zk1:2181\n  auth_file " + dir)).contains(dir + " is not a regular file");
        assertThat(error("  connect zk1:2181\n  auth_file")).startsWith("11: key 'auth_file':");
        // inline credentials: refused, not echoed
        assertThat(error("  connect zk1:2181\n  auth havip:Secret-Pa55")).startsWith("11: key 'auth': credentials are not "
                + "taken in the configuration file").contains("auth_file PATH").doesNotContain("Secret");
        assertThat(error("  connect zk1:2181\n  password Secret-Pa55")).startsWith("11: key 'password'")
                .doesNotContain("Secret");
    }

    @Test
    void anAuthFileLinePastedWithInvisibleCharactersIsReadAsItLooks() throws Exception {
        Path f = authFile("zk-auth", "havip:Secret-Pa55\n", "rw-------");
        KeepalivedConfig c = KeepalivedConfigReader.parse(INSTANCE + "havip {\n zookeeper {\n  connect zk1:2181\n"
                + "  auth\u200B_file\u00A0" + f + "\n }\n}\n", file());
        assertThat(c.havip().zookeeper().orElseThrow().auth().orElseThrow().user()).isEqualTo("havip");
        assertThat(c.warnings()).extracting(w -> w.location().line()).containsExactly(11);
        // a character that displays the text as other than it is: refused, escaped, with its line
        try {
            KeepalivedConfigReader.parse(INSTANCE + "havip {\n zookeeper {\n  connect zk1:2181\n  auth_file "
                    + f.toString().replace("zk-auth", "zk\u202E-auth") + "\n }\n}\n", file());
            throw new AssertionError("accepted a bidi override");
        } catch (ConfigException e) {
            assertThat(e.getMessage()).contains(":11:", "<U+202E>").doesNotContain("\u202E");
        }
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
