package io.havip.spring.boot;

import io.havip.core.AddressHook;
import io.havip.vrrp.Havip;
import io.havip.vrrp.VirtualRouter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;

/**
 * The application's routers ({@code havip.routers.*}), tied to its lifecycle.
 *
 * <h2>Phases</h2>
 * {@link #PHASE} is {@code SmartLifecycle.DEFAULT_PHASE - 512}: above the embedded web server's
 * phases (Spring Boot starts the server at {@code DEFAULT_PHASE - 2048} and begins its graceful
 * shutdown at {@code DEFAULT_PHASE - 1024}: {@code WebServerApplicationContext}'s
 * {@code START_STOP_LIFECYCLE_PHASE} and {@code GRACEFUL_SHUTDOWN_PHASE} in Boot 4). So the
 * routers start, and may take the address, only after the web server listens; and on shutdown
 * they hand the address over (make-before-break, see
 * {@link io.havip.vrrp.Havip.Builder#handoverTimeout}) before the server stops accepting, so
 * clients move to another node instead of being refused here.
 *
 * <p>The properties are checked when this bean is made (so a wrong value stops the application
 * before the web server starts); the routers are built anew at each {@link #start()}.
 */
public class HavipRouters implements SmartLifecycle {

    /** The lifecycle phase of the routers: after the web server starts, before it stops. */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 512;

    private static final Logger log = LoggerFactory.getLogger(HavipRouters.class);

    /** Hears routers start and stop (the meters use it). */
    public interface Observer {
        void started(String name, VirtualRouter router);

        void stopped(String name, VirtualRouter router);
    }

    private final HavipProperties properties;
    private final List<AddressHook> hooks;
    private final List<HavipRouterCustomizer> customizers;
    private final List<Observer> observers;
    private final ApplicationEventPublisher events;
    /**
     * The running routers, replaced (never changed in place) under this object's monitor; read
     * without it, so that health, the endpoint and the application's requests answer while
     * {@link #stop()} waits, monitor held, for a master's handover (up to its handover timeout).
     * A router stays here until its close returned.
     */
    private volatile Map<String, VirtualRouter> running = Map.of();
    private volatile boolean started;

    public HavipRouters(HavipProperties properties, List<AddressHook> hooks, List<HavipRouterCustomizer> customizers,
                        List<Observer> observers, ApplicationEventPublisher events) {
        this.properties = properties;
        this.hooks = List.copyOf(hooks);
        this.customizers = List.copyOf(customizers);
        this.observers = List.copyOf(observers);
        this.events = events;
        enabled().forEach(RouterSettings::builder); // fail fast, naming the property
    }

    private Map<String, HavipProperties.Router> enabled() {
        Map<String, HavipProperties.Router> out = new LinkedHashMap<>();
        properties.getRouters().forEach((name, r) -> {
            if (r.isEnabled()) {
                out.put(name, r);
            }
        });
        return out;
    }

    @Override
    public synchronized void start() {
        if (started) {
            return;
        }
        try {
            enabled().forEach(this::startOne);
        } catch (RuntimeException e) {
            closeAll();
            throw e;
        }
        started = true;
    }

    private void startOne(String name, HavipProperties.Router r) {
        Havip.Builder b = RouterSettings.builder(name, r);
        b.listener(change -> events.publishEvent(new HavipStateChangeEvent(this, change)));
        Duration hookTimeout = RouterSettings.hookTimeout(name, r);
        hooks.forEach(h -> b.hook(h, hookTimeout));
        customizers.forEach(c -> c.customize(name, b));
        VirtualRouter router;
        try {
            router = b.start();
        } catch (RuntimeException e) {
            throw new IllegalStateException("havip.routers." + name + ": cannot start: " + e.getMessage(), e);
        }
        Map<String, VirtualRouter> next = new LinkedHashMap<>(running);
        next.put(name, router);
        running = Collections.unmodifiableMap(next);
        log.info("havip router {} started ({})", name, router.id());
        observers.forEach(o -> o.started(name, router));
    }

    /** Closes every router (a master hands over), then tells Spring the phase may go on. */
    @Override
    public void stop(Runnable callback) {
        Thread t = new Thread(() -> {
            try {
                stop();
            } finally {
                callback.run();
            }
        }, "havip-stop");
        t.start();
    }

    @Override
    public synchronized void stop() {
        closeAll();
        started = false;
    }

    private void closeAll() {
        List<String> names = new ArrayList<>(running.keySet());
        Collections.reverse(names);
        for (String name : names) {
            VirtualRouter r = running.get(name);
            try {
                r.close();
            } catch (RuntimeException e) {
                log.warn("havip router {}: close failed: {}", name, e.toString());
            }
            Map<String, VirtualRouter> next = new LinkedHashMap<>(running);
            next.remove(name);
            running = Collections.unmodifiableMap(next);
            observers.forEach(o -> o.stopped(name, r));
        }
    }

    @Override
    public boolean isRunning() {
        return started;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    /**
     * The running routers by name (empty before start and after stop; a router being closed is
     * still listed). Never waits: any thread, also while {@link #stop()} hands an address over.
     */
    public Map<String, VirtualRouter> routers() {
        return running;
    }

    /** The running router of that name; never waits (see {@link #routers()}). */
    public Optional<VirtualRouter> router(String name) {
        return Optional.ofNullable(running.get(name));
    }

    /** The names configured and enabled, whether running or not. */
    public List<String> configuredNames() {
        return List.copyOf(enabled().keySet());
    }
}
