package io.havip.vrrp.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code havip { ... }} block: every key, every refusal, the secret file, and the secret never printed. */
class HavipBlockTest {

    private static final String SECRET = "s3cr3t-Liveness-0123456789";
    private static final String INSTANCE = "vrrp_instance VI {\n interface eth0\n virtual_router_id 51\n"
            + " virtual_ipaddress {\n  198.51.100.50\n }\n}\n";

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("keepalived.conf");
    }

    private KeepalivedConfig read(String text) {
        return KeepalivedConfigReader.parse(text, file());
    }

    private HavipSettings havip(String body) {
        return read(INSTANCE + "havip {\n" + body + "\n}\n").havip();
    }

    private List<String> warnings(String body) {
        return read(INSTANCE + "havip {\n" + body + "\n}\n").warnings().stream()
                .map(w -> w.location().line() + ": " + w.message()).toList();
    }

    /** The message after "FILE:", checked never to contain the secret. */
    private String error(String body) {
        try {
            read(INSTANCE + "havip {\n" + body + "\n}\n");
        } catch (ConfigException e) {
            assertThat(e.getMessage()).startsWith(file() + ":").doesNotContain(SECRET).doesNotContain("s3cr3t");
            return e.getMessage().substring(file().toString().length() + 1);
        }
        throw new AssertionError("no ConfigException for:\n" + body);
    }

    private Path secretFile(String content) throws IOException {
        Path f = dir.resolve("secret");
        Files.writeString(f, content, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        return f;
    }

    @Test
    void noBlockMeansNoLivenessChannel() {
        KeepalivedConfig c = read(INSTANCE);
        assertThat(c.havip()).isEqualTo(HavipSettings.NONE);
        assertThat(c.havip().livenessOn()).isFalse();
    }

    @Test
    void inlineSecretWithDefaults() {
        HavipSettings h = havip(" liveness_secret \"" + SECRET + "\"");
        assertThat(h.livenessOn()).isTrue();
        assertThat(new String(h.livenessSecret(), StandardCharsets.UTF_8)).isEqualTo(SECRET);
        assertThat(h.livenessPort()).isZero();
        assertThat(h.livenessGrace()).isEqualTo(Duration.ofMillis(2));
        assertThat(h.location()).contains(new SourceLocation(file().toString(), 8));
    }

    @Test
    void everyKey() throws IOException {
        Path f = secretFile(SECRET + "\n");
        HavipSettings h = havip(" liveness_secret_file " + f + "\n liveness_port 11251\n liveness_grace_ms 25\n liveness on");
        assertThat(h.livenessOn()).isTrue();
        assertThat(h.livenessSecret()).isEqualTo(SECRET.getBytes(StandardCharsets.UTF_8));
        assertThat(h.livenessPort()).isEqualTo(11251);
        assertThat(h.livenessGrace()).isEqualTo(Duration.ofMillis(25));
    }

    @Test
    void livenessOffNeedsNoSecretAndTurnsTheChannelOff() {
        HavipSettings h = havip(" liveness off\n liveness_port 11251");
        assertThat(h.liveness()).isFalse();
        assertThat(h.livenessOn()).isFalse();
        assertThat(havip(" liveness_secret \"" + SECRET + "\"\n liveness no").livenessOn()).isFalse();
    }

    @Test
    void acceptAdvertsFromNonPeersAloneNeedsNoSecretAndLeavesTheChannelOff() {
        HavipSettings h = havip(" accept_adverts_from_non_peers");
        assertThat(h.acceptAdvertsFromNonPeers()).isTrue();
        assertThat(h.livenessOn()).isFalse();
        assertThat(h.toString()).contains("adverts from non-peers accepted");
        assertThat(havip(" accept_adverts_from_non_peers off").acceptAdvertsFromNonPeers()).isFalse();
        HavipSettings both = havip(" accept_adverts_from_non_peers on\n liveness_secret \"" + SECRET + "\"");
        assertThat(both.acceptAdvertsFromNonPeers()).isTrue();
        assertThat(both.livenessOn()).isTrue();
        assertThat(havip(" liveness_secret \"" + SECRET + "\"").acceptAdvertsFromNonPeers()).as("default").isFalse();
        assertThat(HavipSettings.NONE.acceptAdvertsFromNonPeers()).isFalse();
        assertThat(error(" accept_adverts_from_non_peers\n liveness_port 11251")).as("a liveness key still asks for"
                + " the channel").startsWith("8: key 'havip': the liveness channel needs a shared secret");
        assertThat(error(" accept_adverts_from_non_peers maybe")).startsWith("9: key 'accept_adverts_from_non_peers':"
                + " \"maybe\" is not a boolean");
    }

    @Test
    void secretFileResolvesBesideTheFileThatNamesItAndLosesOnlyItsTrailingLineBreak() throws IOException {
        secretFile(SECRET + " \r\n");
        HavipSettings h = havip(" liveness_secret_file secret");
        assertThat(h.livenessSecret()).isEqualTo((SECRET + " ").getBytes(StandardCharsets.UTF_8));
        secretFile(SECRET);
        assertThat(havip(" liveness_secret_file secret").livenessSecret()).isEqualTo(SECRET.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void blockInAnIncludedFileThatKeepalivedHostsDoNotHave() throws IOException {
        Path etc = Files.createDirectories(dir.resolve("havip"));
        Path f = secretFile(SECRET + "\n");
        Files.writeString(file(), INSTANCE + "include havip/*.conf\n");
        // keepalived host: the glob matches nothing; a warning, no error, no channel
        KeepalivedConfig keepalived = KeepalivedConfigReader.read(file());
        assertThat(keepalived.havip()).isEqualTo(HavipSettings.NONE);
        assertThat(keepalived.warnings()).extracting(ConfigWarning::message)
                .anySatisfy(m -> assertThat(m).contains("include 'havip/*.conf' matched no file"));
        // havipd host: the block comes in with its file and line
        Files.writeString(etc.resolve("liveness.conf"), "havip {\n  liveness_secret_file " + f + "\n}\n");
        HavipSettings h = KeepalivedConfigReader.read(file()).havip();
        assertThat(h.livenessOn()).isTrue();
        assertThat(h.location()).contains(new SourceLocation(etc.resolve("liveness.conf").toString(), 1));
    }

    @Test
    void secretFileWarnsWhenOthersCanReadIt() throws IOException {
        Path f = secretFile(SECRET);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(warnings(" liveness_secret_file " + f)).containsExactly("9: liveness_secret_file " + f
                + " is readable by every user; make it readable by the daemon only (chmod 600 " + f + ")");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r-----"));
        assertThat(warnings(" liveness_secret_file " + f)).singleElement().asString().contains("readable by its group");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("r--------"));
        assertThat(warnings(" liveness_secret_file " + f)).isEmpty();
    }

    @Test
    void unknownKeysWarn() {
        assertThat(warnings(" liveness_secret \"" + SECRET + "\"\n liveness_timeout 5"))
                .containsExactly("10: unknown keyword 'liveness_timeout' in havip ignored");
    }

    @Test
    void aBlockWithoutSecretIsRefusedUnlessLivenessIsOff() {
        assertThat(error(" liveness_port 11251")).isEqualTo("8: key 'havip': the liveness channel needs a shared secret"
                + " and the block gives none (allowed: liveness_secret_file PATH, liveness_secret \"...\", or liveness off)");
        assertThat(error("")).startsWith("8: key 'havip': the liveness channel needs a shared secret");
    }

    @Test
    void blockRefusals() {
        assertThat(error(" liveness_port 0")).isEqualTo("9: key 'liveness_port': 0 is out of range (allowed: 1-65535;"
                + " default 11200 + virtual_router_id)");
        assertThat(error(" liveness_port 65536")).startsWith("9: key 'liveness_port': 65536 is out of range");
        assertThat(error(" liveness_port http")).startsWith("9: key 'liveness_port': \"http\" is not a whole number");
        assertThat(error(" liveness_grace_ms 1001")).isEqualTo("9: key 'liveness_grace_ms': 1001 is out of range"
                + " (allowed: 0-1000 milliseconds; default 10)");
        assertThat(error(" liveness_grace_ms -1")).startsWith("9: key 'liveness_grace_ms': -1 is out of range");
        assertThat(error(" liveness_grace_ms 2.5")).startsWith("9: key 'liveness_grace_ms': \"2.5\" is not a whole number");
        assertThat(error(" liveness maybe")).startsWith("9: key 'liveness': \"maybe\" is not a boolean");
        assertThat(error(" liveness_port")).startsWith("9: key 'liveness_port': missing value");
        assertThat(error(" liveness_port {\n }")).startsWith("9: key 'liveness_port': takes a value, not a { ... } block");
    }

    @Test
    void theBlockMustBeABlockAndAppearOnce() {
        assertThat(error(" liveness_secret \"" + SECRET + "\"\n}\nhavip {\n liveness off"))
                .isEqualTo("11: key 'havip': the havip block is given twice (first at " + file() + ":8) (allowed: one havip"
                        + " { ... } block, e.g. in /etc/havip/havip.conf)");
        try {
            read(INSTANCE + "havip on\n");
            throw new AssertionError("no exception");
        } catch (ConfigException e) {
            assertThat(e.getMessage()).endsWith(":8: key 'havip': expects a { ... } block (allowed: havip on { ... })");
        }
    }

    @Test
    void inlineSecretRefusalsNeverShowIt() {
        assertThat(error(" liveness_secret s3cr3t-short")).isEqualTo("9: key 'liveness_secret': the secret has 12 bytes"
                + " (not shown), fewer than 16 (allowed: one value of at least 16 bytes; quote it if it contains spaces"
                + " or #, e.g. the output of `openssl rand -base64 24`)");
        assertThat(error(" liveness_secret s3cr3t-Liveness 0123456789")).startsWith("9: key 'liveness_secret': 2 values"
                + " where one is expected (not shown: they may be the secret)");
        assertThat(error(" liveness_secret")).startsWith("9: key 'liveness_secret': missing value");
        assertThat(error(" liveness_secret {\n }")).startsWith("9: key 'liveness_secret': takes a value, not a { ... }");
        assertThat(error(" liveness_secret \"" + SECRET + "\"\n liveness_secret \"" + SECRET + "\""))
                .isEqualTo("10: key 'liveness_secret': a secret is already given at " + file() + ":9 (allowed: one of"
                        + " liveness_secret or liveness_secret_file, once)");
    }

    @Test
    void secretFileRefusalsNeverShowIt() throws IOException {
        Path missing = dir.resolve("nope");
        assertThat(error(" liveness_secret_file " + missing)).startsWith("9: key 'liveness_secret_file': " + missing
                + " does not exist (allowed: the path of a regular file of 16-4096 bytes");
        assertThat(error(" liveness_secret_file " + dir)).startsWith("9: key 'liveness_secret_file': " + dir
                + " is not a regular file");
        Path f = secretFile("s3cr3t-short\n");
        assertThat(error(" liveness_secret_file " + f)).startsWith("9: key 'liveness_secret_file': " + f + " holds 12 bytes"
                + " (not shown), fewer than 16");
        secretFile("\n");
        assertThat(error(" liveness_secret_file " + f)).startsWith("9: key 'liveness_secret_file': " + f + " holds 0 bytes");
        secretFile("s3cr3t".repeat(700));
        assertThat(error(" liveness_secret_file " + f)).startsWith("9: key 'liveness_secret_file': " + f
                + " is larger than 4096 bytes");
        secretFile(SECRET);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("---------"));
        if (!Files.isReadable(f)) { // root reads anyway
            assertThat(error(" liveness_secret_file " + f)).startsWith("9: key 'liveness_secret_file': cannot read " + f
                    + ": permission denied to user " + System.getProperty("user.name"));
        }
        assertThat(error(" liveness_secret_file a\u0000b")).startsWith("9: key 'liveness_secret_file': \"a<U+0000>b\" is not"
                + " a valid path");
        assertThat(error(" liveness_secret_file " + f + " extra")).startsWith("9: key 'liveness_secret_file': 2 values");
        assertThat(error(" liveness_secret_file " + f + "\n liveness_secret \"" + SECRET + "\""))
                .startsWith("10: key 'liveness_secret': a secret is already given at " + file() + ":9");
    }

    @Test
    void toStringNeverShowsTheSecret() {
        HavipSettings h = havip(" liveness_secret \"" + SECRET + "\"\n liveness_port 11251");
        assertThat(h.toString()).doesNotContain("s3cr3t").isEqualTo("HavipSettings[liveness on, secret 26 bytes, port 11251,"
                + " grace PT0.002S, at " + file() + ":8]");
        assertThat(read(INSTANCE + "havip {\n liveness_secret \"" + SECRET + "\"\n}\n").toString()).doesNotContain("s3cr3t");
    }

    @Test
    void theSecretIsCopiedInAndOut() {
        byte[] b = SECRET.getBytes(StandardCharsets.UTF_8);
        HavipSettings h = new HavipSettings(true, b, 0, Duration.ZERO, java.util.Optional.empty(), false, io.havip.vrrp.machine.StrayAddressPolicy.REMOVE);
        b[0] = 'X';
        h.livenessSecret()[1] = 'Y';
        assertThat(h.livenessSecret()).isEqualTo(SECRET.getBytes(StandardCharsets.UTF_8));
        assertThat(h).isEqualTo(new HavipSettings(true, SECRET.getBytes(StandardCharsets.UTF_8), 0, Duration.ZERO,
                java.util.Optional.empty(), false, io.havip.vrrp.machine.StrayAddressPolicy.REMOVE)).hasSameHashCodeAs(new HavipSettings(true,
                SECRET.getBytes(StandardCharsets.UTF_8), 0, Duration.ZERO, java.util.Optional.empty(), false, io.havip.vrrp.machine.StrayAddressPolicy.REMOVE));
    }

    @Test
    void strayAddressPolicyDefaultsToRemoveAndReadsReport() {
        assertThat(HavipSettings.NONE.strayAddressPolicy()).isEqualTo(io.havip.vrrp.machine.StrayAddressPolicy.REMOVE);
        assertThat(havip(" liveness off").strayAddressPolicy()).isEqualTo(io.havip.vrrp.machine.StrayAddressPolicy.REMOVE);
        HavipSettings h = havip(" liveness off\n stray_addresses report");
        assertThat(h.strayAddressPolicy()).isEqualTo(io.havip.vrrp.machine.StrayAddressPolicy.REPORT);
        assertThat(h.toString()).contains("stray addresses REPORT");
        assertThat(havip(" liveness off\n stray_addresses REMOVE").strayAddressPolicy())
                .isEqualTo(io.havip.vrrp.machine.StrayAddressPolicy.REMOVE);
        assertThat(error(" liveness off\n stray_addresses keep")).isEqualTo("10: key 'stray_addresses': \"keep\" is not a"
                + " stray address policy (allowed: remove (default: a backup removes a virtual address found on its"
                + " interface) or report (it only logs and counts it))");
        assertThat(error(" liveness off\n stray_addresses")).startsWith("10: key 'stray_addresses': missing value");
        io.havip.vrrp.keepalived.KeepalivedRouters.Mapping m = io.havip.vrrp.keepalived.KeepalivedRouters.map(
                read(INSTANCE + "havip {\n liveness off\n stray_addresses report\n}\n"));
        assertThat(m.routers().get("VI").settings().router().strayAddressPolicy())
                .isEqualTo(io.havip.vrrp.machine.StrayAddressPolicy.REPORT);
    }
}
