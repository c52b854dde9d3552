package io.havip.examples.havipd;

import io.havip.core.FailoverListener;
import io.havip.core.RouterState;
import io.havip.vrrp.Havip;
import io.havip.vrrp.keepalived.KeepalivedRouters;
import io.havip.vrrp.keepalived.KeepalivedRouters.Group;
import io.havip.vrrp.keepalived.KeepalivedRouters.Mapping;
import io.havip.vrrp.keepalived.KeepalivedRouters.Router;
import io.havip.vrrp.keepalived.KeepalivedRouters.Settings;
import io.havip.vrrp.RouterGroup;
import io.havip.vrrp.VirtualRouter;
import io.havip.vrrp.config.ConfigException;
import io.havip.vrrp.config.ConfigWarning;
import io.havip.vrrp.config.KeepalivedConfig;
import io.havip.vrrp.config.KeepalivedConfigReader;
import io.havip.vrrp.config.NotifyScripts;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routers of one keepalived.conf, running: started from the file, reloaded from it (only
 * what changed is restarted), closed gracefully. A {@code vrrp_sync_group} runs as one
 * {@link RouterGroup} and is reloaded as a unit: a change to any member, to the group's
 * membership or to its notify scripts restarts the whole group; an unchanged group keeps running.
 * Not thread-safe: {@link Havipd} calls it from one control thread.
 */
