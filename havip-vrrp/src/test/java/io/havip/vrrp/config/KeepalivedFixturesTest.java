package io.havip.vrrp.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.havip.core.net.InterfaceAddress;
import io.havip.core.net.IpAddress;
import io.havip.core.net.IpFamily;
import io.havip.vrrp.codec.VrrpVersion;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Every fixture of shared/fixtures/keepalived (copied to test resources) reads, with exactly the
 * warnings its README names, and the values keepalived 2.2.7 would use ({@code keepalived -t}
 * agrees on each warning listed here).
 */
class KeepalivedFixturesTest {

    static Path fixture(String name) {
        try {
            return Path.of(KeepalivedFixturesTest.class.getResource("/fixtures/keepalived/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    private static List<String> warnings(KeepalivedConfig c) {
        return c.warnings().stream().map(w -> w.location().line() + ": " + w.message()).toList();
    }

    @Test
    void cloudGuidePrimary() {
        Path file = fixture("cloud-guide-primary.conf");
        KeepalivedConfig c = KeepalivedConfigReader.read(file);
        assertThat(warnings(c)).containsExactly(
                "15: vrrp_garp_interval 0 is refused by keepalived 2.2.7 (allowed 0.000001-4294.967295); read as no gap"
                        + " between messages, which is the default",
                "16: vrrp_gna_interval 0 is refused by keepalived 2.2.7 (allowed 0.000001-4294.967295); read as no gap"
                        + " between messages, which is the default",
                "50: vrrp_instance 'VI_1': track_interface eth0 is the instance's own interface, which is tracked anyway;"
                        + " ignored, as keepalived does");
        assertThat(c.warnings()).allSatisfy(w -> assertThat(w.location().file()).isEqualTo(file.toString()));

        GlobalDefs g = c.globalDefs();
        assertThat(g.routerId()).contains("LVS_DEVEL");
        assertThat(g.notificationEmails()).containsExactly("acassen@firewall.loc", "failover@firewall.loc");
        assertThat(g.notificationEmailFrom()).contains("keepalived@firewall.loc");
        assertThat(g.smtpServer()).contains("203.0.113.25");
        assertThat(g.smtpConnectTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(g.skipCheckAdvAddr()).isTrue();
        assertThat(g.garpInterval()).isZero();
        assertThat(g.gnaInterval()).isZero();
        assertThat(g.vrrpVersion()).isEqualTo(VrrpVersion.V2);

        VrrpScriptConfig script = c.scripts().get("checkhaproxy");
        assertThat(script.script()).isEqualTo("/etc/keepalived/do_sth.sh");
        assertThat(script.interval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(script.timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(script.weight()).isZero();
        assertThat(script.rise()).isEqualTo(1);
        assertThat(script.fall()).isEqualTo(1);

        VrrpInstanceConfig i = c.instance("VI_1").orElseThrow();
        assertThat(i.initialState()).isEqualTo(InitialState.BACKUP);
        assertThat(i.interfaceName()).contains("eth0");
        assertThat(i.virtualRouterId()).isEqualTo(51);
        assertThat(i.preempt()).isFalse();
        assertThat(i.preemptDelay()).isZero();
        assertThat(i.priority()).isEqualTo(100);
        assertThat(i.version()).isEqualTo(VrrpVersion.V2);
        assertThat(i.family()).isEqualTo(IpFamily.IPV4);
        assertThat(i.advertInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(i.authentication()).contains(new Authentication(Authentication.Type.PASS, "1111"));
        assertThat(i.sourceAddress()).contains(IpAddress.parse("172.16.16.5"));
        assertThat(i.unicastPeers()).containsExactly(IpAddress.parse("172.16.16.6"));
        assertThat(i.unicast()).isTrue();
        assertThat(i.virtualAddresses()).extracting(VirtualIpAddress::address)
                .containsExactly(InterfaceAddress.parse("172.16.16.12/32"));
        assertThat(i.virtualAddresses().get(0).location()).isEqualTo(new SourceLocation(file.toString(), 41));
        assertThat(i.notifyScripts().master().map(NotifyScript::command)).contains("/etc/keepalived/notify_action.sh MASTER");
        assertThat(i.notifyScripts().backup().map(NotifyScript::command)).contains("/etc/keepalived/notify_action.sh BACKUP");
        assertThat(i.notifyScripts().fault().map(NotifyScript::command)).contains("/etc/keepalived/notify_action.sh FAULT");
        assertThat(i.notifyScripts().stop().map(NotifyScript::command)).contains("/etc/keepalived/notify_action.sh STOP");
        assertThat(i.notifyScripts().any()).isEmpty();
        assertThat(i.garp()).isEqualTo(new GarpSettings(Duration.ofSeconds(1), 5, Duration.ofSeconds(1), 5,
                Duration.ofSeconds(5), 1));
        assertThat(i.trackInterfaces()).isEmpty();
        assertThat(i.trackScripts()).extracting(TrackedScript::name, TrackedScript::weight).containsExactly(
                org.assertj.core.groups.Tuple.tuple("checkhaproxy", 0));
        assertThat(i.accept()).isTrue();
        assertThat(c.syncGroups()).isEmpty();
    }

    @Test
    void cloudGuideSecondaryMirrorsThePrimary() {
        KeepalivedConfig primary = KeepalivedConfigReader.read(fixture("cloud-guide-primary.conf"));
        KeepalivedConfig secondary = KeepalivedConfigReader.read(fixture("cloud-guide-secondary.conf"));
        VrrpInstanceConfig p = primary.instances().get(0);
        VrrpInstanceConfig s = secondary.instances().get(0);
        assertThat(s.sourceAddress()).isEqualTo(p.unicastPeers().stream().findFirst());
        assertThat(s.unicastPeers()).containsExactly(p.sourceAddress().orElseThrow());
        assertThat(s.priority()).isEqualTo(p.priority());
        assertThat(s.virtualAddresses()).extracting(VirtualIpAddress::address)
                .isEqualTo(p.virtualAddresses().stream().map(VirtualIpAddress::address).toList());
        assertThat(warnings(secondary)).hasSize(3);
    }

    @Test
    void faqBackupWithUndefinedScriptWarnsAndDropsTheTracker() {
        Path file = fixture("faq-backup-with-undefined-script.conf");
        KeepalivedConfig c = KeepalivedConfigReader.read(file);
        assertThat(c.warnings()).extracting(ConfigWarning::toString).containsExactly(
                file + ":32: vrrp_instance 'VI_1': track_interface eth0 is the instance's own interface, which is tracked"
                        + " anyway; ignored, as keepalived does",
                file + ":36: vrrp_instance 'VI_1': track_script 'checkhaproxy' names no vrrp_script; tracker ignored,"
                        + " as keepalived does");
        VrrpInstanceConfig i = c.instances().get(0);
        assertThat(i.trackScripts()).isEmpty();
        assertThat(i.priority()).isEqualTo(80);
        assertThat(i.advertInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(i.preempt()).isFalse();
        assertThat(i.virtualAddresses()).extracting(VirtualIpAddress::address)
                .containsExactly(InterfaceAddress.parse("172.17.16.3/32"));
        assertThat(i.garp().masterDelay()).isEqualTo(Duration.ofSeconds(1));
        assertThat(i.garp().masterRefresh()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.globalDefs()).isEqualTo(GlobalDefs.DEFAULTS);
    }

    @Test
    void privateCloudVpnClearsNopreemptForStateMaster() {
        Path file = fixture("private-cloud-vi-vpn.conf");
        KeepalivedConfig c = KeepalivedConfigReader.read(file);
        assertThat(c.warnings()).extracting(ConfigWarning::toString).containsExactly(
                file + ":10: vrrp_instance 'VI_VPN': nopreempt will not work with initial state MASTER (it needs state"
                        + " BACKUP); cleared, as keepalived does");
        assertThat(c.globalDefs().scriptUser()).contains("root");
        assertThat(c.globalDefs().scriptGroup()).isEmpty();
        assertThat(c.globalDefs().enableScriptSecurity()).isTrue();
        VrrpInstanceConfig i = c.instance("VI_VPN").orElseThrow();
        assertThat(i.initialState()).isEqualTo(InitialState.MASTER);
        assertThat(i.preempt()).isTrue();
        assertThat(i.priority()).isEqualTo(110);
        assertThat(i.virtualRouterId()).isEqualTo(111);
        assertThat(i.interfaceName()).contains("ens5");
        assertThat(i.authentication().map(Authentication::password)).contains("bless");
        VirtualIpAddress vip = i.virtualAddresses().get(0);
        assertThat(vip.address()).isEqualTo(InterfaceAddress.parse("10.0.6.19/24"));
        assertThat(vip.device()).contains("ens5");
        assertThat(vip.label()).isEqualTo(Optional.empty());
    }
}
