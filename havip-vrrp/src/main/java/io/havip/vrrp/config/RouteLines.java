package io.havip.vrrp.config;

import io.havip.core.net.Cidr;
import io.havip.core.net.IpAddress;
import io.havip.core.net.IpFamily;
import io.havip.vrrp.config.ConfigSyntax.Statement;
import io.havip.vrrp.config.ConfigSyntax.Token;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/** {@code virtual_routes} lines, as keepalived 2.2.7 reads them, for the options havip applies. */
final class RouteLines {

    static final String SYNTAX = "[blackhole|unreachable|prohibit] [src ADDRESS] [to] PREFIX [via|gw ADDRESS] [dev IFNAME]"
            + " [scope global|site|link|host] [table N|main|local|default] [metric|preference|priority N] [no_track]";

    private RouteLines() {
    }

    static List<VirtualRoute> read(Statement block, KeepalivedConfigReader r) {
        r.requireBlock(block);
        List<VirtualRoute> out = new ArrayList<>();
        for (Statement s : block.block()) {
            List<String> words = new ArrayList<>();
            words.add(s.name());
            words.addAll(KeepalivedConfigReader.texts(s.args()));
            out.add(line(s, words, r));
        }
        return out;
    }

    private static VirtualRoute line(Statement s, List<String> w, KeepalivedConfigReader r) {
        VirtualRoute.Type type = VirtualRoute.Type.UNICAST;
        Cidr destination = null;
        Optional<IpAddress> source = Optional.empty();
        Optional<IpAddress> via = Optional.empty();
        Optional<String> dev = Optional.empty();
        Optional<VirtualIpAddress.Scope> scope = Optional.empty();
        OptionalInt table = OptionalInt.empty();
        OptionalInt metric = OptionalInt.empty();
        boolean noTrack = false;
        for (int i = 0; i < w.size(); i++) {
            String word = w.get(i);
            switch (word) {
                case "blackhole", "unreachable", "prohibit" -> type = VirtualRoute.Type.valueOf(word.toUpperCase(
                        java.util.Locale.ROOT));
                case "src" -> source = Optional.of(address(s, value(s, w, ++i, word)));
                case "to" -> destination = prefix(s, value(s, w, ++i, word));
                case "via", "gw" -> via = Optional.of(address(s, value(s, w, ++i, word)));
                case "dev" -> dev = Optional.of(value(s, w, ++i, word));
                case "scope" -> {
                    String v = value(s, w, ++i, word);
                    try {
                        scope = Optional.of(VirtualIpAddress.Scope.valueOf(v.toUpperCase(java.util.Locale.ROOT)));
                    } catch (IllegalArgumentException e) {
                        throw new ConfigException(s.location(), "virtual_routes", "scope \"" + v + "\" is not recognised",
                                "global|site|link|host|nowhere");
                    }
                }
                case "table" -> {
                    table = OptionalInt.of(table(s, value(s, w, ++i, word), r));
                }
                case "metric", "preference", "priority" -> metric = OptionalInt.of(r.integer(s, value(s, w, ++i, word), 0,
                        Integer.MAX_VALUE, "0 or more"));
                case "no_track" -> noTrack = true;
                default -> {
                    if (destination == null && (Character.isDigit(word.charAt(0)) || word.contains(":")
                            || word.equals("default"))) {
                        destination = prefix(s, word);
                    } else {
                        throw new ConfigException(s.location(), "virtual_routes", "'" + word + "' is not an option havip"
                                + " applies to a route (it would silently make another route than keepalived's)", SYNTAX);
                    }
                }
            }
        }
        if (destination == null) {
            throw new ConfigException(s.location(), "virtual_routes", "the route has no destination prefix", SYNTAX);
        }
        if (type != VirtualRoute.Type.UNICAST && (via.isPresent() || dev.isPresent())) {
            throw new ConfigException(s.location(), "virtual_routes", type.name().toLowerCase(java.util.Locale.ROOT)
                    + " routes take no via or dev", SYNTAX);
        }
        for (Optional<IpAddress> a : List.of(source, via)) {
            if (a.isPresent() && a.get().family() != destination.family()) {
                throw new ConfigException(s.location(), "virtual_routes", a.get() + " is not of the family of "
                        + destination, SYNTAX);
            }
        }
        return new VirtualRoute(type, destination, source, via, dev, scope, table, metric, noTrack, s.location());
    }

    static final String RULE_SYNTAX = "[inet6] [from PREFIX|all] [to PREFIX] [iif IFNAME] [oif IFNAME]"
            + " [priority|preference|order N] table N|main|local|default|blackhole|unreachable|prohibit [no_track]";

