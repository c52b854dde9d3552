package io.havip.examples.havipd;

import io.havip.core.net.Ipv6Address;
import io.havip.vrrp.keepalived.KeepalivedRouters;
import io.havip.vrrp.keepalived.KeepalivedRouters.Mapping;
import io.havip.vrrp.keepalived.KeepalivedRouters.Router;
import io.havip.vrrp.config.ConfigException;
import io.havip.vrrp.config.ConfigWarning;
import io.havip.vrrp.config.GlobalDefs;
import io.havip.vrrp.config.KeepalivedConfig;
import io.havip.vrrp.config.KeepalivedConfigReader;
import io.havip.vrrp.config.NotifyScript;
import io.havip.vrrp.config.SourceLocation;
import io.havip.vrrp.config.TrackFileConfig;
import io.havip.vrrp.config.TrackProcessConfig;
import io.havip.vrrp.config.VrrpInstanceConfig;
import io.havip.vrrp.config.VrrpScriptConfig;
import io.havip.vrrp.machine.RouterConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code havipd --check}: the effective configuration as keepalived.conf text (what keepalived
 * would have to be given to behave the same), each line with the FILE:LINE it came from, or
 * "default"; {@code --check --json}: the same keys as one JSON object. Passwords are masked.
 * Only what havip runs is shown: warnings say what it ignores.
 */
final class CheckReport {

    /** Shown instead of any password. */
    static final String MASKED = "********";
    /** Column of the FILE:LINE comments in the text form. */
    private static final int COMMENT_COLUMN = 44;

    private CheckReport() {
    }

    /** One keyword with its effective value and where it was written (null: a default). */
    record Entry(String key, Object value, SourceLocation at, List<Entry> block) {
        static Entry of(String key, Object value, SourceLocation at) {
            return new Entry(key, value, at, null);
        }

        static Entry block(String key, SourceLocation at, List<Entry> inner) {
            return new Entry(key, null, at, List.copyOf(inner));
        }

        Object json() {
            Map<String, Object> m = new LinkedHashMap<>();
            if (block != null) {
                Map<String, Object> inner = new LinkedHashMap<>();
                List<Object> items = new ArrayList<>();
                boolean keyed = block.stream().allMatch(e -> e.key() != null);
                for (Entry e : block) {
                    if (keyed) {
                        inner.put(e.key(), e.json());
                    } else {
                        items.add(e.json());
                    }
                }
                m.put("value", keyed ? inner : items);
            } else {
                m.put("value", value);
            }
            m.put("at", at == null ? null : at.toString());
            return m;
        }
    }

    /** A block of the report: {@code vrrp_instance VI_1}, {@code global_defs}, ... */
    record Section(String keyword, String name, SourceLocation at, List<Entry> entries, List<String> notes) { }

    /** The report of a usable file. */
    static List<Section> sections(KeepalivedConfig config, Mapping mapping) {
        List<Section> out = new ArrayList<>();
        out.add(globals(config.globalDefs()));
        java.util.Set<String> scripts = new java.util.LinkedHashSet<>();
        java.util.Set<String> files = new java.util.LinkedHashSet<>();
        java.util.Set<String> processes = new java.util.LinkedHashSet<>();
        mapping.routers().values().forEach(r -> {
            r.settings().checks().forEach(c -> scripts.add(c.name()));
            r.instance().trackFiles().forEach(t -> files.add(t.name()));
            r.instance().trackProcesses().forEach(t -> processes.add(t.name()));
        });
        scripts.forEach(n -> out.add(script(config.scripts().get(n))));
        files.forEach(n -> out.add(trackFile(config.trackFiles().get(n))));
        processes.forEach(n -> out.add(trackProcess(config.trackProcesses().get(n))));
        mapping.groups().values().forEach(g -> out.add(group(g)));
        config.havip().zookeeper().ifPresent(z -> out.add(zookeeper(z)));
        mapping.routers().values().forEach(r -> out.add(instance(config, r)));
        return out;
    }

