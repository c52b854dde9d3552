package io.havip.vrrp.it;

import io.havip.arp.testbed.Node;
import io.havip.core.net.IpAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Address family and advert delivery of a two-node havip router in the ITs. */
public enum Mode {
    IPV4_MULTICAST(false, false),
    IPV4_UNICAST(false, true),
    IPV6_MULTICAST(true, false),
    IPV6_UNICAST(true, true),
    /** keepalived's habit: global peers; the engine then sends from its own address in their subnet. */
    IPV6_UNICAST_GLOBAL(true, true);

    static final String VIP4 = "198.51.100.50/24";
    static final String VIP6 = "2001:db8::50/64";

    private final boolean ipv6;
    private final boolean unicast;

    Mode(boolean ipv6, boolean unicast) {
        this.ipv6 = ipv6;
        this.unicast = unicast;
    }

    public IpAddress vip() {
        return IpAddress.parse((ipv6 ? VIP6 : VIP4).split("/")[0]);
    }

    /**
     * NodeMain arguments for {@code self} in a VRRPv3 router at a 100 ms interval; in unicast mode
     * the peers are {@code others}' IPv4 addresses, or for IPv6 their link-local addresses: a node
     * sends from (and its unicast socket is bound to) its link-local address (RFC 5798 section
     * 5.1.2.1), so an advert to its global address would never reach it.
     */
    public List<String> args(Node self, List<Node> others, int priority, String... extra) {
        List<String> a = new ArrayList<>(List.of("vrid=51", "version=3", "interval-ms=100", "priority=" + priority,
                "vips=" + (ipv6 ? VIP6 : VIP4)));
        if (unicast) {
            a.add("peers=" + String.join(",", others.stream().filter(n -> n != self)
                    .map(n -> this == IPV6_UNICAST_GLOBAL ? n.ipv6().toString()
                            : ipv6 ? linkLocal(n) : n.ipv4().toString()).toList()));
        }
        a.addAll(List.of(extra));
        return a;
    }

    /** {@code node}'s IPv6 link-local address on eth0. */
    static String linkLocal(Node node) {
        Matcher m = Pattern.compile("inet6 (fe80:[0-9a-f:]+)/").matcher(node.ip("-6", "addr", "show", "dev", "eth0", "scope",
                "link"));
        if (!m.find()) {
            throw new IllegalStateException("no link-local address on eth0 of " + node);
        }
        return m.group(1);
    }
}
