package io.havip.micrometer;

import io.havip.vrrp.VirtualRouter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntSupplier;

/**
 * The meters of a changing set of routers (a daemon that reloads its configuration, an
 * application with several addresses): {@link #add} a router when it starts, {@link #remove}
 * it when it is closed or replaced, and every registry this binder is bound to gets or loses
 * that router's {@link HavipMeters}. Routers are told apart by their {@code router} tag
 * (their name), so two routers of one set need different names.
 *
 * <p>Thread-safe: every method is synchronized and none calls the routers' listeners.
 */
public final class HavipRouterSetMeters implements MeterBinder, AutoCloseable {

    private final Tags extraTags;
    private final List<MeterRegistry> registries = new ArrayList<>();
    private final Map<String, HavipMeters> routers = new LinkedHashMap<>();

    /** A set with no routers yet; {@code extraTags} go on every meter (e.g. {@code application}). */
    public HavipRouterSetMeters(Iterable<Tag> extraTags) {
        this.extraTags = extraTags == null ? Tags.empty() : Tags.of(extraTags);
    }

    public HavipRouterSetMeters() {
        this(Tags.empty());
    }

    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        registries.add(registry);
        routers.values().forEach(m -> m.bindTo(registry));
    }

    /** Adds {@code router}'s meters to every bound registry; see {@link HavipMeters#of(VirtualRouter, Iterable, IntSupplier)}. */
    public synchronized void add(VirtualRouter router, IntSupplier basePriority) {
        String name = router.id().name();
        HavipMeters old = routers.get(name);
        if (old != null && old.router() != router) {
            throw new IllegalArgumentException("a router named " + name + " is already in this set (" + old.router().id()
                    + "); remove it first, or give the new one another name");
        }
        if (old != null) {
            return;
        }
        HavipMeters meters = HavipMeters.of(router, extraTags, basePriority);
        registries.forEach(meters::bindTo);
        routers.put(name, meters);
    }

    public void add(VirtualRouter router) {
        add(router, null);
    }

    /** Removes the meters of the router named {@code name} from every bound registry; unknown names are ignored. */
    public synchronized void remove(String name) {
        HavipMeters m = routers.remove(name);
        if (m != null) {
            m.close();
        }
    }

    /** Removes {@code router}'s meters if it is the one in the set under its name. */
    public synchronized void remove(VirtualRouter router) {
        HavipMeters m = routers.get(router.id().name());
        if (m != null && m.router() == router) {
            remove(router.id().name());
        }
    }

    /** The names of the routers in the set, in the order they were added. */
    public synchronized List<String> names() {
        return List.copyOf(routers.keySet());
    }

    /** Removes every router's meters. */
    @Override
    public synchronized void close() {
        routers.values().forEach(HavipMeters::close);
        routers.clear();
    }
}
