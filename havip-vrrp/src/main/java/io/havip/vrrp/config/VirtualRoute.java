package io.havip.vrrp.config;

import io.havip.core.net.Cidr;
import io.havip.core.net.IpAddress;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One line of {@code virtual_routes}: a route the master adds and gives up with the addresses,
 * {@code [src ADDR] [to] PREFIX [via|gw ADDR] [dev IF] [scope SCOPE] [table N] [metric N] [no_track]},
 * or {@code blackhole|unreachable|prohibit PREFIX [table N] [metric N]}.
 *
 * @param type        {@code unicast} unless blackhole, unreachable or prohibit
 * @param destination the prefix (a bare address is a host route)
 * @param source      {@code src}: the preferred source address
 * @param via         {@code via} / {@code gw}
 * @param device      {@code dev}
 * @param scope       {@code scope}, or empty for the kernel's choice (link without a gateway, else global)
 * @param table       {@code table} (number, or main / local / default), empty for main
 * @param metric      {@code metric} / {@code preference} / {@code priority}
 * @param noTrack     {@code no_track} (kept; havip does not watch routes, so it changes nothing)
 */
public record VirtualRoute(Type type, Cidr destination, Optional<IpAddress> source, Optional<IpAddress> via,
                           Optional<String> device, Optional<VirtualIpAddress.Scope> scope, OptionalInt table,
                           OptionalInt metric, boolean noTrack, SourceLocation location) {

    /** rtm_type. */
    public enum Type { UNICAST, BLACKHOLE, UNREACHABLE, PROHIBIT }

    public VirtualRoute {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(via, "via");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(metric, "metric");
        Objects.requireNonNull(location, "location");
    }

    /** As keepalived.conf would write it. */
    @Override
    public String toString() {
        return (type == Type.UNICAST ? "" : type.name().toLowerCase(java.util.Locale.ROOT) + " ")
                + source.map(s -> "src " + s + " ").orElse("") + destination + via.map(v -> " via " + v).orElse("")
                + device.map(d -> " dev " + d).orElse("") + scope.map(s -> " scope " + s.keyword()).orElse("")
                + (table.isPresent() ? " table " + table.getAsInt() : "") + (metric.isPresent() ? " metric "
                + metric.getAsInt() : "") + (noTrack ? " no_track" : "");
    }
}
