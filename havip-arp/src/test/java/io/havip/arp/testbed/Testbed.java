package io.havip.arp.testbed;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A throw-away network for one test: a bridge {@code br0} in its own namespace and nodes,
 * each in its own namespace, joined to it by a veth pair ({@code eth0} in the node,
 * {@code v<node>} on the bridge). Namespace names carry a random suffix. Node {@code n}
 * (1-based) gets 198.51.100.{10+n}/24 and 2001:db8::{10+n}/64 (DAD off in the namespaces,
 * so addresses are usable at once). Nothing touches the root namespace's interfaces.
 *
 * <p>{@link #close()} deletes every namespace (which deletes the veths); a JVM shutdown hook
 * deletes any that are left if the JVM exits first. Test code only: it runs {@code ip}.
 */
public final class Testbed implements AutoCloseable {

    private static final Set<String> LIVE = Collections.synchronizedSet(new LinkedHashSet<>());
    private static final SecureRandom RANDOM = new SecureRandom();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            List<String> left;
            synchronized (LIVE) {
                left = new ArrayList<>(LIVE);
            }
            left.forEach(ns -> Cmd.run("ip", "netns", "del", ns));
        }, "havip-testbed-cleanup"));
    }

    private final String suffix;
    private final String bridgeNamespace;
    private final List<Node> nodes = new ArrayList<>();
    private final List<String> namespaces = new ArrayList<>();
    private boolean closed;

    private Testbed() {
        byte[] r = new byte[3];
        RANDOM.nextBytes(r);
        suffix = HexFormat.of().formatHex(r);
        bridgeNamespace = "hvbr-" + suffix;
    }

    /** Creates the bridge namespace; skips (or fails under CI) when root or {@code ip} is missing. */
    public static Testbed create() {
        LinuxTestRequirements.require("ip");
        Testbed t = new Testbed();
        try {
            t.addNamespace(t.bridgeNamespace);
            Cmd.check("ip", "-n", t.bridgeNamespace, "link", "add", "br0", "type", "bridge", "stp_state", "0",
                    "forward_delay", "0");
            Cmd.check("ip", "-n", t.bridgeNamespace, "link", "set", "br0", "up");
            return t;
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
    }

    private void addNamespace(String ns) {
        LIVE.add(ns);
        namespaces.add(ns);
        Cmd.check("ip", "netns", "add", ns);
        Cmd.check("ip", "-n", ns, "link", "set", "lo", "up");
        // No DAD in test namespaces: a fresh 2001:db8:: or fe80:: address is bindable at once.
        Cmd.check("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.accept_dad=0",
                "net.ipv6.conf.default.accept_dad=0");
    }

    /** Adds node {@code name} (letters/digits, at most 8) with the next addresses; see the class comment. */
    public synchronized Node addNode(String name) {
        if (!name.matches("[a-z0-9]{1,8}")) {
            throw new IllegalArgumentException("node name \"" + name + "\" must be 1-8 lower-case letters or digits");
        }
        int number = nodes.size() + 1;
        String ns = "hv" + name + "-" + suffix;
        addNamespace(ns);
        String peer = "v" + name;
        Cmd.check("ip", "-n", ns, "link", "add", "eth0", "type", "veth", "peer", "name", peer, "netns",
                bridgeNamespace);
        Cmd.check("ip", "-n", bridgeNamespace, "link", "set", peer, "master", "br0", "up");
        Node node = new Node(this, name, ns, peer, "198.51.100." + (10 + number), "2001:db8::" + (10 + number));
        Cmd.check("ip", "-n", ns, "addr", "add", node.ipv4() + "/24", "dev", "eth0");
        Cmd.check("ip", "-n", ns, "addr", "add", node.ipv6() + "/64", "dev", "eth0", "nodad");
        Cmd.check("ip", "-n", ns, "link", "set", "eth0", "up");
        awaitLinkLocal(ns);
        nodes.add(node);
        return node;
    }

    /** Waits (up to 5 s) until eth0 has a usable IPv6 link-local address, which VRRPv3 over IPv6 sends from. */
    private static void awaitLinkLocal(String ns) {
        long end = System.nanoTime() + 5_000_000_000L;
        while (true) {
            String out = Cmd.check("ip", "-n", ns, "-6", "addr", "show", "dev", "eth0", "scope", "link");
            if (out.contains("inet6 fe80:") && !out.contains("tentative")) {
                return;
            }
            if (System.nanoTime() > end) {
                throw new IllegalStateException("no usable link-local address on eth0 in " + ns + ": " + out);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    public String bridgeNamespace() {
        return bridgeNamespace;
    }

    /** The random suffix every namespace name of this testbed ends with. */
    public String suffix() {
        return suffix;
    }

    public synchronized List<Node> nodes() {
        return List.copyOf(nodes);
    }

    /** Runs {@code ip ARGS} in the bridge namespace, e.g. to take a node's bridge port down. */
    public String bridgeIp(String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "-n", bridgeNamespace));
        cmd.addAll(List.of(args));
        return Cmd.run(cmd).check().stdout();
    }

    /** Deletes every namespace of this testbed; idempotent; never throws. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Node n : nodes) {
            n.shutdown();
        }
        for (int i = namespaces.size() - 1; i >= 0; i--) {
            String ns = namespaces.get(i);
            Cmd.run("ip", "netns", "del", ns);
            LIVE.remove(ns);
        }
    }

    /** Whether namespace {@code ns} still exists (for the testbed's own tests). */
    public static boolean namespaceExists(String ns) {
        return Cmd.run("ip", "netns", "list").stdout().lines().anyMatch(l -> l.split(" ")[0].equals(ns));
    }
}
