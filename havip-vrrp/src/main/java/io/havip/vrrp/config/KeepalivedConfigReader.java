package io.havip.vrrp.config;

import io.havip.core.net.InterfaceAddress;
import io.havip.core.net.IpAddress;
import io.havip.core.net.IpFamily;
import io.havip.vrrp.codec.VrrpVersion;
import io.havip.vrrp.config.ConfigSyntax.Statement;
import io.havip.vrrp.config.ConfigSyntax.Token;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads keepalived.conf (the VRRP part) into a {@link KeepalivedConfig}, accepting what
 * keepalived 2.2.7 accepts ({@code keepalived -t -f FILE} and keepalived.conf(5) are the
 * reference).
 *
 * <p>Two kinds of trouble, following keepalived's own split:
 * <ul>
 *   <li>A value keepalived's parser refuses (out of range, not a number, not an address, an
 *       unknown enumeration word) fails with a {@link ConfigException}:
 *       {@code FILE:LINE: key 'advert_int': "0.001" is outside 0.01-255 (allowed: ...)}.
 *       keepalived logs these and silently uses a default; a library should not guess.</li>
 *   <li>What keepalived adjusts and reports while carrying on becomes a {@link ConfigWarning}
 *       and the same adjustment: unknown keywords, a track_script naming an undefined
 *       vrrp_script, {@code nopreempt} with {@code state MASTER} (cleared), a fractional v2
 *       {@code advert_int} (rounded), {@code vrrp_garp_interval 0} (accepted as "no gap",
 *       which 2.2.7 refuses but older releases and cloud guides use), VIPs of the wrong family
 *       (dropped), {@code auth_pass} over 8 characters (truncated), and so on.</li>
 * </ul>
 * The files are UTF-8 (a byte order mark at the start of one is dropped; bytes that are not
 * UTF-8 are refused, with line, column and bytes), read as a person sees them: invisible and
 * full-width characters are blanks, nothing or ASCII, with a warning per line, as
 * {@link PastedText} describes; messages show such characters escaped. Two
 * instances that would be one virtual router (one address family and VRID, multicast on one
 * interface, or unicast from one address to a common peer) are refused, as keepalived refuses
 * them (keepalived's check_vrid_conflicts; one difference: {@code mcast_dst_ip}, which havip does
 * not support, separates nothing).
 *
 * <p>Blocks havip has no use for ({@code virtual_server}, {@code static_routes}, ...) are skipped
 * with a warning; harmless settings (e-mail alerts, process priorities, SNMP) are skipped silently.
 *
 * <p>Not supported: conditional configuration ({@code @host} prefixes), {@code $PARAM}
 * substitution, line continuation, and brace expressions spanning a {@code /} in include globs.
 */
public final class KeepalivedConfigReader {

    private static final Pattern DECIMAL = Pattern.compile("\\d+(\\.\\d*)?|\\.\\d+");
    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d+");
    /** keepalived's TIMER_HZ: timers are kept in microseconds, so seconds are limited to UINT_MAX / 10^6. */
    private static final int MAX_TIMER_SECONDS = 4294;
    private static final int MAX_WEIGHT = 253;
    private static final String BOOL_ALLOWED = "on|off|true|false|yes|no, or nothing for on";

    /** Top-level blocks keepalived knows that have nothing to do with VRRP addresses: skipped with a warning. */
    private static final Set<String> SKIPPED_TOP_BLOCKS = Set.of("virtual_server", "virtual_server_group", "static_ipaddress",
            "static_routes", "static_rules", "linkbeat_interfaces", "garp_group", "bfd_instance", "net_namespace", "namespace_with_ipsets", "instance", "use_pid_dir",
            "child_wait_time");
    /** global_defs keys accepted and not kept: alerting, LVS, SNMP/D-Bus, process and socket tuning. */
    private static final Set<String> QUIET_GLOBALS = Set.of("smtp_helo_name", "smtp_alert", "smtp_alert_vrrp",
            "smtp_alert_checker", "email_faults", "checker_log_all_failures", "lvs_id", "lvs_flush", "lvs_flush_on_stop",
            "lvs_timeouts", "lvs_sync_daemon", "lvs_notify_fifo", "lvs_notify_fifo_script", "vrrp_notify_priority_changes",
            "max_auto_priority", "min_auto_priority_delay", "vrrp_priority", "checker_priority", "bfd_priority",
            "vrrp_no_swap", "checker_no_swap", "bfd_no_swap", "vrrp_rt_priority", "checker_rt_priority", "bfd_rt_priority",
            "vrrp_rlimit_rttime", "checker_rlimit_rttime", "bfd_rlimit_rttime", "vrrp_cpu_affinity", "checker_cpu_affinity",
            "bfd_cpu_affinity", "enable_snmp_vrrp", "enable_snmp_keepalived", "enable_snmp_rfc", "enable_snmp_rfcv2",
            "enable_snmp_rfcv3", "enable_snmp_checker", "enable_traps", "snmp_socket", "enable_dbus",
            "enable_dbus_instance_name", "dynamic_interfaces", "allow_if_changes", "default_interface", "local_name",
            "instance", "vrrp_netlink_cmd_rcv_bufs", "vrrp_netlink_cmd_rcv_bufs_force", "vrrp_netlink_monitor_rcv_bufs",
            "vrrp_netlink_monitor_rcv_bufs_force", "process_monitor_rcv_bufs", "process_monitor_rcv_bufs_force",
            "vrrp_rx_bufs_policy", "vrrp_rx_bufs_multiplier", "vrrp_startup_delay", "vrrp_log_unknown_vrids",
            "vrrp_iptables", "vrrp_ipsets", "nftables", "nftables_priority", "nftables_ifindex", "nftables_counters",
            "vrrp_skip_check_adv_addr_off", "script_security", "umask", "uid", "gid", "net_namespace",
            "net_namespace_ipvs", "namespace_with_ipsets", "reload_time_file", "reload_repeat", "reload_file",
            "config_save_dir", "data_use_instance", "include_check", "linkbeat_use_polling", "fifo_write_vrrp_states_on_reload",
            "vrrp_version_independent");
    /**
     * global_defs keys that change what keepalived puts on the wire or when, which havip does not
     * implement: warned, so that a peer's different behaviour is not a surprise.
     */
    private static final Set<String> UNSUPPORTED_GLOBALS = Set.of("vrrp_mcast_group4", "vrrp_mcast_group6", "vrrp_min_garp",
            "vrrp_lower_prio_no_advert", "vrrp_higher_prio_send_advert", "vrrp_down_timer_adverts", "vrrp_garp_extra_if",
            "vrrp_garp_extra_if_vmac");
    /** vrrp_instance keys accepted and not kept, because they change nothing havip does. */
    private static final Set<String> QUIET_INSTANCE = Set.of("debug", "native_ipv6", "notify_priority_changes",
            "kernel_rx_buf_size", "linkbeat_use_polling", "sync_group_tracking_weight", "notify_deleted",
            "skip_check_adv_addr", "strict_mode", "track_src_ip", "unicast_fault_no_peer");
    /** vrrp_instance keys and blocks keepalived knows that change behaviour havip does not implement: warned. */
    private static final Set<String> UNSUPPORTED_INSTANCE = Set.of("use_vmac_addr", "use_ipvlan",
            "vrf", "track_bfd", "mcast_dst_ip",
            "unicast_ttl", "old_unicast_checksum", "down_timer_adverts", "lower_prio_no_advert", "higher_prio_send_advert",
            "garp_extra_if", "garp_extra_if_vmac", "promote_secondaries", "global_tracking");

    private final List<ConfigWarning> warnings = new ArrayList<>();
    /** The file read first: its file system resolves {@code liveness_secret_file}. */
    private final Path origin;

    private KeepalivedConfigReader(Path origin) {
        this.origin = origin;
    }

    /** Reads {@code file} and the files it includes. */
    public static KeepalivedConfig read(Path file) {
        KeepalivedConfigReader reader = new KeepalivedConfigReader(file);
        return reader.interpret(ConfigSyntax.parse(file, reader.warnings::add));
    }

