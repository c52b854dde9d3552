package io.havip.arp.linux;

import io.havip.core.net.Cidr;
import io.havip.core.net.IpFamily;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A policy routing rule as {@link RtNetlink#addRule} adds it (struct fib_rule_hdr and its FRA_
 * attributes, linux/fib_rules.h).
 *
 * @param family   the address family of the rule
 * @param from     FRA_SRC and src_len ({@code from}); empty for all
 * @param to       FRA_DST and dst_len ({@code to}); empty for all
 * @param table    FRA_TABLE (for {@link #ACTION_TO_TABLE})
 * @param priority FRA_PRIORITY ({@code priority}); empty: the kernel picks one
 * @param inInterface  FRA_IIFNAME ({@code iif})
 * @param outInterface FRA_OIFNAME ({@code oif})
 * @param action   {@link #ACTION_TO_TABLE}, {@link #ACTION_BLACKHOLE}, {@link #ACTION_UNREACHABLE}, {@link #ACTION_PROHIBIT}
 */
public record Rule(IpFamily family, Optional<Cidr> from, Optional<Cidr> to, int table, OptionalInt priority,
                   Optional<String> inInterface, Optional<String> outInterface, int action) {

    public static final int ACTION_TO_TABLE = 1;
    public static final int ACTION_BLACKHOLE = 6;
    public static final int ACTION_UNREACHABLE = 7;
    public static final int ACTION_PROHIBIT = 8;

    public Rule {
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(priority, "priority");
        Objects.requireNonNull(inInterface, "inInterface");
        Objects.requireNonNull(outInterface, "outInterface");
        for (Optional<Cidr> c : java.util.List.of(from, to)) {
            c.filter(x -> x.family() != family).ifPresent(x -> {
                throw new IllegalArgumentException(x + " is not " + family);
            });
        }
    }

    @Override
    public String toString() {
        return "from " + from.map(Object::toString).orElse("all") + to.map(t -> " to " + t).orElse("")
                + inInterface.map(i -> " iif " + i).orElse("") + outInterface.map(o -> " oif " + o).orElse("")
                + (priority.isPresent() ? " priority " + priority.getAsInt() : "") + switch (action) {
                    case ACTION_BLACKHOLE -> " blackhole";
                    case ACTION_UNREACHABLE -> " unreachable";
                    case ACTION_PROHIBIT -> " prohibit";
                    default -> " table " + table;
                };
    }
}
