package io.havip.vrrp.it;

import io.havip.arp.testbed.LinuxTestRequirements;
import io.havip.arp.testbed.Node;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A keepalived (Debian package, 2.2.x) run by a test in a node's namespace with its own
 * configuration, pid files and console log:
 * {@code ip netns exec NS keepalived -n -l -D -R -P -f CONF -p PID -r VRRP_PID}. {@code -n}: the
 * parent does not daemonise (it is the process we started); it forks one VRRP child, whose pid
 * {@code -r} writes; {@code -R}: a killed child is not respawned, so SIGKILL of the child is a crash.
 * Only these two processes are ever signalled, by pid, and {@link #close()} kills both if alive.
 */
final class Keepalived implements AutoCloseable {

    /**
     * Lines keepalived 2.2.7 logs when it rejects a received advert (vrrp.c, vrrp_check_packet and
     * friends; found with {@code strings /usr/sbin/keepalived}).
     */
    static final Pattern REJECTION = Pattern.compile("(?i)(Invalid VRRPv[23] checksum|bad checksum|invalid TTL|TTL/HL .* not in range"
            + "|wrong version|invalid passwd|auth, expecting|AH header|advertisement interval mismatch|Invalid packet type"
            + "|unexpected ip number count|ip_tot_len mismatch|ip address associated with VRID|vrrp packet too"
            + "|received an invalid ip packet|invalid ip packet)");

    private final Node node;
    private final Path dir;
    private final Path log;
    private final Process parent;
    private ProcessHandle vrrpChild;

    private Keepalived(Node node, Path dir, Path log, Process parent) {
        this.node = node;
        this.dir = dir;
        this.log = log;
        this.parent = parent;
    }

    /** Writes {@code config} and starts keepalived in {@code node}; returns once its VRRP child runs. */
    static Keepalived start(Node node, String config) {
        LinuxTestRequirements.require("keepalived");
        try {
            Path dir = Files.createTempDirectory("havip-keepalived-" + node.name() + "-");
            Path conf = Files.writeString(dir.resolve("keepalived.conf"), config);
            Path log = dir.resolve("keepalived.log");
            Process p = new ProcessBuilder("ip", "netns", "exec", node.namespace(), "keepalived", "-n", "-l", "-D", "-R",
                    "-P", "-f", conf.toString(), "-p", dir.resolve("keepalived.pid").toString(), "-r",
                    dir.resolve("vrrp.pid").toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            Keepalived k = new Keepalived(node, dir, log, p);
            try {
                k.vrrpChild = k.awaitChild(dir.resolve("vrrp.pid"));
            } catch (RuntimeException e) {
                k.close();
                throw e;
            }
            return k;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start keepalived in " + node.namespace(), e);
        }
    }

    /** The VRRP child from the -r pid file, accepted only if it is a descendant of the process we started. */
    private ProcessHandle awaitChild(Path pidFile) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < end) {
            if (!parent.isAlive()) {
                throw new IllegalStateException("keepalived in " + node.namespace() + " exited " + parent.exitValue() + ": "
                        + log());
            }
            try {
                if (Files.exists(pidFile)) {
                    String text = Files.readString(pidFile).trim();
                    if (!text.isEmpty()) {
                        long pid = Long.parseLong(text);
                        Optional<ProcessHandle> child = parent.descendants().filter(h -> h.pid() == pid).findFirst();
                        if (child.isPresent()) {
                            return child.get();
                        }
                    }
                }
            } catch (IOException | NumberFormatException e) {
                // being written; try again
            }
            HavipProcess.sleep(20);
        }
        throw new IllegalStateException("keepalived in " + node.namespace() + " wrote no VRRP child pid in 20 s: " + log());
    }

    Node node() {
        return node;
    }

    /** Everything keepalived logged so far. */
    String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The lines in which keepalived rejected a received advert. */
    List<String> rejections() {
        return log().lines().filter(l -> REJECTION.matcher(l).find()).toList();
    }

    /** How many times keepalived logged {@code Entering <state> STATE}. */
    int entered(String state) {
        String marker = "Entering " + state + " STATE";
        return (int) log().lines().filter(l -> l.contains(marker)).count();
    }

    /** Waits until keepalived entered {@code state} for the {@code occurrence}-th time; returns when it was seen. */
    long awaitEntered(String state, int occurrence, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (entered(state) < occurrence) {
            if (System.nanoTime() > end) {
                throw new AssertionError("keepalived in " + node.name() + " did not enter " + state + " (#" + occurrence
                        + ") within " + timeout + "; log:\n" + log());
            }
            HavipProcess.sleep(10);
        }
        return System.currentTimeMillis();
    }

    /** A crash: SIGKILL to the VRRP child (not respawned, -R), then to the parent if it still lives. */
    void kill() throws InterruptedException {
        vrrpChild.destroyForcibly();
        vrrpChild.onExit().orTimeout(10, TimeUnit.SECONDS).join();
        parent.destroyForcibly();
        parent.waitFor(10, TimeUnit.SECONDS);
    }

    /** A graceful stop: SIGTERM to the parent, which stops the VRRP child (priority 0, addresses removed). */
    void terminate() throws InterruptedException {
        parent.destroy();
        if (!parent.waitFor(20, TimeUnit.SECONDS)) {
            close();
            throw new AssertionError("keepalived in " + node.name() + " did not stop within 20 s of SIGTERM; log:\n" + log());
        }
        vrrpChild.onExit().orTimeout(10, TimeUnit.SECONDS).join();
    }

    @Override
    public void close() {
        if (vrrpChild != null && vrrpChild.isAlive()) {
            vrrpChild.destroyForcibly();
        }
        if (parent.isAlive()) {
            parent.destroyForcibly();
        }
        try {
            parent.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Removes the temporary directory (config, pid files, log); call after the log was read. */
    void deleteFiles() {
        try (var all = Files.walk(dir)) {
            all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort
        }
    }
}