    /** Reads {@code text} as if it were the file {@code origin} (named in messages; includes resolve beside it). */
    public static KeepalivedConfig parse(String text, Path origin) {
        KeepalivedConfigReader reader = new KeepalivedConfigReader(origin);
        return reader.interpret(ConfigSyntax.parse(text, origin, reader.warnings::add));
    }

    private KeepalivedConfig interpret(List<Statement> top) {
        GlobalDefs globals = GlobalDefs.DEFAULTS;
        Map<String, VrrpScriptConfig> scripts = new LinkedHashMap<>();
        Map<String, TrackFileConfig> files = new LinkedHashMap<>();
        Map<String, TrackProcessConfig> processes = new LinkedHashMap<>();
        List<InstanceDraft> drafts = new ArrayList<>();
        List<Statement> groups = new ArrayList<>();
        boolean sawGlobals = false;
        HavipSettings havip = HavipSettings.NONE;
        for (Statement s : top) {
            switch (s.name()) {
                case "havip" -> {
                    requireBlock(s);
                    if (havip.location().isPresent()) {
                        throw new ConfigException(s.location(), "havip", "the havip block is given twice (first at "
                                + havip.location().get() + ")", "one havip { ... } block, e.g. in /etc/havip/havip.conf");
                    }
                    havip = HavipBlock.read(s, this);
                }
                case "global_defs" -> {
                    requireBlock(s);
                    globals = globalDefs(s, sawGlobals ? globals : GlobalDefs.DEFAULTS);
                    sawGlobals = true;
                }
                case "vrrp_script" -> {
                    VrrpScriptConfig script = script(s);
                    if (script != null) {
                        if (scripts.containsKey(script.name())) {
                            warn(s.location(), "vrrp_script '" + script.name() + "' is defined again; this definition"
                                    + " replaces the one at " + scripts.get(script.name()).location());
                        }
                        scripts.put(script.name(), script);
                    }
                }
                case "track_file", "vrrp_track_file" -> {
                    TrackFileConfig f = TrackBlocks.file(s, this);
                    if (f != null) {
                        redefined(s, files.put(f.name(), f));
                    }
                }
                case "vrrp_track_process" -> {
                    TrackProcessConfig p = TrackBlocks.process(s, this);
                    if (p != null) {
                        redefined(s, processes.put(p.name(), p));
                    }
                }
                case "vrrp_instance" -> {
                    requireBlock(s);
                    String name = name(s);
                    if (drafts.stream().anyMatch(d -> d.name.equals(name))) {
                        throw new ConfigException(s.location(), "vrrp_instance", "instance name '" + name
                                + "' is used twice", "a name unique in the configuration");
                    }
                    drafts.add(instanceDraft(s, name));
                }
                case "vrrp_sync_group" -> {
                    requireBlock(s);
                    groups.add(s);
                }
                default -> {
                    if (SKIPPED_TOP_BLOCKS.contains(s.name())) {
                        warn(s.location(), "'" + s.name() + "' is not supported by havip (only VRRP is); ignored");
                    } else {
                        warn(s.location(), "unknown keyword '" + s.name() + "' ignored" + (s.block() == null ? ""
                                : " with its block"));
                    }
                }
            }
        }
        List<VrrpInstanceConfig> instances = new ArrayList<>();
        for (InstanceDraft d : drafts) {
            instances.add(complete(d, globals, scripts, files, processes));
        }
        refuseSharedVrids(drafts, instances);
        refuseSharedVirtualMacs(instances);
        List<VrrpSyncGroupConfig> syncGroups = new ArrayList<>();
        for (Statement g : groups) {
            syncGroups.add(syncGroup(g, instances, scripts, syncGroups));
        }
        return new KeepalivedConfig(globals, scripts, instances, syncGroups, havip, warnings, files, processes);
    }

    private void redefined(Statement s, Object earlier) {
        if (earlier != null) {
            warn(s.location(), s.name() + " '" + s.args().get(0).text() + "' is defined again; this definition replaces"
                    + " the earlier one");
        }
    }

    // ---------------------------------------------------------------- global_defs

    private GlobalDefs globalDefs(Statement block, GlobalDefs base) {
        Optional<String> routerId = base.routerId();
        VrrpVersion version = base.vrrpVersion();
        GarpDraft garp = new GarpDraft();
        Duration garpInterval = base.garpInterval();
        Duration gnaInterval = base.gnaInterval();
        Optional<String> scriptUser = base.scriptUser();
        Optional<String> scriptGroup = base.scriptGroup();
        boolean scriptSecurity = base.enableScriptSecurity();
        boolean strict = base.vrrpStrict();
        boolean skipCheck = base.skipCheckAdvAddr();
        boolean checkUnicastSrc = base.checkUnicastSource();
        List<String> emails = new ArrayList<>(base.notificationEmails());
        Optional<String> emailFrom = base.notificationEmailFrom();
        Optional<String> smtpServer = base.smtpServer();
        Duration smtpTimeout = base.smtpConnectTimeout();
        Map<String, SourceLocation> written = new LinkedHashMap<>(base.written());
        Map<String, NotifyFifo> fifos = new LinkedHashMap<>();
        base.notifyFifos().forEach(f -> fifos.put(f.key(), f));
        Map<String, NotifyScript> fifoScripts = new LinkedHashMap<>();
        for (Statement s : block.block()) {
            String k = s.name();
            written.put(k, s.location());
            if (k.startsWith("vrrp_garp_") && garp.accept(s, k.substring("vrrp_".length()), this)) {
                continue;
            }
            switch (k) {
                case "router_id" -> routerId = Optional.of(single(s, "a name"));
                case "vrrp_version" -> version = version(s);
                case "vrrp_garp_interval", "vrrp_gna_interval" -> {
                    Duration d = gap(s);
                    if (k.equals("vrrp_garp_interval")) {
                        garpInterval = d;
                    } else {
                        gnaInterval = d;
                    }
                }
                case "script_user" -> {
                    List<Token> a = args(s, 1, 2, "USER [GROUP]");
                    scriptUser = Optional.of(a.get(0).text());
                    scriptGroup = a.size() > 1 ? Optional.of(a.get(1).text()) : Optional.empty();
                }
                case "enable_script_security" -> scriptSecurity = bool(s);
                case "vrrp_strict" -> strict = bool(s);
                case "vrrp_skip_check_adv_addr" -> skipCheck = bool(s);
                case "vrrp_check_unicast_src" -> checkUnicastSrc = bool(s);
                case "notification_email" -> {
                    requireBlock(s);
                    for (Statement e : s.block()) {
                        emails.add(e.name());
                        extraValues(e, 0);
                    }
                }
                case "notification_email_from" -> emailFrom = Optional.of(single(s, "an e-mail address"));
                case "smtp_server" -> smtpServer = Optional.of(String.join(" ", texts(args(s, 1, 2, "ADDRESS [PORT]"))));
                case "smtp_connect_timeout" -> smtpTimeout = Duration.ofSeconds(integer(s, 1, MAX_TIMER_SECONDS, "seconds"));
                case "notify_fifo", "vrrp_notify_fifo" -> {
                    List<Token> a = args(s, 1, 3, "FIFO_PATH [USER [GROUP]]");
                    if (a.size() > 1) {
                        warn(s.location(), k + ": user " + texts(a.subList(1, a.size())) + " ignored; havipd creates the"
                                + " FIFO as its own user");
                    }
                    fifos.put(k, new NotifyFifo(k, a.get(0).text(), Optional.empty(), s.location()));
                }
                case "notify_fifo_script", "vrrp_notify_fifo_script" -> {
                    List<Token> a = args(s, 1, 3, "COMMAND-or-\"QUOTED COMMAND\" [USER [GROUP]]");
                    fifoScripts.put(k.substring(0, k.length() - "_script".length()), new NotifyScript(a.get(0).text(),
                            a.size() > 1 ? Optional.of(a.get(1).text()) : Optional.empty(),
                            a.size() > 2 ? Optional.of(a.get(2).text()) : Optional.empty(), s.location()));
                }
                default -> {
                    if (UNSUPPORTED_GLOBALS.contains(k)) {
                        warn(s.location(), "'" + k + "' in global_defs is not supported by havip; ignored (havip sends"
                                + " as without it)");
                    } else if (!QUIET_GLOBALS.contains(k)) {
                        warn(s.location(), "unknown keyword '" + k + "' in global_defs ignored");
                    }
                }
            }
        }
        fifoScripts.forEach((fifo, script) -> {
            NotifyFifo f = fifos.get(fifo);
            if (f == null) {
                warn(script.location(), fifo + "_script without " + fifo + " has nothing to read; ignored, as keepalived"
                        + " does");
            } else {
                fifos.put(fifo, new NotifyFifo(f.key(), f.path(), Optional.of(script), f.location()));
            }
        });
        List<NotifyFifo> fifoList = new ArrayList<>(fifos.values());
        for (int i = 1; i < fifoList.size(); i++) {
            if (fifoList.get(i).path().equals(fifoList.get(0).path())) {
                throw new ConfigException(fifoList.get(i).location(), fifoList.get(i).key(), "the FIFO "
                        + fifoList.get(i).path() + " is also the " + fifoList.get(0).key() + " (" + fifoList.get(0).location()
                        + "); keepalived requires the FIFO names to be different", "another path");
            }
        }
        return new GlobalDefs(routerId, version, garp.buildOver(base.garp()), garpInterval, gnaInterval, scriptUser, scriptGroup,
                scriptSecurity, strict, skipCheck, checkUnicastSrc, emails, emailFrom, smtpServer, smtpTimeout, fifoList,
                written);
    }