    /** havip { zookeeper { } }: the lease every instance runs under (the block's line for each key). */
    private static Section zookeeper(io.havip.vrrp.config.ZooKeeperSettings z) {
        SourceLocation at = z.location();
        List<Entry> e = new ArrayList<>();
        e.add(Entry.of("connect", z.connect(), at));
        e.add(Entry.of("path", z.path(), at));
        e.add(Entry.of("mode", z.mode().name().toLowerCase(java.util.Locale.ROOT), at));
        e.add(Entry.of("session_timeout", z.sessionTimeout().toMillis() + "ms", at));
        e.add(Entry.of("unreachable", z.unreachable().name().toLowerCase(java.util.Locale.ROOT), at));
        e.add(Entry.of("node", z.node().orElse("(host name)"), at));
        z.auth().ifPresent(a -> e.add(Entry.of("auth_file", a.file().toString(), at)));
        String what = z.mode() == io.havip.vrrp.config.ZooKeeperSettings.Mode.GUARD
                ? "quorum guard: VRRP elects; an instance binds only while it holds its lease " + z.path() + "/<instance>"
                : "lease only: no VRRP traffic; the holder of " + z.path() + "/<instance> binds";
        String auth = z.auth().map(a -> "credentials: digest user " + a.user() + " (password not shown); the lease "
                + "znodes are writable only with them, readable by anyone").orElse("no auth_file: the lease znodes are "
                + "open to every client of the ensemble (on a shared ensemble, set auth_file PATH)");
        return new Section("zookeeper", null, at, e, List.of(what, auth, "not keepalived: goes in the havip block"));
    }

    /** A vrrp_sync_group: its members, its notify scripts, and how havip runs it. */
    private static Section group(KeepalivedRouters.Group g) {
        List<Entry> e = new ArrayList<>();
        io.havip.vrrp.config.VrrpSyncGroupConfig c = g.config();
        e.add(Entry.block("group", c.location(), g.members().stream().map(m -> Entry.of(null, m, c.location())).toList()));
        if (c.trackingWeight()) {
            e.add(Entry.of("sync_group_tracking_weight", true, c.location()));
        }
        var n = c.notifyScripts();
        notify(e, "notify_master", n.master());
        notify(e, "notify_backup", n.backup());
        notify(e, "notify_fault", n.fault());
        notify(e, "notify_stop", n.stop());
        notify(e, "notify", n.any());
        List<String> notes = new ArrayList<>();
        notes.add("members " + g.members() + " move together: MASTER only when every member can be, one member's FAULT"
                + " puts all in FAULT");
        if (n.any().isPresent()) {
            notes.add("notify gets GROUP " + g.name() + " MASTER|BACKUP|FAULT|STOP 0 appended");
        }
        return new Section("vrrp_sync_group", g.name(), c.location(), e, notes);
    }

    private static Section globals(GlobalDefs g) {
        List<Entry> e = new ArrayList<>();
        Map<String, SourceLocation> w = g.written();
        g.routerId().ifPresent(id -> e.add(Entry.of("router_id", id, w.get("router_id"))));
        e.add(Entry.of("vrrp_version", g.vrrpVersion().number(), w.get("vrrp_version")));
        e.add(Entry.of("vrrp_garp_interval", g.garpInterval(), w.get("vrrp_garp_interval")));
        e.add(Entry.of("vrrp_gna_interval", g.gnaInterval(), w.get("vrrp_gna_interval")));
        e.add(Entry.of("vrrp_strict", g.vrrpStrict(), w.get("vrrp_strict")));
        e.add(Entry.of("vrrp_check_unicast_src", g.checkUnicastSource(), w.get("vrrp_check_unicast_src")));
        g.scriptUser().ifPresent(u -> e.add(Entry.of("script_user", u + g.scriptGroup().map(x -> " " + x).orElse(""),
                w.get("script_user"))));
        g.notifyFifos().forEach(f -> {
            e.add(Entry.of(f.key(), f.path(), f.location()));
            f.script().ifPresent(s -> e.add(Entry.of(f.key() + "_script", s.command(), s.location())));
        });
        return new Section("global_defs", null, null, e, List.of());
    }

    private static Section script(VrrpScriptConfig s) {
        SourceLocation at = s.location();
        List<Entry> e = List.of(Entry.of("script", s.script(), at), Entry.of("interval", s.interval(), at),
                Entry.of("timeout", s.timeout(), at), Entry.of("weight", s.weight(), at), Entry.of("rise", s.rise(), at),
                Entry.of("fall", s.fall(), at));
        return new Section("vrrp_script", s.name(), at, e, List.of());
    }

