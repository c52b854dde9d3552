package io.havip.examples.havipd;

import static org.assertj.core.api.Assertions.assertThat;

import io.havip.arp.testbed.Cmd;
import io.havip.arp.testbed.LinuxTestRequirements;
import io.havip.arp.testbed.Node;
import io.havip.arp.testbed.Testbed;
import io.havip.arp.testbed.TestbedExtension;
import io.havip.vrrp.config.KeepalivedConfigReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * havipd's verdict on configuration files where it takes a real process or a real keepalived:
 * a file (or include target) the daemon's user may not read, run as user nobody (root reads
 * everything); and two instances of one VRID, each file also given to {@code keepalived -t}
 * (2.2.7) in the same namespace, so havipd refuses what keepalived refuses (issue #17 items 11
 * and 7).
 */
@ExtendWith(TestbedExtension.class)
class HavipdConfigFilesIT {

    private static final String NL = System.lineSeparator();
    private Path dir;

    @BeforeEach
    void directoryNobodyCanEnter() throws IOException {
        dir = Files.createTempDirectory("havipd-config-", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
    }

    @AfterEach
    void removeDirectory() throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static String instance(String name, String iface, int vrid, String vip, String extra) {
        return "vrrp_instance " + name + " {\n interface " + iface + "\n virtual_router_id " + vrid + "\n" + extra
                + " virtual_ipaddress {\n  " + vip + "\n }\n}\n";
    }

    private Path write(String name, String text, String mode) throws IOException {
        Path f = Files.writeString(dir.resolve(name), text);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
        return f;
    }

    /** {@code havipd --check -f FILE} as user nobody in {@code node}'s namespace: its exit status and stderr. */
    private static Cmd.Result checkAsNobody(Node node, Path file) throws InterruptedException {
        return node.java(Havipd.class, "--check", "-f", file.toString()).withClassesOf(KeepalivedConfigReader.class)
                .asUser(65534).start().await(120);
    }

    @Test
    void aFileOrIncludeTargetTheUserMayNotReadIsNamedWithWhatToDo(Testbed net) throws Exception {
        Node node = net.addNode("a");
        String vi = instance("VI", "eth0", 51, "198.51.100.50", "");
        Path secret = write("secret.conf", vi, "rw-------");

        Cmd.Result main = checkAsNobody(node, secret);
        // before: "FILE:0: cannot read the configuration file: java.nio.file.AccessDeniedException: FILE"
        assertThat(main.exit()).as(main.stderr()).isEqualTo(Havipd.CONFIG_ERROR);
        assertThat(main.stderr()).contains(secret + ":0: cannot read the configuration file: permission denied to user"
                + " nobody; make the file (and the directories above it) readable by nobody, e.g. with chmod or chgrp, or"
                + " run as a user who can read it" + NL + secret + ": configuration NOT usable" + NL)
                .doesNotContain("Exception");

        Path strict = write("strict.conf", "global_defs {\n router_id r1\n}\nincluder secret.conf\n", "rw-r--r--");
        Cmd.Result includer = checkAsNobody(node, strict);
        // before: "key 'includer': 'secret.conf' matched no readable file in DIR", the reason hidden
        assertThat(includer.exit()).as(includer.stderr()).isEqualTo(Havipd.CONFIG_ERROR);
        assertThat(includer.stderr()).contains(strict + ":4: includer 'secret.conf': cannot read " + secret + ": permission"
                + " denied to user nobody; make the file (and the directories above it) readable by nobody, e.g. with"
                + " chmod or chgrp, or run as a user who can read it, or remove the line" + NL);

        Path tolerant = write("tolerant.conf", "include secret.conf\n" + vi.replace("VI", "OTHER").replace("51", "52"),
                "rw-r--r--");
        Cmd.Result include = checkAsNobody(node, tolerant);
        assertThat(include.exit()).as(include.stderr()).isZero();
        assertThat(include.stdout()).contains(tolerant + ":1: warning: include 'secret.conf': cannot read " + secret
                + ": permission denied to user nobody; nothing included from it, as keepalived does; make the file (and"
                + " the directories above it) readable by nobody, e.g. with chmod or chgrp, or run as a user who can read"
                + " it, or remove the line" + NL);

        Path key = write("liveness.key", "0123456789abcdef0123456789abcdef\n", "rw-------");
        Path withKey = write("havip.conf", "havip {\n liveness_secret_file liveness.key\n}\n" + vi, "rw-r--r--");
        Cmd.Result secretKey = checkAsNobody(node, withKey);
        // before: "cannot read FILE: AccessDeniedException FILE"
        assertThat(secretKey.exit()).as(secretKey.stderr()).isEqualTo(Havipd.CONFIG_ERROR);
        assertThat(secretKey.stderr()).contains(withKey + ":2: key 'liveness_secret_file': cannot read " + key + ":"
                + " permission denied to user nobody; make the file (and the directories above it) readable by nobody,"
                + " e.g. with chmod or chgrp, or run as a user who can read it (allowed: ").doesNotContain("Exception");
    }

    private record Verdicts(int keepalived, String keepalivedSays, int havipd, String havipdSays) { }

    /** {@code keepalived -t -f FILE} in {@code node}'s namespace (its interfaces must exist) and {@code havipd --check}. */
    private Verdicts verdicts(Node node, String name, String text) throws IOException {
        Path f = write(name, text, "rw-r--r--");
        Cmd.Result k = node.exec("keepalived", "-t", "-f", f.toString());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Havipd.run(new String[] {"--check", "-f", f.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), (n, b) -> {
                    throw new AssertionError("--check must not start routers");
                }, new Havipd.Control());
        return new Verdicts(k.exit(), k.stdout() + k.stderr(), status, err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void twoInstancesOfOneVridAreRefusedWhereKeepalivedRefusesThem(Testbed net) throws Exception {
        LinuxTestRequirements.require("keepalived");
        Node node = net.addNode("a");
        node.ip("link", "add", "eth1", "type", "veth", "peer", "name", "eth1p");
        node.ip("link", "set", "eth1", "up");
        node.ip("link", "set", "eth1p", "up");
        String peer = " unicast_peer {\n  198.51.100.99\n }\n";

        Verdicts same = verdicts(node, "same.conf", instance("A", "eth0", 51, "198.51.100.50", "")
                + instance("B", "eth0", 51, "198.51.100.51", ""));
        assertThat(same.keepalived()).as(same.keepalivedSays()).isNotZero();
        assertThat(same.keepalivedSays()).contains("A and B both use VRID 51 with IPv4 on interface eth0");
        assertThat(same.havipd()).isEqualTo(Havipd.CONFIG_ERROR);
        assertThat(same.havipdSays()).contains("same.conf:10: key 'virtual_router_id': vrrp_instance 'A' (" + dir
                + "/same.conf:3) and vrrp_instance 'B' (" + dir + "/same.conf:10) both use virtual_router_id 51 for IPv4 on"
                + " interface eth0");

        for (String[] refused : new String[][] {
                {"v2v3.conf", " version 2\n", " version 3\n", "198.51.100.50", "198.51.100.51", "with IPv4 on interface eth0"},
                {"ipv6.conf", "", "", "2001:db8::50", "2001:db8::51", "with IPv6 on interface eth0"},
                {"vmac.conf", " use_vmac\n", " use_vmac\n", "198.51.100.50", "198.51.100.51", "with IPv4 on interface eth0"},
                {"unicast.conf", peer, peer, "198.51.100.50", "198.51.100.51", "(A) duplicate VRID conflict with B VRID 51"}}) {
            Verdicts v = verdicts(node, refused[0], instance("A", "eth0", 51, refused[3], refused[1])
                    + instance("B", "eth0", 51, refused[4], refused[2]));
            assertThat(v.keepalived()).as(refused[0] + ": " + v.keepalivedSays()).isNotZero();
            assertThat(v.keepalivedSays()).as(refused[0]).contains(refused[5]);
            assertThat(v.havipd()).as(refused[0] + ": " + v.havipdSays()).isEqualTo(Havipd.CONFIG_ERROR);
            assertThat(v.havipdSays()).as(refused[0]).contains("both use virtual_router_id 51");
        }

        for (String[] accepted : new String[][] {
                {"interfaces.conf", "eth0", "", "198.51.100.50", "eth1", "", "198.51.100.51"},
                {"families.conf", "eth0", " version 2\n", "198.51.100.50", "eth0", " version 3\n", "2001:db8::51"},
                {"peers.conf", "eth0", peer, "198.51.100.50", "eth0", peer.replace("99", "98"), "198.51.100.51"},
                {"mixed.conf", "eth0", peer, "198.51.100.50", "eth0", "", "198.51.100.51"}}) {
            Verdicts v = verdicts(node, accepted[0], instance("A", accepted[1], 51, accepted[3], accepted[2])
                    + instance("B", accepted[4], 51, accepted[6], accepted[5]));
            assertThat(v.keepalived()).as(accepted[0] + ": " + v.keepalivedSays()).isZero();
            assertThat(v.havipd()).as(accepted[0] + ": " + v.havipdSays()).isZero();
        }

        // the one difference, on purpose: keepalived tells them apart by mcast_dst_ip, which havip does not support
        Verdicts mcast = verdicts(node, "mcast.conf", instance("A", "eth0", 51, "198.51.100.50", " mcast_dst_ip 224.0.0.19\n")
                + instance("B", "eth0", 51, "198.51.100.51", ""));
        assertThat(mcast.keepalived()).as(mcast.keepalivedSays()).isZero();
        assertThat(mcast.havipd()).isEqualTo(Havipd.CONFIG_ERROR);
        assertThat(mcast.havipdSays()).contains("keepalived would accept them only because of mcast_dst_ip, which havip"
                + " does not support");
    }
}