    /**
     * vrrp_garp_interval / vrrp_gna_interval: keepalived 2.2.7 takes 0.000001-4294.967295 s and refuses 0,
     * which older releases (and cloud guides) use for "no gap"; 0 is accepted here with a warning.
     */
    private Duration gap(Statement s) {
        String v = single(s, "seconds");
        if (DECIMAL.matcher(v).matches() && new BigDecimal(v).signum() == 0) {
            warn(s.location(), s.name() + " 0 is refused by keepalived 2.2.7 (allowed 0.000001-4294.967295); read as"
                    + " no gap between messages, which is the default");
            return Duration.ZERO;
        }
        return seconds(s, v, new BigDecimal("0.000001"), new BigDecimal("4294.967295"), "0.000001-4294.967295 seconds");
    }

    // ---------------------------------------------------------------- vrrp_script

    private VrrpScriptConfig script(Statement s) {
        requireBlock(s);
        String name = name(s);
        String script = null;
        Duration interval = Duration.ofSeconds(1);
        Duration timeout = null;
        int weight = 0;
        boolean reverse = false;
        int rise = 1;
        int fall = 1;
        Optional<String> user = Optional.empty();
        Optional<String> group = Optional.empty();
        boolean initFail = false;
        for (Statement k : s.block()) {
            switch (k.name()) {
                case "script" -> script = String.join(" ", texts(args(k, 1, Integer.MAX_VALUE, "a command line")));
                case "interval" -> interval = positiveSecondsOrOne(k, s.name() + " " + name);
                case "timeout" -> timeout = positiveSecondsOrOne(k, s.name() + " " + name);
                case "weight" -> {
                    List<Token> a = args(k, 1, 2, "-253..253 [reverse]");
                    weight = integer(k, a.get(0).text(), -MAX_WEIGHT, MAX_WEIGHT, "-253..253 [reverse]");
                    if (a.size() > 1) {
                        reverse = reverseWord(k, a.get(1));
                    }
                }
                case "rise" -> rise = integer(k, 1, Integer.MAX_VALUE, "1 or more consecutive successes");
                case "fall" -> fall = integer(k, 1, Integer.MAX_VALUE, "1 or more consecutive failures");
                case "user" -> {
                    List<Token> a = args(k, 1, 2, "USER [GROUP]");
                    user = Optional.of(a.get(0).text());
                    group = a.size() > 1 ? Optional.of(a.get(1).text()) : Optional.empty();
                }
                case "init_fail" -> {
                    extraValues(k, 0);
                    initFail = true;
                }
                default -> warn(k.location(), "unknown keyword '" + k.name() + "' in vrrp_script '" + name + "' ignored");
            }
        }
        if (script == null) {
            warn(s.location(), "vrrp_script '" + name + "' has no 'script' line; ignored, as keepalived does");
            return null;
        }
        return new VrrpScriptConfig(name, script, interval, timeout == null ? interval : timeout, weight, reverse, rise, fall,
                user, group, initFail, s.location());
    }

    /** keepalived: "vrrp script interval must be greater than 0, setting to 1". */
    private Duration positiveSecondsOrOne(Statement s, String owner) {
        int v = integer(s, 0, MAX_TIMER_SECONDS, "1-4294 seconds");
        if (v == 0) {
            warn(s.location(), owner + ": " + s.name() + " must be greater than 0; set to 1 second, as keepalived does");
            return Duration.ofSeconds(1);
        }
        return Duration.ofSeconds(v);
    }

    // ---------------------------------------------------------------- vrrp_instance

    /** Everything of a vrrp_instance block as written, with where each value came from. */
    private static final class InstanceDraft {
        final String name;
        final SourceLocation location;
        InitialState state = InitialState.BACKUP;
        String interfaceName;
        SourceLocation interfaceAt;
        Integer vrid;
        SourceLocation vridAt;
        /** {@code mcast_dst_ip} as written: not supported, named when it is why keepalived accepts a shared VRID. */
        String mcastDestination;
        int priority = 100;
        SourceLocation priorityAt;
        VrrpVersion version;
        SourceLocation versionAt;
        BigDecimal advertInt = BigDecimal.ONE;
        SourceLocation advertIntAt;
        Authentication.Type authType;
        String authPass;
        SourceLocation authAt;
        boolean nopreempt;
        SourceLocation nopreemptAt;
        Duration preemptDelay = Duration.ZERO;
        SourceLocation preemptDelayAt;
        Boolean accept;
        boolean dontTrackPrimary;
        IpAddress sourceAddress;
        SourceLocation sourceAt;
        final List<Located<IpAddress>> peers = new ArrayList<>();
        final List<VirtualIpAddress> vips = new ArrayList<>();
        final List<VirtualIpAddress> excluded = new ArrayList<>();
        final List<TrackedInterface> trackInterfaces = new ArrayList<>();
        final List<Located<TrackEntry>> trackScripts = new ArrayList<>();
        final List<Located<TrackEntry>> trackFiles = new ArrayList<>();
        final List<Located<TrackEntry>> trackProcesses = new ArrayList<>();
        final Map<String, SourceLocation> written = new LinkedHashMap<>();
        final List<VirtualRoute> routes = new ArrayList<>();
        final List<VirtualRule> rules = new ArrayList<>();
        final NotifyDraft notify = new NotifyDraft();
        GarpDraft garp;
        boolean smtpAlert;
        boolean checkUnicastSource;
        /** {@code use_vmac}: where, and the name given (null: the default). */
        SourceLocation useVmacAt;
        String vmacName;
        SourceLocation vmacXmitBaseAt;

        InstanceDraft(String name, SourceLocation location) {
            this.name = name;
            this.location = location;
        }
    }

    private record Located<T>(T value, SourceLocation location) {
    }

    /**
     * {@code use_vmac [NAME] [MAC]}: the name must fit IFNAMSIZ - 1 bytes and be an interface
     * name; a MAC other than the VRID's virtual MAC is refused (clients would change MAC at
     * every failover against a keepalived peer using the standard one).
     */
    private void useVmac(Statement s, InstanceDraft d) {
        List<Token> a = args(s, 0, 2, "[VMAC_INTERFACE_NAME] [MAC_ADDRESS]");
        d.useVmacAt = s.location();
        if (a.isEmpty()) {
            return;
        }
        Token name = a.get(0);
        io.havip.arp.linux.VirtualMacInterface.invalidName(name.text()).ifPresent(why -> {
            throw new ConfigException(name.at(), s.name(), "the interface name " + why,
                    "[VMAC_INTERFACE_NAME] of at most 15 bytes, e.g. vrrp.51");
        });
        d.vmacName = name.text();
        if (a.size() == 2) {
            String mac = a.get(1).text();
            throw new ConfigException(a.get(1).at(), s.name(), "a MAC address of its own (" + mac + ") is not"
                    + " supported by havip, which uses the VRID's virtual MAC (00:00:5e:00:01:VRID, IPv6"
                    + " 00:00:5e:00:02:VRID); remove it (on every node, so all agree on the MAC)",
                    "[VMAC_INTERFACE_NAME]");
        }
    }