    static List<VirtualRule> rules(Statement block, KeepalivedConfigReader r) {
        r.requireBlock(block);
        List<VirtualRule> out = new ArrayList<>();
        for (Statement s : block.block()) {
            List<String> w = new ArrayList<>();
            w.add(s.name());
            w.addAll(KeepalivedConfigReader.texts(s.args()));
            out.add(rule(s, w, r));
        }
        return out;
    }

    private static VirtualRule rule(Statement s, List<String> w, KeepalivedConfigReader r) {
        boolean inet6 = false;
        Optional<Cidr> from = Optional.empty();
        Optional<Cidr> to = Optional.empty();
        Optional<String> iif = Optional.empty();
        Optional<String> oif = Optional.empty();
        OptionalInt priority = OptionalInt.empty();
        VirtualRule.Action action = null;
        int table = 0;
        boolean noTrack = false;
        for (int i = 0; i < w.size(); i++) {
            String word = w.get(i);
            switch (word) {
                case "inet6", "-6" -> inet6 = true;
                case "from" -> {
                    String v = value(s, w, ++i, word, "virtual_rules", RULE_SYNTAX);
                    from = v.equals("all") ? Optional.empty() : Optional.of(prefix(s, v, "virtual_rules", RULE_SYNTAX));
                }
                case "to" -> to = Optional.of(prefix(s, value(s, w, ++i, word, "virtual_rules", RULE_SYNTAX),
                        "virtual_rules", RULE_SYNTAX));
                case "iif" -> iif = Optional.of(value(s, w, ++i, word, "virtual_rules", RULE_SYNTAX));
                case "oif" -> oif = Optional.of(value(s, w, ++i, word, "virtual_rules", RULE_SYNTAX));
                case "priority", "preference", "order" -> priority = OptionalInt.of(r.integer(s, value(s, w, ++i, word,
                        "virtual_rules", RULE_SYNTAX), 0, Integer.MAX_VALUE, "0-4294967295"));
                case "table", "lookup" -> {
                    action = VirtualRule.Action.TABLE;
                    table = table(s, value(s, w, ++i, word, "virtual_rules", RULE_SYNTAX), r);
                }
                case "blackhole", "unreachable", "prohibit" -> action = VirtualRule.Action.valueOf(
                        word.toUpperCase(java.util.Locale.ROOT));
                case "no_track" -> noTrack = true;
                default -> throw new ConfigException(s.location(), "virtual_rules", "'" + word + "' is not an option"
                        + " havip applies to a rule (it would silently make another rule than keepalived's)", RULE_SYNTAX);
            }
        }
        if (action == null) {
            throw new ConfigException(s.location(), "virtual_rules", "the rule has no table and no action", RULE_SYNTAX);
        }
        IpFamily family = from.isPresent() ? from.get().family() : to.isPresent() ? to.get().family()
                : inet6 ? IpFamily.IPV6 : IpFamily.IPV4;
        if (from.isPresent() && to.isPresent() && from.get().family() != to.get().family()) {
            throw new ConfigException(s.location(), "virtual_rules", "from " + from.get() + " and to " + to.get()
                    + " are of different families", RULE_SYNTAX);
        }
        return new VirtualRule(family, from, to, iif, oif, priority, action, table, noTrack, s.location());
    }

    private static int table(Statement s, String v, KeepalivedConfigReader r) {
        return switch (v) {
            case "main" -> 254;
            case "local" -> 255;
            case "default" -> 253;
            default -> r.integer(s, v, 1, Integer.MAX_VALUE, "1-4294967295, main, local or default");
        };
    }

    private static String value(Statement s, List<String> w, int i, String option, String key, String syntax) {
        if (i >= w.size()) {
            throw new ConfigException(s.location(), key, "'" + option + "' needs a value", syntax);
        }
        return w.get(i);
    }

    private static String value(Statement s, List<String> w, int i, String option) {
        return value(s, w, i, option, "virtual_routes", SYNTAX);
    }

    private static IpAddress address(Statement s, String v) {
        try {
            return IpAddress.parse(v);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(s.location(), "virtual_routes", e.getMessage(), "an IPv4 or IPv6 address");
        }
    }

    /** A prefix whose host bits are zero ({@code default} is 0.0.0.0/0); a bare address is a host route. */
    private static Cidr prefix(Statement s, String v) {
        return prefix(s, v, "virtual_routes", SYNTAX);
    }

    private static Cidr prefix(Statement s, String v, String key, String syntax) {
        String text = v.equals("default") ? "0.0.0.0/0" : v.contains("/") ? v : v + (v.contains(":") ? "/128" : "/32");
        try {
            return Cidr.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(s.location(), key, e.getMessage() + " (as ip route, the host bits of"
                    + " the prefix must be zero)", syntax);
        }
    }
}
