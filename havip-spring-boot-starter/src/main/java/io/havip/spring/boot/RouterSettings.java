package io.havip.spring.boot;

import io.havip.vrrp.Havip;
import io.havip.vrrp.codec.VrrpVersion;
import io.havip.vrrp.machine.StrayAddressPolicy;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/** Applies {@code havip.routers.<name>.*} to a builder; every refusal names the property. */
final class RouterSettings {

    private RouterSettings() {
    }

    /** A builder from {@code r}, validated as far as the builder validates without starting. */
    static Havip.Builder builder(String name, HavipProperties.Router r) {
        String p = "havip.routers." + name + ".";
        if (r.getInterfaceName() == null || r.getInterfaceName().isBlank()) {
            throw new HavipPropertyException(p + "interface-name", "is required: the interface the address goes on, "
                    + "e.g. eth0");
        }
        if (r.getVrid() == null) {
            throw new HavipPropertyException(p + "vrid", "is required: 1-255, the same on every node of the router");
        }
        range(p + "vrid", r.getVrid(), 1, 255);
        if (r.getVirtualAddresses() == null || r.getVirtualAddresses().isEmpty()) {
            throw new HavipPropertyException(p + "virtual-addresses", "is required: at least one address, e.g. "
                    + "198.51.100.50/24");
        }
        Havip.Builder b = Havip.builder();
        set(p + "name", () -> b.name(name));
        set(p + "interface-name", () -> b.interfaceName(r.getInterfaceName().trim()));
        set(p + "vrid", () -> b.vrid(r.getVrid()));
        if (r.getVersion() != null) {
            range(p + "version", r.getVersion(), 2, 3);
            set(p + "version", () -> b.version(r.getVersion() == 2 ? VrrpVersion.V2 : VrrpVersion.V3));
        }
        if (r.getPriority() != null) {
            range(p + "priority", r.getPriority(), 1, 255);
            set(p + "priority", () -> b.priority(r.getPriority()));
        }
        if (r.getAdvertInterval() != null) {
            set(p + "advert-interval", () -> b.advertInterval(r.getAdvertInterval()));
        }
        for (String a : r.getVirtualAddresses()) {
            set(p + "virtual-addresses", () -> b.virtualAddress(a.trim()));
        }
        if (r.getPreempt() != null) {
            b.preempt(r.getPreempt());
        }
        if (r.getPreemptDelay() != null) {
            set(p + "preempt-delay", () -> b.preemptDelay(r.getPreemptDelay()));
        }
        if (r.getAuthPassword() != null) {
            set(p + "auth-password", () -> b.authPassword(r.getAuthPassword()));
        }
        if (r.getSourceAddress() != null) {
            set(p + "source-address", () -> b.sourceAddress(r.getSourceAddress().trim()));
        }
        if (r.getUnicastPeers() != null && !r.getUnicastPeers().isEmpty()) {
            set(p + "unicast-peers", () -> b.unicastPeers(r.getUnicastPeers().stream().map(String::trim)
                    .toArray(String[]::new)));
        }
        if (r.getAcceptAdvertsFromNonPeers() != null) {
            b.acceptAdvertsFromNonPeers(r.getAcceptAdvertsFromNonPeers());
        }
        if (r.getGarpOnLowerPriorityAdvert() != null) {
            b.garpOnLowerPriorityAdvert(r.getGarpOnLowerPriorityAdvert());
        }
        if (r.getStrayAddressPolicy() != null) {
            StrayAddressPolicy policy;
            try {
                policy = StrayAddressPolicy.valueOf(r.getStrayAddressPolicy().trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new HavipPropertyException(p + "stray-address-policy", "'" + r.getStrayAddressPolicy()
                        + "' is not one of REMOVE, REPORT");
            }
            b.strayAddressPolicy(policy);
        }
        if (r.getTrackInterfaces() != null) {
            for (Map.Entry<String, Integer> e : r.getTrackInterfaces().entrySet()) {
                set(p + "track-interfaces." + e.getKey(), () -> b.trackInterface(e.getKey(), e.getValue()));
            }
        }
        if (r.getHandoverTimeout() != null) {
            set(p + "handover-timeout", () -> b.handoverTimeout(r.getHandoverTimeout()));
        }
        if (r.getLivenessSecret() != null) {
            set(p + "liveness-secret", () -> b.livenessSecret(r.getLivenessSecret()));
        }
        if (r.getLivenessPort() != null) {
            requireSecret(p, "liveness-port", r);
            set(p + "liveness-port", () -> b.livenessPort(r.getLivenessPort()));
        }
        if (r.getLivenessGrace() != null) {
            requireSecret(p, "liveness-grace", r);
            set(p + "liveness-grace", () -> b.livenessGrace(r.getLivenessGrace()));
        }
        hookTimeout(name, r);
        try {
            b.build();
        } catch (IllegalArgumentException e) {
            throw new HavipPropertyException("havip.routers." + name + propertyOf(e.getMessage()), e.getMessage());
        }
        return b;
    }

    /**
     * The builder checks some settings only together, in {@code build()}, with messages in its
     * own words: the property they are about, found by the words they use ("" when none fits).
     */
    static String propertyOf(String message) {
        String m = message == null ? "" : message.toLowerCase(Locale.ROOT);
        String[][] words = {{"password", ".auth-password"}, {"advert interval", ".advert-interval"},
                {"advertinterval", ".advert-interval"}, {"preempt", ".preempt-delay"}, {"unicast", ".unicast-peers"},
                {"sourceaddress", ".source-address"}, {"virtual address", ".virtual-addresses"},
                {"track", ".track-interfaces"}, {"priority", ".priority"}, {"version", ".version"}};
        for (String[] w : words) {
            if (m.contains(w[0])) {
                return w[1];
            }
        }
        return "";
    }

    /** The router's hook timeout for AddressHook beans, checked. */
    static Duration hookTimeout(String name, HavipProperties.Router r) {
        Duration t = r.getHookTimeout();
        if (t == null || t.isNegative() || t.isZero()) {
            throw new HavipPropertyException("havip.routers." + name + ".hook-timeout", t + " must be positive, e.g. 5s");
        }
        return t;
    }

    private static void requireSecret(String p, String property, HavipProperties.Router r) {
        if (r.getLivenessSecret() == null) {
            throw new HavipPropertyException(p + property, "needs " + p + "liveness-secret (the channel is off without"
                    + " a secret)");
        }
    }

    private static void range(String property, int value, int min, int max) {
        if (value < min || value > max) {
            throw new HavipPropertyException(property, value + " is outside " + min + "-" + max);
        }
    }

    private static void set(String property, Runnable setter) {
        try {
            setter.run();
        } catch (IllegalArgumentException e) {
            throw new HavipPropertyException(property, e.getMessage());
        }
    }
}