    /** A track_script line before the script is looked up: the weight is null when not given. */
    private record TrackEntry(String name, Integer weight, boolean reverse) {
    }

    private InstanceDraft instanceDraft(Statement block, String name) {
        InstanceDraft d = new InstanceDraft(name, block.location());
        d.garp = new GarpDraft();
        for (Statement s : block.block()) {
            String k = s.name();
            d.written.put(k, s.location());
            if (k.startsWith("garp_") && d.garp.accept(s, k, this)) {
                continue;
            }
            switch (k) {
                case "state" -> d.state = enumValue(s, InitialState.class, "MASTER|BACKUP (upper case, as keepalived reads it)");
                case "interface" -> {
                    d.interfaceName = single(s, "an interface name");
                    d.interfaceAt = s.location();
                }
                case "virtual_router_id" -> {
                    d.vrid = integer(s, 1, 255, "1-255");
                    d.vridAt = s.location();
                }
                case "priority" -> {
                    d.priority = integer(s, 1, 255, "1-255; 255 is the address owner");
                    d.priorityAt = s.location();
                }
                case "version" -> {
                    d.version = version(s);
                    d.versionAt = s.location();
                }
                case "advert_int" -> {
                    String v = single(s, "seconds");
                    d.advertInt = decimal(s, v, new BigDecimal("0.01"), new BigDecimal("255"),
                            "0.01-255 seconds: whole seconds 1-255 for VRRPv2, 0.01-40.95 in 10 ms steps for VRRPv3");
                    d.advertIntAt = s.location();
                }
                case "authentication" -> authentication(s, d);
                case "nopreempt", "no_preempt" -> {
                    extraValues(s, 0);
                    d.nopreempt = true;
                    d.nopreemptAt = s.location();
                }
                case "preempt" -> {
                    extraValues(s, 0);
                    d.nopreempt = false;
                }
                case "preempt_delay" -> {
                    d.preemptDelay = seconds(s, single(s, "seconds"), BigDecimal.ZERO, new BigDecimal("1000"), "0-1000 seconds");
                    d.preemptDelayAt = s.location();
                }
                case "accept" -> {
                    extraValues(s, 0);
                    d.accept = true;
                }
                case "no_accept" -> {
                    extraValues(s, 0);
                    d.accept = false;
                }
                case "dont_track_primary" -> {
                    extraValues(s, 0);
                    d.dontTrackPrimary = true;
                }
                case "mcast_src_ip", "unicast_src_ip" -> {
                    d.sourceAddress = address(s, single(s, "an IPv4 or IPv6 address"));
                    d.sourceAt = s.location();
                }
                case "unicast_peer" -> unicastPeers(s, d);
                case "virtual_ipaddress" -> vips(s, d.vips);
                case "virtual_ipaddress_excluded" -> vips(s, d.excluded);
                case "track_interface" -> d.trackInterfaces.addAll(trackInterfaces(s));
                case "track_script" -> d.trackScripts.addAll(trackScripts(s));
                case "track_file" -> d.trackFiles.addAll(trackEntries(s, 254, "FILE_NAME"));
                case "virtual_routes" -> d.routes.addAll(RouteLines.read(s, this));
                case "virtual_rules" -> d.rules.addAll(RouteLines.rules(s, this));
                case "track_process" -> d.trackProcesses.addAll(trackEntries(s, 254, "PROCESS_NAME"));
                case "smtp_alert" -> d.smtpAlert = bool(s);
                case "check_unicast_src" -> d.checkUnicastSource = bool(s);
                case "use_vmac" -> useVmac(s, d);
                case "vmac_xmit_base" -> {
                    extraValues(s, 0);
                    d.vmacXmitBaseAt = s.location();
                }
                default -> {
                    if (d.notify.accept(s, this)) {
                        continue;
                    }
                    if (k.equals("mcast_dst_ip")) {
                        d.mcastDestination = String.join(" ", texts(s.args()));
                    }
                    if (UNSUPPORTED_INSTANCE.contains(k)) {
                        if (s.block() == null || !s.block().isEmpty()) {
                            warn(s.location(), "'" + k + "' is not supported by havip; ignored");
                        }
                    } else if (!QUIET_INSTANCE.contains(k)) {
                        warn(s.location(), "unknown keyword '" + k + "' in vrrp_instance '" + name + "' ignored");
                    }
                }
            }
        }
        return d;
    }

    private void authentication(Statement block, InstanceDraft d) {
        requireBlock(block);
        d.authAt = block.location();
        for (Statement s : block.block()) {
            d.written.put(s.name(), s.location());
            switch (s.name()) {
                case "auth_type" -> d.authType = enumValue(s, Authentication.Type.class, "PASS|AH");
                case "auth_pass" -> {
                    List<Token> words = args(s, 1, Integer.MAX_VALUE, "a password of 1-8 characters");
                    refusePasted(s, words);
                    String pass = String.join(" ", texts(words));
                    byte[] bytes = pass.getBytes(StandardCharsets.UTF_8);
                    if (bytes.length > 8) {
                        warn(s.location(), "auth_pass is longer than 8 bytes; only the first 8 are used, as keepalived does");
                        // whole characters only: a UTF-8 sequence cut in two would decode to a 3-byte U+FFFD
                        while (pass.getBytes(StandardCharsets.UTF_8).length > 8) {
                            pass = pass.substring(0, pass.offsetByCodePoints(pass.length(), -1));
                        }
                    }
                    if (pass.isEmpty()) {
                        throw new ConfigException(s.location(), "auth_pass", "the password is empty", "a password of 1-8 characters");
                    }
                    d.authPass = pass;
                }
                default -> warn(s.location(), "unknown keyword '" + s.name() + "' in authentication ignored");
            }
        }
    }

    private void unicastPeers(Statement block, InstanceDraft d) {
        requireBlock(block);
        for (Statement s : block.block()) {
            IpAddress a = address(s, s.name());
            List<Token> rest = s.args();
            for (int i = 0; i < rest.size(); i++) {
                String opt = rest.get(i).text();
                if ((opt.equals("min_ttl") || opt.equals("max_ttl")) && i + 1 < rest.size()) {
                    integer(s, rest.get(++i).text(), 0, 255, "0-255");
                    warn(s.location(), "unicast_peer " + opt + " is not supported by havip; ignored");
                } else {
                    throw new ConfigException(s.location(), "unicast_peer", "unknown option '" + opt + "' after " + a,
                            "ADDRESS [min_ttl 0-255] [max_ttl 0-255]");
                }
            }
            d.peers.add(new Located<>(a, s.location()));
            d.written.put("unicast_peer " + a, s.location());
        }
    }

    private static final String VIP_SYNTAX = "ADDRESS[/PREFIX] [brd ADDRESS] [dev IFNAME] [scope global|site|link|host|nowhere]"
            + " [label LABEL] [peer ADDRESS] [no_track] [home] [-nodad] [mngtmpaddr] [noprefixroute] [autojoin]"
            + " [preferred_lft SECONDS|forever] [use_vmac] [track_group NAME]";

