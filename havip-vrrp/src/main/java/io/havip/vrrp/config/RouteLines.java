package io.havip.vrrp.config;

import io.havip.core.net.Cidr;
import io.havip.core.net.IpAddress;
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
                    String v = value(s, w, ++i, word);
                    table = OptionalInt.of(switch (v) {
                        case "main" -> 254;
                        case "local" -> 255;
                        case "default" -> 253;
                        default -> r.integer(s, v, 1, Integer.MAX_VALUE, "1-4294967295, main, local or default");
                    });
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

    private static String value(Statement s, List<String> w, int i, String option) {
        if (i >= w.size()) {
            throw new ConfigException(s.location(), "virtual_routes", "'" + option + "' needs a value", SYNTAX);
        }
        return w.get(i);
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
        String text = v.equals("default") ? "0.0.0.0/0" : v.contains("/") ? v : v + (v.contains(":") ? "/128" : "/32");
        try {
            return Cidr.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(s.location(), "virtual_routes", e.getMessage() + " (as ip route, the host bits of"
                    + " the prefix must be zero)", SYNTAX);
        }
    }
}
