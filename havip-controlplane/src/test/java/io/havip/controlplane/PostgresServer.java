package io.havip.controlplane;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A real PostgreSQL for the tests, started by them: Debian's {@code postgresql} package,
 * {@code initdb} of a cluster in a temporary directory, {@code pg_ctl start} on 127.0.0.1
 * at a free port (its socket in the same directory), stopped and removed when the test JVM
 * exits, also after a failure. PostgreSQL refuses to run as root, so as root it runs as the
 * {@code postgres} user through {@code runuser}. Without the package the tests skip saying
 * what to install; under {@code CI=true} that is a failure instead.
 *
 * <p>fsync is off: the tests kill control-plane instances (clients), never the server.
 */
final class PostgresServer {

    private static PostgresServer instance;
    private static final AtomicInteger DATABASES = new AtomicInteger();

    private final Path dir;
    private final Path bin;
    private final int port;
    private final boolean asPostgresUser;

    private PostgresServer(Path dir, Path bin, int port, boolean asPostgresUser) {
        this.dir = dir;
        this.bin = bin;
        this.port = port;
        this.asPostgresUser = asPostgresUser;
    }

    /** The server of this JVM, started on first use; skips (or fails under CI=true) when PostgreSQL is not installed. */
    static synchronized PostgresServer get() {
        if (instance == null) {
            instance = start();
        }
        return instance;
    }

    private static PostgresServer start() {
        Optional<Path> bin = findBin();
        boolean root = isRoot();
        List<String> missing = new ArrayList<>();
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
            missing.add("Linux");
        }
        if (bin.isEmpty()) {
            missing.add("PostgreSQL's server binaries (/usr/lib/postgresql/*/bin/initdb: apt-get install postgresql)");
        }
        if (root && !Files.isExecutable(Path.of("/usr/sbin/runuser")) && !Files.isExecutable(Path.of("/sbin/runuser"))) {
            missing.add("runuser (util-linux), to run PostgreSQL as the postgres user");
        }
        if (!missing.isEmpty()) {
            String message = "the PostgreSQL tests need " + String.join(", ", missing);
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail("CI=true, so this is a failure, not a skip: " + message);
            }
            Assumptions.abort(message);
        }
        try {
            Path dir = Files.createTempDirectory("havip-pg-");
            PostgresServer server = new PostgresServer(dir, bin.get(), freePort(), root);
            Runtime.getRuntime().addShutdownHook(new Thread(server::stopAndRemove, "postgres-test-cleanup"));
            if (root) {
                run(List.of("chown", "postgres:postgres", dir.toString()));
                run(List.of("chmod", "700", dir.toString()));
            }
            server.pg(List.of(bin.get().resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-A", "trust",
                    "-U", "postgres", "-E", "UTF8", "--no-sync", "--locale=C"));
            // one role logs in with a password (SCRAM), for the tests of a wrong one; everyone else is trusted
            Path hba = dir.resolve("data").resolve("pg_hba.conf");
            server.pg(List.of("sh", "-c", "{ echo 'host all " + PASSWORD_USER + " 127.0.0.1/32 scram-sha-256'; cat " + hba
                    + "; } > " + hba + ".new && mv " + hba + ".new " + hba));
            server.pg(List.of(bin.get().resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-l",
                    dir.resolve("log").toString(), "-w", "-t", "60", "-o",
                    "-p " + server.port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off"
                            + " -c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
                    "start"));
            return server;
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("could not start a PostgreSQL for the tests: " + e.getMessage(), e);
        }
    }

    /** The role that must log in with {@link #PASSWORD} (created with {@link #newPasswordDatabase()}). */
    static final String PASSWORD_USER = "havip_password";
    static final String PASSWORD = "right-password-7";

    /**
     * A new, empty database owned by {@link #PASSWORD_USER}, who must give {@link #PASSWORD};
     * its JDBC URL, without user or password.
     */
    String newPasswordDatabase() {
        String name = "havip_test_" + DATABASES.incrementAndGet();
        try (Connection c = DriverManager.getConnection(url("postgres"), "postgres", "");
                Statement s = c.createStatement()) {
            s.execute("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '" + PASSWORD_USER + "') THEN "
                    + "CREATE ROLE " + PASSWORD_USER + " LOGIN PASSWORD '" + PASSWORD + "'; END IF; END $$");
            s.execute("CREATE DATABASE " + name + " OWNER " + PASSWORD_USER);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name + ": " + e.getMessage(), e);
        }
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + name;
    }

    /** A new, empty database on this server; its JDBC URL. */
    String newDatabase() {
        String name = "havip_test_" + DATABASES.incrementAndGet();
        try (Connection c = DriverManager.getConnection(url("postgres"), "postgres", "");
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name + ": " + e.getMessage(), e);
        }
        return url(name);
    }

    String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=postgres";
    }

    private void pg(List<String> command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (asPostgresUser) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        run(full);
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(90, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
    }

    private void stopAndRemove() {
        try {
            pg(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate", "-w",
                    "stop"));
        } catch (IOException | InterruptedException e) {
            System.err.println("stopping the test PostgreSQL in " + dir + " failed: " + e.getMessage());
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("removing " + dir + " failed: " + e.getMessage());
        }
    }

    private static Optional<Path> findBin() {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
                    .max(Comparator.comparing(Path::toString));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.substring(4).trim().split("\\s+")[1].equals("0");
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