    private void vips(Statement block, List<VirtualIpAddress> out) {
        requireBlock(block);
        for (Statement s : block.block()) {
            InterfaceAddress address;
            try {
                address = InterfaceAddress.parse(s.name());
            } catch (IllegalArgumentException e) {
                throw new ConfigException(s.location(), block.name(), e.getMessage(), VIP_SYNTAX);
            }
            Optional<String> dev = Optional.empty();
            Optional<String> label = Optional.empty();
            Optional<IpAddress> brd = Optional.empty();
            Optional<VirtualIpAddress.Scope> scope = Optional.empty();
            Optional<IpAddress> peer = Optional.empty();
            boolean noTrack = false;
            List<String> other = new ArrayList<>();
            List<Token> a = s.args();
            for (int i = 0; i < a.size(); i++) {
                String opt = a.get(i).text();
                switch (opt) {
                    case "dev", "label", "brd", "broadcast", "scope", "peer", "preferred_lft", "track_group" -> {
                        if (i + 1 >= a.size()) {
                            throw new ConfigException(s.location(), block.name(), "'" + opt + "' after " + s.name()
                                    + " needs a value", VIP_SYNTAX);
                        }
                        String v = a.get(++i).text();
                        switch (opt) {
                            case "dev" -> dev = Optional.of(v);
                            case "label" -> label = Optional.of(v);
                            case "brd", "broadcast" -> {
                                IpAddress b = address(s, v);
                                if (b.family() != IpFamily.IPV4 || address.family() != IpFamily.IPV4) {
                                    throw new ConfigException(s.location(), block.name(), "brd " + v
                                            + " applies to IPv4 addresses only", VIP_SYNTAX);
                                }
                                brd = Optional.of(b);
                            }
                            case "scope" -> scope = Optional.of(enumWord(s, block.name(), v, VirtualIpAddress.Scope.class,
                                    "global|site|link|host|nowhere"));
                            case "peer" -> peer = Optional.of(address(s, v));
                            default -> other.add(opt + " " + v);
                        }
                    }
                    case "no_track" -> noTrack = true;
                    case "home", "-nodad", "nodad", "mngtmpaddr", "noprefixroute", "autojoin", "use_vmac" -> other.add(opt);
                    default -> throw new ConfigException(s.location(), block.name(), "unknown option '" + opt + "' after "
                            + s.name(), VIP_SYNTAX);
                }
            }
            if (!other.isEmpty()) {
                warn(s.location(), "address options " + other + " of " + address + " are not applied by havip; ignored");
            }
            out.add(new VirtualIpAddress(address, dev, label, brd, scope, peer, noTrack, other, s.location()));
        }
    }

    private List<TrackedInterface> trackInterfaces(Statement block) {
        requireBlock(block);
        List<TrackedInterface> out = new ArrayList<>();
        for (Statement s : block.block()) {
            int weight = 0;
            boolean reverse = false;
            List<Token> a = s.args();
            if (!a.isEmpty()) {
                if (!a.get(0).text().equals("weight") || a.size() < 2 || a.size() > 3) {
                    throw new ConfigException(s.location(), "track_interface", "'" + s.name() + " " + String.join(" ", texts(a))
                            + "' is not an interface with an optional weight", "IFNAME [weight -253..253 [reverse]]");
                }
                weight = integer(s, a.get(1).text(), -254, 254, "-253..253");
                if (Math.abs(weight) == 254) {
                    warn(s.location(), "track_interface " + s.name() + ": weight cannot be +/-254; set to +/-253,"
                            + " as keepalived does");
                    weight = weight > 0 ? MAX_WEIGHT : -MAX_WEIGHT;
                }
                if (a.size() == 3) {
                    reverse = reverseWord(s, a.get(2));
                }
            }
            out.add(new TrackedInterface(s.name(), weight, reverse, s.location()));
        }
        return out;
    }

    private List<Located<TrackEntry>> trackScripts(Statement block) {
        return trackEntries(block, MAX_WEIGHT, "SCRIPT_NAME");
    }

    /** Entries {@code NAME [weight W [reverse|noreverse]]} of a track_script / track_file / track_process block. */
    private List<Located<TrackEntry>> trackEntries(Statement block, int maxWeight, String what) {
        requireBlock(block);
        String range = -maxWeight + ".." + maxWeight;
        List<Located<TrackEntry>> out = new ArrayList<>();
        for (Statement s : block.block()) {
            Integer weight = null;
            boolean reverse = false;
            List<Token> a = s.args();
            if (!a.isEmpty()) {
                if (!a.get(0).text().equals("weight") || a.size() < 2 || a.size() > 3) {
                    throw new ConfigException(s.location(), block.name(), "'" + s.name() + " " + String.join(" ", texts(a))
                            + "' is not a name with an optional weight", what + " [weight " + range + " [reverse]]");
                }
                try {
                    weight = integer(s, a.get(1).text(), -maxWeight, maxWeight, range);
                } catch (ConfigException e) {
                    throw new ConfigException(s.location(), block.name(), "weight " + a.get(1).text() + " of '" + s.name()
                            + "' is not a whole number in range", range);
                }
                if (a.size() == 3) {
                    reverse = reverseWord(s, a.get(2));
                }
            }
            out.add(new Located<>(new TrackEntry(s.name(), weight, reverse), s.location()));
        }
        return out;
    }

    private List<TrackedScript> resolveScripts(List<Located<TrackEntry>> entries, Map<String, VrrpScriptConfig> scripts,
                                               String owner) {
        List<TrackedScript> out = new ArrayList<>();
        for (Located<TrackEntry> e : entries) {
            VrrpScriptConfig script = scripts.get(e.value().name());
            if (script == null) {
                warn(e.location(), owner + ": track_script '" + e.value().name() + "' names no vrrp_script; tracker"
                        + " ignored, as keepalived does");
                continue;
            }
            int weight = e.value().weight() != null ? e.value().weight() : script.weight();
            boolean reverse = e.value().weight() != null ? e.value().reverse() : script.reverse();
            out.add(new TrackedScript(script.name(), weight, reverse, e.location()));
        }
        return out;
    }

    /** track_file / track_process entries resolved against the blocks they name (others dropped with a warning). */
    private <T> List<TrackedObject> resolveTracked(List<Located<TrackEntry>> entries, String kind, Map<String, T> defined,
                                                   java.util.function.ToIntFunction<T> weightOf,
                                                   java.util.function.Predicate<T> reverseOf, String owner) {
        List<TrackedObject> out = new ArrayList<>();
        for (Located<TrackEntry> e : entries) {
            T block = defined.get(e.value().name());
            if (block == null) {
                warn(e.location(), owner + ": " + kind + " '" + e.value().name() + "' names no " + kind + " block; tracker"
                        + " ignored, as keepalived does");
                continue;
            }
            boolean given = e.value().weight() != null;
            out.add(new TrackedObject(e.value().name(), given ? e.value().weight() : weightOf.applyAsInt(block),
                    given ? e.value().reverse() : reverseOf.test(block), e.location()));
        }
        return out;
    }

