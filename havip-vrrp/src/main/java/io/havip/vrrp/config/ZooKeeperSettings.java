package io.havip.vrrp.config;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The {@code zookeeper { ... }} block inside {@code havip { ... }}: every {@code vrrp_instance}
 * of the file is put under a ZooKeeper lease ({@code havip-zookeeper}); the instances stay as
 * they are.
 *
 * <pre>
 * havip {
 *     zookeeper {
 *         connect 10.0.0.11:2181,10.0.0.12:2181,10.0.0.13:2181   # required
 *         path /havip/prod          # default /havip; the lease of an instance is &lt;path&gt;/&lt;instance name&gt;
 *         mode guard                # guard (default: VRRP elects, the lease holder binds) or lease (no VRRP)
 *         session_timeout 10s       # default 10s; also 1500ms, or plain seconds
 *         unreachable release       # release (default) or hold; see WhenUnreachable
 *         node node1                # this node's name in the store; default the host name
 *     }
 * }
 * </pre>
 *
 * @param connect        the ensemble, {@code host:port[,host:port...][/chroot]}
 * @param path           where the leases live
 * @param mode           quorum guard or lease only
 * @param sessionTimeout the session timeout asked of ZooKeeper
 * @param unreachable    what a holder does while ZooKeeper does not answer
 * @param node           this node's name in the store, or empty for the host name
 * @param location       where the block starts
 */
public record ZooKeeperSettings(String connect, String path, Mode mode, Duration sessionTimeout, Unreachable unreachable,
                                Optional<String> node, SourceLocation location) {

    /** The default {@code path}. */
    public static final String DEFAULT_PATH = "/havip";
    /** The default {@code session_timeout}. */
    public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(10);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.:@-]{1,200}");

    /** {@code mode}. */
    public enum Mode {
        /** VRRP elects; the winner binds only while it holds the lease. */
        GUARD,
        /** No VRRP traffic; the lease holder binds. */
        LEASE
    }

    /** {@code unreachable}. */
    public enum Unreachable {
        /** Release by the release deadline (excludes two holders). */
        RELEASE,
        /** Keep the address until the session is declared lost (risks two holders). */
        HOLD
    }

    public ZooKeeperSettings {
        Objects.requireNonNull(connect, "connect");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(sessionTimeout, "sessionTimeout");
        Objects.requireNonNull(unreachable, "unreachable");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(location, "location");
    }

    /**
     * Why {@code connect} is not {@code host:port[,host:port...][/chroot]}, or empty when it is.
     * (Also used by {@code ZooKeeperAuthority}, so both say the same.)
     */
    public static Optional<String> connectProblem(String connect) {
        if (connect == null || connect.isBlank()) {
            return Optional.of("no ensemble given");
        }
        String hosts = connect.contains("/") ? connect.substring(0, connect.indexOf('/')) : connect;
        for (String hp : hosts.split(",", -1)) {
            int colon = hp.lastIndexOf(':');
            String host = colon < 0 ? hp : hp.substring(0, colon);
            String port = colon < 0 ? "2181" : hp.substring(colon + 1);
            boolean portOk = port.matches("\\d{1,5}") && Integer.parseInt(port) > 0 && Integer.parseInt(port) < 65536;
            if (host.isBlank() || !portOk || host.chars().anyMatch(Character::isWhitespace)) {
                return Optional.of("'" + hp + "' is not host:port (e.g. 10.0.0.11:2181)");
            }
        }
        return Optional.empty();
    }

    /** Why {@code path} is not an absolute ZooKeeper path havip can use, or empty when it is. */
    public static Optional<String> pathProblem(String path) {
        if (path == null || !path.startsWith("/") || (path.length() > 1 && path.endsWith("/")) || path.contains("//")) {
            return Optional.of("'" + path + "' is not an absolute ZooKeeper path such as /havip/prod (starts with /, no "
                    + "trailing / and no empty segment)");
        }
        if (path.length() > 1) {
            for (String s : path.substring(1).split("/")) {
                Optional<String> p = nameProblem("segment", s);
                if (p.isPresent()) {
                    return Optional.of("path '" + path + "': " + p.get());
                }
            }
        }
        return Optional.empty();
    }

    /** Why {@code name} cannot name a znode (a node or router name, a path segment), or empty. */
    public static Optional<String> nameProblem(String what, String name) {
        if (name == null || !NAME.matcher(name).matches() || name.equals(".") || name.equals("..")) {
            return Optional.of(what + " '" + name + "' cannot name a ZooKeeper node: use 1-200 of A-Z a-z 0-9 _ . : @ - "
                    + "(and not '.' or '..')");
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return "zookeeper " + connect + path + " mode " + mode.name().toLowerCase(java.util.Locale.ROOT)
                + ", session timeout " + sessionTimeout.toMillis() + " ms, unreachable "
                + unreachable.name().toLowerCase(java.util.Locale.ROOT) + node.map(n -> ", node " + n).orElse("");
    }
}
