package io.havip.vrrp.config;

import io.havip.vrrp.config.ConfigSyntax.Statement;
import io.havip.vrrp.machine.StrayAddressPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the {@code havip { ... }} block into {@link HavipSettings}. No message ever contains
 * the secret or a part of it: only its length and, for a file, the file's name.
 */
final class HavipBlock {

    /** The liveness HMAC key minimum (io.havip.vrrp.liveness.LivenessConfig.MIN_SECRET_BYTES): 128 bits. */
    static final int MIN_SECRET_BYTES = 16;
    /** A secret file larger than this is not a secret file (and /dev/zero must not be read forever). */
    static final int MAX_SECRET_BYTES = 4096;
    /** The grace only waits for an advert already in flight; longer is the VRRP timers' job (LivenessConfig's bound). */
    static final int MAX_GRACE_MS = 1000;
    private static final String SECRET_ALLOWED = "one value of at least " + MIN_SECRET_BYTES + " bytes; quote it if it"
            + " contains spaces or #, e.g. the output of `openssl rand -base64 24`";
    private static final String STRAY_ALLOWED = "remove (default: a backup removes a virtual address found on its"
            + " interface) or report (it only logs and counts it)";
    private static final String SECRET_FILE_ALLOWED = "the path of a regular file of " + MIN_SECRET_BYTES + "-"
            + MAX_SECRET_BYTES + " bytes (a trailing line break is not part of the secret), readable by the daemon only";

    /** Keys that are not about the liveness channel: a block of only these does not turn the channel on. */
    private static final Set<String> NOT_LIVENESS = Set.of("accept_adverts_from_non_peers", "stray_addresses",
            "zookeeper");

    private HavipBlock() {
    }

    static HavipSettings read(Statement block, KeepalivedConfigReader r) {
        boolean liveness = true;
        byte[] secret = null;
        SourceLocation secretAt = null;
        int port = 0;
        Duration grace = HavipSettings.DEFAULT_GRACE;
        boolean acceptNonPeers = false;
        boolean onlyOtherSettings = !block.block().isEmpty();
        StrayAddressPolicy stray = StrayAddressPolicy.REMOVE;
        Optional<ZooKeeperSettings> zookeeper = Optional.empty();
        for (Statement s : block.block()) {
            if (!NOT_LIVENESS.contains(s.name())) {
                onlyOtherSettings = false;
            }
            switch (s.name()) {
                case "liveness" -> liveness = r.bool(s);
                case "liveness_secret", "liveness_secret_file" -> {
                    if (secret != null) {
                        throw new ConfigException(s.location(), s.name(), "a secret is already given at " + secretAt,
                                "one of liveness_secret or liveness_secret_file, once");
                    }
                    String value = secretValue(s);
                    secret = s.name().equals("liveness_secret") ? inlineSecret(s, value) : fileSecret(s, value, r);
                    secretAt = s.location();
                }
                case "liveness_port" -> port = r.integer(s, 1, 65535, "1-65535; default 11200 + virtual_router_id");
                case "liveness_grace_ms" -> grace = Duration.ofMillis(r.integer(s, 0, MAX_GRACE_MS,
                        "0-" + MAX_GRACE_MS + " milliseconds; default 10"));
                case "accept_adverts_from_non_peers" -> acceptNonPeers = r.bool(s);
                case "stray_addresses" -> stray = strayPolicy(s, r);
                case "zookeeper" -> {
                    if (zookeeper.isPresent()) {
                        throw new ConfigException(s.location(), "zookeeper", "given twice in havip (first at "
                                + zookeeper.get().location() + ")", "one zookeeper { ... } block");
                    }
                    zookeeper = Optional.of(ZooKeeperBlock.read(s, r));
                }
                default -> r.warn(s.location(), "unknown keyword '" + s.name() + "' in havip ignored");
            }
        }
        if (onlyOtherSettings && secret == null) {
            liveness = false; // a block of other settings only does not ask for the channel
        }
        if (liveness && secret == null) {
            throw new ConfigException(block.location(), "havip", "the liveness channel needs a shared secret and the"
                    + " block gives none", "liveness_secret_file PATH, liveness_secret \"...\", or liveness off");
        }
        return new HavipSettings(liveness, secret == null ? new byte[0] : secret, port, grace, Optional.of(block.location()),
                acceptNonPeers, stray, zookeeper);
    }