    /** keepalived's vrrp_complete_instance, for the settings this model has. */
    private VrrpInstanceConfig complete(InstanceDraft d, GlobalDefs globals, Map<String, VrrpScriptConfig> scripts,
                                        Map<String, TrackFileConfig> files, Map<String, TrackProcessConfig> processes) {
        String who = "vrrp_instance '" + d.name + "'";
        if (d.vrid == null) {
            throw new ConfigException(d.location, "virtual_router_id", who + " has no virtual_router_id", "1-255, required");
        }
        IpFamily family = !d.vips.isEmpty() ? d.vips.get(0).address().family()
                : d.sourceAddress != null ? d.sourceAddress.family()
                : !d.peers.isEmpty() ? d.peers.get(0).value().family() : IpFamily.IPV4;
        List<VirtualIpAddress> vips = new ArrayList<>();
        for (VirtualIpAddress v : d.vips) {
            if (v.address().family() != family) {
                warn(v.location(), who + ": virtual_ipaddress " + v.address() + " is not " + family + " like the first one;"
                        + " ignored (use virtual_ipaddress_excluded for the other family)");
            } else {
                vips.add(v);
            }
        }
        if (vips.isEmpty()) {
            warn(d.location, who + " has no virtual_ipaddress; at least one is sensible");
        }
        if (vips.size() > 255) {
            throw new ConfigException(d.vips.get(255).location(), "virtual_ipaddress", who + " has " + vips.size()
                    + " addresses; an advert carries at most 255", "1-255 addresses; move the rest to virtual_ipaddress_excluded");
        }
        List<IpAddress> peers = new ArrayList<>();
        for (Located<IpAddress> p : d.peers) {
            if (p.value().family() != family) {
                warn(p.location(), who + ": unicast_peer " + p.value() + " is not " + family + " like the instance; skipped");
            } else {
                peers.add(p.value());
            }
        }
        Optional<IpAddress> source = Optional.ofNullable(d.sourceAddress);
        if (d.sourceAddress != null && d.sourceAddress.family() != family) {
            warn(d.sourceAt, who + ": source address " + d.sourceAddress + " is not " + family + " like the instance;"
                    + " skipped");
            source = Optional.empty();
        }
        if (d.interfaceName == null && (peers.isEmpty() || source.isEmpty())) {
            throw new ConfigException(d.location, "interface", who + " has no interface",
                    "an interface name; it may be left out only with unicast_peer and unicast_src_ip");
        }

        VrrpVersion version = d.version != null ? d.version : globals.vrrpVersion();
        if (family == IpFamily.IPV6 && version == VrrpVersion.V2) {
            if (d.version != null) {
                warn(d.versionAt, who + ": VRRP version 2 cannot carry IPv6; using version 3, as keepalived does");
            }
            version = VrrpVersion.V3; // keepalived.conf(5): "IPv6 instances will always use version 3"
        }
        Duration advert = advertInterval(d, version, who);

        Optional<Authentication> auth = Optional.empty();
        if (d.authAt != null) {
            if (version == VrrpVersion.V3) {
                warn(d.authAt, who + ": VRRP version 3 does not support authentication; ignored, as keepalived does");
            } else if (d.authPass == null) {
                warn(d.authAt, who + ": authentication without auth_pass; ignored, as keepalived does");
            } else {
                auth = Optional.of(new Authentication(d.authType == null ? Authentication.Type.PASS : d.authType, d.authPass));
            }
        }

        boolean nopreempt = d.nopreempt;
        Duration preemptDelay = d.preemptDelay;
        if (nopreempt && d.priority == 255) {
            warn(d.nopreemptAt, who + ": nopreempt is incompatible with priority 255 (address owner); cleared,"
                    + " as keepalived does");
            nopreempt = false;
        }
        if (nopreempt && d.state == InitialState.MASTER) {
            warn(d.nopreemptAt, who + ": nopreempt will not work with initial state MASTER (it needs state BACKUP);"
                    + " cleared, as keepalived does");
            nopreempt = false;
        }
        if (!preemptDelay.isZero() && d.state == InitialState.MASTER) {
            warn(d.preemptDelayAt, who + ": preempt_delay will not work with initial state MASTER; cleared,"
                    + " as keepalived does");
            preemptDelay = Duration.ZERO;
        } else if (!preemptDelay.isZero() && nopreempt) {
            warn(d.preemptDelayAt, who + ": preempt_delay is incompatible with nopreempt; cleared, as keepalived does");
            preemptDelay = Duration.ZERO;
        }

        List<TrackedInterface> tracked = new ArrayList<>();
        for (TrackedInterface t : d.trackInterfaces) {
            if (t.name().equals(d.interfaceName) && t.weight() == 0) {
                warn(t.location(), who + ": track_interface " + t.name() + " is the instance's own interface, which is"
                        + " tracked anyway; ignored, as keepalived does");
            } else {
                tracked.add(t);
            }
        }
        boolean accept = d.accept != null ? d.accept : !globals.vrrpStrict();
        return new VrrpInstanceConfig(d.name, d.state, Optional.ofNullable(d.interfaceName), d.vrid, d.priority, version,
                family, advert, auth, !nopreempt, preemptDelay, accept, d.dontTrackPrimary, source, peers, vips, d.excluded,
                tracked, resolveScripts(d.trackScripts, scripts, who), d.notify.build(), d.garp.buildOver(globals.garp()),
                d.smtpAlert, d.location, d.checkUnicastSource,
                resolveTracked(d.trackFiles, "track_file", files, TrackFileConfig::weight, TrackFileConfig::reverse, who),
                resolveTracked(d.trackProcesses, "track_process", processes, TrackProcessConfig::weight,
                        TrackProcessConfig::reverse, who), d.written, d.routes, d.rules, virtualMac(d, who));
    }

    /** use_vmac / vmac_xmit_base; vmac_xmit_base alone is ignored with a warning, as keepalived does. */
    private Optional<VirtualMacConfig> virtualMac(InstanceDraft d, String who) {
        if (d.useVmacAt == null) {
            if (d.vmacXmitBaseAt != null) {
                warn(d.vmacXmitBaseAt, who + ": vmac_xmit_base is only valid with use_vmac; ignored, as keepalived does");
            }
            return Optional.empty();
        }
        if (d.vmacName != null && d.vmacName.equals(d.interfaceName)) {
            throw new ConfigException(d.useVmacAt, "use_vmac", "the virtual MAC interface cannot be the instance's own"
                    + " interface " + d.interfaceName, "[VMAC_INTERFACE_NAME] other than the interface");
        }
        return Optional.of(new VirtualMacConfig(Optional.ofNullable(d.vmacName), d.vmacXmitBaseAt != null,
                d.useVmacAt));
    }

    /**
     * Two instances with one vmac name would fight over one interface (the second would take the
     * first's macvlan for its own, or replace it when its MAC differs): refused, naming both.
     * keepalived picks another default name for the second; havip's default names differ by
     * family and VRID already, so only names written twice meet here.
     */
    private void refuseSharedVirtualMacs(List<VrrpInstanceConfig> instances) {
        Map<String, VrrpInstanceConfig> byName = new LinkedHashMap<>();
        for (VrrpInstanceConfig i : instances) {
            if (i.virtualMac().isEmpty()) {
                continue;
            }
            VirtualMacConfig v = i.virtualMac().get();
            String name = v.interfaceName().orElse(io.havip.arp.linux.VirtualMacInterface.defaultName(i.family(),
                    i.virtualRouterId()));
            VrrpInstanceConfig other = byName.putIfAbsent(name, i);
            if (other != null) {
                throw new ConfigException(v.location(), "use_vmac", "vrrp_instance '" + i.name() + "' and vrrp_instance '"
                        + other.name() + "' (" + other.virtualMac().get().location() + ") both use the virtual MAC"
                        + " interface " + name, "a different VMAC_INTERFACE_NAME for one of them");
            }
        }
    }

    /**
     * keepalived's check_vrid_conflicts (vrrp.c, 2.2.7): two instances of one address family and
     * VRID are one virtual router to the network, each taking the other's adverts for its own,
     * when both are multicast on one interface, or both unicast from one source address (on one
     * interface, when both name theirs) to at least one common peer. keepalived refuses such a
     * file; so does this reader. A multicast and a unicast instance never meet (the machine drops
     * an advert whose destination is of the other kind), nor do IPv4 and IPv6 ones, whatever
     * their versions. {@code use_vmac} separates nothing, in keepalived either. Unlike keepalived,
     * a different {@code mcast_dst_ip} separates nothing either: havip does not support it and
     * sends to the VRRP group. Unicast instances of which one sends from an address given and
     * the other from its interface's primary address, unknown here, get a warning.
     */
    private void refuseSharedVrids(List<InstanceDraft> drafts, List<VrrpInstanceConfig> instances) {
        for (int j = 1; j < instances.size(); j++) {
            VrrpInstanceConfig b = instances.get(j);
            for (int i = 0; i < j; i++) {
                VrrpInstanceConfig a = instances.get(i);
                if (a.virtualRouterId() != b.virtualRouterId() || a.family() != b.family() || a.unicast() != b.unicast()
                        || (a.interfaceName().isPresent() && b.interfaceName().isPresent()
                        && !a.interfaceName().equals(b.interfaceName()))) {
                    continue;
                }
                SourceLocation at = drafts.get(j).vridAt;
                String both = "vrrp_instance '" + a.name() + "' (" + drafts.get(i).vridAt + ") and vrrp_instance '" + b.name()
                        + "' (" + at + ") both use virtual_router_id " + b.virtualRouterId() + " for "
                        + (b.family() == IpFamily.IPV4 ? "IPv4" : "IPv6");
                String fix = "another virtual_router_id for one of them, the same on its peers";
                if (!b.unicast()) {
                    String mcast = !Objects.equals(drafts.get(i).mcastDestination, drafts.get(j).mcastDestination)
                            ? " (keepalived would accept them only because of mcast_dst_ip, which havip does not support:"
                            + " both send to the VRRP group)" : "; keepalived refuses this file too";
                    throw new ConfigException(at, "virtual_router_id", both + " on interface " + b.interfaceName().get()
                            + ": they would be one virtual router, each taking the other's adverts for its own" + mcast, fix);
                }
                Optional<IpAddress> shared = a.unicastPeers().stream().filter(b.unicastPeers()::contains).findFirst();
                Optional<IpAddress> from = a.sourceAddress().or(b::sourceAddress);
                if (shared.isEmpty() || (a.sourceAddress().isPresent() && b.sourceAddress().isPresent()
                        && !a.sourceAddress().equals(b.sourceAddress()))) {
                    continue; // told apart by peer or by local address, as keepalived does
                }
                if (a.sourceAddress().isPresent() != b.sourceAddress().isPresent()) {
                    VrrpInstanceConfig implicit = a.sourceAddress().isEmpty() ? a : b;
                    warn(at, both + " and send to unicast_peer " + shared.get() + "; '" + implicit.name() + "' sends from"
                            + " the primary address of " + implicit.interfaceName().orElse("its interface") + ": if that is "
                            + from.get() + ", they are one virtual router (keepalived then refuses the file); give '"
                            + implicit.name() + "' a unicast_src_ip, or use " + fix);
                    continue;
                }
                throw new ConfigException(at, "virtual_router_id", both + " from " + from.map(f -> "unicast_src_ip " + f)
                        .orElse("the primary address of " + b.interfaceName().orElse("?")) + " to unicast_peer "
                        + shared.get() + ": they would be one virtual router, each taking the other's adverts for its own;"
                        + " keepalived refuses this file too", fix + ", or a different unicast_src_ip or unicast_peer");
            }
        }
    }