    private static Section trackFile(TrackFileConfig f) {
        SourceLocation at = f.location();
        List<Entry> e = new ArrayList<>(List.of(Entry.of("file", f.file(), at), Entry.of("weight", f.weight(), at)));
        f.initValue().ifPresent(v -> e.add(Entry.of("init_file", v + (f.overwrite() ? " overwrite" : ""), at)));
        return new Section("track_file", f.name(), at, e, List.of());
    }

    private static Section trackProcess(TrackProcessConfig p) {
        SourceLocation at = p.location();
        List<Entry> e = new ArrayList<>(List.of(Entry.of("process", String.join(" ", p.command()), at),
                Entry.of("weight", p.weight(), at), Entry.of("quorum", p.quorum(), at)));
        if (p.quorumMax() != Integer.MAX_VALUE) {
            e.add(Entry.of("quorum_max", p.quorumMax(), at));
        }
        if (p.paramMatchSet()) {
            e.add(Entry.of("param_match", p.paramMatch().name().toLowerCase(Locale.ROOT), at));
        }
        if (p.fullCommand()) {
            e.add(Entry.of("full_command", true, at));
        }
        e.add(Entry.of("fork_delay", p.forkDelay(), at));
        e.add(Entry.of("terminate_delay", p.terminateDelay(), at));
        return new Section("vrrp_track_process", p.name(), at, e, List.of());
    }

