package io.havip.vrrp.config;

import io.havip.vrrp.config.ConfigSyntax.Statement;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Reads {@code havip { zookeeper { ... } }} into {@link ZooKeeperSettings}. Unlike the rest of
 * the file, an unknown keyword here is an error, not a warning: a misspelt safety setting must
 * not leave the guard silently other than meant.
 */
final class ZooKeeperBlock {

    private static final String CONNECT_ALLOWED = "host:port[,host:port...][/chroot], e.g. "
            + "10.0.0.11:2181,10.0.0.12:2181,10.0.0.13:2181";
    private static final String PATH_ALLOWED = "an absolute path such as /havip/prod (default /havip)";
    private static final String MODE_ALLOWED = "guard (VRRP elects, the lease holder binds; default) or lease (no VRRP "
            + "traffic, the lease holder binds)";
    private static final String TIMEOUT_ALLOWED = "1s-3600s: 10s, 1500ms, or plain seconds (default 10s)";
    private static final String UNREACHABLE_ALLOWED = "release (default: the holder lets go before the lease can be "
            + "granted elsewhere) or hold (keeps the address until the session is lost; two holders are possible)";
    private static final String NODE_ALLOWED = "1-200 of A-Z a-z 0-9 _ . : @ - (default: the host name)";
    private static final String AUTH_ALLOWED = "the path of a file holding one line user:password (ZooKeeper digest "
            + "credentials, printable ASCII), readable by the daemon only (chmod 600); no inline form";
    private static final String KEYS = "connect, path, mode, session_timeout, unreachable, node, auth_file";

    private ZooKeeperBlock() {
    }

    static ZooKeeperSettings read(Statement block, KeepalivedConfigReader r) {
        if (block.block() == null) {
            throw new ConfigException(block.location(), "zookeeper", "takes a { ... } block", "zookeeper { connect "
                    + "HOST:PORT,... }");
        }
        String connect = null;
        String path = ZooKeeperSettings.DEFAULT_PATH;
        ZooKeeperSettings.Mode mode = ZooKeeperSettings.Mode.GUARD;
        Duration timeout = ZooKeeperSettings.DEFAULT_SESSION_TIMEOUT;
        ZooKeeperSettings.Unreachable unreachable = ZooKeeperSettings.Unreachable.RELEASE;
        Optional<String> node = Optional.empty();
        Optional<ZooKeeperSettings.Auth> auth = Optional.empty();
        Map<String, SourceLocation> seen = new HashMap<>();
        for (Statement s : block.block()) {
            SourceLocation first = seen.putIfAbsent(s.name(), s.location());
            if (first != null) {
                throw new ConfigException(s.location(), s.name(), "given twice in zookeeper (first at " + first + ")",
                        "each of " + KEYS + " once");
            }
            if (s.block() != null) {
                throw new ConfigException(s.location(), s.name(), "takes a value, not a { ... } block", KEYS);
            }
            switch (s.name()) {
                case "connect" -> {
                    connect = r.single(s, CONNECT_ALLOWED);
                    String c = connect;
                    ZooKeeperSettings.connectProblem(c).ifPresent(p -> {
                        throw new ConfigException(s.location(), s.name(), p, CONNECT_ALLOWED);
                    });
                }
                case "path" -> {
                    path = r.single(s, PATH_ALLOWED);
                    ZooKeeperSettings.pathProblem(path).ifPresent(p -> {
                        throw new ConfigException(s.location(), s.name(), p, PATH_ALLOWED);
                    });
                }
                case "mode" -> mode = switch (r.single(s, MODE_ALLOWED).toLowerCase(Locale.ROOT)) {
                    case "guard" -> ZooKeeperSettings.Mode.GUARD;
                    case "lease" -> ZooKeeperSettings.Mode.LEASE;
                    default -> throw new ConfigException(s.location(), s.name(), "\"" + s.args().get(0).text()
                            + "\" is not a mode", MODE_ALLOWED);
                };
                case "session_timeout" -> timeout = timeout(s, r.single(s, TIMEOUT_ALLOWED));
                case "unreachable" -> unreachable = switch (r.single(s, UNREACHABLE_ALLOWED).toLowerCase(Locale.ROOT)) {
                    case "release" -> ZooKeeperSettings.Unreachable.RELEASE;
                    case "hold" -> ZooKeeperSettings.Unreachable.HOLD;
                    default -> throw new ConfigException(s.location(), s.name(), "\"" + s.args().get(0).text()
                            + "\" is not what to do when ZooKeeper is unreachable", UNREACHABLE_ALLOWED);
                };
                case "node" -> {
                    String n = r.single(s, NODE_ALLOWED);
                    ZooKeeperSettings.nameProblem("node", n).ifPresent(p -> {
                        throw new ConfigException(s.location(), s.name(), p, NODE_ALLOWED);
                    });
                    node = Optional.of(n);
                }
                case "auth_file" -> auth = Optional.of(auth(s, r));
                case "auth", "digest", "password", "auth_digest", "user" -> throw new ConfigException(s.location(),
                        s.name(), "credentials are not taken in the configuration file (it is commonly readable by "
                        + "every user; the value is not shown): put user:password in a file readable by the daemon "
                        + "only", "auth_file PATH");
                default -> throw new ConfigException(s.location(), s.name(), "unknown keyword '" + s.name()
                        + "' in zookeeper", KEYS);
            }
        }
        if (connect == null) {
            throw new ConfigException(block.location(), "zookeeper", "no connect line: the block must name the "
                    + "ensemble", "connect " + CONNECT_ALLOWED);
        }
        return new ZooKeeperSettings(connect, path, mode, timeout, unreachable, node, block.location(), auth);
    }

    /** {@code auth_file PATH}: the file is read now, so that {@code --check} finds what start would refuse. */
    private static ZooKeeperSettings.Auth auth(Statement s, KeepalivedConfigReader r) {
        String value = r.single(s, AUTH_ALLOWED);
        java.nio.file.Path file;
        try {
            file = r.besideConfig(s.location(), value);
        } catch (java.nio.file.InvalidPathException e) {
            throw new ConfigException(s.location(), s.name(), "\"" + value + "\" is not a valid path: " + e.getReason(),
                    AUTH_ALLOWED);
        }
        try {
            return ZooKeeperSettings.readAuthFile(file, w -> r.warn(s.location(), s.name() + " " + w));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(s.location(), s.name(), e.getMessage(), AUTH_ALLOWED);
        }
    }

    private static Duration timeout(Statement s, String v) {
        String lower = v.toLowerCase(Locale.ROOT);
        BigDecimal millis;
        try {
            if (lower.endsWith("ms")) {
                millis = new BigDecimal(lower.substring(0, lower.length() - 2));
            } else if (lower.endsWith("s")) {
                millis = new BigDecimal(lower.substring(0, lower.length() - 1)).movePointRight(3);
            } else {
                millis = new BigDecimal(lower).movePointRight(3);
            }
        } catch (NumberFormatException e) {
            throw new ConfigException(s.location(), s.name(), "\"" + v + "\" is not a duration", TIMEOUT_ALLOWED);
        }
        if (millis.compareTo(BigDecimal.valueOf(1000)) < 0 || millis.compareTo(BigDecimal.valueOf(3_600_000)) > 0) {
            throw new ConfigException(s.location(), s.name(), v + " is out of range", TIMEOUT_ALLOWED);
        }
        return Duration.ofMillis(millis.setScale(0, java.math.RoundingMode.HALF_UP).longValueExact());
    }
}
