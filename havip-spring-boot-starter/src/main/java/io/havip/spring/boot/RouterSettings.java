package io.havip.spring.boot;

import io.havip.vrrp.Havip;
import io.havip.vrrp.codec.VrrpVersion;
import io.havip.vrrp.machine.StrayAddressPolicy;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Applies {@code havip.routers.<name>.*} to a builder; every refusal names the property. */
final class RouterSettings {

    private static final Logger log = LoggerFactory.getLogger(RouterSettings.class);
    /** "property=value" already warned about (the settings are read at construction and at each start). */
    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

    private RouterSettings() {
    }

    /** A builder from {@code r}, validated as far as the builder validates without starting. */
    static Havip.Builder builder(String name, HavipProperties.Router r) {
        String p = "havip.routers." + name + ".";
        String ifname = r.getInterfaceName() == null ? null : text(p + "interface-name", r.getInterfaceName());
        if (ifname == null || ifname.isEmpty()) {
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
        set(p + "interface-name", () -> b.interfaceName(ifname));
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
            String address = text(p + "virtual-addresses", a);
            set(p + "virtual-addresses", () -> b.virtualAddress(address));
        }
        if (r.getPreempt() != null) {
            b.preempt(r.getPreempt());
        }
        if (r.getPreemptDelay() != null) {
            set(p + "preempt-delay", () -> b.preemptDelay(r.getPreemptDelay()));
        }
        if (r.getAuthPassword() != null) {
            String password = secret(p + "auth-password", r.getAuthPassword());
            set(p + "auth-password", () -> b.authPassword(password));
        }
        if (r.getSourceAddress() != null) {
            String source = text(p + "source-address", r.getSourceAddress());
            set(p + "source-address", () -> b.sourceAddress(source));
        }
        if (r.getUnicastPeers() != null && !r.getUnicastPeers().isEmpty()) {
            String[] peers = r.getUnicastPeers().stream().map(v -> text(p + "unicast-peers", v)).toArray(String[]::new);
            set(p + "unicast-peers", () -> b.unicastPeers(peers));
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
                policy = StrayAddressPolicy.valueOf(text(p + "stray-address-policy", r.getStrayAddressPolicy())
                        .toUpperCase(Locale.ROOT));
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
            String livenessSecret = secret(p + "liveness-secret", r.getLivenessSecret());
            set(p + "liveness-secret", () -> b.livenessSecret(livenessSecret));
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

    /**
     * Refuses a {@code havip.*} property whose name holds an invisible character (pasted from a
     * web page or chat: {@code priority\u00A0=150} is another key to Spring, so the setting was
     * silently not applied). Names are the property sources' own, as written.
     */
    static void checkNames(Iterable<String> names) {
        for (String name : names) {
            String visible = strip(name);
            if (!visible.regionMatches(true, 0, "havip.", 0, 6)) {
                continue;
            }
            int bad = firstInvisible(name, false);
            if (bad >= 0) {
                int cp = name.codePointAt(bad);
                throw new HavipPropertyException(shown(name), "the property's name holds " + describe(cp)
                        + " (pasted from a web page, chat or PDF?): retype the name as plain text");
            }
        }
    }

    /**
     * A value as it looks: Unicode blanks (no-break, figure, ideographic spaces...) and
     * zero-width characters around it are dropped, with one warning; one inside it, or any other
     * invisible formatting character (a right-to-left override), is refused.
     */
    static String text(String property, String value) {
        String stripped = strip(value);
        int bad = firstInvisible(stripped, true);
        if (bad >= 0) {
            throw new HavipPropertyException(property, "'" + shown(stripped) + "' holds " + describe(stripped.codePointAt(bad))
                    + " at position " + (bad + 1) + "; retype the value as plain text");
        }
        if (!stripped.equals(value.strip()) && WARNED.add(property + "=" + value)) {
            int cp = value.codePoints().filter(c -> c > 0x7f && isBlank(c)).findFirst().orElse(' ');
            log.warn("{}: {} around '{}' taken as a blank (text pasted from a web page, chat or PDF?)", property,
                    describe(cp), stripped);
        }
        return stripped;
    }

    /** A secret as written, or refused (without echoing it) when it holds a character that is not plain text. */
    static String secret(String property, String value) {
        for (int i = 0; i < value.length(); i += Character.charCount(value.codePointAt(i))) {
            int cp = value.codePointAt(i);
            if (cp != ' ' && (isBlank(cp) || isInvisible(cp))) {
                throw new HavipPropertyException(property, "holds " + describe(cp) + " at position " + (i + 1)
                        + "; a secret pasted from a web page, chat or PDF rarely matches the other nodes': retype it");
            }
        }
        return value;
    }

    /**
     * {@code s} without the blanks around it. A no-break space in a UTF-8 {@code .properties}
     * file reaches us as "\u00C2\u00A0" (Spring reads those files as ISO-8859-1): a blank too.
     */
    private static String strip(String s) {
        int from = 0;
        int to = s.length();
        while (from < to) {
            if (isBlank(s.codePointAt(from))) {
                from += Character.charCount(s.codePointAt(from));
            } else if (s.startsWith(LATIN1_NBSP, from)) {
                from += 2;
            } else {
                break;
            }
        }
        while (to > from) {
            if (to - from >= 2 && s.startsWith(LATIN1_NBSP, to - 2)) {
                to -= 2;
            } else if (isBlank(s.codePointBefore(to))) {
                to -= Character.charCount(s.codePointBefore(to));
            } else {
                break;
            }
        }
        return s.substring(from, to);
    }

    /** U+00A0 encoded in UTF-8 and decoded as ISO-8859-1. */
    private static final String LATIN1_NBSP = "\u00C2\u00A0";

    /** Blanks to the eye: whitespace, Unicode space separators, zero-width characters and the byte order mark. */
    private static boolean isBlank(int cp) {
        return Character.isWhitespace(cp) || Character.isSpaceChar(cp) || cp == 0x200B || cp == 0x200C || cp == 0x200D
                || cp == 0x2060 || cp == 0xFEFF;
    }

    private static boolean isInvisible(int cp) {
        return switch (Character.getType(cp)) {
            case Character.FORMAT, Character.CONTROL, Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR,
                 Character.PARAGRAPH_SEPARATOR, Character.PRIVATE_USE, Character.SURROGATE, Character.UNASSIGNED -> true;
            default -> isBlank(cp);
        };
    }

    /** Index of the first invisible character ({@code allowSpace}: an ASCII space is left to the builder), or -1. */
    private static int firstInvisible(String s, boolean allowSpace) {
        for (int i = 0; i < s.length(); i += Character.charCount(s.codePointAt(i))) {
            int cp = s.codePointAt(i);
            if (isInvisible(cp) && !(allowSpace && cp == ' ')) {
                return i;
            }
        }
        return -1;
    }

    private static String describe(int cp) {
        String name = Character.getName(cp);
        return String.format("U+%04X", cp) + (name == null ? "" : " (" + name.toLowerCase(Locale.ROOT) + ")");
    }

    /** {@code s} with each invisible character as {@code <U+XXXX>}, so a message cannot hide or reorder text. */
    private static String shown(String s) {
        StringBuilder sb = new StringBuilder();
        s.codePoints().forEach(cp -> {
            if (cp != ' ' && isInvisible(cp)) {
                sb.append(String.format("<U+%04X>", cp));
            } else {
                sb.appendCodePoint(cp);
            }
        });
        return sb.toString();
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
