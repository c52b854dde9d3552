package io.havip.vrrp.it;

import io.havip.arp.testbed.ChildJvm;
import io.havip.arp.testbed.Node;
import io.havip.vrrp.Havip;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@link NodeMain} JVM running in a node's namespace, and the lines it wrote to its events
 * file. {@link #close()} SIGKILLs it if it still runs (only this process, by its handle).
 */
public final class HavipProcess implements AutoCloseable {

    private static final Pattern STAMP = Pattern.compile(" t=(\\d+)$");

    private final Node node;
    private final Path events;
    private final ChildJvm.Child child;

    private HavipProcess(Node node, Path events, ChildJvm.Child child) {
        this.node = node;
        this.events = events;
        this.child = child;
    }

    /**
     * Starts NodeMain in {@code node} with {@code args} (key=value, see NodeMain) and waits for STARTED;
     * the code sources of {@code classes} (e.g. a NodeMain.Extension and its libraries) join the child's class path.
     */
    public static HavipProcess start(Node node, List<String> args, Class<?>... classes) {
        Path events;
        try {
            events = Files.createTempFile("havip-it-" + node.name() + "-", ".events");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> all = new ArrayList<>(args);
        all.add("events=" + events);
        ChildJvm.Child child = node.java(NodeMain.class, all.toArray(String[]::new)).withClassesOf(Havip.class)
                .withClassesOf(classes).start();
        HavipProcess p = new HavipProcess(node, events, child);
        try {
            p.awaitLine("STARTED", Duration.ofSeconds(20));
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
        return p;
    }

    public Node node() {
        return node;
    }

    public long pid() {
        return child.pid();
    }

    public boolean isAlive() {
        return child.process().isAlive();
    }

    /** The lines written so far. */
    public List<String> lines() {
        try {
            return Files.exists(events) ? Files.readAllLines(events) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The lines starting with {@code prefix} (e.g. "STATE MASTER"). */
    public List<String> lines(String prefix) {
        return lines().stream().filter(l -> l.startsWith(prefix)).toList();
    }

    /** The last state the listener saw (e.g. "MASTER"), if any. */
    public Optional<String> lastState() {
        List<String> states = lines("STATE ");
        return states.isEmpty() ? Optional.empty() : Optional.of(states.get(states.size() - 1).split(" ")[1]);
    }

    /**
     * Waits until the {@code occurrence}-th (1-based) line starting with {@code prefix} is written
     * and returns its wall-clock stamp in ms; fails with everything the node wrote otherwise.
     */
    public long awaitLine(String prefix, int occurrence, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<String> found = lines(prefix);
            if (found.size() >= occurrence) {
                Matcher m = STAMP.matcher(found.get(occurrence - 1));
                if (!m.find()) {
                    throw new IllegalStateException("no t= stamp in " + found.get(occurrence - 1));
                }
                return Long.parseLong(m.group(1));
            }
            if (System.nanoTime() > end || (!isAlive() && lines(prefix).size() < occurrence)) {
                throw new AssertionError(node.name() + ": no \"" + prefix + "\" line #" + occurrence + " within "
                        + timeout + (isAlive() ? "" : " (the JVM exited)") + "; events: " + lines() + "; stderr tail: "
                        + stderrTail());
            }
            sleep(10);
        }
    }

    public long awaitLine(String prefix, Duration timeout) {
        return awaitLine(prefix, 1, timeout);
    }

    /** Waits until the listener's latest state is {@code state} and returns when it was written. */
    public long awaitState(String state, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<String> states = lines("STATE ");
            if (!states.isEmpty() && states.get(states.size() - 1).split(" ")[1].equals(state)) {
                Matcher m = STAMP.matcher(states.get(states.size() - 1));
                m.find();
                return Long.parseLong(m.group(1));
            }
            if (System.nanoTime() > end) {
                throw new AssertionError(node.name() + ": not " + state + " within " + timeout + "; events: " + lines()
                        + "; stderr tail: " + stderrTail());
            }
            sleep(10);
        }
    }

    /** SIGKILL, as a crash: the router gets no chance to release anything. */
    public void kill() throws InterruptedException {
        child.process().destroyForcibly();
        if (!child.process().waitFor(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException(node.name() + ": JVM " + pid() + " survived SIGKILL for 10 s");
        }
    }

    /** SIGTERM: the shutdown hook closes the router; returns the exit status. */
    public int terminate() throws InterruptedException {
        child.process().destroy();
        if (!child.process().waitFor(30, TimeUnit.SECONDS)) {
            child.process().destroyForcibly();
            throw new AssertionError(node.name() + ": JVM did not exit within 30 s of SIGTERM; events: " + lines());
        }
        return child.process().exitValue();
    }

    private String stderrTail() {
        if (isAlive()) {
            return "(still running)";
        }
        try {
            String err = child.await(5).stderr();
            return err.length() > 4000 ? err.substring(err.length() - 4000) : err;
        } catch (InterruptedException | RuntimeException e) {
            return "(unavailable: " + e + ")";
        }
    }

    /** The JVM's whole stderr (its slf4j log) once it exited; "(still running)" before. */
    public String stderrAll() {
        if (isAlive()) {
            return "(still running)";
        }
        try {
            return child.await(5).stderr();
        } catch (InterruptedException | RuntimeException e) {
            return "(unavailable: " + e + ")";
        }
    }

    /** The JVM's stderr (its slf4j log) once it exited; for diagnostics. */
    public String stderr() {
        return stderrTail();
    }

    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        child.close();
        try {
            Files.deleteIfExists(events);
        } catch (IOException ignored) {
            // a temp file; best effort
        }
    }
}
