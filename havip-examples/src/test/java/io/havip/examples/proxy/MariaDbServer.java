package io.havip.examples.proxy;

import io.havip.arp.testbed.Cmd;
import io.havip.arp.testbed.Node;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throw-away MariaDB server (Debian's {@code mariadb-server}) in a test namespace: its own
 * data directory, socket and pid file under a temporary directory, listening on the node's
 * address only, with a user {@code havip}/{@code havip} and a table {@code havip.t(seq)}.
 * {@link #close()} stops it by its pid (SIGTERM, then SIGKILL) and deletes the directory.
 */
final class MariaDbServer implements AutoCloseable {

    static final String USER = "havip";
    static final String PASSWORD = "havip";
    static final int PORT = 3306;

    private final Path dir;
    private final Process process;
    private final String address;

    private MariaDbServer(Path dir, Process process, String address) {
        this.dir = dir;
        this.process = process;
        this.address = address;
    }

    /** Initialises a data directory and starts {@code mariadbd} in {@code node}'s namespace; waits until it accepts connections. */
    static MariaDbServer start(Node node) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("havip-mariadb-");
        Path data = dir.resolve("data");
        Cmd.run("mariadb-install-db", "--no-defaults", "--datadir=" + data, "--user=root",
                "--auth-root-authentication-method=normal", "--skip-test-db").check();
        Files.writeString(dir.resolve("init.sql"), """
                CREATE DATABASE IF NOT EXISTS havip;
                CREATE USER IF NOT EXISTS 'havip'@'%' IDENTIFIED BY 'havip';
                GRANT ALL ON havip.* TO 'havip'@'%';
                CREATE TABLE IF NOT EXISTS havip.t (seq BIGINT PRIMARY KEY) ENGINE=InnoDB;
                """);
        String address = node.ipv4().toString();
        List<String> cmd = List.of("ip", "netns", "exec", node.namespace(), "mariadbd", "--no-defaults",
                "--datadir=" + data, "--socket=" + dir.resolve("mysqld.sock"), "--pid-file=" + dir.resolve("mysqld.pid"),
                "--bind-address=" + address, "--port=" + PORT, "--user=root", "--skip-name-resolve", "--skip-log-bin",
                "--init-file=" + dir.resolve("init.sql"), "--innodb-buffer-pool-size=32M", "--innodb-log-file-size=16M",
                "--log-error=" + dir.resolve("error.log"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
        MariaDbServer server = new MariaDbServer(dir, p, address);
        try {
            server.awaitListening(node);
            return server;
        } catch (RuntimeException | InterruptedException e) {
            server.close();
            throw e;
        }
    }

    private void awaitListening(Node node) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < end) {
            if (!process.isAlive()) {
                throw new IllegalStateException("mariadbd exited " + process.exitValue() + ": " + log());
            }
            try {
                boolean up = node.call(() -> {
                    try (Socket s = new Socket()) {
                        s.connect(new InetSocketAddress(address, PORT), 500);
                        return true;
                    } catch (IOException e) {
                        return false;
                    }
                });
                if (up) {
                    return;
                }
            } catch (Exception e) {
                throw new IllegalStateException("probing mariadbd failed", e);
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("mariadbd did not listen on " + address + ":" + PORT + " within 60 s: " + log());
    }

    /** The JDBC URL of the server itself (not through a proxy). */
    String directUrl() {
        return "jdbc:mariadb://" + address + ":" + PORT + "/havip";
    }

    String log() {
        try {
            Path err = dir.resolve("error.log");
            return Files.exists(err) ? Files.readString(err) : "(no error log)";
        } catch (IOException e) {
            return "(error log unreadable: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy(); // SIGTERM to mariadbd's pid (ip netns exec execs it): a clean shutdown
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort: a temp directory
        }
    }
}