public final class Daemon implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Daemon.class);

    /** Starts mapped routers; the defaults use Linux networking. */
    @FunctionalInterface
    public interface RouterStarter {
        /** Starts a router that is in no sync group; e.g. {@link Havip.Builder#start()}. */
        VirtualRouter start(String instance, Havip.Builder builder);

        /**
         * Starts the members of sync group {@code group} as one {@link RouterGroup} that reports to
         * {@code listener}; default {@link Havip#syncGroup(String)} with Linux networking.
         *
         * @param members the members' builders by instance name, in the group's order, their listeners added
         */
        default RouterGroup startGroup(String group, Map<String, Havip.Builder> members, RouterGroup.GroupListener listener) {
            RouterGroup.Builder g = Havip.syncGroup(group).listener(listener);
            members.values().forEach(g::router);
            return g.start();
        }
    }

    /**
     * What a reload does, by instance name (a sync group's members are kept, stopped or started
     * together).
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

    /**
     * What runs as one: a lone router ({@code group} null, one member) or a sync group. Equal
     * units are the same running thing (a reload leaves it alone); member order does not count.
     */
    private record Unit(String group, Map<String, Settings> members, List<Optional<String>> groupNotify) {
        static String key(String group, String instance) {
            return group == null ? "vrrp_instance " + instance : "vrrp_sync_group " + group;
        }
    }

    private record Running(Unit unit, Map<String, VirtualRouter> routers, RunningGroup group) { }

    /**
     * A started sync group and its notify scripts. The group's own STOP is notified by the
     * daemon once every member has closed (the members' STOP first, as keepalived's
     * notify_shutdown); changes the group reports after that are not notified.
     */
    private final class RunningGroup implements RouterGroup.GroupListener {
        private final String name;
        private final NotifyScripts scripts;
        private RouterGroup group;
        private boolean stopped;

        RunningGroup(String name, NotifyScripts scripts) {
            this.name = name;
            this.scripts = scripts;
        }

        @Override
        public synchronized void onGroupStateChange(RouterGroup.GroupChange change) {
            if (!stopped && change.to() != RouterState.STOP) {
                notifier.submitGroup(name, scripts, change.to());
            }
        }

        void close() {
            group.close();
            synchronized (this) {
                stopped = true;
                notifier.submitGroup(name, scripts, RouterState.STOP);
            }
        }
    }

    /**
     * A running router as {@code --status} and the SIGUSR1 dump show it: read from any thread.
     *
     * @param transitions what the router's listener recorded (on the listener thread)
     */
    record Live(String name, Router mapped, VirtualRouter router, StatusReport.Transitions transitions) { }

    private final Path file;
    private final RouterStarter starter;
    private final Notifier notifier;
    /** By unit key, in start order. */
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
    /** {@code havip { zookeeper { } }} as started, or null without the block (then Curator is never loaded). */
    private ZooKeeperGuard zookeeper;

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
        if (config.havip().zookeeper().isPresent()) {
            zookeeper = ZooKeeperGuard.open(config.havip().zookeeper().get());
        }
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
            return new Plan(List.copyOf(routers().keySet()), List.of(), List.of());
        }
        if (!config.globalDefs().notifyFifos().stream().map(io.havip.vrrp.config.NotifyFifo::path).toList()
                .equals(fifoPaths)) {
            log.warn("notify_fifo / vrrp_notify_fifo changed in {}; the FIFOs opened at start stay in use until havipd"
                    + " restarts", file);
        }
        if (zookeeper != null) {
            zookeeper.changedTo(config.havip().zookeeper());
        } else if (config.havip().zookeeper().isPresent()) {
            log.warn("a havip zookeeper block was added to {}; it applies when havipd restarts", file);
        }
        return apply(mapping);
    }

    /** The units of a mapping by key: each sync group, then each instance in no group, in file order. */
    private static Map<String, Unit> units(Mapping mapping) {
        Map<String, Unit> out = new LinkedHashMap<>();
        mapping.routers().forEach((name, r) -> {
            Optional<Group> g = mapping.groupOf(name);
            if (g.isEmpty()) {
                out.put(Unit.key(null, name), new Unit(null, Map.of(name, r.settings()), List.of()));
            } else if (!out.containsKey(Unit.key(g.get().name(), null))) {
                Map<String, Settings> members = new LinkedHashMap<>();
                g.get().members().forEach(m -> members.put(m, mapping.routers().get(m).settings()));
                out.put(Unit.key(g.get().name(), null), new Unit(g.get().name(), members, g.get().notifyCommands()));
            }
        });
        return out;
    }

    private Plan apply(Mapping mapping) {
        Map<String, Unit> wanted = units(mapping);
        Map<String, Unit> current = new LinkedHashMap<>();
        running.forEach((key, r) -> current.put(key, r.unit()));
        Plan units = diff(current, wanted);
        List<String> keep = new ArrayList<>();
        List<String> stop = new ArrayList<>();
        List<String> start = new ArrayList<>();
        units.keep().forEach(key -> keep.addAll(current.get(key).members().keySet()));
        for (String key : units.stop()) {
            Running r = running.remove(key);
            stop.addAll(r.routers().keySet());
            stop(r, wanted.get(key));
        }
        for (String key : units.start()) {
            Unit u = wanted.get(key);
            start.addAll(u.members().keySet());
            running.put(key, u.group() == null ? startRouter(u.members().keySet().iterator().next(), mapping, u)
                    : startGroup(mapping.groups().get(u.group()), mapping, u));
        }
        if (!keep.isEmpty()) {
            log.info("unchanged, left running: {}", keep);
        }
        return new Plan(keep, stop, start);
    }

    private void stop(Running r, Unit replacement) {
        forget(r.routers().keySet());
        if (r.group() == null) {
            String name = r.routers().keySet().iterator().next();
            log.info("{}: stopping ({})", name, replacement != null ? "settings changed" : "no longer in " + file);
            r.routers().get(name).close();
            return;
        }
        Unit was = r.unit();
        String why = replacement == null ? "no longer in " + file
                : !replacement.members().keySet().equals(was.members().keySet()) ? "members changed to "
                        + List.copyOf(replacement.members().keySet())
                : !replacement.groupNotify().equals(was.groupNotify()) ? "its notify scripts changed"
                : "settings of " + was.members().keySet().stream()
                        .filter(m -> !was.members().get(m).equals(replacement.members().get(m))).toList() + " changed";
        log.info("sync group {}: stopping its members {} ({})", was.group(), List.copyOf(was.members().keySet()), why);
        r.group().close();
    }

    private Running startRouter(String name, Mapping mapping, Unit unit) {
        Router r = mapping.routers().get(name);
        Map<String, StatusReport.Transitions> recorders = new LinkedHashMap<>();
        VirtualRouter router = starter.start(name, withListeners(name, r, recorders));
        started(name, r, router, recorders.get(name));
        return new Running(unit, Map.of(name, router), null);
    }

    private Running startGroup(Group g, Mapping mapping, Unit unit) {
        log.info("sync group {}: starting its members {} together", g.name(), g.members());
        Map<String, Havip.Builder> members = new LinkedHashMap<>();
        Map<String, StatusReport.Transitions> recorders = new LinkedHashMap<>();
        g.members().forEach(m -> members.put(m, withListeners(m, mapping.routers().get(m), recorders)));
        RunningGroup notify = new RunningGroup(g.name(), g.config().notifyScripts());
        RouterGroup group = starter.startGroup(g.name(), members, notify);
        notify.group = group;
        Map<String, VirtualRouter> routers = new LinkedHashMap<>();
        List<VirtualRouter> started = group.routers();
        for (int i = 0; i < g.members().size(); i++) {
            String m = g.members().get(i);
            routers.put(m, started.get(i));
            started(m, mapping.routers().get(m), started.get(i), recorders.get(m));
        }
        return new Running(unit, routers, notify);
    }

    /**
     * The router's builder with the transition log, its notify scripts, the notify FIFOs, its
     * virtual routes and rules, and the recorder of its transitions for the status readers
     * (put in {@code recorders}).
     */
    private Havip.Builder withListeners(String name, Router r, Map<String, StatusReport.Transitions> recorders) {
        // one log line, so that each line carries its time stamp (the settings print on several)
        log.info("{}: starting {}", name, String.valueOf(r.settings()).replaceAll("\\R\\s*", "; "));
        StatusReport.Transitions transitions = new StatusReport.Transitions(clock);
        recorders.put(name, transitions);
        Havip.Builder b = r.builder().listener(transitionLog(name))
                .listener(notifier.listenerFor(name, r.instance().notifyScripts())).listener(transitions);
        fifos.forEach(f -> b.listener(f.listenerFor(name)));
        VirtualRoutes.of(name, r.instance().virtualRoutes(), r.instance().virtualRules()).ifPresent(b::listener);
        return zookeeper == null ? b : zookeeper.apply(b);
    }

    /** A router started: a weighted track_file follows it, and the status readers see it. */
    private void started(String name, Router r, VirtualRouter router, StatusReport.Transitions transitions) {
        r.priority().follow(router);
        List<Live> now = new ArrayList<>(live);
        now.add(new Live(name, r, router, transitions));
        live = List.copyOf(now);
    }

    /** The status readers no longer see {@code names}. */
    private void forget(java.util.Collection<String> names) {
        live = live.stream().filter(l -> !names.contains(l.name())).toList();
    }

    /** Which units to keep, stop and start to go from {@code current} to {@code wanted} (equal values: keep). */
    static <S> Plan diff(Map<String, S> current, Map<String, S> wanted) {
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

    /** The running routers by instance name (a sync group's members included). */
    Map<String, VirtualRouter> routers() {
        Map<String, VirtualRouter> out = new LinkedHashMap<>();
        running.values().forEach(r -> out.putAll(r.routers()));
        return Collections.unmodifiableMap(out);
    }

    /** The running sync groups by name. */
    Map<String, RouterGroup> groups() {
        Map<String, RouterGroup> out = new LinkedHashMap<>();
        running.values().stream().filter(r -> r.group() != null).forEach(r -> out.put(r.unit().group(), r.group().group));
        return Collections.unmodifiableMap(out);
    }

    /**
     * Begins the close of every running router at once (their priority-0 adverts and handovers
     * start now) without waiting; {@link #close()} then finishes in order. Any thread (SIGTERM's).
     */
    void beginStop() {
        for (Live l : live) {
            try {
                l.router().beginClose();
            } catch (RuntimeException e) {
                log.warn("{}: beginning close failed: {}", l.name(), e.toString());
            }
        }
    }

    /**
     * Closes every router and group, the last started first (a master hands over), then runs the
     * queued notify scripts: a group's members' notify_stop before the group's.
     */
    @Override
    public void close() {
        List<String> keys = new ArrayList<>(running.keySet());
        Collections.reverse(keys);
        for (String key : keys) {
            Running r = running.remove(key);
            try {
                forget(r.routers().keySet());
                if (r.group() == null) {
                    r.routers().values().forEach(VirtualRouter::close);
                } else {
                    r.group().close();
                }
            } catch (RuntimeException e) {
                log.warn("{}: close failed: {}", key, e.toString());
            }
        }
        if (zookeeper != null) {
            zookeeper.close(); // after the routers: each gave its lease back after its unbind
        }
        notifier.close();
        fifos.forEach(FifoNotifier::close);
    }
}