    /** keepalived's advert_int completion: v2 rounds to whole seconds, v3 to 10 ms and at most 40.95 s. */
    private Duration advertInterval(InstanceDraft d, VrrpVersion version, String who) {
        BigDecimal v = d.advertInt;
        SourceLocation at = d.advertIntAt != null ? d.advertIntAt : d.location;
        if (version == VrrpVersion.V2) {
            if (v.stripTrailingZeros().scale() > 0) {
                BigDecimal rounded = v.setScale(0, java.math.RoundingMode.HALF_UP).max(BigDecimal.ONE);
                warn(at, who + ": VRRPv2 advert_int " + v.toPlainString() + " s must be whole seconds; rounded to "
                        + rounded + " s, as keepalived does (use version 3 for fractions)");
                v = rounded;
            }
            return Duration.ofSeconds(v.longValueExact());
        }
        BigDecimal max = new BigDecimal("40.95");
        if (v.compareTo(max) > 0) {
            warn(at, who + ": VRRPv3 advert_int " + v.toPlainString() + " s exceeds the 12-bit field's 40.95 s; set to"
                    + " 40.95 s, as keepalived does");
            v = max;
        }
        BigDecimal cs = v.movePointRight(2);
        if (cs.stripTrailingZeros().scale() > 0) {
            BigDecimal rounded = cs.setScale(0, java.math.RoundingMode.HALF_UP).max(BigDecimal.ONE);
            warn(at, who + ": VRRPv3 advert_int " + v.toPlainString() + " s is not a multiple of 10 ms; rounded to "
                    + rounded.movePointLeft(2).toPlainString() + " s, as keepalived does");
            cs = rounded;
        }
        return Duration.ofMillis(cs.longValueExact() * 10);
    }

    // ---------------------------------------------------------------- vrrp_sync_group

    private VrrpSyncGroupConfig syncGroup(Statement block, List<VrrpInstanceConfig> instances, Map<String, VrrpScriptConfig> scripts,
                                          List<VrrpSyncGroupConfig> earlier) {
        String name = name(block);
        String who = "vrrp_sync_group '" + name + "'";
        List<String> members = new ArrayList<>();
        List<TrackedInterface> trackInterfaces = new ArrayList<>();
        List<Located<TrackEntry>> trackScripts = new ArrayList<>();
        NotifyDraft notify = new NotifyDraft();
        boolean smtp = false;
        boolean trackingWeight = false;
        for (Statement s : block.block()) {
            switch (s.name()) {
                case "group" -> {
                    requireBlock(s);
                    for (Statement m : s.block()) {
                        extraValues(m, 0);
                        String member = m.name();
                        Optional<VrrpSyncGroupConfig> other = earlier.stream()
                                .filter(g -> g.instances().contains(member)).findFirst();
                        if (instances.stream().noneMatch(i -> i.name().equals(member))) {
                            warn(m.location(), who + ": vrrp_instance '" + member + "' does not exist; ignored,"
                                    + " as keepalived does");
                        } else if (other.isPresent() || members.contains(member)) {
                            warn(m.location(), who + ": vrrp_instance '" + member + "' is already in sync group '"
                                    + other.map(VrrpSyncGroupConfig::name).orElse(name) + "'; ignored here");
                        } else {
                            members.add(member);
                        }
                    }
                }
                case "track_interface" -> trackInterfaces.addAll(trackInterfaces(s));
                case "track_script" -> trackScripts.addAll(trackScripts(s));
                case "smtp_alert" -> smtp = bool(s);
                case "global_tracking" -> warn(s.location(), "global_tracking is deprecated and not supported by havip;"
                        + " use track_interface / track_script on the sync group");
                case "sync_group_tracking_weight" -> {
                    extraValues(s, 0);
                    trackingWeight = true;
                }
                case "notify_priority_changes" -> {
                    // accepted, nothing to keep
                }
                default -> {
                    if (!notify.accept(s, this)) {
                        warn(s.location(), "unknown keyword '" + s.name() + "' in " + who + " ignored");
                    }
                }
            }
        }
        if (members.isEmpty()) {
            warn(block.location(), who + " has no existing member instance");
        }
        return new VrrpSyncGroupConfig(name, members, trackInterfaces, resolveScripts(trackScripts, scripts, who), notify.build(),
                smtp, block.location(), trackingWeight);
    }

    // ---------------------------------------------------------------- shared drafts

    /** notify, notify_master, notify_backup, notify_fault, notify_stop, notify_master_rx_lower_pri. */
    private static final class NotifyDraft {
        private final Map<String, NotifyScript> scripts = new LinkedHashMap<>();

        boolean accept(Statement s, KeepalivedConfigReader r) {
            switch (s.name()) {
                case "notify", "notify_master", "notify_backup", "notify_fault", "notify_stop", "notify_master_rx_lower_pri" -> {
                    List<Token> a = r.args(s, 1, 3, "COMMAND-or-\"QUOTED COMMAND\" [USER [GROUP]]");
                    scripts.put(s.name(), new NotifyScript(a.get(0).text(), a.size() > 1 ? Optional.of(a.get(1).text())
                            : Optional.empty(), a.size() > 2 ? Optional.of(a.get(2).text()) : Optional.empty(), s.location()));
                    return true;
                }
                default -> {
                    return false;
                }
            }
        }

        NotifyScripts build() {
            return new NotifyScripts(get("notify_master"), get("notify_backup"), get("notify_fault"), get("notify_stop"),
                    get("notify"), get("notify_master_rx_lower_pri"));
        }

        private Optional<NotifyScript> get(String key) {
            return Optional.ofNullable(scripts.get(key));
        }
    }

    /** garp_* keys (instance) / vrrp_garp_* (global); unset values fall back to a base. */
    private static final class GarpDraft {
        private Duration masterDelay;
        private Integer masterRepeat;
        private Duration lowerPrioDelay;
        private Integer lowerPrioRepeat;
        private Duration masterRefresh;
        private Integer masterRefreshRepeat;
        /** Takes {@code key} (without a vrrp_ prefix) if it is one of the GARP settings. */
        boolean accept(Statement s, String key, KeepalivedConfigReader r) {
            switch (key) {
                case "garp_master_delay" -> masterDelay = Duration.ofSeconds(r.integer(s, 0, MAX_TIMER_SECONDS,
                        "0-4294 seconds, 0 for no second burst"));
                case "garp_master_repeat" -> masterRepeat = r.repeat(s);
                case "garp_lower_prio_delay" -> lowerPrioDelay = Duration.ofSeconds(r.integer(s, 0, MAX_TIMER_SECONDS,
                        "0-4294 seconds"));
                case "garp_lower_prio_repeat" -> lowerPrioRepeat = r.integer(s, 0, Integer.MAX_VALUE, "0 or more messages");
                case "garp_master_refresh" -> masterRefresh = Duration.ofSeconds(r.integer(s, 0, MAX_TIMER_SECONDS,
                        "0-4294 seconds, 0 for no refresh"));
                case "garp_master_refresh_repeat" -> masterRefreshRepeat = r.repeat(s);
                default -> {
                    return false;
                }
            }
            return true;
        }

