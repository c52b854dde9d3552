package io.havip.vrrp.config;

import io.havip.core.net.Cidr;
import io.havip.core.net.IpFamily;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One line of {@code virtual_rules}: a policy routing rule the master adds and gives up with the
 * addresses, {@code [from PREFIX|all] [to PREFIX] [iif IF] [oif IF] [priority N] table N|blackhole|unreachable|prohibit [no_track]}.
 *
 * @param family   IPv6 when {@code from} or {@code to} is, or {@code inet6} was written; else IPv4
 * @param action   where matching packets go
 * @param table    for {@link Action#TABLE}: the table (number, or main / local / default)
 * @param priority {@code priority} / {@code preference} / {@code order}
 */
public record VirtualRule(IpFamily family, Optional<Cidr> from, Optional<Cidr> to, Optional<String> inInterface,
                          Optional<String> outInterface, OptionalInt priority, Action action, int table, boolean noTrack,
                          SourceLocation location) {

    /** The rule's action. */
    public enum Action { TABLE, BLACKHOLE, UNREACHABLE, PROHIBIT }

    public VirtualRule {
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(inInterface, "inInterface");
        Objects.requireNonNull(outInterface, "outInterface");
        Objects.requireNonNull(priority, "priority");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(location, "location");
    }

    /** As keepalived.conf would write it. */
    @Override
    public String toString() {
        return (family == IpFamily.IPV6 && from.isEmpty() && to.isEmpty() ? "inet6 " : "") + "from "
                + from.map(Object::toString).orElse("all") + to.map(t -> " to " + t).orElse("")
                + inInterface.map(i -> " iif " + i).orElse("") + outInterface.map(o -> " oif " + o).orElse("")
                + (priority.isPresent() ? " priority " + priority.getAsInt() : "")
                + (action == Action.TABLE ? " table " + table : " " + action.name().toLowerCase(java.util.Locale.ROOT))
                + (noTrack ? " no_track" : "");
    }
}
