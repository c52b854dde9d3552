package io.havip.examples.havipd;

import io.havip.arp.testbed.Cmd;
import io.havip.arp.testbed.Node;
import io.havip.core.net.IpAddress;
import io.havip.core.net.MacAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the outside sees of a VIP: which nodes carry it ({@code ip -j addr}) and whether a client reaches it, at which MAC. */
final class VipView {

    private static final Pattern LOCAL = Pattern.compile("\"local\":\"([^\"]+)\"");

    private VipView() {
    }

    static boolean holds(Node node, IpAddress vip) {
        Matcher m = LOCAL.matcher(node.addressesJson());
        while (m.find()) {
            if (IpAddress.parse(m.group(1)).equals(vip)) {
                return true;
            }
        }
        return false;
    }

    static List<String> holders(List<Node> nodes, IpAddress vip) {
        return nodes.stream().filter(n -> holds(n, vip)).map(Node::name).toList();
    }

    /** Waits until the names of the nodes among {@code nodes} carrying {@code vip} are exactly {@code expected}. */
    static void awaitHolders(List<Node> nodes, IpAddress vip, List<String> expected, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        List<String> now;
        while (!(now = holders(nodes, vip)).equals(expected)) {
            if (System.nanoTime() > end) {
                throw new AssertionError("expected " + expected + " to carry " + vip + " within " + timeout + " but "
                        + now + " do");
            }
            VrrpDaemon.sleep(20);
        }
    }

    /** Waits until {@code client} pings {@code vip} and its neighbour entry for it is {@code owner}'s MAC. */
    static void awaitClientReaches(Node client, IpAddress vip, Node owner, Duration timeout) {
        MacAddress want = owner.mac();
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            Cmd.Result ping = client.exec("ping", "-n", "-c", "1", "-W", "1", vip.toString());
            Optional<MacAddress> seen = client.neighbour(vip);
            if (ping.exit() == 0 && seen.equals(Optional.of(want))) {
                return;
            }
            if (System.nanoTime() > end) {
                throw new AssertionError(client.name() + " did not reach " + vip + " at " + owner.name() + "'s MAC " + want
                        + " within " + timeout + ": ping exit " + ping.exit() + ", neighbour "
                        + seen.map(MacAddress::toString).orElse("none"));
            }
            VrrpDaemon.sleep(50);
        }
    }
}
