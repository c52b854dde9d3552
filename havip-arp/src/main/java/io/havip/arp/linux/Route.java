package io.havip.arp.linux;

import io.havip.core.net.Cidr;
import io.havip.core.net.IpAddress;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A route as {@link RtNetlink#addRoute} adds it (struct rtmsg and its attributes, rtnetlink(7)).
 *
 * @param destination     RTA_DST and rtm_dst_len (0.0.0.0/0 or ::/0 for a default route)
 * @param gateway         RTA_GATEWAY ({@code via})
 * @param preferredSource RTA_PREFSRC ({@code src})
 * @param ifindex         RTA_OIF ({@code dev}), 0 for none (the kernel finds it from the gateway)
 * @param table           rtm_table / RTA_TABLE (254 main)
 * @param metric          RTA_PRIORITY ({@code metric})
 * @param scope           rtm_scope ({@link #SCOPE_UNIVERSE}, {@link #SCOPE_LINK}, {@link #SCOPE_HOST})
 * @param type            rtm_type ({@link #TYPE_UNICAST}, {@link #TYPE_BLACKHOLE}, {@link #TYPE_UNREACHABLE},
 *                        {@link #TYPE_PROHIBIT})
 */
public record Route(Cidr destination, Optional<IpAddress> gateway, Optional<IpAddress> preferredSource, int ifindex,
                    int table, OptionalInt metric, int scope, int type) {

    public static final int TABLE_MAIN = 254;
    public static final int SCOPE_UNIVERSE = 0;
    public static final int SCOPE_LINK = 253;
    public static final int SCOPE_HOST = 254;
    public static final int TYPE_UNICAST = 1;
    public static final int TYPE_BLACKHOLE = 6;
    public static final int TYPE_UNREACHABLE = 7;
    public static final int TYPE_PROHIBIT = 8;
    /** rtm_protocol of the routes havip adds: keepalived's own (RTPROT_KEEPALIVED, 18), so `ip route` shows "proto keepalived". */
    public static final int PROTOCOL = 18;

    public Route {
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(gateway, "gateway");
        Objects.requireNonNull(preferredSource, "preferredSource");
        Objects.requireNonNull(metric, "metric");
        gateway.filter(g -> g.family() != destination.family()).ifPresent(g -> {
            throw new IllegalArgumentException("gateway " + g + " is not of the family of " + destination);
        });
        if (table < 1 || ifindex < 0) {
            throw new IllegalArgumentException("table " + table + " (1 or more) or ifindex " + ifindex + " (0 or more)");
        }
    }

    @Override
    public String toString() {
        String kind = switch (type) {
            case TYPE_BLACKHOLE -> "blackhole ";
            case TYPE_UNREACHABLE -> "unreachable ";
            case TYPE_PROHIBIT -> "prohibit ";
            default -> "";
        };
        return kind + destination + gateway.map(g -> " via " + g).orElse("") + (ifindex > 0 ? " dev #" + ifindex : "")
                + preferredSource.map(s -> " src " + s).orElse("") + (table != TABLE_MAIN ? " table " + table : "")
                + (metric.isPresent() ? " metric " + metric.getAsInt() : "");
    }
}