        /**
         * These settings over {@code global} (keepalived's defaults for global_defs, global_defs for an
         * instance); unset lower-priority values follow the master ones set at the same level.
         */
        GarpSettings buildOver(GarpSettings global) {
            Duration delay = masterDelay != null ? masterDelay : global.masterDelay();
            int repeat = masterRepeat != null ? masterRepeat : global.masterRepeat();
            return new GarpSettings(delay, repeat, lowerPrioDelay != null ? lowerPrioDelay : masterDelay != null ? delay
                    : global.lowerPrioDelay(), lowerPrioRepeat != null ? lowerPrioRepeat : masterRepeat != null ? repeat
                    : global.lowerPrioRepeat(), masterRefresh != null ? masterRefresh : global.masterRefresh(),
                    masterRefreshRepeat != null ? masterRefreshRepeat : global.masterRefreshRepeat());
        }
    }

    /** keepalived: "garp_master_repeat must be greater than 0, setting to 1". */
    private int repeat(Statement s) {
        int v = integer(s, 0, Integer.MAX_VALUE, "1 or more messages");
        if (v == 0) {
            warn(s.location(), s.name() + " must be greater than 0; set to 1, as keepalived does");
            return 1;
        }
        return v;
    }

    // ---------------------------------------------------------------- values

    /**
     * {@code name} as a path in the configuration's file system: absolute as given, relative to
     * the directory of the file {@code at} names (as keepalived resolves includes).
     */
    Path besideConfig(SourceLocation at, String name) {
        Path p = origin.getFileSystem().getPath(name);
        if (p.isAbsolute()) {
            return p;
        }
        Path dir = origin.getFileSystem().getPath(at.file()).toAbsolutePath().getParent();
        return dir == null ? p.toAbsolutePath() : dir.resolve(p);
    }

    void warn(SourceLocation at, String message) {
        warnings.add(new ConfigWarning(at, message));
    }

    void requireBlock(Statement s) {
        if (s.block() == null) {
            throw new ConfigException(s.location(), s.name(), "expects a { ... } block", s.name() + (s.args().isEmpty()
                    ? "" : " " + s.args().get(0).text()) + " { ... }");
        }
    }

    String name(Statement s) {
        if (s.args().isEmpty()) {
            throw new ConfigException(s.location(), s.name(), "the block has no name", s.name() + " NAME { ... }");
        }
        if (s.args().size() > 1) {
            warn(s.location(), s.name() + " " + s.args().get(0).text() + ": extra value(s) "
                    + texts(s.args().subList(1, s.args().size())) + " after the name ignored");
        }
        return s.args().get(0).text();
    }

    /** The values of {@code s}, between {@code min} and {@code max} of them. */
    List<Token> args(Statement s, int min, int max, String allowed) {
        if (s.block() != null) {
            throw new ConfigException(s.location(), s.name(), "takes a value, not a { ... } block", allowed);
        }
        if (s.args().size() < min) {
            throw new ConfigException(s.location(), s.name(), "missing value", allowed);
        }
        if (s.args().size() > max) {
            warn(s.location(), "key '" + s.name() + "': extra value(s) " + texts(s.args().subList(max, s.args().size()))
                    + " ignored, as keepalived does");
            return s.args().subList(0, max);
        }
        return s.args();
    }

    void extraValues(Statement s, int expected) {
        if (s.block() != null) {
            throw new ConfigException(s.location(), s.name(), "takes no { ... } block", null);
        }
        if (s.args().size() > expected) {
            warn(s.location(), "key '" + s.name() + "': extra value(s) " + texts(s.args().subList(expected, s.args().size()))
                    + " ignored, as keepalived does");
        }
    }

    String single(Statement s, String allowed) {
        return args(s, 1, 1, allowed).get(0).text();
    }

    static List<String> texts(List<Token> tokens) {
        return tokens.stream().map(Token::text).toList();
    }

    int integer(Statement s, int min, int max, String allowed) {
        return integer(s, single(s, allowed), min, max, allowed);
    }

    int integer(Statement s, String v, int min, int max, String allowed) {
        if (!INTEGER.matcher(v).matches()) {
            throw new ConfigException(s.location(), s.name(), "\"" + v + "\" is not a whole number", allowed);
        }
        BigDecimal n = new BigDecimal(v);
        if (n.compareTo(BigDecimal.valueOf(min)) < 0 || n.compareTo(BigDecimal.valueOf(max)) > 0) {
            throw new ConfigException(s.location(), s.name(), v + " is out of range", allowed);
        }
        return n.intValueExact();
    }

    private BigDecimal decimal(Statement s, String v, BigDecimal min, BigDecimal max, String allowed) {
        if (!DECIMAL.matcher(v).matches()) {
            throw new ConfigException(s.location(), s.name(), "\"" + v + "\" is not a decimal number of seconds", allowed);
        }
        BigDecimal n = new BigDecimal(v);
        if (n.compareTo(min) < 0 || n.compareTo(max) > 0) {
            throw new ConfigException(s.location(), s.name(), v + " is out of range", allowed);
        }
        return n;
    }

    /** Decimal seconds at keepalived's microsecond resolution. */
    Duration seconds(Statement s, String v, BigDecimal min, BigDecimal max, String allowed) {
        BigDecimal n = decimal(s, v, min, max, allowed);
        return Duration.ofNanos(n.movePointRight(6).setScale(0, java.math.RoundingMode.HALF_UP).longValueExact() * 1000);
    }

    /** keepalived's {@code <BOOL>}: a keyword alone means on. */
    boolean bool(Statement s) {
        if (s.args().isEmpty()) {
            extraValues(s, 0);
            return true;
        }
        String v = single(s, BOOL_ALLOWED).toLowerCase(Locale.ROOT);
        return switch (v) {
            case "on", "true", "yes" -> true;
            case "off", "false", "no" -> false;
            default -> throw new ConfigException(s.location(), s.name(), "\"" + v + "\" is not a boolean", BOOL_ALLOWED);
        };
    }

    boolean reverseWord(Statement s, Token t) {
        return switch (t.text()) {
            case "reverse" -> true;
            case "noreverse", "no_reverse" -> false;
            default -> throw new ConfigException(s.location(), s.name(), "\"" + t.text() + "\" after the weight is not"
                    + " reverse or noreverse", "weight N [reverse|noreverse]");
        };
    }

    private VrrpVersion version(Statement s) {
        return VrrpVersion.of(integer(s, 2, 3, "2 or 3"));
    }

    /**
     * A password must match the peer's byte for byte. When an invisible or full-width character
     * in it was read as a person sees it, a keepalived peer given the same text reads another
     * password (keepalived splits words on ASCII white space only and folds nothing), and
     * neither reading is safe to guess: refused. Quotes keep such a character as written.
     */
    private static void refusePasted(Statement s, List<Token> words) {
        for (Token w : words) {
            if (w.asWritten() != null) {
                throw new ConfigException(w.location(), s.name(), "the password is written \"" + w.asWritten() + "\", with"
                        + " characters that are invisible or look like ASCII; havip would read \"" + w.text() + "\" and"
                        + " keepalived (a peer given the same text) the characters as written, so the password would differ"
                        + " from the peer's", "retype the password on every node, or put it in quotes to keep these exact"
                        + " characters");
            }
        }
    }

    private IpAddress address(Statement s, String v) {
        try {
            return IpAddress.parse(v);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(s.location(), s.name(), e.getMessage(), "an IPv4 or IPv6 address");
        }
    }

    private <E extends Enum<E>> E enumValue(Statement s, Class<E> type, String allowed) {
        String v = single(s, allowed);
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(v)) {
                return e;
            }
        }
        throw new ConfigException(s.location(), s.name(), "\"" + v + "\" is not recognised", allowed);
    }

    private static <E extends Enum<E>> E enumWord(Statement s, String key, String v, Class<E> type, String allowed) {
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(v)) {
                return e;
            }
        }
        throw new ConfigException(s.location(), key, "scope \"" + v + "\" of " + s.name() + " is not recognised", allowed);
    }
}