    private static Section instance(KeepalivedConfig config, Router r) {
        VrrpInstanceConfig i = r.instance();
        RouterConfig c = r.settings().router();
        List<Entry> e = new ArrayList<>();
        e.add(Entry.of("state", i.initialState().name(), at(i, "state")));
        e.add(Entry.of("interface", c.router().interfaceName(), at(i, "interface")));
        e.add(Entry.of("virtual_router_id", c.router().vrid(), at(i, "virtual_router_id")));
        e.add(Entry.of("version", c.version().number(), Optional.ofNullable(at(i, "version")).orElse(config.globalDefs()
                .written().get("vrrp_version"))));
        e.add(Entry.of("priority", c.priority(), at(i, "priority")));
        e.add(Entry.of("advert_int", c.advertInterval(), at(i, "advert_int")));
        e.add(Entry.of("nopreempt", !c.preempt(), at(i, "nopreempt", "no_preempt", "preempt")));
        e.add(Entry.of("preempt_delay", c.preemptDelay(), at(i, "preempt_delay")));
        e.add(Entry.of("accept", i.accept(), at(i, "accept", "no_accept")));
        r.settings().sourceAddress().ifPresent(s -> e.add(Entry.of(i.writtenAt("unicast_src_ip").isPresent()
                ? "unicast_src_ip" : "mcast_src_ip", s.toString(), at(i, "unicast_src_ip", "mcast_src_ip"))));
        if (!c.unicastPeers().isEmpty()) {
            e.add(Entry.block("unicast_peer", at(i, "unicast_peer"), c.unicastPeers().stream()
                    .map(p -> Entry.of(null, p.toString(), at(i, "unicast_peer " + p, "unicast_peer"))).toList()));
        }
        i.virtualMac().ifPresent(v -> {
            // the effective name (the default spelled out) and vmac_xmit_base as havipd applies it
            e.add(Entry.of("use_vmac", v.interfaceName().orElse(io.havip.arp.linux.VirtualMacInterface.defaultName(
                    c.router().family(), c.router().vrid())), v.location()));
            if (v.transmitBase() || !c.unicastPeers().isEmpty()) {
                e.add(Entry.of("vmac_xmit_base", true, Optional.ofNullable(at(i, "vmac_xmit_base")).orElse(v.location())));
            }
        });
        e.add(Entry.block("virtual_ipaddress", at(i, "virtual_ipaddress"), i.virtualAddresses().stream()
                .map(v -> Entry.of(null, v.address().toString(), v.location())).toList()));
        if (!i.excludedAddresses().isEmpty()) {
            e.add(Entry.block("virtual_ipaddress_excluded", at(i, "virtual_ipaddress_excluded"),
                    i.excludedAddresses().stream().map(v -> Entry.of(null, v.address().toString(), v.location())).toList()));
        }
        if (!i.virtualRoutes().isEmpty()) {
            e.add(Entry.block("virtual_routes", at(i, "virtual_routes"), i.virtualRoutes().stream()
                    .map(v -> Entry.of(null, v.toString(), v.location())).toList()));
        }
        if (!i.virtualRules().isEmpty()) {
            e.add(Entry.block("virtual_rules", at(i, "virtual_rules"), i.virtualRules().stream()
                    .map(v -> Entry.of(null, v.toString(), v.location())).toList()));
        }
        i.authentication().ifPresent(a -> e.add(Entry.block("authentication", at(i, "authentication"),
                List.of(Entry.of("auth_type", a.type().name(), at(i, "auth_type", "authentication")),
                        Entry.of("auth_pass", MASKED, at(i, "auth_pass", "authentication"))))));
        List<Entry> interfaces = i.trackInterfaces().stream().filter(t -> !t.reverse())
                .map(t -> Entry.of(null, t.name() + " weight " + t.weight(), t.location())).toList();
        if (!interfaces.isEmpty()) {
            e.add(Entry.block("track_interface", at(i, "track_interface"), interfaces));
        }
        if (!r.settings().checks().isEmpty()) {
            e.add(Entry.block("track_script", at(i, "track_script"), r.settings().checks().stream()
                    .map(s -> Entry.of(null, s.name() + " weight " + s.weight(), location(i.trackScripts(), s.name(),
                            i.location()))).toList()));
        }
        if (!i.trackFiles().isEmpty()) {
            e.add(Entry.block("track_file", at(i, "track_file"), i.trackFiles().stream()
                    .map(t -> Entry.of(null, t.name() + " weight " + t.weight() + (t.reverse() ? " reverse" : ""),
                            t.location())).toList()));
        }
        if (!i.trackProcesses().isEmpty()) {
            e.add(Entry.block("track_process", at(i, "track_process"), i.trackProcesses().stream()
                    .map(t -> Entry.of(null, t.name() + " weight " + t.weight() + (t.reverse() ? " reverse" : ""),
                            t.location())).toList()));
        }
        var n = i.notifyScripts();
        notify(e, "notify_master", n.master());
        notify(e, "notify_backup", n.backup());
        notify(e, "notify_fault", n.fault());
        notify(e, "notify_stop", n.stop());
        notify(e, "notify", n.any());
        var g = r.settings().garp();
        Map<String, SourceLocation> globals = config.globalDefs().written();
        e.add(Entry.of("garp_master_delay", g.masterDelay(), garpAt(i, globals, "garp_master_delay")));
        e.add(Entry.of("garp_master_repeat", g.masterRepeat(), garpAt(i, globals, "garp_master_repeat")));
        e.add(Entry.of("garp_master_refresh", g.masterRefresh(), garpAt(i, globals, "garp_master_refresh")));
        e.add(Entry.of("garp_master_refresh_repeat", g.masterRefreshRepeat(), garpAt(i, globals,
                "garp_master_refresh_repeat")));
        e.add(Entry.of("garp_lower_prio_repeat", i.garp().lowerPrioRepeat(), garpAt(i, globals, "garp_lower_prio_repeat")));
        if (i.checkUnicastSource()) {
            e.add(Entry.of("check_unicast_src", true, at(i, "check_unicast_src")));
        }
        return new Section("vrrp_instance", i.name(), i.location(), e, notes(r));
    }

    private static SourceLocation location(List<io.havip.vrrp.config.TrackedScript> tracked, String name,
                                           SourceLocation fallback) {
        return tracked.stream().filter(t -> t.name().equals(name)).map(io.havip.vrrp.config.TrackedScript::location)
                .findFirst().orElse(fallback);
    }

    private static SourceLocation garpAt(VrrpInstanceConfig i, Map<String, SourceLocation> globals, String key) {
        return Optional.ofNullable(at(i, key)).orElse(globals.get("vrrp_" + key));
    }

    private static void notify(List<Entry> e, String key, Optional<NotifyScript> s) {
        s.ifPresent(n -> e.add(Entry.of(key, n.command(), n.location())));
    }

