package io.havip.examples.havipd;

import io.havip.arp.linux.NativeException;
import io.havip.arp.linux.Route;
import io.havip.arp.linux.Rule;
import io.havip.arp.linux.RtNetlink;
import io.havip.core.FailoverListener;
import io.havip.core.RouterState;
import io.havip.core.StateChange;
import io.havip.vrrp.config.VirtualIpAddress;
import io.havip.vrrp.config.VirtualRoute;
import io.havip.vrrp.config.VirtualRule;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * keepalived's {@code virtual_routes} and {@code virtual_rules}: added through rtnetlink (no {@code ip} command) once the
 * instance is MASTER, its addresses bound, and deleted when it leaves MASTER (BACKUP, FAULT,
 * STOP), as keepalived does. Runs on the router's listener thread, in order with its changes;
 * a route that cannot be added or deleted is logged with what was attempted and the kernel's
 * answer, and the others still go. Routes are added with protocol 18 ("proto keepalived"), after
 * the rules when adding and before them when deleting, as keepalived orders them.
 */
final class VirtualRoutes implements FailoverListener {

    private static final Logger log = LoggerFactory.getLogger(VirtualRoutes.class);

    private final String instance;
    private final List<VirtualRoute> routes;
    private final List<VirtualRule> rules;
    private boolean added;

    VirtualRoutes(String instance, List<VirtualRoute> routes, List<VirtualRule> rules) {
        this.instance = instance;
        this.routes = List.copyOf(routes);
        this.rules = List.copyOf(rules);
    }

    @Override
    public void onStateChange(StateChange change) {
        if (change.to() == RouterState.MASTER && !added) {
            apply(true);
            added = true;
        } else if (change.to() != RouterState.MASTER && change.to() != RouterState.INITIALIZE && added) {
            apply(false);
            added = false;
        }
    }

    private void apply(boolean add) {
        try (RtNetlink nl = RtNetlink.open()) {
            if (add) {
                rules(nl, true);
            }
            for (VirtualRoute v : routes) {
                try {
                    Route r = route(nl, v);
                    Object outcome = add ? nl.addRoute(r) : nl.deleteRoute(r);
                    log.info("{}: virtual_routes {}: {}", instance, v, outcome.toString().toLowerCase(java.util.Locale.ROOT)
                            .replace('_', ' '));
                } catch (NativeException | RuntimeException e) {
                    log.warn("{}: virtual_routes {} ({}): cannot {} it: {}", instance, v, v.location(),
                            add ? "add" : "delete", e.getMessage());
                }
            }
            if (!add) {
                rules(nl, false);
            }
        } catch (NativeException e) {
            log.warn("{}: virtual_routes not {}: {}", instance, add ? "added" : "deleted", e.getMessage());
        }
    }

    private void rules(RtNetlink nl, boolean add) {
        for (VirtualRule v : rules) {
            try {
                Rule r = rule(v);
                Object outcome = add ? nl.addRule(r) : nl.deleteRule(r);
                log.info("{}: virtual_rules {}: {}", instance, v, outcome.toString().toLowerCase(java.util.Locale.ROOT)
                        .replace('_', ' '));
            } catch (NativeException | RuntimeException e) {
                log.warn("{}: virtual_rules {} ({}): cannot {} it: {}", instance, v, v.location(), add ? "add" : "delete",
                        e.getMessage());
            }
        }
    }

    static Rule rule(VirtualRule v) {
        int action = switch (v.action()) {
            case TABLE -> Rule.ACTION_TO_TABLE;
            case BLACKHOLE -> Rule.ACTION_BLACKHOLE;
            case UNREACHABLE -> Rule.ACTION_UNREACHABLE;
            case PROHIBIT -> Rule.ACTION_PROHIBIT;
        };
        return new Rule(v.family(), v.from(), v.to(), v.table(), v.priority(), v.inInterface(), v.outInterface(), action);
    }

    /** The rtnetlink route of a virtual_routes line; {@code dev} looked up now (it may come and go). */
    static Route route(RtNetlink nl, VirtualRoute v) throws NativeException {
        int ifindex = v.device().isPresent() ? nl.ifindex(v.device().get()) : 0;
        int type = switch (v.type()) {
            case UNICAST -> Route.TYPE_UNICAST;
            case BLACKHOLE -> Route.TYPE_BLACKHOLE;
            case UNREACHABLE -> Route.TYPE_UNREACHABLE;
            case PROHIBIT -> Route.TYPE_PROHIBIT;
        };
        // ip route's default scope: link for a directly connected unicast route, global otherwise
        int scope = v.scope().map(VirtualRoutes::scope).orElse(v.type() == VirtualRoute.Type.UNICAST
                && v.via().isEmpty() && ifindex > 0 ? Route.SCOPE_LINK : Route.SCOPE_UNIVERSE);
        OptionalInt table = v.table();
        return new Route(v.destination(), v.via(), v.source(), ifindex, table.orElse(Route.TABLE_MAIN), v.metric(), scope,
                type);
    }

    private static int scope(VirtualIpAddress.Scope s) {
        return switch (s) {
            case GLOBAL -> Route.SCOPE_UNIVERSE;
            case SITE -> 200;
            case LINK -> Route.SCOPE_LINK;
            case HOST -> Route.SCOPE_HOST;
            case NOWHERE -> 255;
        };
    }

    static Optional<FailoverListener> of(String instance, List<VirtualRoute> routes, List<VirtualRule> rules) {
        return routes.isEmpty() && rules.isEmpty() ? Optional.empty()
                : Optional.of(new VirtualRoutes(instance, routes, rules));
    }
}
