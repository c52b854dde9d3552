package io.havip.vrrp.it;

import io.havip.arp.testbed.Cmd;
import io.havip.arp.testbed.LinuxTestRequirements;
import io.havip.arp.testbed.Node;
import io.havip.arp.testbed.Testbed;
import io.havip.core.net.IpAddress;
import io.havip.core.net.MacAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the outside sees of a VIP: who holds it ({@code ip -j addr}), and whether a client reaches it, at which MAC. */
public final class VipChecks {

    private static final Pattern LOCAL = Pattern.compile("\"local\":\"([^\"]+)\"");
    private static final Pattern PING = Pattern.compile("(\\d+) packets transmitted, (\\d+) received");

    private VipChecks() {
    }

    /** Whether {@code node}'s eth0 carries {@code vip}, according to {@code ip -j addr}. */
    public static boolean holds(Node node, IpAddress vip) {
        Matcher m = LOCAL.matcher(node.addressesJson());
        while (m.find()) {
            if (IpAddress.parse(m.group(1)).equals(vip)) {
                return true;
            }
        }
        return false;
    }

    /** The nodes among {@code nodes} holding {@code vip}. */
    public static List<Node> holders(List<Node> nodes, IpAddress vip) {
        return nodes.stream().filter(n -> holds(n, vip)).toList();
    }

    /** Waits until exactly {@code expected} of {@code nodes} holds {@code vip}. */
    public static void awaitSoleHolder(List<Node> nodes, Node expected, IpAddress vip, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        List<Node> now;
        while (!(now = holders(nodes, vip)).equals(List.of(expected))) {
            if (System.nanoTime() > end) {
                throw new AssertionError("expected only " + expected.name() + " to hold " + vip + " within " + timeout
                        + " but holders are " + now.stream().map(Node::name).toList());
            }
            HavipProcess.sleep(20);
        }
    }

    /**
     * Waits until {@code client} pings {@code vip} and its neighbour entry for it is {@code owner}'s MAC,
     * i.e. the client really talks to the new master.
     */
    public static void awaitClientReaches(Node client, IpAddress vip, Node owner, Duration timeout) {
        LinuxTestRequirements.require("ping");
        MacAddress want = owner.mac();
        long end = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (true) {
            Cmd.Result ping = client.exec("ping", "-n", "-c", "1", "-W", "1", vip.toString());
            Optional<MacAddress> seen = client.neighbour(vip);
            if (ping.exit() == 0 && seen.equals(Optional.of(want))) {
                return;
            }
            last = "ping exit " + ping.exit() + ", neighbour " + seen.map(MacAddress::toString).orElse("none");
            if (System.nanoTime() > end) {
                throw new AssertionError(client.name() + " did not reach " + vip + " at " + owner.name() + "'s MAC " + want
                        + " within " + timeout + ": " + last + "; neigh: " + client.neighboursJson());
            }
            HavipProcess.sleep(50);
        }
    }

    /** A background {@code ping -i 0.01} from the client, to count what a failover costs it. */
    public static final class PingRun implements AutoCloseable {
        private final Process process;
        private final CompletableFuture<String> out;

        public PingRun(Node client, IpAddress vip, int count) {
            LinuxTestRequirements.require("ping");
            try {
                process = new ProcessBuilder("ip", "netns", "exec", client.namespace(), "ping", "-n", "-q", "-i", "0.01",
                        "-W", "1", "-c", Integer.toString(count), vip.toString()).redirectErrorStream(true).start();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            out = CompletableFuture.supplyAsync(() -> {
                try (var in = process.getInputStream()) {
                    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    return "";
                }
            });
        }

        /** Waits for ping to finish and returns {transmitted, received}. */
        public long[] result() throws Exception {
            String text = out.get(60, TimeUnit.SECONDS);
            Matcher m = PING.matcher(text);
            if (!m.find()) {
                throw new AssertionError("no ping summary in: " + text);
            }
            return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
        }

        @Override
        public void close() {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
        }
    }

    /**
     * Drops every frame to and from {@code node}'s bridge port with an nftables bridge-family
     * table in the bridge namespace (this kernel has no netem); {@link Partition#close()} heals.
     */
    public static Partition isolate(Testbed net, Node node) {
        LinuxTestRequirements.require("nft");
        String table = "havip_isolate_" + node.name();
        String rules = "table bridge " + table + " {\n chain forward {\n  type filter hook forward priority 0; policy accept;\n"
                + "  iifname \"" + node.bridgePort() + "\" drop\n  oifname \"" + node.bridgePort() + "\" drop\n }\n}\n";
        runNft(net, rules);
        return new Partition(net, table);
    }

    /** Loads {@code script} with {@code nft -f} in the bridge namespace of {@code net}. */
    public static void runNft(Testbed net, String script) {
        try {
            Path f = Files.createTempFile("havip-nft-", ".nft");
            try {
                Files.writeString(f, script);
                Cmd.check("ip", "netns", "exec", net.bridgeNamespace(), "nft", "-f", f.toString());
            } finally {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** An active nftables partition; closing deletes its table (idempotent). */
    public static final class Partition implements AutoCloseable {
        private final Testbed net;
        private final String table;
        private boolean open = true;

        /** Owns the bridge-family table {@code table} (already loaded) in {@code net}'s bridge namespace. */
        public Partition(Testbed net, String table) {
            this.net = net;
            this.table = table;
        }

        @Override
        public void close() {
            if (open) {
                open = false;
                Cmd.run("ip", "netns", "exec", net.bridgeNamespace(), "nft", "delete", "table", "bridge", table);
            }
        }
    }
}