    /** Where the first of {@code keys} that the instance's block has was written; null when none (a default). */
    private static SourceLocation at(VrrpInstanceConfig i, String... keys) {
        for (String k : keys) {
            Optional<SourceLocation> at = i.writtenAt(k);
            if (at.isPresent()) {
                return at.get();
            }
        }
        return null;
    }

    /** havip's own reading of an instance, where it differs from keepalived's by default. */
    private static List<String> notes(Router r) {
        RouterConfig rc = r.settings().router();
        List<String> notes = new ArrayList<>();
        if (!rc.unicastPeers().isEmpty()) {
            boolean globalV6 = rc.unicastPeers().stream().anyMatch(p -> p instanceof Ipv6Address v6 && !v6.isLinkLocal());
            notes.add(rc.checksUnicastSource()
                    ? "unicast source check: on (adverts from other sources than " + rc.unicastPeers() + " are dropped and"
                            + " counted in unicastSourceErrors; keepalived checks only with vrrp_check_unicast_src)"
                            + (globalV6 ? "; a keepalived peer sends from its IPv6 link-local address unless it sets"
                            + " unicast_src_ip" : "")
                    : "unicast source check: off (havip block: accept_adverts_from_non_peers); adverts from any source"
                            + " are accepted");
        }
        r.settings().liveness().ifPresent(l -> notes.add("liveness channel (havip block): " + l));
        r.settings().tracked().forEach(t -> notes.add("runs " + t));
        return notes;
    }

    // ---------------------------------------------------------------- output

    /** The text form: keepalived.conf blocks with "# FILE:LINE" comments. */
    static void text(List<Section> sections, PrintStream out) {
        for (Section s : sections) {
            if (s.entries().isEmpty()) {
                continue;
            }
            line(out, "", s.keyword() + (s.name() == null ? "" : " " + s.name()) + " {", s.at(), s.name() != null);
            for (Entry e : s.entries()) {
                entry(out, "    ", e);
            }
            for (String note : s.notes()) {
                out.println("    # havip: " + note);
            }
            out.println("}");
        }
    }

    private static void entry(PrintStream out, String indent, Entry e) {
        if (e.block() != null) {
            line(out, indent, e.key() + " {", e.at(), true);
            for (Entry inner : e.block()) {
                entry(out, indent + "    ", inner);
            }
            out.println(indent + "}");
            return;
        }
        String value = value(e.value());
        String text = e.key() == null ? String.valueOf(e.value()) : e.value() instanceof Boolean b ? booleanKeyword(e.key(), b)
                : e.key() + " " + value;
        line(out, indent, text, e.at(), true);
    }

    /** keepalived writes flags as a keyword present or absent: {@code nopreempt}, {@code accept} / {@code no_accept}. */
    private static String booleanKeyword(String key, boolean on) {
        return switch (key) {
            case "accept" -> on ? "accept" : "no_accept";
            case "nopreempt" -> on ? "nopreempt" : "preempt";
            default -> key + " " + (on ? "true" : "false");
        };
    }

    private static void line(PrintStream out, String indent, String text, SourceLocation at, boolean sayDefault) {
        String shown = escape(indent + text);
        StringBuilder b = new StringBuilder(shown);
        if (at != null || sayDefault) {
            b.append(" ".repeat(Math.max(1, COMMENT_COLUMN - shown.length()))).append("# ")
                    .append(at == null ? "default" : at.toString());
        }
        out.println(b);
    }

