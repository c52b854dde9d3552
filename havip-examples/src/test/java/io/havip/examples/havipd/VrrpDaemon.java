package io.havip.examples.havipd;

import io.havip.arp.testbed.LinuxTestRequirements;
import io.havip.arp.testbed.Node;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * keepalived or havipd running one keepalived.conf in a testbed node, started by a test, its
 * output in a log file next to the configuration (a file, not a pipe: a signalled daemon keeps
 * writing and nothing blocks).
 *
 * <ul>
 *   <li>keepalived (Debian package): {@code ip netns exec NS keepalived -n -l -D -R -P -f CONF -p PID -r VRRP_PID};
 *       {@code -n} keeps the parent in the foreground, {@code -R} stops it respawning a killed VRRP child;</li>
 *   <li>havipd: {@code ip netns exec NS java -jar havip-examples/target/havipd.jar -f CONF} when the
 *       shaded jar of this build exists (failsafe runs after {@code package}), else the test JVM's
 *       class path with main class {@link Havipd}.</li>
 * </ul>
 *
 * Only the processes started here are ever signalled, by their handles. {@code ip netns exec}
 * execs, so the process is the daemon itself.
 */
public final class VrrpDaemon implements AutoCloseable {

    /** Which daemon runs the file. */
    public enum Kind { KEEPALIVED, HAVIPD }

    private static final Path HAVIPD_JAR = Path.of("target", "havipd.jar");
    private static final Path HAVIPD_CLASS = Path.of("target", "classes", "io", "havip", "examples", "havipd", "Havipd.class");

    private final Kind kind;
    private final Node node;
    private final Path log;
    private final Process process;
    private final List<String> command;
    private ProcessHandle vrrpChild;
    private Path runDir;

    private VrrpDaemon(Kind kind, Node node, Path log, Process process, List<String> command) {
        this.kind = kind;
        this.node = node;
        this.log = log;
        this.process = process;
        this.command = List.copyOf(command);
    }

    /** Starts {@code kind} on {@code conf} in {@code node}; returns once it runs its instances. */
    public static VrrpDaemon start(Kind kind, Node node, Path conf) {
        return start(kind, node, conf, false);
    }

    /**
     * As {@link #start(Kind, Node, Path)}; with {@code underNohup} the daemon starts through
     * nohup(1), so SIGHUP is ignored when it starts, as for a daemon launched that way.
     */
    public static VrrpDaemon start(Kind kind, Node node, Path conf, boolean underNohup) {
        return start(kind, node, conf, underNohup, List.of());
    }

