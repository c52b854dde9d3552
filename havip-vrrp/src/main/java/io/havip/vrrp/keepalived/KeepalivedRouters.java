package io.havip.vrrp.keepalived;

import io.havip.arp.garp.GarpConfig;
import io.havip.core.net.IpAddress;
import io.havip.vrrp.Havip;
import io.havip.vrrp.HealthCheck;
import io.havip.vrrp.RouterGroup;
import io.havip.vrrp.config.Authentication;
import io.havip.vrrp.config.ConfigException;
import io.havip.vrrp.config.ConfigWarning;
import io.havip.vrrp.config.GarpSettings;
import io.havip.vrrp.config.GlobalDefs;
import io.havip.vrrp.config.HavipSettings;
import io.havip.vrrp.config.InitialState;
import io.havip.vrrp.config.KeepalivedConfig;
import io.havip.vrrp.config.NotifyScripts;
import io.havip.vrrp.config.SourceLocation;
import io.havip.vrrp.config.TrackFileConfig;
import io.havip.vrrp.config.TrackProcessConfig;
import io.havip.vrrp.config.TrackedInterface;
import io.havip.vrrp.config.TrackedObject;
import io.havip.vrrp.config.TrackedScript;
import io.havip.vrrp.config.VirtualIpAddress;
import io.havip.vrrp.config.VrrpInstanceConfig;
import io.havip.vrrp.config.VrrpScriptConfig;
import io.havip.vrrp.config.VrrpSyncGroupConfig;
import io.havip.vrrp.liveness.LivenessConfig;
import io.havip.vrrp.machine.RouterConfig;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Turns the {@code vrrp_instance}s of a keepalived.conf into {@link Havip.Builder}s, one per
 * instance, keyed by instance name: interface, VRID, version, priority, advert interval,
 * virtual addresses, unicast source and peers, preempt / nopreempt / preempt_delay, PASS
 * authentication, the GARP schedule, {@code track_interface} with weights and
 * {@code vrrp_script}s as {@link HealthCheck}s, and the liveness channel of a {@code havip { ... }}
 * block ({@link HavipSettings}). A {@code vrrp_sync_group} becomes a {@link Group}, which the
 * caller runs as a {@link RouterGroup} of its members' builders; the group's trackers apply to
 * each member, and a member's own weighted trackers follow keepalived 2.2.7's rule (weight 0, or
 * dropped for a script, unless {@code sync_group_tracking_weight}).
 *
 * <p>Only here, because a configuration file asks for it, does havip run a process: each
 * tracked {@code vrrp_script} becomes a health check that runs the script (split into words
 * as keepalived does, no shell) and counts exit status 0 as healthy. The library itself never
 * forks.
 *
 * <p>What havip does differently or not at all is reported as a {@link ConfigWarning} with the
 * file and line it comes from (in addition to the reader's own warnings); what would make the
 * router behave wrongly (AH authentication, no interface) is a {@link ConfigException}.
 * Listeners, hooks, the transport and binder are left for the caller to add.
 */
public final class KeepalivedRouters {

    private KeepalivedRouters() {
    }

    /**
     * A {@code vrrp_script} as the health check runs it.
     *
     * @param command the script line split into words (no shell)
     * @param weight  the weight in effect for this router (the track_script's, else the script's)
     */
    public record ScriptCheck(String name, List<String> command, Duration interval, Duration timeout, int rise, int fall,
                              int weight) {
        public ScriptCheck {
            Objects.requireNonNull(name, "name");
            command = List.copyOf(command);
            Objects.requireNonNull(interval, "interval");
            Objects.requireNonNull(timeout, "timeout");
        }
    }

    /**
     * The effective settings of one router, without file positions, so two readings of a file
     * can be compared: equal settings mean the same router (a reload can leave it alone).
     *
     * @param router        the validated protocol settings
     * @param garp          the announcement schedule
     * @param sourceAddress the advert source address, when configured
     * @param checks        the script health checks, in tracking order
     * @param notifyCommands the notify command lines as configured (master, backup, fault, stop, notify)
     * @param liveness      the liveness channel of the {@code havip} block, when on
     * @param tracked       the {@code track_file} and {@code track_process} trackers in effect, one line each
     * @param routes        the {@code virtual_routes}, then the {@code virtual_rules} (each starting "rule "), one
     *                      line each as keepalived.conf writes them
     */
    public record Settings(RouterConfig router, GarpConfig garp, Optional<IpAddress> sourceAddress,
                           List<ScriptCheck> checks, List<Optional<String>> notifyCommands,
                           Optional<LivenessConfig> liveness, List<String> tracked, List<String> routes) {
        public Settings {
            tracked = List.copyOf(tracked);
            routes = List.copyOf(routes);
            Objects.requireNonNull(liveness, "liveness");
            Objects.requireNonNull(router, "router");
            Objects.requireNonNull(garp, "garp");
            Objects.requireNonNull(sourceAddress, "sourceAddress");
            checks = List.copyOf(checks);
            notifyCommands = List.copyOf(notifyCommands);
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder(router.toString());
            sourceAddress.ifPresent(s -> b.append("\n  source address ").append(s));
            b.append("\n  ").append(garp);
            liveness.ifPresent(l -> b.append("\n  liveness channel ").append(l));
            checks.forEach(c -> b.append("\n  vrrp_script ").append(c.name()).append(": ").append(String.join(" ", c.command()))
                    .append(", every ").append(c.interval()).append(", timeout ").append(c.timeout()).append(", rise ")
                    .append(c.rise()).append(", fall ").append(c.fall()).append(", weight ").append(c.weight()));
            tracked.forEach(t -> b.append("\n  ").append(t));
            routes.forEach(r -> b.append("\n  virtual_route ").append(r));
            return b.toString();
        }
    }

    /**
     * One mapped instance.
     *
     * @param builder  a fresh builder for the instance (add listeners, transport, binder, then start)
     * @param settings the effective settings, for printing and comparing
     * @param instance the instance as read
     * @param priority what the weighted {@code track_file}s make the base priority: once the router
     *                 runs, give it to {@link KeepalivedTrackers.PriorityFollower#follow} (without, the
     *                 configured priority stays)
     */
    public record Router(String name, Havip.Builder builder, Settings settings, VrrpInstanceConfig instance,
                         KeepalivedTrackers.PriorityFollower priority) {
    }

    /**
     * The result of {@link #map}.
     *
     * @param routers  by instance name, in file order (a sync group's members too)
     * @param groups   the {@code vrrp_sync_group}s that have members, by name, in file order
     * @param warnings what the mapping could not carry over, in instance order, then group order
     */
    public record Mapping(Map<String, Router> routers, Map<String, Group> groups, List<ConfigWarning> warnings) {
        public Mapping {
            routers = Collections.unmodifiableMap(new LinkedHashMap<>(routers));
            groups = Collections.unmodifiableMap(new LinkedHashMap<>(groups));
            warnings = List.copyOf(warnings);
        }

        /** Without sync groups. */
        public Mapping(Map<String, Router> routers, List<ConfigWarning> warnings) {
            this(routers, Map.of(), warnings);
        }

        /** The sync group {@code instance} is a member of, if any. */
        public Optional<Group> groupOf(String instance) {
            return groups.values().stream().filter(g -> g.members().contains(instance)).findFirst();
        }

        /** The builders by instance name. */
        public Map<String, Havip.Builder> builders() {
            Map<String, Havip.Builder> out = new LinkedHashMap<>();
            routers.forEach((name, r) -> out.put(name, r.builder()));
            return Collections.unmodifiableMap(out);
        }
    }

    /** Builders for every instance, running vrrp_scripts as processes; see {@link #map} for the warnings. */
    public static Map<String, Havip.Builder> builders(KeepalivedConfig config) {
        return map(config).builders();
    }

    /** Maps every instance, running vrrp_scripts as processes. */
    public static Mapping map(KeepalivedConfig config) {
        return map(config, KeepalivedRouters::processCheck);
    }

    /**
     * Maps every instance; {@code checkFor} makes the health check body of each tracked script
     * (returns true when healthy), e.g. to run scripts differently in a test.
     *
     * @throws ConfigException when an instance cannot run as configured; the message has FILE:LINE
     */
    public static Mapping map(KeepalivedConfig config, Function<ScriptCheck, Callable<Boolean>> checkFor) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(checkFor, "checkFor");
        List<ConfigWarning> warnings = new ArrayList<>();
        Map<String, Router> routers = new LinkedHashMap<>();
        for (VrrpInstanceConfig i : config.instances()) {
            routers.put(i.name(), router(config, i, checkFor, warnings));
        }
        Map<String, Group> groups = new LinkedHashMap<>();
        for (VrrpSyncGroupConfig g : config.syncGroups()) {
            if (!g.instances().isEmpty()) {
                groups.put(g.name(), group(config, g, warnings));
            }
        }
        return new Mapping(routers, groups, warnings);
    }

    // ---------------------------------------------------------------- vrrp_sync_group

    /**
     * One {@code vrrp_sync_group}, run as a {@link RouterGroup} of its members (keepalived 2.2.7's
     * rules, see RouterGroup): the members' own trackers and the group's are already in the
     * members' {@link Router}s.
     *
     * @param members        the member instances, in the group's order
     * @param notifyCommands the group's notify command lines as configured (master, backup, fault, stop, notify)
     * @param config         the group as read
     */
    public record Group(String name, List<String> members, List<Optional<String>> notifyCommands,
                       VrrpSyncGroupConfig config) {
        public Group {
            Objects.requireNonNull(name, "name");
            members = List.copyOf(members);
            notifyCommands = List.copyOf(notifyCommands);
            Objects.requireNonNull(config, "config");
        }

        @Override
        public String toString() {
            return "members " + members + (config.trackingWeight() ? ", sync_group_tracking_weight" : "");
        }
    }

    private static Group group(KeepalivedConfig config, VrrpSyncGroupConfig g, List<ConfigWarning> warnings) {
        String who = "vrrp_sync_group '" + g.name() + "'";
        if (g.instances().size() == 1) {
            warnings.add(new ConfigWarning(g.location(), who + " has one member (" + g.instances().get(0) + "); it moves"
                    + " nothing with it (keepalived warns too)"));
        }
        List<String> owners = g.instances().stream().filter(n -> isOwner(config, n)).toList();
        if (!owners.isEmpty() && owners.size() < g.instances().size()) {
            warnings.add(new ConfigWarning(g.location(), who + ": " + owners + " have priority 255 (address owner) and"
                    + " the other members do not; the owners take MASTER at once and pull the group along, so the"
                    + " group keeps changing state (keepalived warns: this won't work); give every member the same role"));
        }
        if (g.smtpAlert()) {
            warnings.add(new ConfigWarning(g.location(), who + ": smtp_alert ignored; havip sends no e-mail"));
        }
        NotifyScripts n = g.notifyScripts();
        n.masterRxLowerPriority().ifPresent(s -> warnings.add(new ConfigWarning(s.location(), who
                + ": notify_master_rx_lower_pri is an instance setting; not run for a group")));
        return new Group(g.name(), g.instances(), List.of(command(n.master()), command(n.backup()), command(n.fault()),
                command(n.stop()), command(n.any())), g);
    }

    private static boolean isOwner(KeepalivedConfig config, String instance) {
        return config.instances().stream()
                .anyMatch(i -> i.name().equals(instance) && i.priority() == RouterConfig.OWNER_PRIORITY);
    }

    /**
     * A member's own weighted tracker, under keepalived 2.2.7's rule for sync groups
     * (vrrp_complete_instance): a member's priority must not float, or the members would disagree
     * about who is master and the group would thrash; unless the group says
     * {@code sync_group_tracking_weight}, a weighted track_interface is kept with weight 0 and a
     * weighted track_script is dropped. The group's own trackers keep their weights (cleared when
     * a member is an address owner). Returns the weight to track with, or null to drop.
     */
    private static Integer memberWeight(VrrpSyncGroupConfig g, boolean own, boolean anyOwner, String who, String what,
                                        int weight, boolean script, SourceLocation at, List<ConfigWarning> warnings) {
        if (weight == 0) {
            return 0;
        }
        if (!own) {
            if (anyOwner) {
                warnings.add(new ConfigWarning(at, who + ": vrrp_sync_group '" + g.name() + "' " + what + " weight "
                        + weight + " set to 0: a member has priority 255 (address owner), as keepalived does"));
                return 0;
            }
            return weight;
        }
        if (g.trackingWeight()) {
            return weight;
        }
        if (script) {
            warnings.add(new ConfigWarning(at, who + ": " + what + " with weight " + weight + " ignored in sync group '"
                    + g.name() + "', as keepalived does (the members' priorities must not float apart); track it on the"
                    + " group, give it weight 0, or add sync_group_tracking_weight to the group"));
            return null;
        }
        warnings.add(new ConfigWarning(at, who + ": " + what + " weight " + weight + " set to 0 in sync group '" + g.name()
                + "', as keepalived does (the members' priorities must not float apart): the member goes to FAULT while"
                + " it is down; add sync_group_tracking_weight to the group to keep the weight"));
        return 0;
    }

    private static Router router(KeepalivedConfig config, VrrpInstanceConfig i,
                                 Function<ScriptCheck, Callable<Boolean>> checkFor, List<ConfigWarning> warnings) {
        String who = "vrrp_instance '" + i.name() + "'";
        String ifname = i.interfaceName().orElseThrow(() -> new ConfigException(i.location(), "interface", who
                + " has no interface; havip binds the virtual addresses on the instance's interface", "an interface name"));
        Havip.Builder b = Havip.builder().name(i.name()).interfaceName(ifname).vrid(i.virtualRouterId())
                .version(i.version()).priority(i.priority()).advertInterval(i.advertInterval()).preempt(i.preempt())
                .preemptDelay(i.preemptDelay());

        if (i.initialState() == InitialState.MASTER && i.priority() != RouterConfig.OWNER_PRIORITY) {
            warnings.add(new ConfigWarning(i.location(), who + ": state MASTER only changes keepalived's start-up; havip"
                    + " starts in BACKUP and the election decides (only priority 255 takes over at once)"));
        }
        for (VirtualIpAddress v : i.virtualAddresses()) {
            b.virtualAddress(v.address());
            addressOptions(who, ifname, v, warnings);
        }
        for (VirtualIpAddress v : i.excludedAddresses()) {
            warnings.add(new ConfigWarning(v.location(), who + ": virtual_ipaddress_excluded " + v.address()
                    + " is not bound by havip; list it under virtual_ipaddress to have it move with the router"));
        }
        i.sourceAddress().ifPresent(b::sourceAddress);
        i.unicastPeers().forEach(b::unicastPeer);
        i.virtualMac().ifPresent(v -> {
            b.useVirtualMac(true);
            v.interfaceName().ifPresent(b::virtualMacInterface);
            boolean onBase = v.transmitBase();
            if (!onBase && !i.unicastPeers().isEmpty()) {
                warnings.add(new ConfigWarning(v.location(), who + ": use_vmac with unicast_peer needs vmac_xmit_base"
                        + " (keepalived's manual); adverts are sent from " + ifname + ", as with vmac_xmit_base"));
                onBase = true;
            }
            b.virtualMacTransmitBase(onBase);
        });
        b.acceptAdvertsFromNonPeers(acceptsNonPeers(config, i, who, warnings));
        Optional<LivenessConfig> liveness = livenessOf(config.havip());
        liveness.ifPresent(b::liveness);
        b.strayAddressPolicy(config.havip().strayAddressPolicy());
        Optional<Authentication> auth = i.authentication();
        if (auth.isPresent()) {
            if (auth.get().type() == Authentication.Type.AH) {
                throw new ConfigException(i.location(), "auth_type", who + ": AH authentication is not supported by havip,"
                        + " so its adverts would not match the peers'", "PASS, or no authentication block");
            }
            b.authPassword(auth.get().password());
        }
        if (!i.accept()) {
            warnings.add(new ConfigWarning(i.location(), who + ": no_accept (or vrrp_strict) is not applied; as master"
                    + " havip accepts packets addressed to the virtual addresses (accept mode)"));
        }
        if (i.dontTrackPrimary()) {
            warnings.add(new ConfigWarning(i.location(), who + ": dont_track_primary is not supported; " + ifname
                    + " going down still puts the router in FAULT"));
        }
        if (i.smtpAlert()) {
            warnings.add(new ConfigWarning(i.location(), who + ": smtp_alert ignored; havip sends no e-mail"));
        }
        NotifyScripts n = i.notifyScripts();
        n.masterRxLowerPriority().ifPresent(s -> warnings.add(new ConfigWarning(s.location(), who
                + ": notify_master_rx_lower_pri is not run by havip")));

        GarpConfig garp = garp(i.garp(), config.globalDefs());
        b.garp(garp).garpOnLowerPriorityAdvert(i.garp().lowerPrioRepeat() > 0);

        Optional<VrrpSyncGroupConfig> group = config.syncGroupOf(i.name());
        boolean anyOwner = group.map(g -> g.instances().stream().anyMatch(m -> isOwner(config, m))).orElse(false);
        List<TrackedInterface> interfaces = new ArrayList<>(i.trackInterfaces());
        List<TrackedScript> scripts = new ArrayList<>(i.trackScripts());
        int ownInterfaces = interfaces.size();
        int ownScripts = scripts.size();
        group.ifPresent(g -> {
            interfaces.addAll(g.trackInterfaces());
            scripts.addAll(g.trackScripts());
        });
        Set<String> trackedNames = new LinkedHashSet<>();
        for (int k = 0; k < interfaces.size(); k++) {
            TrackedInterface t = interfaces.get(k);
            Integer weight = t.weight();
            if (t.reverse()) {
                warnings.add(new ConfigWarning(t.location(), who + ": track_interface " + t.name()
                        + " with reverse is not supported; tracker ignored"));
                continue;
            }
            if (group.isPresent()) {
                weight = memberWeight(group.get(), k < ownInterfaces, anyOwner, who, "track_interface " + t.name(),
                        t.weight(), false, t.location(), warnings);
            }
            if (!trackedNames.add("interface " + t.name())) {
                warnings.add(new ConfigWarning(t.location(), who + ": track_interface " + t.name()
                        + " is tracked twice; the second entry is ignored"));
            } else {
                b.trackInterface(t.name(), weight);
            }
        }
        List<ScriptCheck> checks = new ArrayList<>();
        for (int k = 0; k < scripts.size(); k++) {
            TrackedScript t = scripts.get(k);
            VrrpScriptConfig s = config.scripts().get(t.name());
            if (t.reverse()) {
                warnings.add(new ConfigWarning(t.location(), who + ": track_script " + t.name()
                        + " with reverse is not supported; tracker ignored"));
                continue;
            }
            int weight = t.weight();
            if (group.isPresent()) {
                Integer w = memberWeight(group.get(), k < ownScripts, anyOwner, who, "track_script " + t.name(),
                        t.weight(), true, t.location(), warnings);
                if (w == null) {
                    continue;
                }
                weight = w;
            }
            if (!trackedNames.add("script " + t.name())) {
                warnings.add(new ConfigWarning(t.location(), who + ": track_script " + t.name()
                        + " is tracked twice; the second entry is ignored"));
                continue;
            }
            if (s.initFail()) {
                warnings.add(new ConfigWarning(s.location(), "vrrp_script '" + s.name() + "': init_fail is not supported;"
                        + " the check starts healthy until its first " + s.fall() + " failure(s)"));
            }
            if (s.user().isPresent()) {
                warnings.add(new ConfigWarning(s.location(), "vrrp_script '" + s.name() + "': user " + s.user().get()
                        + " ignored; the script runs as the daemon's user"));
            }
            List<String> command;
            try {
                command = commandLine(s.script());
            } catch (IllegalArgumentException e) {
                throw new ConfigException(s.location(), "script", "vrrp_script '" + s.name() + "': " + e.getMessage(),
                        "a command line with balanced quotes");
            }
            ScriptCheck c = new ScriptCheck(s.name(), command, s.interval(), s.timeout(), s.rise(), s.fall(), weight);
            checks.add(c);
            b.healthCheck(new HealthCheck(c.name(), checkFor.apply(c), c.interval(), c.timeout(), c.rise(), c.fall(),
                    c.weight()));
        }

        KeepalivedTrackers.PriorityFollower follower = new KeepalivedTrackers.PriorityFollower(i.name(), i.priority());
        List<String> tracked = new ArrayList<>();
        objectTrackers(config, i, who, b, follower, tracked, warnings);

        RouterConfig built;
        try {
            built = b.build();
        } catch (IllegalArgumentException e) {
            throw new ConfigException(i.location(), "vrrp_instance", who + ": " + e.getMessage(), null);
        }
        List<Optional<String>> notify = List.of(command(n.master()), command(n.backup()), command(n.fault()),
                command(n.stop()), command(n.any()));
        return new Router(i.name(), b, new Settings(built, garp, i.sourceAddress(), checks, notify, liveness, tracked,
                java.util.stream.Stream.concat(i.virtualRoutes().stream().map(Object::toString),
                        i.virtualRules().stream().map(r -> "rule " + r)).toList()), i,
                follower);
    }

    /** How often a track_file is read (keepalived is told by inotify at once). */
    static final Duration FILE_POLL = Duration.ofMillis(250);
    /** How often /proc is scanned for a vrrp_track_process (keepalived hears the kernel's process events). */
    static final Duration PROCESS_POLL = Duration.ofMillis(500);

    /**
     * track_file and track_process as health checks: a track_file with weight 0, or whose value
     * times weight falls below -253, puts the router in FAULT, and with a weight its value moves
     * the base priority through {@code follower}; a track_process is OK while quorum..quorum_max
     * processes match, its weight applied as a vrrp_script's, fork_delay / terminate_delay as
     * rise / fall counted in polls.
     */
    private static void objectTrackers(KeepalivedConfig config, VrrpInstanceConfig i, String who, Havip.Builder b,
                                       KeepalivedTrackers.PriorityFollower follower, List<String> tracked,
                                       List<ConfigWarning> warnings) {
        boolean owner = i.priority() == RouterConfig.OWNER_PRIORITY;
        Set<String> seen = new LinkedHashSet<>();
        for (TrackedObject t : i.trackFiles()) {
            TrackFileConfig f = config.trackFiles().get(t.name());
            int weight = t.reverse() ? -t.weight() : t.weight();
            if (t.reverse() && t.weight() == 0) {
                warnings.add(new ConfigWarning(t.location(), who + ": track_file " + t.name() + ": reverse with weight 0"
                        + " is not supported; tracked without reverse (a non-zero value means FAULT)"));
            }
            if (owner && weight != 0) {
                warnings.add(new ConfigWarning(t.location(), who + ": track_file " + t.name() + ": the address owner"
                        + " (priority 255) must track with weight 0, as keepalived requires; tracked with weight 0"));
                weight = 0;
            }
            if (!seen.add("file " + t.name())) {
                warnings.add(new ConfigWarning(t.location(), who + ": track_file " + t.name()
                        + " is tracked twice; the second entry is ignored"));
                continue;
            }
            KeepalivedTrackers.FileTrack ft = new KeepalivedTrackers.FileTrack(t.name(), Path.of(f.file()), weight);
            tracked.add("track_file " + t.name() + ": " + f.file() + ", weight " + weight);
            String check = "track_file " + t.name();
            b.healthCheck(new HealthCheck(check, () -> {
                long v = ft.read();
                if (ft.weight() != 0) {
                    follower.update(check, ft.ok(v) ? ft.delta(v) : 0);
                }
                return ft.ok(v);
            }, FILE_POLL, FILE_POLL, 1, 1, 0));
        }
        for (TrackedObject t : i.trackProcesses()) {
            TrackProcessConfig p = config.trackProcesses().get(t.name());
            int weight = t.weight();
            if (t.reverse() && weight != 0) {
                warnings.add(new ConfigWarning(t.location(), who + ": track_process " + t.name() + " with weight "
                        + weight + " reverse is not supported (only weight 0 reverse); tracker ignored"));
                continue;
            }
            if (owner && weight != 0) {
                warnings.add(new ConfigWarning(t.location(), who + ": track_process " + t.name() + ": the address owner"
                        + " (priority 255) must track with weight 0, as keepalived requires; tracked with weight 0"));
                weight = 0;
            }
            if (Math.abs(weight) == 254) {
                weight = weight > 0 ? 253 : -253;
            }
            if (!seen.add("process " + t.name())) {
                warnings.add(new ConfigWarning(t.location(), who + ": track_process " + t.name()
                        + " is tracked twice; the second entry is ignored"));
                continue;
            }
            KeepalivedTrackers.ProcessTrack pt = new KeepalivedTrackers.ProcessTrack(p);
            boolean reverse = t.reverse();
            int rise = 1 + polls(p.forkDelay());
            int fall = 1 + polls(p.terminateDelay());
            tracked.add("track_process " + t.name() + ": " + String.join(" ", p.command()) + (p.fullCommand()
                    ? " (full command)" : "") + ", param_match " + p.paramMatch().name().toLowerCase(java.util.Locale.ROOT)
                    + ", quorum " + p.quorum() + (p.quorumMax() == Integer.MAX_VALUE ? "" : "-" + p.quorumMax())
                    + ", weight " + weight + (reverse ? " reverse" : "") + ", rise " + rise + ", fall " + fall);
            b.healthCheck(new HealthCheck("track_process " + t.name(), () -> pt.ok(pt.count()) != reverse, PROCESS_POLL,
                    PROCESS_POLL, rise, fall, weight));
        }
    }

    private static int polls(Duration delay) {
        long poll = PROCESS_POLL.toNanos();
        return (int) Math.min(10_000, (delay.toNanos() + poll - 1) / poll);
    }

    /**
     * Whether a unicast instance accepts adverts from sources that are not its peers: only when
     * the {@code havip} block says {@code accept_adverts_from_non_peers} and neither the instance's
     * {@code check_unicast_src} nor the global {@code vrrp_check_unicast_src} asks for the check
     * (keepalived checks only with one of them; havip always does unless told otherwise).
     */
    private static boolean acceptsNonPeers(KeepalivedConfig config, VrrpInstanceConfig i, String who,
                                           List<ConfigWarning> warnings) {
        if (!config.havip().acceptAdvertsFromNonPeers() || !i.unicast()) {
            return false;
        }
        if (i.checkUnicastSource() || config.globalDefs().checkUnicastSource()) {
            warnings.add(new ConfigWarning(i.location(), who + ": " + (i.checkUnicastSource() ? "check_unicast_src"
                    : "vrrp_check_unicast_src in global_defs") + " keeps the unicast source check on; the havip block's"
                    + " accept_adverts_from_non_peers does not apply to it"));
            return false;
        }
        return true;
    }

    private static Optional<String> command(Optional<io.havip.vrrp.config.NotifyScript> s) {
        return s.map(io.havip.vrrp.config.NotifyScript::command);
    }

    /**
     * The {@code havip} block's liveness channel on every instance (the secret, port and grace
     * are the same for all; the default port differs by VRID). Without the block, or with
     * {@code liveness off}, the router runs plain VRRP, as under keepalived.
     */
    private static Optional<LivenessConfig> livenessOf(HavipSettings h) {
        return h.livenessOn() ? Optional.of(new LivenessConfig(h.livenessSecret(), h.livenessPort(), h.livenessGrace(),
                LivenessConfig.DEFAULT_HEARTBEAT)) : Optional.empty();
    }

    private static void addressOptions(String who, String ifname, VirtualIpAddress v, List<ConfigWarning> warnings) {
        List<String> ignored = new ArrayList<>();
        v.device().filter(d -> !d.equals(ifname)).ifPresent(d -> ignored.add("dev " + d + " (bound on " + ifname + ")"));
        v.label().ifPresent(l -> ignored.add("label " + l));
        v.broadcast().ifPresent(a -> ignored.add("brd " + a));
        v.scope().ifPresent(s -> ignored.add("scope " + s.keyword()));
        v.peer().ifPresent(p -> ignored.add("peer " + p));
        if (!ignored.isEmpty()) {
            warnings.add(new ConfigWarning(v.location(), who + ": virtual_ipaddress " + v.address() + ": "
                    + String.join(", ", ignored) + " not applied by havip"));
        }
    }

    /** keepalived's GARP settings (instance over global) as havip's schedule. */
    static GarpConfig garp(GarpSettings s, GlobalDefs globals) {
        return new GarpConfig(s.masterRepeat(), s.masterDelay(), s.masterRefresh(), s.masterRefreshRepeat(),
                s.lowerPrioDelay(), s.lowerPrioRepeat(), globals.garpInterval(), globals.gnaInterval());
    }

    /**
     * Splits a keepalived script line into words as keepalived does before exec (no shell):
     * white space separates words, single and double quotes group them, a backslash outside
     * single quotes takes the next character literally.
     *
     * @throws IllegalArgumentException for an empty line or an unterminated quote
     */
    public static List<String> commandLine(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote == 0 && Character.isWhitespace(c)) {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
                continue;
            }
            if (word == null) {
                word = new StringBuilder();
            }
            if (c == '\\' && quote != '\'' && i + 1 < line.length()) {
                word.append(line.charAt(++i));
            } else if (quote == 0 && (c == '\'' || c == '"')) {
                quote = c;
            } else if (c == quote) {
                quote = 0;
            } else {
                word.append(c);
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException("unterminated " + quote + "-quote in command line: " + line);
        }
        if (word != null) {
            words.add(word.toString());
        }
        if (words.isEmpty()) {
            throw new IllegalArgumentException("empty command line");
        }
        return List.copyOf(words);
    }

    /**
     * Runs {@code command} to completion, its output discarded and its input empty, and returns
     * its exit status. When the calling thread is interrupted (a health check past its timeout,
     * a daemon closing) the process and its descendants are killed.
     *
     * @throws IOException when it cannot be started (missing, not executable)
     */
    public static int runProcess(List<String> command) throws IOException, InterruptedException {
        try {
            return runProcess(command, null);
        } catch (TimeoutException e) {
            throw new IllegalStateException("no timeout was set", e);
        }
    }

    /**
     * As {@link #runProcess(List)}, but kills the process and its descendants once {@code timeout}
     * has passed ({@code null}: wait as long as it takes).
     *
     * @throws TimeoutException when it ran out of time (it was killed)
     */
    public static int runProcess(List<String> command, Duration timeout)
            throws IOException, InterruptedException, TimeoutException {
        Process p = new ProcessBuilder(command).redirectInput(Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(Redirect.DISCARD).redirectError(Redirect.DISCARD).start();
        try {
            if (timeout == null) {
                return p.waitFor();
            }
            if (!p.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new TimeoutException(String.join(" ", command) + " still ran after " + timeout + "; killed it");
            }
            return p.exitValue();
        } finally {
            if (p.isAlive()) {
                // The script first, then what it started (listed before, while they are still its
                // descendants): killed the other way round, a shell script sees its child exit and
                // runs its next line before its own SIGKILL lands.
                List<ProcessHandle> started = p.descendants().toList();
                p.destroyForcibly();
                started.forEach(ProcessHandle::destroyForcibly);
            }
        }
    }

    /** The default check body: run the script; exit status 0 is healthy (keepalived's rule). */
    static Callable<Boolean> processCheck(ScriptCheck check) {
        return () -> runProcess(check.command()) == 0;
    }
}
