package io.havip.examples.havipd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code havipd --check} on the keepalived fixtures and on broken files. */
class HavipdCheckTest {

    /** The fixtures of shared/fixtures/keepalived, as copied into havip-vrrp (tests run in the module directory). */
    private static final Path FIXTURES = Path.of("../havip-vrrp/src/test/resources/fixtures/keepalived");

    record Result(int status, String out, String err) { }

    /** 13:05:09.417 in Paris (UTC+1) on 7 December 2026: what start-up lines are stamped with here. */
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-07T12:05:09.417Z"), ZoneId.of("Europe/Paris"));
    private static final String STAMP = "2026-12-07T13:05:09.417+01:00 ";

    static Result havipd(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Havipd.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), (name, b) -> {
                    throw new AssertionError("--check must not start routers");
                }, new Havipd.Control(), CLOCK);
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A line of the --check text: {@code text}, blanks to the comment column, {@code # where}. */
    static String at(String text, String where) {
        return text + " ".repeat(Math.max(1, 44 - text.length())) + "# " + where + NL;
    }

    private static String fixture(String name) {
        Path p = FIXTURES.resolve(name);
        assertThat(p).as("fixture %s (run from the havip-examples directory)", p.toAbsolutePath()).exists();
        return p.toString();
    }

    @Test
    void cloudGuidePrimaryIsUsableWithTheReadersWarnings() {
        String f = fixture("cloud-guide-primary.conf");
        Result r = havipd("-f", f, "--check");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out())
                .contains(f + ":15: warning: vrrp_garp_interval 0 is refused by keepalived 2.2.7")
                .contains(f + ":16: warning: vrrp_gna_interval 0 is refused by keepalived 2.2.7")
                .contains(f + ":50: warning: vrrp_instance 'VI_1': track_interface eth0 is the instance's own interface")
                .contains(at("vrrp_instance VI_1 {", f + ":24"))
                .contains(at("    priority 100", f + ":30"), at("    nopreempt", f + ":28"),
                        at("        auth_type PASS", f + ":33"), at("        auth_pass ********", f + ":34"),
                        at("        172.16.16.6", f + ":38"), at("    version 2", "default"))
                .contains(at("    unicast_src_ip 172.16.16.5", f + ":36"))
                .contains(at("vrrp_script checkhaproxy {", f + ":19"), at("    script /etc/keepalived/do_sth.sh", f + ":19"),
                        at("    interval 5", f + ":19"), at("    weight 0", f + ":19"))
                .contains(at("        checkhaproxy weight 0", f + ":53"))
                .contains(at("    notify_master \"/etc/keepalived/notify_action.sh MASTER\"", f + ":43"))
                .contains(at("    notify_stop \"/etc/keepalived/notify_action.sh STOP\"", f + ":46"))
                .doesNotContain("RouterConfig[", "secret")
                .endsWith(f + ": configuration OK (1 instance(s), 3 warning(s))" + System.lineSeparator());
    }

    @Test
    void aSyncGroupIsShownWithItsMembersAndNotifyScripts() {
        String f = fixture("lvs-nat-sync-group.conf");
        Result r = havipd("--check", "-f", f);
        assertThat(r.status()).as(r.err()).isZero();
        String nl = System.lineSeparator();
        assertThat(r.out()).doesNotContain("independent routers")
                .containsPattern("vrrp_sync_group VG_1 \\{ +# " + java.util.regex.Pattern.quote(f) + ":15")
                .contains("# havip: members [VI_OUTSIDE, VI_INSIDE] move together: MASTER only when every member can"
                        + " be, one member's FAULT puts all in FAULT" + nl)
                .containsPattern("notify_master \"/etc/keepalived/notify.sh GROUP_MASTER\" # "
                        + java.util.regex.Pattern.quote(f) + ":23")
                .contains("# havip: notify gets GROUP VG_1 MASTER|BACKUP|FAULT|STOP 0 appended" + nl)
                .endsWith(f + ": configuration OK (2 instance(s), 1 sync group(s), 0 warning(s))" + nl);
    }

    @Test
    void cloudGuideSecondaryIsUsable() {
        String f = fixture("cloud-guide-secondary.conf");
        Result r = havipd("--check", "-f", f);
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("    unicast_src_ip 172.16.16.6", "        172.16.16.5 ")
                .contains("configuration OK (1 instance(s), 3 warning(s))");
    }

    @Test
    void undefinedScriptIsAWarningWithItsLine() {
        String f = fixture("faq-backup-with-undefined-script.conf");
        Result r = havipd("-t", "--use-file", f);
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains(f + ":36: warning: vrrp_instance 'VI_1': track_script 'checkhaproxy' names no"
                        + " vrrp_script; tracker ignored, as keepalived does")
                .contains("    priority 80 ")
                .doesNotContain("vrrp_script checkhaproxy {", "    track_script {")
                .contains(f + ":32: warning: vrrp_instance 'VI_1': track_interface eth0 is the instance's own interface")
                .contains("configuration OK (1 instance(s), 2 warning(s))");
    }

    @Test
    void stateMasterWithNopreemptIsUsableWithBothWarnings() {
        String f = fixture("private-cloud-vi-vpn.conf");
        Result r = havipd("--check", "-f", f);
        assertThat(r.status()).isZero();
        assertThat(r.out())
                .contains(f + ":10: warning: vrrp_instance 'VI_VPN': nopreempt will not work with initial state MASTER")
                .contains(f + ":8: warning: vrrp_instance 'VI_VPN': state MASTER only changes keepalived's start-up")
                .contains("        10.0.6.19/24 ", "    priority 110 ", "    interface ens5 ", "    state MASTER ")
                .contains("    preempt ", "        10.0.6.10 ", "    unicast_src_ip 10.0.6.9 ")
                .contains("configuration OK (1 instance(s), 2 warning(s))");
    }

    @Test
    void saysWhetherTheUnicastSourceCheckIsOnForEachUnicastInstance(@TempDir Path dir) throws IOException {
        String instances = "vrrp_instance U {\n interface eth0\n virtual_router_id 51\n unicast_peer {\n  198.51.100.12\n"
                + " }\n virtual_ipaddress {\n  198.51.100.50\n }\n}\n"
                + "vrrp_instance M {\n interface eth0\n virtual_router_id 52\n virtual_ipaddress {\n  198.51.100.51\n"
                + " }\n}\n";
        Path f = dir.resolve("keepalived.conf");
        Files.writeString(f, instances);
        Result on = havipd("--check", "-f", f.toString());
        assertThat(on.status()).as(on.err()).isZero();
        assertThat(on.out()).containsOnlyOnce("unicast source check")
                .contains("    # havip: unicast source check: on (adverts from other sources than [198.51.100.12] are dropped and"
                        + " counted in unicastSourceErrors; keepalived checks only with vrrp_check_unicast_src)");
        Files.writeString(f, instances + "havip {\n accept_adverts_from_non_peers\n}\n");
        Result off = havipd("--check", "-f", f.toString());
        assertThat(off.status()).as(off.err()).isZero();
        assertThat(off.out()).containsOnlyOnce("unicast source check")
                .contains("    # havip: unicast source check: off (havip block: accept_adverts_from_non_peers); adverts from any"
                        + " source are accepted")
                .contains("        198.51.100.12 ");
        Files.writeString(f, "vrrp_instance V6 {\n interface eth0\n virtual_router_id 51\n unicast_peer {\n"
                + "  2001:db8::12\n }\n virtual_ipaddress {\n  2001:db8::50/64\n }\n}\n");
        Result v6 = havipd("--check", "-f", f.toString());
        assertThat(v6.status()).as(v6.err()).isZero();
        assertThat(v6.out()).contains("    # havip: unicast source check: on (adverts from other sources than [2001:db8::12] are"
                + " dropped and counted in unicastSourceErrors; keepalived checks only with vrrp_check_unicast_src); a"
                + " keepalived peer sends from its IPv6 link-local address unless it sets unicast_src_ip");
    }

    @Test
    void aBadValueFailsWithFileLineAndKey(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("bad.conf");
        Files.writeString(f, "vrrp_instance A {\n  interface eth0\n  virtual_router_id 51\n  advert_int abc\n"
                + "  virtual_ipaddress {\n    198.51.100.50\n  }\n}\n");
        Result r = havipd("--check", "-f", f.toString());
        assertThat(r.status()).isEqualTo(Havipd.CONFIG_ERROR);
        assertThat(r.err()).startsWith(f + ":4: key 'advert_int': ").contains(f + ": configuration NOT usable");
        assertThat(r.out()).doesNotContain("configuration OK");
    }

    @Test
    void anInstanceHavipCannotRunFailsWithItsLine(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("ah.conf");
        Files.writeString(f, "\nvrrp_instance A {\n  interface eth0\n  virtual_router_id 51\n  authentication {\n"
                + "    auth_type AH\n    auth_pass x\n  }\n  virtual_ipaddress {\n    198.51.100.50\n  }\n}\n");
        Result r = havipd("--check", "-f", f.toString());
        assertThat(r.status()).isEqualTo(Havipd.CONFIG_ERROR);
        assertThat(r.err()).startsWith(f + ":2: key 'auth_type': vrrp_instance 'A': AH authentication is not supported");
    }

    @Test
    void aFileWithoutInstancesIsNotUsable(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("empty.conf");
        Files.writeString(f, "global_defs {\n  router_id X\n}\n");
        Result r = havipd("--check", "-f", f.toString());
        assertThat(r.status()).isEqualTo(Havipd.CONFIG_ERROR);
        assertThat(r.err()).startsWith(f + ":0: no vrrp_instance to run");
    }

    @Test
    void aMissingFileIsAConfigError(@TempDir Path dir) {
        Path f = dir.resolve("nope.conf");
        Result r = havipd("--check", "-f", f.toString());
        assertThat(r.status()).isEqualTo(Havipd.CONFIG_ERROR);
        assertThat(r.err()).startsWith(f + ":0: cannot read the configuration file");
    }

    private static final String INSTANCE = "vrrp_instance VI {\n interface eth0\n virtual_router_id 51\n"
            + " virtual_ipaddress {\n  198.51.100.50\n }\n}\n";
    private static final String NL = System.lineSeparator();

    @Test
    void aByteOrderMarkAtTheStartIsNothing(@TempDir Path dir) throws IOException {
        Path f = Files.write(dir.resolve("bom.conf"), ("\uFEFFglobal_defs {\n router_id r1\n}\n" + INSTANCE)
                .getBytes(StandardCharsets.UTF_8));
        Result r = havipd("--check", "-f", f.toString());
        // before: OK with "unknown keyword 'global_defs' ignored with its block", the BOM invisible in it
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).doesNotContain(": warning:").endsWith(f + ": configuration OK (1 instance(s), 0 warning(s))" + NL);
    }

    @Test
    void bytesThatAreNotUtf8AreNamedWithLineColumnAndBytes(@TempDir Path dir) throws IOException {
        byte[] head = "global_defs {\n router_id caf".getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\n}\n" + INSTANCE).getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[head.length + 1 + tail.length];
        System.arraycopy(head, 0, all, 0, head.length);
        all[head.length] = (byte) 0xE9;
        System.arraycopy(tail, 0, all, head.length + 1, tail.length);
        Path f = Files.write(dir.resolve("latin1.conf"), all);
        Result r = havipd("--check", "-f", f.toString());
        assertThat(r.status()).isEqualTo(Havipd.CONFIG_ERROR);
        assertThat(r.err()).isEqualTo(f + ":2:15: the file is not valid UTF-8: byte 0xE9 (at byte offset 28) is not part"
                + " of any UTF-8 character; save the file as UTF-8 (if it was written as Latin-1 or Windows-1252: iconv -f"
                + " WINDOWS-1252 -t UTF-8)" + NL + f + ": configuration NOT usable" + NL);
        assertThat(r.out()).isEmpty();
    }

    /** {@code message} and status 1 from {@code --check} and from start-up (which must not start a router). */
    private static void refusedAtCheckAndStartUp(Path f, String message) {
        Result check = havipd("--check", "-f", f.toString());
        assertThat(check.status()).isEqualTo(Havipd.CONFIG_ERROR);
        assertThat(check.err()).isEqualTo(message + NL + f + ": configuration NOT usable" + NL);
        Result start = havipd("-f", f.toString());
        assertThat(start.status()).isEqualTo(Havipd.CONFIG_ERROR);
        // start-up: a log line, stamped as every havipd log line is (before: no time stamp)
        assertThat(start.err()).isEqualTo(STAMP + message + NL);
    }

    @Test
    void pastedTextIsReadAsItLooksWithOneWarningPerLine(@TempDir Path dir) throws IOException {
        // a byte order mark left inside by joining files, a no-break space after a value, a zero-width space in a
        // keyword, full-width digits, a no-break space in a comment; keepalived 2.2.7 on the same text: "unknown state
        // 'BACKUP ', defaulting to BACKUP", "Unknown keyword 'priority 100'" (the priority lost, 100 by default here)
        String pasted = "global_defs {\n router_id r1\n}\n\uFEFFvrrp_instance VI {\n state BACKUP\u00A0\n interface eth0\n"
                + " virtual_router_id \uFF15\uFF11\n prio\u200Brity 90 # was\u00A0100\n virtual_ipaddress {\n"
                + "  198.51.100.50\u3000\n }\n}\n";
        Path f = Files.write(dir.resolve("pasted.conf"), pasted.getBytes(StandardCharsets.UTF_8));
        Result r = havipd("--check", "-f", f.toString());
        assertThat(r.status()).as(r.err()).isZero();
        String tail = "; the line is read as it looks (keepalived would read these characters as part of the words), retype"
                + " it to be sure";
        assertThat(r.out()).contains(f + ":4:1: warning: characters that are invisible or look like ASCII: U+FEFF byte order"
                        + " mark (zero width no-break space) at column 1 dropped" + tail + NL)
                .contains(f + ":5:14: warning: characters that are invisible or look like ASCII: U+00A0 no-break space at"
                        + " column 14 taken as a blank" + tail + NL)
                .contains(f + ":7:20: warning: characters that are invisible or look like ASCII: U+FF15 fullwidth digit five"
                        + " at column 20 read as '5'; U+FF11 fullwidth digit one at column 21 read as '1'" + tail + NL)
                .contains(f + ":8:6: warning: characters that are invisible or look like ASCII: U+200B zero width space at"
                        + " column 6 dropped" + tail + NL)
                .contains(f + ":10:16: warning: characters that are invisible or look like ASCII: U+3000 ideographic space"
                        + " at column 16 taken as a blank" + tail + NL)
                .contains("    virtual_router_id 51 ", "    priority 90 ", "    interface eth0 ", "        198.51.100.50/32 ")
                .doesNotContainPattern("[\\u00A0\\u200B\\u3000\\uFEFF\\uFF01-\\uFF5E]")
                .endsWith(f + ": configuration OK (1 instance(s), 5 warning(s))" + NL);
    }

    @Test
    void pastedTextThatCannotBeReadAsItLooksIsRefusedEscapedAtStartUpToo(@TempDir Path dir) throws IOException {
        // before: "'BACKUP ' is not recognised", the no-break space shown as if the value were valid
        Path quoted = Files.write(dir.resolve("quoted.conf"), INSTANCE.replace(" interface eth0\n",
                " state \"BACKUP\u00A0\"\n interface eth0\n").getBytes(StandardCharsets.UTF_8));
        Result check = havipd("--check", "-f", quoted.toString());
        assertThat(check.status()).isEqualTo(Havipd.CONFIG_ERROR);
        assertThat(check.err()).isEqualTo(quoted + ":2: key 'state': \"BACKUP<U+00A0>\" is not recognised (allowed:"
                + " MASTER|BACKUP (upper case, as keepalived reads it))" + NL + quoted + ": configuration NOT usable" + NL);

        Path override = Files.write(dir.resolve("override.conf"), INSTANCE.replace(" interface eth0\n",
                " interface eth\u202E0\n").getBytes(StandardCharsets.UTF_8));
        refusedAtCheckAndStartUp(override, override + ":2:15: an invisible character U+202E right-to-left override (bytes"
                + " 0xE2 0x80 0xAE) in \"eth<U+202E>0\": it can make the text display as other than it is, and havip will"
                + " not guess what was meant; delete it, or put the value in quotes to keep it exactly");
    }

    @Test
    void aMissingFileOrADirectoryIsNamedWithWhatToDoAtCheckAndStartUp(@TempDir Path dir) {
        Path f = dir.resolve("nope.conf");
        String message = f + ":0: cannot read the configuration file: no such file; check the name and the directory";
        refusedAtCheckAndStartUp(f, message);

        Result directory = havipd("--check", "-f", dir.toString());
        assertThat(directory.status()).isEqualTo(Havipd.CONFIG_ERROR);
        assertThat(directory.err()).isEqualTo(dir + ":0: cannot read the configuration file: it is a directory, not a"
                + " file; name a file in it" + NL + dir + ": configuration NOT usable" + NL);
    }

    @Test
    void twoInstancesOfOneVridOnOneInterfaceAreNotUsable(@TempDir Path dir) throws IOException {
        Path f = Files.writeString(dir.resolve("dup.conf"), INSTANCE.replace("VI", "A")
                + INSTANCE.replace("VI", "B").replace("198.51.100.50", "198.51.100.51"));
        Result r = havipd("--check", "-f", f.toString());
        // before: "configuration OK (2 instance(s), 0 warning(s))", and at run time both became master
        assertThat(r.status()).isEqualTo(Havipd.CONFIG_ERROR);
        assertThat(r.err()).isEqualTo(f + ":10: key 'virtual_router_id': vrrp_instance 'A' (" + f + ":3) and vrrp_instance"
                + " 'B' (" + f + ":10) both use virtual_router_id 51 for IPv4 on interface eth0: they would be one virtual"
                + " router, each taking the other's adverts for its own; keepalived refuses this file too (allowed: another"
                + " virtual_router_id for one of them, the same on its peers)" + NL + f + ": configuration NOT usable" + NL);
    }

    @Test
    void usageErrorsExit2() {
        Result unknown = havipd("--frobnicate");
        assertThat(unknown.status()).isEqualTo(Havipd.USAGE);
        assertThat(unknown.err()).startsWith("havipd: unknown option --frobnicate").contains("usage: java -jar havipd.jar");
        assertThat(havipd("-f").err()).startsWith("havipd: -f needs a value");
        assertThat(havipd("--notify-timeout", "x").err()).startsWith("havipd: --notify-timeout x is not a number");
        assertThat(havipd("--notify-timeout", "0").status()).isEqualTo(Havipd.USAGE);
        Result help = havipd("--help");
        assertThat(help.status()).isZero();
        assertThat(help.out()).startsWith("usage:");
    }
}