    /** Invisible characters (quoted values keep them as written) shown as {@code <U+00A0>}, never as blanks. */
    static String escape(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().forEach(c -> {
            int type = Character.getType(c);
            boolean invisible = (c < 0x20 || c == 0x7F) || (c > 0x7F && (Character.isWhitespace(c)
                    || Character.isSpaceChar(c) || type == Character.FORMAT || type == Character.CONTROL));
            if (invisible) {
                b.append(String.format("<U+%04X>", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }

    private static String value(Object v) {
        if (v instanceof Duration d) {
            return java.math.BigDecimal.valueOf(d.toNanos(), 9).stripTrailingZeros().toPlainString();
        }
        String s = String.valueOf(v);
        return s.isEmpty() || s.chars().anyMatch(Character::isWhitespace) ? "\"" + s.replace("\"", "\\\"") + "\"" : s;
    }

    /** The JSON form of a usable file. */
    static Map<String, Object> json(Path file, KeepalivedConfig config, Mapping mapping, List<ConfigWarning> warnings) {
        Map<String, Object> top = new LinkedHashMap<>();
        top.put("file", file.toString());
        top.put("usable", true);
        top.put("errors", List.of());
        top.put("warnings", warnings(warnings));
        Map<String, Object> globals = null;
        Map<String, Object> blocks = new LinkedHashMap<>();
        List<Object> instances = new ArrayList<>();
        for (Section s : sections(config, mapping)) {
            Map<String, Object> keys = new LinkedHashMap<>();
            s.entries().forEach(e -> keys.put(e.key(), e.json()));
            switch (s.keyword()) {
                case "global_defs" -> globals = keys;
                case "vrrp_instance" -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("vrrp_instance", s.name());
                    m.put("at", s.at().toString());
                    m.putAll(keys);
                    m.put("havip_notes", s.notes());
                    instances.add(m);
                }
                default -> {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> kind = (Map<String, Object>) blocks.computeIfAbsent(s.keyword(),
                            k -> new LinkedHashMap<String, Object>());
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("at", s.at().toString());
                    m.putAll(keys);
                    kind.put(s.name(), m);
                }
            }
        }
        top.put("global_defs", globals);
        top.putAll(blocks);
        top.put("vrrp_instances", instances);
        return top;
    }

    private static List<Object> warnings(List<ConfigWarning> warnings) {
        List<Object> out = new ArrayList<>();
        for (ConfigWarning w : warnings) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("at", w.location().toString());
            m.put("file", w.location().file());
            m.put("line", w.location().line());
            m.put("column", w.location().column());
            m.put("message", w.message());
            out.add(m);
        }
        return out;
    }

    /**
     * {@code --check}: warnings and the effective settings on {@code out}, errors on {@code err},
     * a last line saying whether the file is usable; with {@code json}, one JSON object on
     * {@code out} whether usable or not. Exit status 0 when usable, 1 when not.
     */
    static int check(Path file, boolean json, PrintStream out, PrintStream err) {
        KeepalivedConfig config;
        Mapping mapping;
        try {
            config = KeepalivedConfigReader.read(file);
            mapping = KeepalivedRouters.map(config);
        } catch (ConfigException e) {
            if (json) {
                out.print(Json.write(unusable(file, List.of(), e.location(), e.key(), e.getMessage())));
            } else {
                err.println(e.getMessage());
                err.println(file + ": configuration NOT usable");
            }
            return Havipd.CONFIG_ERROR;
        }
        List<ConfigWarning> warnings = new ArrayList<>(config.warnings());
        warnings.addAll(mapping.warnings());
        if (mapping.routers().isEmpty()) {
            String message = file + ":0: no vrrp_instance to run";
            if (json) {
                out.print(Json.write(unusable(file, warnings, new SourceLocation(file.toString(), 0), null, message)));
            } else {
                warnings.forEach(w -> out.println(w.location() + ": warning: " + w.message()));
                err.println(message);
                err.println(file + ": configuration NOT usable");
            }
            return Havipd.CONFIG_ERROR;
        }
        if (json) {
            out.print(Json.write(json(file, config, mapping, warnings)));
        } else {
            warnings.forEach(w -> out.println(w.location() + ": warning: " + w.message()));
            text(sections(config, mapping), out);
            out.println(file + ": configuration OK (" + mapping.routers().size() + " instance(s), "
                    + (mapping.groups().isEmpty() ? "" : mapping.groups().size() + " sync group(s), ") + warnings.size()
                    + " warning(s))");
        }
        return Havipd.OK;
    }

    private static Map<String, Object> unusable(Path file, List<ConfigWarning> warnings, SourceLocation at, String key,
                                                String message) {
        Map<String, Object> top = new LinkedHashMap<>();
        top.put("file", file.toString());
        top.put("usable", false);
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("at", at == null ? null : at.toString());
        error.put("file", at == null ? null : at.file());
        error.put("line", at == null ? null : at.line());
        error.put("column", at == null ? null : at.column());
        error.put("key", key);
        error.put("message", message);
        top.put("errors", List.of(error));
        top.put("warnings", warnings(warnings));
        return top;
    }

}
