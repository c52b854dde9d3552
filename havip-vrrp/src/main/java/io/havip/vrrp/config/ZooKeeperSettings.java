package io.havip.vrrp.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
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
 *         auth_file /etc/havip/zookeeper-auth   # digest credentials, the file holds user:password
 *     }
 * }
 * </pre>
 *
 * <p>{@code auth_file}: ZooKeeper digest credentials for a shared ensemble (see
 * {@code ZooKeeperAuthority.Builder#digest}): every lease znode havip creates is then writable
 * only with them and readable by anyone. The file holds one line {@code user:password}
 * (printable ASCII; a trailing line break is not part of it), is owned by the daemon's user
 * and must not be readable by every user: havipd refuses to start otherwise (a group-readable
 * file is warned, as the liveness secret file). There is no inline form: keepalived.conf is
 * commonly world-readable, and the password guards an ensemble shared with other
 * applications. {@code --check} and {@code --json} show the file and the user, never the
 * password.
 *
 * @param connect        the ensemble, {@code host:port[,host:port...][/chroot]}
 * @param path           where the leases live
 * @param mode           quorum guard or lease only
 * @param sessionTimeout the session timeout asked of ZooKeeper
 * @param unreachable    what a holder does while ZooKeeper does not answer
 * @param node           this node's name in the store, or empty for the host name
 * @param location       where the block starts
 * @param auth           {@code auth_file}: the digest credentials, or empty (the open ACL)
 */
public record ZooKeeperSettings(String connect, String path, Mode mode, Duration sessionTimeout, Unreachable unreachable,
                                Optional<String> node, SourceLocation location, Optional<Auth> auth) {

    /** A secret file larger than this is not a credentials file (and /dev/zero must not be read forever). */
    static final int MAX_AUTH_FILE_BYTES = 4096;

    /**
     * Digest credentials read from {@code file}. {@link #toString()} never shows the password;
     * {@link #password()} returns a copy.
     */
    public record Auth(String user, byte[] password, Path file) {
        public Auth {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(file, "file");
            password = password.clone();
        }

        @Override
        public byte[] password() {
            return password.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Auth a && a.user.equals(user) && Arrays.equals(a.password, password) && a.file.equals(file);
        }

        @Override
        public int hashCode() {
            return Objects.hash(user, file, Arrays.hashCode(password));
        }

        @Override
        public String toString() {
            return "digest user " + user + " from " + file + " (password not shown)";
        }
    }

    /** Without credentials (the open ACL). */
    public ZooKeeperSettings(String connect, String path, Mode mode, Duration sessionTimeout, Unreachable unreachable,
                             Optional<String> node, SourceLocation location) {
        this(connect, path, mode, sessionTimeout, unreachable, node, location, Optional.empty());
    }

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
        Objects.requireNonNull(auth, "auth");
    }

    /**
     * Why {@code user} and {@code password} are not usable ZooKeeper digest credentials, or
     * empty. Never quotes the password. (Also used by {@code ZooKeeperAuthority}.)
     */
    public static Optional<String> authProblem(String user, byte[] password) {
        if (user == null || user.isEmpty() || user.length() > 200) {
            return Optional.of("the user must be 1-200 characters" + (user == null ? "" : ", not " + user.length()));
        }
        for (int i = 0; i < user.length(); i++) {
            char c = user.charAt(i);
            if (c <= 0x20 || c >= 0x7f || c == ':') {
                return Optional.of("the user must be printable ASCII without spaces or ':' (ZooKeeper splits "
                        + "user:password at the first ':'); its character " + (i + 1) + " is " + String.format("U+%04X", (int) c));
            }
        }
        if (password == null || password.length == 0) {
            return Optional.of("the password for user '" + user + "' is empty");
        }
        for (int i = 0; i < password.length; i++) {
            if (password[i] < 0x20 || password[i] > 0x7e) {
                return Optional.of("the password for user '" + user + "' (not shown) has a byte that is not printable "
                        + "ASCII at position " + (i + 1) + " of " + password.length + ": the ZooKeeper server decodes "
                        + "it in its own platform charset, so only printable ASCII gives the same identity everywhere");
            }
        }
        return Optional.empty();
    }

    /**
     * Reads a credentials file: a regular file, not readable by every user (refused; readable by
     * its group: {@code warn} is told), of one line {@code user:password} whose trailing line
     * break is not part of it. Throws {@link IllegalArgumentException} with a message that names
     * the file and what to do, never the password (the caller adds where it was given).
     */
    public static Auth readAuthFile(Path file, Consumer<String> warn) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + (Files.exists(file) ? " is not a regular file" : " does not exist")
                    + ": give a file holding one line user:password, readable by the daemon only (chmod 600)");
        }
        Set<PosixFilePermission> perms = null;
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        if (view != null) {
            try {
                perms = view.readAttributes().permissions();
            } catch (IOException | SecurityException e) {
                // unknown: not checked
            }
        }
        if (perms != null && perms.contains(PosixFilePermission.OTHERS_READ)) {
            throw new IllegalArgumentException(file + " is readable by every user: whoever reads it can take the "
                    + "ZooKeeper leases; make it readable by the daemon only (chmod 600 " + file + ")");
        }
        byte[] b;
        try (InputStream in = Files.newInputStream(file)) {
            b = in.readNBytes(MAX_AUTH_FILE_BYTES + 1);
        } catch (AccessDeniedException | SecurityException e) {
            throw new IllegalArgumentException("cannot read " + file + ": permission denied; it must be readable by the "
                    + "user the daemon runs as (and by nobody else: chmod 600)");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
        }
        try {
            if (b.length > MAX_AUTH_FILE_BYTES) {
                throw new IllegalArgumentException(file + " is larger than " + MAX_AUTH_FILE_BYTES + " bytes; it must "
                        + "hold only user:password");
            }
            int n = b.length;
            if (n > 0 && b[n - 1] == '\n') {
                n--;
                if (n > 0 && b[n - 1] == '\r') {
                    n--;
                }
            }
            if (n == 0) {
                throw new IllegalArgumentException(file + " is empty; it must hold one line user:password");
            }
            int colon = -1;
            for (int i = 0; i < n && colon < 0; i++) {
                colon = b[i] == ':' ? i : -1;
            }
            if (colon < 0) {
                throw new IllegalArgumentException(file + " holds " + n + " bytes (not shown) without a ':'; it must "
                        + "hold one line user:password");
            }
            String user = new String(b, 0, colon, StandardCharsets.UTF_8);
            byte[] password = Arrays.copyOfRange(b, colon + 1, n);
            try {
                Optional<String> p = authProblem(user, password);
                if (p.isPresent()) {
                    throw new IllegalArgumentException(file + ": " + p.get());
                }
                if (perms != null && perms.contains(PosixFilePermission.GROUP_READ)) {
                    warn.accept(file + " is readable by its group; make it readable by the daemon only (chmod 600 "
                            + file + ")");
                }
                return new Auth(user, password, file);
            } finally {
                Arrays.fill(password, (byte) 0);
            }
        } finally {
            Arrays.fill(b, (byte) 0);
        }
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
                + unreachable.name().toLowerCase(java.util.Locale.ROOT) + node.map(n -> ", node " + n).orElse("")
                + auth.map(a -> ", " + a).orElse(", no credentials");
    }
}