    private static StrayAddressPolicy strayPolicy(Statement s, KeepalivedConfigReader r) {
        String v = r.single(s, STRAY_ALLOWED);
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "remove" -> StrayAddressPolicy.REMOVE;
            case "report" -> StrayAddressPolicy.REPORT;
            default -> throw new ConfigException(s.location(), s.name(), "\"" + v + "\" is not a stray address policy",
                    STRAY_ALLOWED);
        };
    }

    /** The one value, checked without ever echoing it (the generic helpers quote extra values in warnings). */
    private static String secretValue(Statement s) {
        if (s.block() != null) {
            throw new ConfigException(s.location(), s.name(), "takes a value, not a { ... } block",
                    s.name().endsWith("_file") ? SECRET_FILE_ALLOWED : SECRET_ALLOWED);
        }
        if (s.args().size() != 1) {
            throw new ConfigException(s.location(), s.name(), s.args().isEmpty() ? "missing value"
                    : s.args().size() + " values where one is expected (not shown: they may be the secret)",
                    s.name().endsWith("_file") ? SECRET_FILE_ALLOWED : SECRET_ALLOWED);
        }
        return s.args().get(0).text();
    }

    private static byte[] inlineSecret(Statement s, String value) {
        byte[] b = value.getBytes(StandardCharsets.UTF_8);
        if (b.length < MIN_SECRET_BYTES) {
            throw new ConfigException(s.location(), s.name(), "the secret has " + b.length + " bytes (not shown), fewer"
                    + " than " + MIN_SECRET_BYTES, SECRET_ALLOWED);
        }
        return b;
    }

    private static byte[] fileSecret(Statement s, String value, KeepalivedConfigReader r) {
        Path file;
        try {
            file = r.besideConfig(s.location(), value);
        } catch (InvalidPathException e) {
            throw new ConfigException(s.location(), s.name(), "\"" + value + "\" is not a valid path: " + e.getReason(),
                    SECRET_FILE_ALLOWED);
        }
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(s.location(), s.name(), file + (Files.exists(file) ? " is not a regular file"
                    : " does not exist"), SECRET_FILE_ALLOWED);
        }
        byte[] b;
        try (InputStream in = Files.newInputStream(file)) {
            b = in.readNBytes(MAX_SECRET_BYTES + 1);
        } catch (IOException e) {
            ConfigText.Unreadable u = ConfigText.unreadable(e, file);
            throw new ConfigException(s.location(), s.name(), "cannot read " + file + ": " + u.reason() + "; "
                    + u.advice(), SECRET_FILE_ALLOWED);
        }
        if (b.length > MAX_SECRET_BYTES) {
            throw new ConfigException(s.location(), s.name(), file + " is larger than " + MAX_SECRET_BYTES + " bytes",
                    SECRET_FILE_ALLOWED);
        }
        int n = b.length;
        if (n > 0 && b[n - 1] == '\n') {
            n--;
            if (n > 0 && b[n - 1] == '\r') {
                n--;
            }
        }
        if (n < MIN_SECRET_BYTES) {
            throw new ConfigException(s.location(), s.name(), file + " holds " + n + " bytes (not shown), fewer than "
                    + MIN_SECRET_BYTES, SECRET_FILE_ALLOWED);
        }
        warnIfOthersCanRead(s, file, r);
        return Arrays.copyOf(b, n);
    }

    /** As ssh does for private keys: a secret the group or everyone can read is not much of a secret. */
    private static void warnIfOthersCanRead(Statement s, Path file, KeepalivedConfigReader r) {
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        if (view == null) {
            return;
        }
        try {
            Set<PosixFilePermission> p = view.readAttributes().permissions();
            if (p.contains(PosixFilePermission.GROUP_READ) || p.contains(PosixFilePermission.OTHERS_READ)) {
                r.warn(s.location(), s.name() + " " + file + " is readable by "
                        + (p.contains(PosixFilePermission.OTHERS_READ) ? "every user" : "its group")
                        + "; make it readable by the daemon only (chmod 600 " + file + ")");
            }
        } catch (IOException | SecurityException e) {
            // permissions unknown: nothing to warn about
        }
    }
}
