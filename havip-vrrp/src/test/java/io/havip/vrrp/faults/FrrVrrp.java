package io.havip.vrrp.faults;

import io.havip.arp.testbed.Cmd;
import io.havip.arp.testbed.LinuxTestRequirements;
import io.havip.arp.testbed.Node;
import io.havip.core.net.InterfaceAddress;
import io.havip.core.net.IpFamily;
import io.havip.core.net.MacAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A real FRR VRRP router (Debian {@code frr}: zebra and vrrpd) in a node's namespace, as FRR
 * wants it (docs.frrouting.org, VRRP): a macvlan on eth0 named {@code vrrp4-<vrid>} or
 * {@code vrrp6-<vrid>} carrying the VRID's virtual MAC (RFC 5798 section 7.3) and the virtual
 * address; vrrpd finds it by that MAC, advertises from it and switches its protodown flag
 * (down while BACKUP, up as MASTER), so the kernel answers for the address at the virtual MAC
 * exactly while FRR is master. Each instance has its own pathspace ({@code -N}) under
 * /var/run/frr and its own files; {@link #close} stops the two daemons by the PIDs they wrote
 * and removes the macvlan and the pathspace.
 */
final class FrrVrrp implements AutoCloseable {

    private static final Path ZEBRA = Path.of("/usr/lib/frr/zebra");
    private static final Path VRRPD = Path.of("/usr/lib/frr/vrrpd");

    private final Node node;
    private final String macvlan;
    private final Path dir;
    private final Path runDir;
    private final List<Path> pidFiles = new ArrayList<>();

    private FrrVrrp(Node node, String macvlan, Path dir, Path runDir) {
        this.node = node;
        this.macvlan = macvlan;
        this.dir = dir;
        this.runDir = runDir;
    }

    /** Skips (fails under CI=true) unless FRR's zebra and vrrpd are installed. */
    static void require() {
        LinuxTestRequirements.require("ip");
        if (Files.isExecutable(ZEBRA) && Files.isExecutable(VRRPD)) {
            return;
        }
        String message = "this test needs FRR's " + ZEBRA + " and " + VRRPD + " (apt-get install frr)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail("CI=true, so this is a failure, not a skip: " + message);
        }
        Assumptions.abort(message);
    }

    /**
     * Starts FRR in {@code node} as a VRRPv3 router of {@code vrid} for {@code vip} at
     * {@code priority} (preempting, FRR's default), advertising every {@code intervalMs}.
     */
    static FrrVrrp start(Node node, int vrid, InterfaceAddress vip, int priority, int intervalMs) {
        require();
        boolean v6 = vip.family() == IpFamily.IPV6;
        String macvlan = (v6 ? "vrrp6-" : "vrrp4-") + vrid;
        MacAddress vmac = MacAddress.vrrp(vip.family(), vrid);
        String pathspace = node.namespace();
        Path dir;
        try {
            dir = Files.createTempDirectory("havip-frr-" + node.name());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path runDir = Path.of("/var/run/frr", pathspace);
        FrrVrrp frr = new FrrVrrp(node, macvlan, dir, runDir);
        try {
            // FRR's own files and sockets belong to its user (the daemons drop root after start-up)
            Cmd.check("mkdir", "-p", runDir.toString());
            Cmd.check("chown", "frr:frr", runDir.toString(), dir.toString());
            if (!v6) {
                // Only the macvlan answers ARP for the address (eth0 would too, arp_ignore=0), and ARP
                // requests from eth0 carry eth0's own address (arp_announce=2), never the virtual one.
                node.exec("sysctl", "-q", "-w", "net.ipv4.conf.all.arp_ignore=1", "net.ipv4.conf.all.arp_announce=2")
                        .check();
            }
            node.ip("link", "add", macvlan, "link", "eth0", "type", "macvlan", "mode", "bridge");
            // a link-local address of its own, not eth0's (FRR sends its IPv6 adverts from it)
            node.ip("link", "set", macvlan, "address", vmac.toString(), "addrgenmode", "random");
            node.ip(v6 ? "-6" : "-4", "addr", "add", vip.toString(), "dev", macvlan);
            node.ip("link", "set", macvlan, "up");
            if (v6) {
                awaitLinkLocal(node, macvlan);
            }
            Files.writeString(dir.resolve("zebra.conf"), "");
            Files.writeString(dir.resolve("vrrpd.conf"), String.join("\n",
                    "interface eth0",
                    " vrrp " + vrid + " version 3",
                    " vrrp " + vrid + " priority " + priority,
                    " vrrp " + vrid + " advertisement-interval " + intervalMs,
                    " vrrp " + vrid + (v6 ? " ipv6 " : " ip ") + vip.address(),
                    ""));
            Cmd.check("chown", "-R", "frr:frr", dir.toString());
            frr.daemon(ZEBRA, "zebra", pathspace);
            awaitFile(runDir.resolve("zserv.api"));
            frr.daemon(VRRPD, "vrrpd", pathspace);
            return frr;
        } catch (IOException | RuntimeException e) {
            frr.close();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    private void daemon(Path binary, String name, String pathspace) {
        Path pid = dir.resolve(name + ".pid");
        pidFiles.add(pid);
        node.exec(binary.toString(), "-N", pathspace, "-f", dir.resolve(name + ".conf").toString(), "-i", pid.toString(),
                "-d", "--log", "file:" + dir.resolve(name + ".log"), "--log-level", "debug").check();
        awaitFile(pid);
    }

    /** vrrpd's log (state changes: "Backup -> Master"). */
    String log() {
        try {
            Path log = dir.resolve("vrrpd.log");
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static void awaitFile(Path file) {
        long end = System.nanoTime() + 10_000_000_000L;
        while (!Files.exists(file)) {
            if (System.nanoTime() > end) {
                throw new IllegalStateException("FRR did not create " + file + " within 10 s");
            }
            sleep(20);
        }
    }

    private static void awaitLinkLocal(Node node, String ifname) {
        long end = System.nanoTime() + 5_000_000_000L;
        while (true) {
            String out = node.ip("-6", "addr", "show", "dev", ifname, "scope", "link");
            if (out.contains("inet6 fe80:") && !out.contains("tentative")) {
                return;
            }
            if (System.nanoTime() > end) {
                throw new IllegalStateException("no usable link-local address on " + ifname + " of " + node + ": " + out);
            }
            sleep(20);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Stops vrrpd, then zebra (by the PIDs they wrote), and removes the macvlan and the pathspace. */
    @Override
    public void close() {
        for (int i = pidFiles.size() - 1; i >= 0; i--) {
            Path pid = pidFiles.get(i);
            try {
                if (Files.exists(pid)) {
                    String p = Files.readString(pid).strip();
                    if (p.matches("\\d+")) {
                        Cmd.run("kill", p);
                        long end = System.nanoTime() + 5_000_000_000L;
                        while (Files.exists(Path.of("/proc", p)) && System.nanoTime() < end) {
                            sleep(20);
                        }
                        if (Files.exists(Path.of("/proc", p))) {
                            Cmd.run("kill", "-KILL", p);
                        }
                    }
                }
            } catch (IOException e) {
                // the testbed removes the namespace anyway
            }
        }
        Cmd.run("ip", "-n", node.namespace(), "link", "del", macvlan);
        Cmd.run("rm", "-rf", runDir.toString());
    }
}
