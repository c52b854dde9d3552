package io.havip.vrrp.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.havip.core.net.InterfaceAddress;
import io.havip.core.net.IpAddress;
import io.havip.core.net.IpFamily;
import io.havip.vrrp.codec.VrrpVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeepalivedConfigReaderTest {

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("keepalived.conf");
    }

    private KeepalivedConfig read(String text) {
        return KeepalivedConfigReader.parse(text, file());
    }

    /** An instance block with the required keys around {@code body}. */
    private static String instance(String body) {
        return "vrrp_instance VI {\n interface eth0\n virtual_router_id 51\n virtual_ipaddress {\n  198.51.100.50\n }\n"
                + body + "\n}\n";
    }

    private VrrpInstanceConfig only(String text) {
        KeepalivedConfig c = read(text);
        assertThat(c.instances()).hasSize(1);
        return c.instances().get(0);
    }

    private List<String> warnings(String text) {
        return read(text).warnings().stream().map(w -> w.location().line() + ": " + w.message()).toList();
    }

    private String error(String text) {
        try {
            read(text);
        } catch (ConfigException e) {
            assertThat(e.getMessage()).startsWith(file() + ":");
            return e.getMessage().substring(file().toString().length() + 1);
        }
        throw new AssertionError("no ConfigException for:\n" + text);
    }

    // ------------------------------------------------------------------ grammar

    @Test
    void bracesAttachedOrOnTheirOwnLine() {
        VrrpInstanceConfig i = only("vrrp_instance VI{interface eth0\nvirtual_router_id 7\n"
                + "virtual_ipaddress\n{\n198.51.100.50}\nauthentication\n\n{ auth_type PASS\nauth_pass abc }}");
        assertThat(i.name()).isEqualTo("VI");
        assertThat(i.virtualRouterId()).isEqualTo(7);
        assertThat(i.virtualAddresses()).extracting(VirtualIpAddress::address)
                .containsExactly(InterfaceAddress.parse("198.51.100.50/32"));
        assertThat(i.authentication().map(Authentication::password)).contains("abc");
    }

    @Test
    void commentsAnywhereIncludingAfterValues() {
        VrrpInstanceConfig i = only("# leading\n! bang\nvrrp_instance VI { # after brace\n interface eth0 ! trailing\n"
                + " virtual_router_id 9 #comment\n"
                + " priority 120 ! comment\n virtual_ipaddress { 198.51.100.50 # vip\n }\n"
                + " authentication {\n  auth_pass pa!ss#1\n }\n}\n");
        assertThat(i.virtualRouterId()).isEqualTo(9);
        assertThat(i.priority()).isEqualTo(120);
        // '!' and '#' start a comment only where a word could start, as in keepalived's parser
        assertThat(i.authentication().map(Authentication::password)).contains("pa!ss#1");
    }

    @Test
    void quotedStrings() {
        VrrpInstanceConfig i = only(instance(" notify_master \"/usr/bin/notify.sh MASTER {x}\" keepalived_script users\n"
                + " notify_backup '/bin/echo  two  blanks'\n notify_fault ab\"c d\"e\n notify \"tab\\there \\\"q\\\" \\x41\\101\""));
        NotifyScripts n = i.notifyScripts();
        assertThat(n.master().orElseThrow().command()).isEqualTo("/usr/bin/notify.sh MASTER {x}");
        assertThat(n.master().orElseThrow().user()).contains("keepalived_script");
        assertThat(n.master().orElseThrow().group()).contains("users");
        assertThat(n.backup().orElseThrow().command()).isEqualTo("/bin/echo  two  blanks");
        assertThat(n.backup().orElseThrow().user()).isEmpty();
        assertThat(n.fault().orElseThrow().command()).isEqualTo("abc de");
        assertThat(n.any().orElseThrow().command()).isEqualTo("tab\there \"q\" AA");
    }

    @Test
    void unterminatedQuoteAndUnbalancedBraces() {
        assertThat(error("global_defs {\n router_id \"abc\n}\n")).isEqualTo("2: unterminated \"-quoted string: \"abc");
        assertThat(error("vrrp_instance VI {\n interface eth0\n")).isEqualTo(
                "1: block 'vrrp_instance' opened here is never closed: a '}' is missing");
        assertThat(error(instance("") + "}\n")).isEqualTo("9: '}' closes no block (one '}' too many, or a '{' missing above)");
        assertThat(error("{\n}\n")).isEqualTo("1: '{' opens a block without a keyword before it");
    }

    @Test
    void includeGlobsRelativeToTheIncludingFile() throws IOException {
        Path confd = Files.createDirectories(dir.resolve("conf.d"));
        Path nested = Files.createDirectories(confd.resolve("scripts"));
        Files.writeString(confd.resolve("20-b.conf"), instance("priority 20").replace("VI", "B").replace("51", "52"));
        Files.writeString(confd.resolve("10-a.conf"), "include scripts/check.conf\n"
                + instance("priority 10\n track_script {\n  chk\n }").replace("VI", "A"));
        Files.writeString(confd.resolve("ignored.txt"), "garbage {");
        Files.writeString(nested.resolve("check.conf"), "vrrp_script chk {\n script /bin/true\n weight -20\n}\n");
        KeepalivedConfig c = read("global_defs {\n router_id r1\n}\ninclude conf.d/*.conf\n");
        assertThat(c.instances()).extracting(VrrpInstanceConfig::name).containsExactly("A", "B");
        assertThat(c.instance("A").orElseThrow().trackScripts()).extracting(TrackedScript::weight).containsExactly(-20);
        assertThat(c.scripts().get("chk").location()).isEqualTo(new SourceLocation(nested.resolve("check.conf").toString(), 1));
        assertThat(c.instance("B").orElseThrow().location().file()).isEqualTo(confd.resolve("20-b.conf").toString());
        assertThat(c.warnings()).isEmpty();

        Files.writeString(confd.resolve("30-bad.conf"), "vrrp_instance C {\n priority 0\n}\n");
        assertThatThrownBy(() -> read("include conf.d/{10,30}-*.conf\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage(confd.resolve("30-bad.conf") + ":2: key 'priority': 0 is out of range (allowed: 1-255; 255 is the"
                        + " address owner)");
    }

    @Test
    void missingIncludesWarnForPlainIncludeAndFailForIncluder() throws IOException {
        assertThat(warnings("include nothing/*.conf\n")).containsExactly(
                "1: include 'nothing/*.conf' matched no file (looked in " + dir.toAbsolutePath() + "); nothing included, as"
                        + " keepalived does");
        assertThat(error("includer missing.conf\n")).isEqualTo("1: key 'includer': 'missing.conf' matched no file in "
                + dir.toAbsolutePath() + " (allowed: an existing file or a glob that matches one; plain 'include' tolerates none)");
        Files.writeString(dir.resolve("loop.conf"), "include keepalived.conf\n");
        Files.writeString(file(), "include loop.conf\n");
        assertThatThrownBy(() -> KeepalivedConfigReader.read(file())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("include loop: " + dir.resolve("keepalived.conf") + " includes itself");
    }

    @Test
    void readFailsWithThePathWhenTheFileIsMissing() {
        Path missing = dir.resolve("absent.conf");
        assertThatThrownBy(() -> KeepalivedConfigReader.read(missing)).isInstanceOf(ConfigException.class)
                .hasMessage(missing + ":0: cannot read the configuration file: no such file; check the name and the directory");
    }

    @Test
    void unknownBlocksAndKeysWarnWithFileAndLine() {
        KeepalivedConfig c = read("virtual_server 203.0.113.1 80 {\n real_server 203.0.113.2 80 {\n  weight 1\n }\n}\n"
                + "frobnicate 3\nglobal_defs {\n bogus_global 1\n lvs_id quiet\n}\n"
                + instance(" bogus_key x\n debug 2\n use_vmac_addr\n virtual_routes {\n }\n virtual_rules {\n from 203.0.113.0/24 table 1\n }"));
        assertThat(c.warnings()).extracting(ConfigWarning::toString).containsExactly(
                file() + ":1: 'virtual_server' is not supported by havip (only VRRP is); ignored",
                file() + ":6: unknown keyword 'frobnicate' ignored",
                file() + ":8: unknown keyword 'bogus_global' in global_defs ignored",
                file() + ":17: unknown keyword 'bogus_key' in vrrp_instance 'VI' ignored",
                file() + ":19: 'use_vmac_addr' is not supported by havip; ignored");
        assertThat(c.instances()).hasSize(1);
    }

    // ------------------------------------------------------------------ defaults and keys

    @Test
    void defaultsAreKeepalived227s() {
        VrrpInstanceConfig i = only(instance(""));
        assertThat(i.initialState()).isEqualTo(InitialState.BACKUP);
        assertThat(i.priority()).isEqualTo(100);
        assertThat(i.advertInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(i.version()).isEqualTo(VrrpVersion.V2);
        assertThat(i.preempt()).isTrue();
        assertThat(i.preemptDelay()).isZero();
        assertThat(i.accept()).isTrue();
        assertThat(i.garp()).isEqualTo(GarpSettings.KEEPALIVED_DEFAULTS);
        assertThat(i.authentication()).isEmpty();
        assertThat(i.unicast()).isFalse();
        assertThat(i.notifyScripts().isEmpty()).isTrue();
        assertThat(read(instance("")).warnings()).isEmpty();
    }

    @Test
    void versionFromGlobalOrInstanceAndFractionalV3Intervals() {
        KeepalivedConfig c = read("global_defs {\n vrrp_version 3\n}\n" + instance(" advert_int 0.1")
                + instance(" version 2\n advert_int 2").replace("VI", "V2").replace("51", "52"));
        VrrpInstanceConfig v3 = c.instance("VI").orElseThrow();
        assertThat(v3.version()).isEqualTo(VrrpVersion.V3);
        assertThat(v3.advertInterval()).isEqualTo(Duration.ofMillis(100));
        assertThat(v3.advertIntervalCentiseconds()).isEqualTo(10);
        assertThat(c.instance("V2").orElseThrow().version()).isEqualTo(VrrpVersion.V2);
        assertThat(c.instance("V2").orElseThrow().advertInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.warnings()).isEmpty();
    }

    @Test
    void advertIntervalAdjustmentsWarnLikeKeepalived() {
        assertThat(only(instance(" advert_int 1.5")).advertInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(warnings(instance(" advert_int 1.5"))).containsExactly("7: vrrp_instance 'VI': VRRPv2 advert_int 1.5 s must"
                + " be whole seconds; rounded to 2 s, as keepalived does (use version 3 for fractions)");
        assertThat(only(instance(" version 3\n advert_int 0.015")).advertInterval()).isEqualTo(Duration.ofMillis(20));
        assertThat(warnings(instance(" version 3\n advert_int 0.015"))).containsExactly("8: vrrp_instance 'VI': VRRPv3"
                + " advert_int 0.015 s is not a multiple of 10 ms; rounded to 0.02 s, as keepalived does");
        assertThat(only(instance(" version 3\n advert_int 60")).advertInterval()).isEqualTo(Duration.ofMillis(40950));
        assertThat(warnings(instance(" version 3\n advert_int 60"))).containsExactly("8: vrrp_instance 'VI': VRRPv3 advert_int"
                + " 60 s exceeds the 12-bit field's 40.95 s; set to 40.95 s, as keepalived does");
    }

    @Test
    void ipv6InstancesUseVersion3() {
        String v6 = "vrrp_instance V6 {\n interface eth0\n virtual_router_id 3\n virtual_ipaddress {\n  2001:db8::50/64\n"
                + "  198.51.100.9\n }\n unicast_peer {\n  2001:db8::2\n  198.51.100.2\n }\n}\n";
        KeepalivedConfig c = read(v6);
        VrrpInstanceConfig i = c.instances().get(0);
        assertThat(i.family()).isEqualTo(IpFamily.IPV6);
        assertThat(i.version()).isEqualTo(VrrpVersion.V3);
        assertThat(i.virtualAddresses()).extracting(VirtualIpAddress::address)
                .containsExactly(InterfaceAddress.parse("2001:db8::50/64"));
        assertThat(i.unicastPeers()).containsExactly(IpAddress.parse("2001:db8::2"));
        assertThat(c.warnings()).extracting(w -> w.location().line() + ": " + w.message()).containsExactly(
                "6: vrrp_instance 'V6': virtual_ipaddress 198.51.100.9/32 is not IPv6 like the first one; ignored (use"
                        + " virtual_ipaddress_excluded for the other family)",
                "10: vrrp_instance 'V6': unicast_peer 198.51.100.2 is not IPv6 like the instance; skipped");
        assertThat(warnings(v6.replace(" interface eth0", " interface eth0\n version 2"))).contains(
                "3: vrrp_instance 'V6': VRRP version 2 cannot carry IPv6; using version 3, as keepalived does");
    }

    @Test
    void virtualAddressOptions() {
        VrrpInstanceConfig i = only("vrrp_instance VI {\n interface eth0\n virtual_router_id 1\n virtual_ipaddress {\n"
                + "  198.51.100.50/24 brd 198.51.100.255 dev eth1 scope link label eth1:vip\n"
                + "  198.51.100.51/25 peer 198.51.100.1 no_track home\n }\n virtual_ipaddress_excluded {\n  2001:db8::7/64 dev eth2\n"
                + " }\n}\n");
        VirtualIpAddress a = i.virtualAddresses().get(0);
        assertThat(a.address()).isEqualTo(InterfaceAddress.parse("198.51.100.50/24"));
        assertThat(a.broadcast()).contains(IpAddress.parse("198.51.100.255"));
        assertThat(a.device()).contains("eth1");
        assertThat(a.scope()).contains(VirtualIpAddress.Scope.LINK);
        assertThat(a.label()).contains("eth1:vip");
        assertThat(a.noTrack()).isFalse();
        VirtualIpAddress b = i.virtualAddresses().get(1);
        assertThat(b.peer()).contains(IpAddress.parse("198.51.100.1"));
        assertThat(b.noTrack()).isTrue();
        assertThat(b.otherOptions()).containsExactly("home");
        assertThat(i.excludedAddresses()).extracting(VirtualIpAddress::address)
                .containsExactly(InterfaceAddress.parse("2001:db8::7/64"));
        assertThat(read("vrrp_instance VI {\n interface eth0\n virtual_router_id 1\n"
                + " virtual_ipaddress {\n  198.51.100.51/25 home\n }\n}\n").warnings())
                .extracting(ConfigWarning::message)
                .containsExactly("address options [home] of 198.51.100.51/25 are not applied by havip; ignored");
    }

    @Test
    void unicastAndSourceAddresses() {
        VrrpInstanceConfig i = only(instance(" mcast_src_ip 198.51.100.11"));
        assertThat(i.sourceAddress()).contains(IpAddress.parse("198.51.100.11"));
        assertThat(i.unicast()).isFalse();
        VrrpInstanceConfig u = only("vrrp_instance U {\n virtual_router_id 4\n unicast_src_ip 198.51.100.11\n"
                + " unicast_peer {\n  198.51.100.12\n  198.51.100.13 min_ttl 250\n }\n virtual_ipaddress {\n  198.51.100.50\n }\n}\n");
        assertThat(u.interfaceName()).isEmpty();
        assertThat(u.unicastPeers()).containsExactly(IpAddress.parse("198.51.100.12"), IpAddress.parse("198.51.100.13"));
        assertThat(warnings("vrrp_instance U {\n virtual_router_id 4\n unicast_src_ip 198.51.100.11\n unicast_peer {\n"
                + "  198.51.100.13 min_ttl 250\n }\n}\n")).containsExactly(
                "5: unicast_peer min_ttl is not supported by havip; ignored",
                "1: vrrp_instance 'U' has no virtual_ipaddress; at least one is sensible");
    }

    @Test
    void preemptionRulesFollowKeepalived() {
        VrrpInstanceConfig delayed = only(instance(" preempt_delay 4.12"));
        assertThat(delayed.preempt()).isTrue();
        assertThat(delayed.preemptDelay()).isEqualTo(Duration.ofMillis(4120));
        assertThat(warnings(instance(" nopreempt\n preempt_delay 10"))).containsExactly(
                "8: vrrp_instance 'VI': preempt_delay is incompatible with nopreempt; cleared, as keepalived does");
        assertThat(only(instance(" nopreempt\n preempt_delay 10")).preemptDelay()).isZero();
        assertThat(warnings(instance(" state MASTER\n preempt_delay 10"))).containsExactly(
                "8: vrrp_instance 'VI': preempt_delay will not work with initial state MASTER; cleared, as keepalived does");
        VrrpInstanceConfig owner = only(instance(" priority 255\n nopreempt"));
        assertThat(owner.preempt()).isTrue();
        assertThat(warnings(instance(" priority 255\n nopreempt"))).containsExactly(
                "8: vrrp_instance 'VI': nopreempt is incompatible with priority 255 (address owner); cleared, as keepalived does");
        assertThat(only(instance(" nopreempt\n preempt")).preempt()).isTrue();
    }

    @Test
    void authentication() {
        assertThat(only(instance(" authentication {\n  auth_type AH\n  auth_pass secret\n }")).authentication())
                .contains(new Authentication(Authentication.Type.AH, "secret"));
        assertThat(only(instance(" authentication {\n  auth_type PASS\n  auth_pass 123456789\n }")).authentication()
                .map(Authentication::password)).contains("12345678");
        assertThat(warnings(instance(" authentication {\n  auth_type PASS\n  auth_pass 123456789\n }"))).containsExactly(
                "9: auth_pass is longer than 8 bytes; only the first 8 are used, as keepalived does");
        assertThat(warnings(instance(" version 3\n authentication {\n  auth_pass x\n }"))).containsExactly(
                "8: vrrp_instance 'VI': VRRP version 3 does not support authentication; ignored, as keepalived does");
        assertThat(only(instance(" version 3\n authentication {\n  auth_pass x\n }")).authentication()).isEmpty();
        assertThat(warnings(instance(" authentication {\n  auth_type PASS\n }"))).containsExactly(
                "7: vrrp_instance 'VI': authentication without auth_pass; ignored, as keepalived does");
        assertThat(new Authentication(Authentication.Type.PASS, "hunter2").toString()).doesNotContain("hunter2");
    }

    @Test
    void garpSettingsInheritFromGlobals() {
        KeepalivedConfig c = read("global_defs {\n vrrp_garp_master_delay 10\n vrrp_garp_master_repeat 2\n"
                + " vrrp_garp_master_refresh 60\n vrrp_garp_master_refresh_repeat 3\n vrrp_garp_interval 0.001\n"
                + " vrrp_gna_interval 0.000001\n}\n" + instance("") + instance(" garp_master_repeat 4\n garp_lower_prio_delay 7\n"
                + " garp_master_refresh 0").replace("VI", "OWN").replace("51", "52"));
        assertThat(c.globalDefs().garpInterval()).isEqualTo(Duration.ofMillis(1));
        assertThat(c.globalDefs().gnaInterval()).isEqualTo(Duration.ofNanos(1000));
        assertThat(c.instance("VI").orElseThrow().garp()).isEqualTo(new GarpSettings(Duration.ofSeconds(10), 2,
                Duration.ofSeconds(10), 2, Duration.ofSeconds(60), 3));
        assertThat(c.instance("OWN").orElseThrow().garp()).isEqualTo(new GarpSettings(Duration.ofSeconds(10), 4,
                Duration.ofSeconds(7), 4, Duration.ZERO, 3));
        assertThat(only(instance(" garp_master_repeat 0")).garp().masterRepeat()).isEqualTo(1);
        assertThat(warnings(instance(" garp_master_repeat 0"))).containsExactly(
                "7: garp_master_repeat must be greater than 0; set to 1, as keepalived does");
        assertThat(read("global_defs {\n vrrp_garp_lower_prio_repeat 0\n}\n" + instance("")).instances().get(0).garp()
                .lowerPrioRepeat()).isZero();
    }

    @Test
    void trackersAndScripts() {
        KeepalivedConfig c = read(instance(" track_interface {\n  eth0\n  eth1 weight -10\n  eth2 weight 20 reverse\n"
                + "  eth3 weight 254\n }\n track_script {\n  chk\n  chk2 weight 5 reverse\n  missing\n }")
                + "vrrp_script chk {\n script \"/usr/bin/check --fast\"\n interval 2\n timeout 3\n weight -30 reverse\n rise 2\n"
                + " fall 4\n user nobody nogroup\n init_fail\n}\nvrrp_script chk2 {\n script /bin/true\n interval 0\n}\n");
        VrrpInstanceConfig i = c.instances().get(0);
        assertThat(i.trackInterfaces()).extracting(TrackedInterface::name, TrackedInterface::weight, TrackedInterface::reverse)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("eth1", -10, false),
                        org.assertj.core.groups.Tuple.tuple("eth2", 20, true),
                        org.assertj.core.groups.Tuple.tuple("eth3", 253, false));
        assertThat(i.trackScripts()).extracting(TrackedScript::name, TrackedScript::weight, TrackedScript::reverse)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("chk", -30, true),
                        org.assertj.core.groups.Tuple.tuple("chk2", 5, true));
        VrrpScriptConfig chk = c.scripts().get("chk");
        assertThat(chk.script()).isEqualTo("/usr/bin/check --fast");
        assertThat(chk.interval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(chk.timeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(chk.rise()).isEqualTo(2);
        assertThat(chk.fall()).isEqualTo(4);
        assertThat(chk.user()).contains("nobody");
        assertThat(chk.group()).contains("nogroup");
        assertThat(chk.initFail()).isTrue();
        assertThat(c.scripts().get("chk2").interval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.warnings()).extracting(w -> w.location().line() + ": " + w.message()).containsExactly(
                "11: track_interface eth3: weight cannot be +/-254; set to +/-253, as keepalived does",
                "31: vrrp_script chk2: interval must be greater than 0; set to 1 second, as keepalived does",
                "8: vrrp_instance 'VI': track_interface eth0 is the instance's own interface, which is tracked anyway;"
                        + " ignored, as keepalived does",
                "16: vrrp_instance 'VI': track_script 'missing' names no vrrp_script; tracker ignored, as keepalived does");
    }

    @Test
    void syncGroups() {
        KeepalivedConfig c = read(instance("") + instance("").replace("VI", "V2").replace("51", "52")
                + "vrrp_sync_group G {\n group {\n  VI\n  V2\n  NOPE\n }\n notify_master \"/bin/g master\"\n"
                + " track_interface {\n  eth9 weight 5\n }\n track_script {\n  nothing\n }\n smtp_alert\n}\n"
                + "vrrp_sync_group H {\n group {\n  VI\n }\n}\n");
        VrrpSyncGroupConfig g = c.syncGroups().get(0);
        assertThat(g.name()).isEqualTo("G");
        assertThat(g.instances()).containsExactly("VI", "V2");
        assertThat(g.notifyScripts().master().orElseThrow().command()).isEqualTo("/bin/g master");
        assertThat(g.trackInterfaces()).extracting(TrackedInterface::name).containsExactly("eth9");
        assertThat(g.smtpAlert()).isTrue();
        assertThat(c.syncGroupOf("V2")).contains(g);
        assertThat(c.syncGroups().get(1).instances()).isEmpty();
        assertThat(c.warnings()).extracting(w -> w.location().line() + ": " + w.message()).containsExactly(
                "21: vrrp_sync_group 'G': vrrp_instance 'NOPE' does not exist; ignored, as keepalived does",
                "28: vrrp_sync_group 'G': track_script 'nothing' names no vrrp_script; tracker ignored, as keepalived does",
                "34: vrrp_sync_group 'H': vrrp_instance 'VI' is already in sync group 'G'; ignored here",
                "32: vrrp_sync_group 'H' has no existing member instance");
    }

    @Test
    void globalFlagsAndStrictMode() {
        KeepalivedConfig c = read("global_defs {\n vrrp_strict\n vrrp_check_unicast_src on\n vrrp_skip_check_adv_addr off\n"
                + " script_user ka_script ka_group\n enable_script_security\n smtp_alert true\n}\n"
                + instance(" dont_track_primary") + instance(" accept").replace("VI", "ACC").replace("51", "52"));
        assertThat(c.globalDefs().vrrpStrict()).isTrue();
        assertThat(c.globalDefs().checkUnicastSource()).isTrue();
        assertThat(c.globalDefs().skipCheckAdvAddr()).isFalse();
        assertThat(c.globalDefs().scriptGroup()).contains("ka_group");
        assertThat(c.instance("VI").orElseThrow().accept()).isFalse();
        assertThat(c.instance("VI").orElseThrow().dontTrackPrimary()).isTrue();
        assertThat(c.instance("ACC").orElseThrow().accept()).isTrue();
        assertThat(only(instance(" no_accept")).accept()).isFalse();
        assertThat(c.warnings()).isEmpty();
        assertThat(c.instance("VI").orElseThrow().checkUnicastSource()).isFalse();
        KeepalivedConfig checked = read(instance(" check_unicast_src"));
        assertThat(checked.instance("VI").orElseThrow().checkUnicastSource()).isTrue();
        assertThat(checked.warnings()).isEmpty();
    }

    @Test
    void theModelIsImmutable() {
        KeepalivedConfig c = read(instance(""));
        assertThatThrownBy(() -> c.instances().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> c.instances().get(0).virtualAddresses().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> c.scripts().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    // ------------------------------------------------------------------ refusals

    @Test
    void badValuesFailWithFileLineKeyAndWhatIsAllowed() {
        String advert = "(allowed: 0.01-255 seconds: whole seconds 1-255 for VRRPv2, 0.01-40.95 in 10 ms steps for VRRPv3)";
        assertThat(error(instance(" advert_int abc"))).isEqualTo("7: key 'advert_int': \"abc\" is not a decimal number of"
                + " seconds " + advert);
        assertThat(error(instance(" advert_int 0.001"))).isEqualTo("7: key 'advert_int': 0.001 is out of range " + advert);
        assertThat(error(instance(" advert_int 300"))).isEqualTo("7: key 'advert_int': 300 is out of range " + advert);
        assertThat(error(instance(" advert_int"))).isEqualTo("7: key 'advert_int': missing value (allowed: seconds)");
        assertThat(error(instance(" priority 0"))).isEqualTo("7: key 'priority': 0 is out of range (allowed: 1-255; 255 is"
                + " the address owner)");
        assertThat(error(instance(" priority high"))).isEqualTo("7: key 'priority': \"high\" is not a whole number (allowed:"
                + " 1-255; 255 is the address owner)");
        assertThat(error(instance("").replace("virtual_router_id 51", "virtual_router_id 256")))
                .isEqualTo("3: key 'virtual_router_id': 256 is out of range (allowed: 1-255)");
        assertThat(error(instance("").replace(" virtual_router_id 51\n", ""))).isEqualTo("1: key 'virtual_router_id':"
                + " vrrp_instance 'VI' has no virtual_router_id (allowed: 1-255, required)");
        assertThat(error(instance(" state master"))).isEqualTo("7: key 'state': \"master\" is not recognised (allowed:"
                + " MASTER|BACKUP (upper case, as keepalived reads it))");
        assertThat(error(instance(" preempt_delay 1001"))).isEqualTo("7: key 'preempt_delay': 1001 is out of range (allowed:"
                + " 0-1000 seconds)");
        assertThat(error(instance(" authentication {\n  auth_type MD5\n }"))).isEqualTo("8: key 'auth_type': \"MD5\" is not"
                + " recognised (allowed: PASS|AH)");
        assertThat(error(instance(" smtp_alert maybe"))).isEqualTo("7: key 'smtp_alert': \"maybe\" is not a boolean (allowed:"
                + " on|off|true|false|yes|no, or nothing for on)");
        assertThat(error(instance(" mcast_src_ip 198.51.100.256"))).isEqualTo("7: key 'mcast_src_ip': \"198.51.100.256\":"
                + " octet 256 is above 255 (allowed: an IPv4 or IPv6 address)");
        assertThat(error(instance(" garp_master_delay -1"))).isEqualTo("7: key 'garp_master_delay': -1 is out of range"
                + " (allowed: 0-4294 seconds, 0 for no second burst)");
        assertThat(error("global_defs {\n vrrp_version 4\n}\n")).isEqualTo("2: key 'vrrp_version': 4 is out of range"
                + " (allowed: 2 or 3)");
        assertThat(error("global_defs {\n vrrp_garp_interval fast\n}\n")).isEqualTo("2: key 'vrrp_garp_interval': \"fast\" is"
                + " not a decimal number of seconds (allowed: 0.000001-4294.967295 seconds)");
    }

    @Test
    void badAddressesAndTrackersFail() {
        String vipSyntax = "(allowed: ADDRESS[/PREFIX] [brd ADDRESS] [dev IFNAME] [scope global|site|link|host|nowhere]"
                + " [label LABEL] [peer ADDRESS] [no_track] [home] [-nodad] [mngtmpaddr] [noprefixroute] [autojoin]"
                + " [preferred_lft SECONDS|forever] [use_vmac] [track_group NAME])";
        String vip = "vrrp_instance VI {\n interface eth0\n virtual_router_id 1\n virtual_ipaddress {\n  %s\n }\n}\n";
        assertThat(error(vip.formatted("198.51.100.50/33"))).isEqualTo("5: key 'virtual_ipaddress': \"198.51.100.50/33\":"
                + " prefix length 33 is above 32 " + vipSyntax);
        assertThat(error(vip.formatted("vip.example"))).isEqualTo("5: key 'virtual_ipaddress': \"vip.example\": \"vip.example\":"
                + " an IPv4 address has 4 dot-separated octets, found 2 " + vipSyntax);
        assertThat(error(vip.formatted("198.51.100.50 scope galaxy"))).isEqualTo("5: key 'virtual_ipaddress': scope \"galaxy\""
                + " of 198.51.100.50 is not recognised (allowed: global|site|link|host|nowhere)");
        assertThat(error(vip.formatted("198.51.100.50 dev"))).isEqualTo("5: key 'virtual_ipaddress': 'dev' after"
                + " 198.51.100.50 needs a value " + vipSyntax);
        assertThat(error(vip.formatted("198.51.100.50 frob"))).isEqualTo("5: key 'virtual_ipaddress': unknown option 'frob'"
                + " after 198.51.100.50 " + vipSyntax);
        assertThat(error(vip.formatted("2001:db8::1/64 brd 198.51.100.255"))).isEqualTo("5: key 'virtual_ipaddress': brd"
                + " 198.51.100.255 applies to IPv4 addresses only " + vipSyntax);
        assertThat(error(instance(" unicast_peer {\n  peer-one\n }"))).startsWith("8: key 'peer-one': \"peer-one\":");
        assertThat(error(instance(" unicast_peer {\n  198.51.100.2 ttl 3\n }"))).isEqualTo("8: key 'unicast_peer': unknown"
                + " option 'ttl' after 198.51.100.2 (allowed: ADDRESS [min_ttl 0-255] [max_ttl 0-255])");
        assertThat(error(instance(" track_interface {\n  eth1 weight 300\n }"))).isEqualTo("8: key 'eth1': 300 is out of"
                + " range (allowed: -253..253)");
        assertThat(error(instance(" track_interface {\n  eth1 wait 3\n }"))).isEqualTo("8: key 'track_interface': 'eth1 wait"
                + " 3' is not an interface with an optional weight (allowed: IFNAME [weight -253..253 [reverse]])");
        assertThat(error(instance(" track_script {\n  chk weight 254\n }"))).isEqualTo("8: key 'track_script': weight 254 of"
                + " 'chk' is not a whole number in range (allowed: -253..253)");
        assertThat(error(instance(" track_script {\n  chk weight 5 backwards\n }"))).isEqualTo("8: key 'chk': \"backwards\""
                + " after the weight is not reverse or noreverse (allowed: weight N [reverse|noreverse])");
        assertThat(error("vrrp_script s {\n script x\n rise 0\n}\n")).isEqualTo("3: key 'rise': 0 is out of range (allowed:"
                + " 1 or more consecutive successes)");
        assertThat(error("vrrp_script s {\n script x\n weight -254\n}\n")).isEqualTo("3: key 'weight': -254 is out of range"
                + " (allowed: -253..253 [reverse])");
    }

    @Test
    void structuralRefusals() {
        assertThat(error("vrrp_instance VI {\n virtual_router_id 1\n}\n")).isEqualTo("1: key 'interface': vrrp_instance 'VI'"
                + " has no interface (allowed: an interface name; it may be left out only with unicast_peer and unicast_src_ip)");
        assertThat(error(instance("") + instance(""))).isEqualTo("9: key 'vrrp_instance': instance name 'VI' is used twice"
                + " (allowed: a name unique in the configuration)");
        assertThat(error("vrrp_instance {\n}\n")).isEqualTo("1: key 'vrrp_instance': the block has no name (allowed:"
                + " vrrp_instance NAME { ... })");
        assertThat(error("vrrp_instance VI\n")).isEqualTo("1: key 'vrrp_instance': expects a { ... } block (allowed:"
                + " vrrp_instance VI { ... })");
        assertThat(error(instance(" priority {\n }"))).isEqualTo("7: key 'priority': takes a value, not a { ... } block"
                + " (allowed: 1-255; 255 is the address owner)");
    }

    @Test
    void extraValuesWarnAndMissingScriptDropsTheScript() {
        assertThat(warnings(instance(" priority 100 200"))).containsExactly(
                "7: key 'priority': extra value(s) [200] ignored, as keepalived does");
        KeepalivedConfig c = read("vrrp_script empty {\n interval 2\n}\n");
        assertThat(c.scripts()).isEmpty();
        assertThat(c.warnings()).extracting(ConfigWarning::message)
                .containsExactly("vrrp_script 'empty' has no 'script' line; ignored, as keepalived does");
    }
}
