package io.havip.vrrp.keepalived;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.havip.arp.garp.GarpConfig;
import io.havip.core.net.InterfaceAddress;
import io.havip.core.net.IpAddress;
import io.havip.vrrp.HealthCheck;
import io.havip.vrrp.keepalived.KeepalivedRouters.Mapping;
import io.havip.vrrp.keepalived.KeepalivedRouters.ScriptCheck;
import io.havip.vrrp.keepalived.KeepalivedRouters.Settings;
import io.havip.vrrp.codec.VrrpVersion;
import io.havip.vrrp.config.ConfigException;
import io.havip.vrrp.config.KeepalivedConfig;
import io.havip.vrrp.config.KeepalivedConfigReader;
import io.havip.vrrp.machine.RouterConfig;
import io.havip.vrrp.machine.TrackerSpec;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class KeepalivedRoutersTest {

    private static final Path ORIGIN = Path.of("/etc/keepalived/keepalived.conf");

    static Path fixture(String name) {
        try {
            return Path.of(KeepalivedRoutersTest.class.getResource("/fixtures/keepalived/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    private static Mapping mapFixture(String name) {
        return KeepalivedRouters.map(KeepalivedConfigReader.read(fixture(name)), c -> () -> true);
    }

    private static Mapping mapText(String text) {
        return KeepalivedRouters.map(KeepalivedConfigReader.parse(text, ORIGIN), c -> () -> true);
    }

    private static List<String> warnings(Mapping m) {
        return m.warnings().stream().map(w -> w.location().line() + ": " + w.message()).toList();
    }

    @Test
    void cloudGuidePrimaryMapsEverySettingHavipSupports() {
        Mapping m = mapFixture("cloud-guide-primary.conf");
        assertThat(m.warnings()).isEmpty();
        assertThat(m.routers()).containsOnlyKeys("VI_1");
        Settings s = m.routers().get("VI_1").settings();
        RouterConfig r = s.router();
        assertThat(r.router().name()).isEqualTo("VI_1");
        assertThat(r.router().interfaceName()).isEqualTo("eth0");
        assertThat(r.router().vrid()).isEqualTo(51);
        assertThat(r.version()).isEqualTo(VrrpVersion.V2);
        assertThat(r.priority()).isEqualTo(100);
        assertThat(r.advertInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(r.virtualAddresses()).containsExactly(InterfaceAddress.parse("172.16.16.12/32"));
        assertThat(r.preempt()).isFalse();
        assertThat(r.preemptDelay()).isZero();
        assertThat(r.password()).contains("1111");
        assertThat(r.unicastPeers()).containsExactly(IpAddress.parse("172.16.16.6"));
        assertThat(s.sourceAddress()).contains(IpAddress.parse("172.16.16.5"));
        // garp_master_delay 1, garp_master_refresh 5; the rest keepalived's defaults; global intervals 0
        assertThat(s.garp().masterDelay()).isEqualTo(Duration.ofSeconds(1));
        assertThat(s.garp().masterRefresh()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.garp().masterRepeat()).isEqualTo(5);
        assertThat(s.garp().masterRefreshRepeat()).isEqualTo(1);
        assertThat(s.garp().garpInterval()).isZero();
        assertThat(r.garpOnLowerPriorityAdvert()).isTrue();
        assertThat(s.checks()).containsExactly(new ScriptCheck("checkhaproxy", List.of("/etc/keepalived/do_sth.sh"),
                Duration.ofSeconds(5), Duration.ofSeconds(5), 1, 1, 0));
        // the reader dropped track_interface eth0 (own interface); the script tracker remains, weight 0 = FAULT
        assertThat(r.trackers()).containsExactly(new TrackerSpec.HealthCheck("checkhaproxy", 0, 1, 1, true));
        assertThat(s.notifyCommands()).containsExactly(Optional.of("/etc/keepalived/notify_action.sh MASTER"),
                Optional.of("/etc/keepalived/notify_action.sh BACKUP"), Optional.of("/etc/keepalived/notify_action.sh FAULT"),
                Optional.of("/etc/keepalived/notify_action.sh STOP"), Optional.empty());
    }

    @Test
    void thePairDiffersOnlyInSourceAndPeer() {
        Settings primary = mapFixture("cloud-guide-primary.conf").routers().get("VI_1").settings();
        Settings secondary = mapFixture("cloud-guide-secondary.conf").routers().get("VI_1").settings();
        assertThat(secondary.sourceAddress()).contains(IpAddress.parse("172.16.16.6"));
        assertThat(secondary.router().unicastPeers()).containsExactly(IpAddress.parse("172.16.16.5"));
        assertThat(secondary.router().priority()).isEqualTo(primary.router().priority());
        assertThat(secondary).isNotEqualTo(primary);
    }

    @Test
    void faqFixtureRunsWithoutTheUndefinedScript() {
        Mapping m = mapFixture("faq-backup-with-undefined-script.conf");
        assertThat(m.warnings()).isEmpty();
        Settings s = m.routers().get("VI_1").settings();
        assertThat(s.checks()).isEmpty();
        assertThat(s.router().trackers()).isEmpty();
        assertThat(s.router().priority()).isEqualTo(80);
        assertThat(s.router().advertInterval()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void stateMasterIsReportedBecauseHavipStartsInBackup() {
        Mapping m = mapFixture("private-cloud-vi-vpn.conf");
        assertThat(warnings(m)).containsExactly("8: vrrp_instance 'VI_VPN': state MASTER only changes keepalived's"
                + " start-up; havip starts in BACKUP and the election decides (only priority 255 takes over at once)");
        assertThat(m.warnings().get(0).location().file()).endsWith("private-cloud-vi-vpn.conf");
        RouterConfig r = m.routers().get("VI_VPN").settings().router();
        assertThat(r.preempt()).as("the reader cleared nopreempt for state MASTER, as keepalived does").isTrue();
        assertThat(r.virtualAddresses()).containsExactly(InterfaceAddress.parse("10.0.6.19/24"));
        assertThat(r.router().interfaceName()).isEqualTo("ens5");
        assertThat(r.password()).contains("bless");
    }

    @Test
    void stateMasterWithPriority255IsNotReported() {
        Mapping m = mapText("vrrp_instance A {\n state MASTER\n interface eth0\n virtual_router_id 5\n priority 255\n"
                + " virtual_ipaddress {\n  198.51.100.5\n }\n}\n");
        assertThat(m.warnings()).isEmpty();
        assertThat(m.routers().get("A").settings().router().addressOwner()).isTrue();
    }

    @Test
    void buildersAreKeyedByInstanceNameInFileOrder() {
        KeepalivedConfig c = KeepalivedConfigReader.parse("vrrp_instance B {\n interface eth0\n virtual_router_id 2\n"
                + " virtual_ipaddress {\n  198.51.100.2\n }\n}\nvrrp_instance A {\n interface eth1\n virtual_router_id 1\n"
                + " version 3\n advert_int 0.1\n virtual_ipaddress {\n  2001:db8::1/64\n }\n}\n", ORIGIN);
        var builders = KeepalivedRouters.builders(c);
        assertThat(builders.keySet()).containsExactly("B", "A");
        RouterConfig a = builders.get("A").build();
        assertThat(a.version()).isEqualTo(VrrpVersion.V3);
        assertThat(a.advertInterval()).isEqualTo(Duration.ofMillis(100));
        assertThat(a.virtualAddresses()).containsExactly(InterfaceAddress.parse("2001:db8::1/64"));
        assertThat(a.router().interfaceName()).isEqualTo("eth1");
    }

    @Test
    void syncGroupTrackersApplyToEachMemberAndAMembersOwnWeightedScriptIsDroppedAsKeepalivedDoes() {
        Mapping m = mapText("vrrp_script chk {\n script \"/usr/bin/test -e '/run/my app.pid'\"\n interval 2\n timeout 1\n"
                + " rise 2\n fall 3\n weight -20\n}\n"
                + "vrrp_sync_group G {\n group {\n  A\n  B\n }\n track_script {\n  chk\n }\n track_interface {\n  eth9 weight 10\n }\n}\n"
                + "vrrp_instance A {\n interface eth0\n virtual_router_id 1\n virtual_ipaddress {\n  198.51.100.1\n }\n}\n"
                + "vrrp_instance B {\n interface eth0\n virtual_router_id 2\n virtual_ipaddress {\n  198.51.100.2\n }\n"
                + " track_script {\n  chk\n }\n}\n");
        assertThat(warnings(m)).containsExactly(
                "35: vrrp_instance 'B': track_script chk with weight -20 ignored in sync group 'G', as keepalived does (the"
                        + " members' priorities must not float apart); track it on the group, give it weight 0, or add"
                        + " sync_group_tracking_weight to the group");
        ScriptCheck chk = new ScriptCheck("chk", List.of("/usr/bin/test", "-e", "/run/my app.pid"), Duration.ofSeconds(2),
                Duration.ofSeconds(1), 2, 3, -20);
        for (String name : List.of("A", "B")) {
            Settings s = m.routers().get(name).settings();
            assertThat(s.checks()).as(name).containsExactly(chk);
            assertThat(s.router().trackers()).as(name).containsExactly(new TrackerSpec.TrackedInterface("eth9", 10),
                    new TrackerSpec.HealthCheck("chk", -20, 2, 3, true));
        }
        assertThat(m.groups()).containsOnlyKeys("G");
        KeepalivedRouters.Group g = m.groups().get("G");
        assertThat(g.members()).containsExactly("A", "B");
        assertThat(g.notifyCommands()).containsOnly(Optional.empty());
        assertThat(m.groupOf("B")).contains(g);
    }

    @Test
    void aMembersOwnWeightedTrackersFollowKeepalivedsSyncGroupRuleUnlessTrackingWeightIsSet() {
        String members = "vrrp_script up {\n script /bin/true\n weight 5\n}\n"
                + "vrrp_script gate {\n script /bin/true\n}\n"
                + "vrrp_instance A {\n interface eth0\n virtual_router_id 1\n virtual_ipaddress {\n  198.51.100.1\n }\n"
                + " track_interface {\n  eth1 weight -30\n  eth2\n }\n track_script {\n  up\n  gate\n }\n}\n"
                + "vrrp_instance B {\n interface eth1\n virtual_router_id 2\n virtual_ipaddress {\n  203.0.113.1\n }\n}\n";
        Mapping m = mapText(members + "vrrp_sync_group G {\n group {\n  A\n  B\n }\n"
                + " notify_master \"/etc/keepalived/group.sh master\"\n notify /etc/keepalived/any.sh\n}\n");
        assertThat(warnings(m)).containsExactly(
                "15: vrrp_instance 'A': track_interface eth1 weight -30 set to 0 in sync group 'G', as keepalived does (the"
                        + " members' priorities must not float apart): the member goes to FAULT while it is down; add"
                        + " sync_group_tracking_weight to the group to keep the weight",
                "19: vrrp_instance 'A': track_script up with weight 5 ignored in sync group 'G', as keepalived does (the"
                        + " members' priorities must not float apart); track it on the group, give it weight 0, or add"
                        + " sync_group_tracking_weight to the group");
        assertThat(m.routers().get("A").settings().router().trackers()).containsExactly(
                new TrackerSpec.TrackedInterface("eth1", 0), new TrackerSpec.TrackedInterface("eth2", 0),
                new TrackerSpec.HealthCheck("gate", 0, 1, 1, true));
        assertThat(m.groups().get("G").notifyCommands()).containsExactly(Optional.of("/etc/keepalived/group.sh master"),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.of("/etc/keepalived/any.sh"));

        Mapping weighted = mapText(members + "vrrp_sync_group G {\n group {\n  A\n  B\n }\n sync_group_tracking_weight\n}\n");
        assertThat(weighted.warnings()).isEmpty();
        assertThat(weighted.groups().get("G").config().trackingWeight()).isTrue();
        assertThat(weighted.routers().get("A").settings().router().trackers()).containsExactly(
                new TrackerSpec.TrackedInterface("eth1", -30), new TrackerSpec.TrackedInterface("eth2", 0),
                new TrackerSpec.HealthCheck("up", 5, 1, 1, true), new TrackerSpec.HealthCheck("gate", 0, 1, 1, true));
    }

    @Test
    void aGroupOfOneAnOwnerAmongNonOwnersAndSmtpAlertAreWarned() {
        Mapping m = mapText("vrrp_script w {\n script /bin/true\n weight 10\n}\n"
                + "vrrp_instance A {\n interface eth0\n virtual_router_id 1\n priority 255\n virtual_ipaddress {\n"
                + "  198.51.100.1\n }\n}\n"
                + "vrrp_instance B {\n interface eth0\n virtual_router_id 2\n virtual_ipaddress {\n  198.51.100.2\n }\n}\n"
                + "vrrp_instance C {\n interface eth0\n virtual_router_id 3\n virtual_ipaddress {\n  198.51.100.3\n }\n}\n"
                + "vrrp_sync_group G {\n group {\n  A\n  B\n }\n track_script {\n  w\n }\n smtp_alert\n}\n"
                + "vrrp_sync_group H {\n group {\n  C\n }\n}\n");
        assertThat(warnings(m)).containsExactly(
                "33: vrrp_instance 'A': vrrp_sync_group 'G' track_script w weight 10 set to 0: a member has priority 255"
                        + " (address owner), as keepalived does",
                "33: vrrp_instance 'B': vrrp_sync_group 'G' track_script w weight 10 set to 0: a member has priority 255"
                        + " (address owner), as keepalived does",
                "27: vrrp_sync_group 'G': [A] have priority 255 (address owner) and the other members do not; the owners"
                        + " take MASTER at once and pull the group along, so the group keeps changing state (keepalived"
                        + " warns: this won't work); give every member the same role",
                "27: vrrp_sync_group 'G': smtp_alert ignored; havip sends no e-mail",
                "37: vrrp_sync_group 'H' has one member (C); it moves nothing with it (keepalived warns too)");
        assertThat(m.routers().get("B").settings().router().trackers())
                .containsExactly(new TrackerSpec.HealthCheck("w", 0, 1, 1, true));
        assertThat(m.groups()).containsOnlyKeys("G", "H");
    }

    @Test
    void lvsNatDirectorFixtureMapsToOneGroupOfTwoInterfaces() {
        Mapping m = mapFixture("lvs-nat-sync-group.conf");
        assertThat(m.warnings()).isEmpty();
        assertThat(m.groups()).containsOnlyKeys("VG_1");
        assertThat(m.groups().get("VG_1").members()).containsExactly("VI_OUTSIDE", "VI_INSIDE");
        assertThat(m.groups().get("VG_1").notifyCommands()).containsExactly(
                Optional.of("/etc/keepalived/notify.sh GROUP_MASTER"), Optional.of("/etc/keepalived/notify.sh GROUP_BACKUP"),
                Optional.of("/etc/keepalived/notify.sh GROUP_FAULT"), Optional.empty(), Optional.of("/etc/keepalived/notify.sh"));
        for (String name : List.of("VI_OUTSIDE", "VI_INSIDE")) {
            assertThat(m.routers().get(name).settings().router().trackers()).as(name)
                    .contains(new TrackerSpec.HealthCheck("chk_ipvs", 0, 1, 2, true));
        }
        assertThat(m.routers().get("VI_INSIDE").settings().router().router().interfaceName()).isEqualTo("eth1");
    }

    @Test
    void unsupportedSettingsAreWarnedWithTheirLine() {
        Mapping m = mapText("vrrp_script s {\n script /bin/true\n init_fail\n user nobody\n}\n"
                + "vrrp_instance A {\n interface eth0\n virtual_router_id 1\n no_accept\n dont_track_primary\n smtp_alert\n"
                + " virtual_ipaddress {\n  198.51.100.1/24 dev eth1 label eth1:1\n }\n"
                + " virtual_ipaddress_excluded {\n  198.51.100.9\n }\n"
                + " track_interface {\n  eth2 weight 5 reverse\n }\n"
                + " track_script {\n  s weight 3 reverse\n }\n"
                + " notify_master_rx_lower_pri /bin/true\n}\n");
        assertThat(warnings(m)).containsExactly(
                "13: vrrp_instance 'A': virtual_ipaddress 198.51.100.1/24: dev eth1 (bound on eth0), label eth1:1 not"
                        + " applied by havip",
                "16: vrrp_instance 'A': virtual_ipaddress_excluded 198.51.100.9/32 is not bound by havip; list it under"
                        + " virtual_ipaddress to have it move with the router",
                "6: vrrp_instance 'A': no_accept (or vrrp_strict) is not applied; as master havip accepts packets"
                        + " addressed to the virtual addresses (accept mode)",
                "6: vrrp_instance 'A': dont_track_primary is not supported; eth0 going down still puts the router in FAULT",
                "6: vrrp_instance 'A': smtp_alert ignored; havip sends no e-mail",
                "24: vrrp_instance 'A': notify_master_rx_lower_pri is not run by havip",
                "19: vrrp_instance 'A': track_interface eth2 with reverse is not supported; tracker ignored",
                "22: vrrp_instance 'A': track_script s with reverse is not supported; tracker ignored");
        assertThat(m.routers().get("A").settings().router().trackers()).isEmpty();
    }

    @Test
    void scriptOptionsHavipIgnoresAreWarned() {
        Mapping m = mapText("vrrp_script s {\n script /bin/true\n init_fail\n user nobody\n}\n"
                + "vrrp_instance A {\n interface eth0\n virtual_router_id 1\n virtual_ipaddress {\n  198.51.100.1\n }\n"
                + " track_script {\n  s\n }\n}\n");
        assertThat(warnings(m)).containsExactly(
                "1: vrrp_script 's': init_fail is not supported; the check starts healthy until its first 1 failure(s)",
                "1: vrrp_script 's': user nobody ignored; the script runs as the daemon's user");
    }

    @Test
    void ahAuthenticationIsRefusedWithItsLocation() {
        assertThatThrownBy(() -> mapText("vrrp_instance A {\n interface eth0\n virtual_router_id 1\n authentication {\n"
                + "  auth_type AH\n  auth_pass secret\n }\n virtual_ipaddress {\n  198.51.100.1\n }\n}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("/etc/keepalived/keepalived.conf:1: key 'auth_type': vrrp_instance 'A': AH authentication is"
                        + " not supported by havip, so its adverts would not match the peers' (allowed: PASS, or no"
                        + " authentication block)");
    }

    @Test
    void anInstanceWithoutInterfaceIsRefused() {
        assertThatThrownBy(() -> mapText("vrrp_instance A {\n virtual_router_id 1\n unicast_src_ip 198.51.100.3\n"
                + " unicast_peer {\n  198.51.100.4\n }\n virtual_ipaddress {\n  198.51.100.1\n }\n}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("/etc/keepalived/keepalived.conf:1: key 'interface': vrrp_instance 'A' has no"
                        + " interface");
    }

    @Test
    void anInstanceHavipCannotBuildIsRefusedWithTheBuildersReason() {
        assertThatThrownBy(() -> mapText("vrrp_instance A {\n interface eth0\n virtual_router_id 1\n}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("/etc/keepalived/keepalived.conf:1: key 'vrrp_instance': vrrp_instance 'A':"
                        + " virtualAddress is required");
    }

    @Test
    void settingsIgnoreLinePositionsSoAReloadCanCompareThem() {
        String instance = "vrrp_instance A {\n interface eth0\n virtual_router_id 1\n virtual_ipaddress {\n"
                + "  198.51.100.1\n }\n notify_master \"/bin/echo up\"\n}\n";
        Settings before = mapText(instance).routers().get("A").settings();
        Settings moved = mapText("\n\n! a comment\n" + instance).routers().get("A").settings();
        Settings changed = mapText(instance.replace("echo up", "echo UP")).routers().get("A").settings();
        assertThat(moved).isEqualTo(before);
        assertThat(changed).isNotEqualTo(before);
    }

    @Test
    void eachScriptCheckGetsItsOwnBody() {
        AtomicReference<ScriptCheck> seen = new AtomicReference<>();
        Callable<Boolean> body = () -> false;
        KeepalivedRouters.map(KeepalivedConfigReader.read(fixture("cloud-guide-primary.conf")), c -> {
            seen.set(c);
            return body;
        });
        assertThat(seen.get().command()).containsExactly("/etc/keepalived/do_sth.sh");
    }

    @Test
    void garpMapsInstanceAndGlobalSettings() {
        Mapping m = mapText("global_defs {\n vrrp_garp_interval 0.01\n vrrp_gna_interval 0.02\n}\n"
                + "vrrp_instance A {\n interface eth0\n virtual_router_id 1\n virtual_ipaddress {\n  198.51.100.1\n }\n"
                + " garp_master_repeat 3\n garp_master_delay 2\n garp_master_refresh 60\n garp_master_refresh_repeat 2\n"
                + " garp_lower_prio_repeat 0\n}\n");
        Settings s = m.routers().get("A").settings();
        assertThat(s.garp().masterRepeat()).isEqualTo(3);
        assertThat(s.garp().masterDelay()).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.garp().masterRefresh()).isEqualTo(Duration.ofSeconds(60));
        assertThat(s.garp().masterRefreshRepeat()).isEqualTo(2);
        assertThat(s.garp().lowerPriorityRepeat()).isZero();
        assertThat(s.garp().garpInterval()).isEqualTo(Duration.ofMillis(10));
        assertThat(s.garp().gnaInterval()).isEqualTo(Duration.ofMillis(20));
        assertThat(s.router().garpOnLowerPriorityAdvert()).isFalse();
        assertThat(s.garp()).isNotEqualTo(GarpConfig.keepalivedDefaults());
    }

    @Test
    void commandLinesSplitLikeKeepalived() {
        assertThat(KeepalivedRouters.commandLine("/etc/keepalived/notify.sh MASTER"))
                .containsExactly("/etc/keepalived/notify.sh", "MASTER");
        assertThat(KeepalivedRouters.commandLine("  a  'b c'\"d\" e\\ f \"g\\\"h\" ")).containsExactly("a", "b cd", "e f", "g\"h");
        assertThat(KeepalivedRouters.commandLine("'it''s'")).containsExactly("its");
        assertThatThrownBy(() -> KeepalivedRouters.commandLine("a 'b")).hasMessage("unterminated '-quote in command line: a 'b");
        assertThatThrownBy(() -> KeepalivedRouters.commandLine("   ")).hasMessage("empty command line");
    }

    @Test
    void processChecksUseTheExitStatus() throws Exception {
        assertThat(KeepalivedRouters.processCheck(check("/bin/sh", "-c", "exit 0")).call()).isTrue();
        assertThat(KeepalivedRouters.processCheck(check("/bin/sh", "-c", "exit 3")).call()).isFalse();
        assertThat(KeepalivedRouters.runProcess(List.of("/bin/sh", "-c", "echo noise; exit 7"))).isEqualTo(7);
        assertThatThrownBy(() -> KeepalivedRouters.processCheck(check("/nonexistent/havip-check")).call())
                .isInstanceOf(IOException.class).hasMessageContaining("/nonexistent/havip-check");
    }

    @Test
    void anInterruptedProcessRunIsKilled() throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                KeepalivedRouters.runProcess(List.of("/bin/sleep", "30"));
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        t.start();
        long before = System.nanoTime();
        while (ProcessHandle.current().children().noneMatch(p -> p.info().command().orElse("").endsWith("sleep"))) {
            assertThat(System.nanoTime() - before).as("sleep started").isLessThan(Duration.ofSeconds(10).toNanos());
            Thread.onSpinWait();
        }
        List<ProcessHandle> sleeps = ProcessHandle.current().children()
                .filter(p -> p.info().command().orElse("").endsWith("sleep")).toList();
        t.interrupt();
        t.join(10_000);
        assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
        // killed: it exits (and is reaped) promptly; a process left running would not
        for (ProcessHandle p : sleeps) {
            assertThat(p.onExit()).succeedsWithin(Duration.ofSeconds(10));
        }
    }

    private static ScriptCheck check(String... command) {
        return new ScriptCheck("t", List.of(command), Duration.ofSeconds(1), Duration.ofSeconds(1), 1, 1, 0);
    }


    @Test
    void havipBlockTurnsOnTheLivenessChannelOfEveryInstance() {
        String two = "vrrp_instance A {\n interface eth0\n virtual_router_id 51\n virtual_ipaddress {\n  198.51.100.50\n }\n}\n"
                + "vrrp_instance B {\n interface eth0\n virtual_router_id 52\n virtual_ipaddress {\n  198.51.100.51\n }\n}\n";
        Mapping m = mapText(two + "havip {\n liveness_secret \"0123456789abcdef\"\n liveness_grace_ms 20\n}\n");
        for (String name : List.of("A", "B")) {
            io.havip.vrrp.liveness.LivenessConfig l = m.routers().get(name).settings().liveness().orElseThrow();
            assertThat(l.secret()).isEqualTo("0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertThat(l.grace()).isEqualTo(Duration.ofMillis(20));
            assertThat(l.port()).isZero();
            assertThat(m.routers().get(name).settings().toString()).contains("liveness channel LivenessConfig[port 11200+vrid")
                    .doesNotContain("0123456789abcdef");
        }
        assertThat(m.routers().get("A").settings().liveness().orElseThrow().portFor(51)).isEqualTo(11251);
        Mapping fixed = mapText(two + "havip {\n liveness_secret \"0123456789abcdef\"\n liveness_port 12000\n}\n");
        assertThat(fixed.routers().get("B").settings().liveness().orElseThrow().portFor(52)).isEqualTo(12000);
        assertThat(mapText(two).routers().get("A").settings().liveness()).isEmpty();
        assertThat(mapText(two + "havip {\n liveness_secret \"0123456789abcdef\"\n liveness off\n}\n").routers().get("A")
                .settings().liveness()).isEmpty();
        // a changed secret is a changed router (reload rebuilds it)
        assertThat(mapText(two + "havip {\n liveness_secret \"0123456789abcdeX\"\n}\n").routers().get("A").settings())
                .isNotEqualTo(m.routers().get("A").settings());
    }

    @Test
    void unicastInstancesDropAdvertsFromNonPeersUnlessTheHavipBlockAcceptsThem() {
        String unicast = "vrrp_instance U {\n interface eth0\n virtual_router_id 51\n unicast_peer {\n  198.51.100.12\n }\n"
                + " virtual_ipaddress {\n  198.51.100.50\n }\n%s}\n";
        String multicast = "vrrp_instance M {\n interface eth0\n virtual_router_id 52\n virtual_ipaddress {\n"
                + "  198.51.100.51\n }\n}\n";
        String accept = "havip {\n accept_adverts_from_non_peers\n}\n";
        Mapping plain = mapText(String.format(unicast, "") + multicast);
        assertThat(plain.routers().get("U").settings().router().checksUnicastSource()).as("havip's default").isTrue();
        assertThat(plain.routers().get("M").settings().router().checksUnicastSource()).isFalse();

        Mapping accepting = mapText(String.format(unicast, "") + multicast + accept);
        assertThat(accepting.routers().get("U").settings().router().checksUnicastSource()).isFalse();
        assertThat(accepting.routers().get("U").settings().router().acceptAdvertsFromNonPeers()).isTrue();
        assertThat(accepting.routers().get("U").settings()).as("a reload restarts the router")
                .isNotEqualTo(plain.routers().get("U").settings());
        assertThat(accepting.routers().get("M").settings().router().acceptAdvertsFromNonPeers()).isFalse();
        assertThat(accepting.warnings()).isEmpty();

        Mapping perInstance = mapText(String.format(unicast, " check_unicast_src\n") + accept);
        assertThat(perInstance.routers().get("U").settings().router().checksUnicastSource()).isTrue();
        assertThat(warnings(perInstance)).containsExactly("1: vrrp_instance 'U': check_unicast_src keeps the unicast"
                + " source check on; the havip block's accept_adverts_from_non_peers does not apply to it");
        Mapping global = mapText("global_defs {\n vrrp_check_unicast_src\n}\n" + String.format(unicast, "") + accept);
        assertThat(global.routers().get("U").settings().router().checksUnicastSource()).isTrue();
        assertThat(warnings(global)).containsExactly("4: vrrp_instance 'U': vrrp_check_unicast_src in global_defs keeps"
                + " the unicast source check on; the havip block's accept_adverts_from_non_peers does not apply to it");
    }
}
