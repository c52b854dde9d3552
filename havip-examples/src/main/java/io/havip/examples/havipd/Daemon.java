package io.havip.examples.havipd;

import io.havip.core.FailoverListener;
import io.havip.vrrp.Havip;
import io.havip.vrrp.KeepalivedRouters;
import io.havip.vrrp.KeepalivedRouters.Mapping;
import io.havip.vrrp.KeepalivedRouters.Router;
import io.havip.vrrp.KeepalivedRouters.Settings;
import io.havip.vrrp.VirtualRouter;
import io.havip.vrrp.config.ConfigException;
import io.havip.vrrp.config.ConfigWarning;
import io.havip.vrrp.config.KeepalivedConfig;
import io.havip.vrrp.config.KeepalivedConfigReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routers of one keepalived.conf, running: started from the file, reloaded from it (only
 * the instances whose settings changed are restarted), closed gracefully. Not thread-safe:
 * {@link Havipd} calls it from one control thread.
 */
public final class Daemon implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Daemon.class);

    /** Starts a mapped router; the default is {@link Havip.Builder#start()} (Linux networking). */
    @FunctionalInterface
    public interface RouterStarter {
        VirtualRouter start(String instance, Havip.Builder builder);
    }

    /**
     * What a reload does.
     *
     * @param keep  instances whose settings are unchanged: left running, untouched
     * @param stop  instances that are gone or changed: closed
     * @param start instances that are new or changed: started
     */
    public record Plan(List<String> keep, List<String> stop, List<String> start) {
        public Plan {
            keep = List.copyOf(keep);
            stop = List.copyOf(stop);
            start = List.copyOf(start);
        }
    }

    private record Running(Settings settings, VirtualRouter router) { }

    /**
     * A running router as {@code --status} and the SIGUSR1 dump show it: read from any thread.
     *
     * @param transitions what the router's listener recorded (on the listener thread)
     */
    record Live(String name, Router mapped, VirtualRouter router, StatusReport.Transitions transitions) { }

    private final Path file;
    private final RouterStarter starter;
    private final Notifier notifier;
    private final Map<String, Running> running = new LinkedHashMap<>();
    private final java.time.Clock clock;
    /** What the status readers see; replaced (never changed) by the control thread. */
    private volatile List<Live> live = List.of();
    private final java.util.concurrent.atomic.AtomicLong reloads = new java.util.concurrent.atomic.AtomicLong();
    private volatile java.time.Instant lastReload;
    /** notify_fifo / vrrp_notify_fifo as read at start (a reload does not change them). */
    private List<FifoNotifier> fifos = List.of();
    private List<String> fifoPaths = List.of();
    /** The configuration last read successfully. */
    private KeepalivedConfig config;

    Daemon(Path file, RouterStarter starter, Notifier notifier) {
        this(file, starter, notifier, java.time.Clock.systemDefaultZone());
    }

    Daemon(Path file, RouterStarter starter, Notifier notifier, java.time.Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.file = Objects.requireNonNull(file, "file");
        this.starter = Objects.requireNonNull(starter, "starter");
        this.notifier = Objects.requireNonNull(notifier, "notifier");
    }

    /** Reads and maps the file; warnings are logged. */
    Mapping load() {
        KeepalivedConfig read = KeepalivedConfigReader.read(file);
        Mapping mapping = KeepalivedRouters.map(read);
        config = read;
        List<ConfigWarning> all = new ArrayList<>(read.warnings());
        all.addAll(mapping.warnings());
        all.forEach(w -> log.warn("{}", w));
        if (mapping.routers().isEmpty()) {
            throw new ConfigException(new io.havip.vrrp.config.SourceLocation(file.toString(), 0),
                    "no vrrp_instance to run", null);
        }
        return mapping;
    }

    /** Starts every router of the file. */
    void start() {
        Mapping mapping = load();
        initTrackFiles(config, mapping);
        fifos = FifoNotifier.open(config.globalDefs().notifyFifos());
        fifoPaths = config.globalDefs().notifyFifos().stream().map(io.havip.vrrp.config.NotifyFifo::path).toList();
        apply(mapping);
    }

    /**
     * {@code init_file [VALUE] [overwrite]} of the track_files the instances use, at start (not on
     * reload, as keepalived): VALUE written when the file does not exist, or always with overwrite.
     */
    private static void initTrackFiles(KeepalivedConfig config, Mapping mapping) {
        java.util.Set<String> used = new java.util.HashSet<>();
        mapping.routers().values().forEach(r -> r.instance().trackFiles().forEach(t -> used.add(t.name())));
        config.trackFiles().values().stream().filter(f -> used.contains(f.name()) && f.initValue().isPresent())
                .forEach(f -> {
                    Path p = Path.of(f.file());
                    try {
                        if (f.overwrite() || !java.nio.file.Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                            java.nio.file.Files.writeString(p, f.initValue().getAsLong() + "\n");
                            log.info("track_file {}: wrote {} to {} (init_file)", f.name(), f.initValue().getAsLong(), p);
                        }
                    } catch (java.io.IOException e) {
                        log.warn("track_file {}: cannot initialise {} ({} at {}): {}", f.name(), p, "init_file", f.location(),
                                e.toString());
                    }
                });
    }

    /**
     * Reads the file again and restarts only what changed. A file that no longer reads leaves
     * everything running as it was.
     *
     * @return what was done
     */
    Plan reload() {
        reloads.incrementAndGet();
        lastReload = clock.instant();
        Mapping mapping;
        try {
            mapping = load();
        } catch (ConfigException e) {
            log.error("reload of {} refused, the routers keep running unchanged: {}", file, e.getMessage());
            return new Plan(List.copyOf(running.keySet()), List.of(), List.of());
        }
        if (!config.globalDefs().notifyFifos().stream().map(io.havip.vrrp.config.NotifyFifo::path).toList()
                .equals(fifoPaths)) {
            log.warn("notify_fifo / vrrp_notify_fifo changed in {}; the FIFOs opened at start stay in use until havipd"
                    + " restarts", file);
        }
        return apply(mapping);
    }

    private Plan apply(Mapping mapping) {
        Map<String, Settings> wanted = new LinkedHashMap<>();
        mapping.routers().forEach((name, r) -> wanted.put(name, r.settings()));
        Map<String, Settings> current = new LinkedHashMap<>();
        running.forEach((name, r) -> current.put(name, r.settings()));
        Plan plan = diff(current, wanted);
        for (String name : plan.stop()) {
            log.info("{}: stopping ({})", name, wanted.containsKey(name) ? "settings changed" : "no longer in " + file);
            running.remove(name).router().close();
            live = live.stream().filter(l -> !l.name().equals(name)).toList();
        }
        for (String name : plan.start()) {
            Router r = mapping.routers().get(name);
            // one log line, so that each line carries its time stamp (the settings print on several)
            log.info("{}: starting {}", name, String.valueOf(r.settings()).replaceAll("\\R\\s*", "; "));
            StatusReport.Transitions transitions = new StatusReport.Transitions(clock);
            Havip.Builder b = r.builder().listener(transitionLog(name))
                    .listener(notifier.listenerFor(name, r.instance().notifyScripts())).listener(transitions);
            fifos.forEach(f -> b.listener(f.listenerFor(name)));
            VirtualRoutes.of(name, r.instance().virtualRoutes(), r.instance().virtualRules()).ifPresent(b::listener);
            VirtualRouter router = starter.start(name, b);
            r.priority().follow(router);
            running.put(name, new Running(r.settings(), router));
            List<Live> now = new ArrayList<>(live);
            now.add(new Live(name, r, router, transitions));
            live = List.copyOf(now);
        }
        if (!plan.keep().isEmpty()) {
            log.info("unchanged, left running: {}", plan.keep());
        }
        return plan;
    }

    /** Which routers to keep, stop and start to go from {@code current} to {@code wanted}. */
    static Plan diff(Map<String, Settings> current, Map<String, Settings> wanted) {
        List<String> keep = new ArrayList<>();
        List<String> stop = new ArrayList<>();
        List<String> start = new ArrayList<>();
        current.forEach((name, settings) -> {
            if (settings.equals(wanted.get(name))) {
                keep.add(name);
            } else {
                stop.add(name);
            }
        });
        wanted.forEach((name, settings) -> {
            if (!keep.contains(name)) {
                start.add(name);
            }
        });
        return new Plan(keep, stop, start);
    }

    private static FailoverListener transitionLog(String name) {
        return c -> log.info("{}: {} -> {} ({}, priority {})", name, c.from(), c.to(),
                c.reason().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '), c.priority());
    }

    /** The running routers as the status readers see them, in start order; any thread. */
    List<Live> live() {
        return live;
    }

    Path file() {
        return file;
    }

    long reloads() {
        return reloads.get();
    }

    java.util.Optional<java.time.Instant> lastReload() {
        return java.util.Optional.ofNullable(lastReload);
    }

    /** The running routers by instance name. */
    Map<String, VirtualRouter> routers() {
        Map<String, VirtualRouter> out = new LinkedHashMap<>();
        running.forEach((name, r) -> out.put(name, r.router()));
        return Collections.unmodifiableMap(out);
    }

    /** Closes every router (a master hands over), then runs the queued notify scripts. */
    @Override
    public void close() {
        List<String> names = new ArrayList<>(running.keySet());
        Collections.reverse(names);
        for (String name : names) {
            try {
                running.remove(name).router().close();
                live = live.stream().filter(l -> !l.name().equals(name)).toList();
            } catch (RuntimeException e) {
                log.warn("{}: close failed: {}", name, e.toString());
            }
        }
        notifier.close();
        fifos.forEach(FifoNotifier::close);
    }
}