    /** As {@link #start(Kind, Node, Path, boolean)} with more options for havipd (e.g. --metrics-address). */
    public static VrrpDaemon start(Kind kind, Node node, Path conf, boolean underNohup, List<String> moreOptions) {
        LinuxTestRequirements.require(kind == Kind.KEEPALIVED ? new String[] {"ip", "keepalived"} : new String[] {"ip"});
        Path dir = conf.getParent();
        try {
            Path log = Files.createTempFile(dir, kind.name().toLowerCase(java.util.Locale.ROOT) + "-", ".log");
            List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", node.namespace()));
            if (underNohup) {
                cmd.add("nohup");
            }
            Path vrrpPid = dir.resolve(log.getFileName() + ".vrrp.pid");
            if (kind == Kind.KEEPALIVED) {
                cmd.addAll(List.of("keepalived", "-n", "-l", "-D", "-R", "-P", "-f", conf.toString(), "-p",
                        dir.resolve(log.getFileName() + ".pid").toString(), "-r", vrrpPid.toString()));
            } else {
                cmd.addAll(havipdCommand());
                // the control socket and SIGUSR1 dump beside the configuration, not in the host's /run/havipd
                cmd.addAll(List.of("-f", conf.toString(), "--run-dir", dir.resolve("run").toString()));
                cmd.addAll(moreOptions);
            }
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            VrrpDaemon d = new VrrpDaemon(kind, node, log, p, cmd);
            d.runDir = dir.resolve("run");
            try {
                if (kind == Kind.KEEPALIVED) {
                    d.vrrpChild = d.awaitKeepalivedChild(vrrpPid);
                } else {
                    d.awaitLog("havipd running", Duration.ofSeconds(20));
                }
            } catch (RuntimeException | AssertionError e) {
                d.close();
                throw e;
            }
            return d;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + kind + " in " + node.namespace(), e);
        }
    }

    /**
     * The shaded jar when it is at least as new as the compiled main class (a {@code mvn verify}
     * run), else the test class path; the child logs at INFO (the test resources say WARN).
     */
    static List<String> havipdCommand() {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=info"));
        try {
            if (Files.exists(HAVIPD_JAR) && (!Files.exists(HAVIPD_CLASS)
                    || !Files.getLastModifiedTime(HAVIPD_JAR).toInstant().isBefore(
                            Files.getLastModifiedTime(HAVIPD_CLASS).toInstant()))) {
                cmd.addAll(List.of("-jar", HAVIPD_JAR.toAbsolutePath().toString()));
                return cmd;
            }
        } catch (IOException e) {
            // fall back to the class path
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Havipd.class.getName()));
        return cmd;
    }

    /** keepalived's VRRP child from its -r pid file, accepted only if it descends from the process started here. */
    private ProcessHandle awaitKeepalivedChild(Path pidFile) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < end) {
            if (!process.isAlive()) {
                throw new IllegalStateException("keepalived in " + node.namespace() + " exited " + process.exitValue()
                        + ":\n" + log());
            }
            try {
                String text = Files.exists(pidFile) ? Files.readString(pidFile).trim() : "";
                if (!text.isEmpty()) {
                    long pid = Long.parseLong(text);
                    Optional<ProcessHandle> child = process.descendants().filter(h -> h.pid() == pid).findFirst();
                    if (child.isPresent()) {
                        return child.get();
                    }
                }
            } catch (IOException | NumberFormatException e) {
                // being written; try again
            }
            sleep(20);
        }
        throw new IllegalStateException("keepalived in " + node.namespace() + " wrote no VRRP child pid in 20 s:\n" + log());
    }

    public Kind kind() {
        return kind;
    }

    public Node node() {
        return node;
    }

    /** The command line it was started with. */
    public List<String> command() {
        return command;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Everything the daemon wrote so far. */
    public String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until the log contains {@code text}; fails with the log if the daemon exits or time runs out. */
    public void awaitLog(String text, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (!log().contains(text)) {
            if (!process.isAlive() || System.nanoTime() > end) {
                throw new AssertionError(this + ": no \"" + text + "\" in its log within " + timeout
                        + (process.isAlive() ? "" : " (it exited " + process.exitValue() + ")") + ":\n" + log());
            }
            sleep(20);
        }
    }

    /** A crash: SIGKILL (for keepalived the VRRP child first, then the parent); nothing is released. */
    public void kill() throws InterruptedException {
        if (vrrpChild != null) {
            vrrpChild.destroyForcibly();
            vrrpChild.onExit().orTimeout(10, TimeUnit.SECONDS).join();
        }
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException(this + " survived SIGKILL for 10 s");
        }
    }

    /** SIGTERM, then waits for the exit; returns the exit status. */
    public int terminate() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            close();
            throw new AssertionError(this + " did not exit within 30 s of SIGTERM:\n" + log());
        }
        if (vrrpChild != null) {
            vrrpChild.onExit().orTimeout(10, TimeUnit.SECONDS).join();
        }
        return process.exitValue();
    }

    /** havipd's run directory (control socket, SIGUSR1 dump): {@code run} beside the configuration. */
    public Path runDir() {
        return runDir;
    }

    /** SIGUSR1 to the daemon's own pid (havipd: write the state to {@code RUN_DIR/havipd.json}). */
    public void userSignal1() {
        io.havip.arp.testbed.Cmd.run("kill", "-USR1", Long.toString(process.pid())).check();
    }

    /** SIGHUP to the daemon's own pid (a reload). */
    public void hangUp() {
        io.havip.arp.testbed.Cmd.run("kill", "-HUP", Long.toString(process.pid())).check();
    }

    /** SIGKILL to whatever of it still runs; idempotent. */
    @Override
    public void close() {
        if (vrrpChild != null && vrrpChild.isAlive()) {
            vrrpChild.destroyForcibly();
        }
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase(java.util.Locale.ROOT) + " pid " + process.pid() + " in " + node.name();
    }
}
