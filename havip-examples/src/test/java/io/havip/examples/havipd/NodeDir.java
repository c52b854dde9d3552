package io.havip.examples.havipd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * One node's files for a daemon test: its keepalived.conf, a notify script that appends its
 * arguments ({@code "$@"}) to {@code notify.log}, and a check script (the vrrp_script) that
 * fails while the file {@code fail} exists. Both daemons run the same scripts, so what they
 * wrote can be compared line for line.
 */
final class NodeDir implements AutoCloseable {

    private final Path dir;

    private NodeDir(Path dir) {
        this.dir = dir;
    }

    static NodeDir create(String node) {
        try {
            NodeDir d = new NodeDir(Files.createTempDirectory("havipd-it-" + node + "-"));
            d.script("notify_action.sh", "echo \"$@\" >> " + d.notifyLog());
            d.script("do_sth.sh", "test ! -e " + d.dir.resolve("fail"));
            return d;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the node's test directory", e);
        }
    }

    private void script(String name, String body) throws IOException {
        Path p = Files.writeString(dir.resolve(name), "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    Path dir() {
        return dir;
    }

    /** The notify script ({@code notify_action.sh}): appends its arguments as one line. */
    Path notifyScript() {
        return dir.resolve("notify_action.sh");
    }

    /** The check script ({@code do_sth.sh}): exit 0 unless {@link #failCheck} made it fail. */
    Path checkScript() {
        return dir.resolve("do_sth.sh");
    }

    private Path notifyLog() {
        return dir.resolve("notify.log");
    }

    /** Writes {@code text} as this node's keepalived.conf and returns its path. */
    Path writeConf(String text) {
        try {
            return Files.writeString(dir.resolve("keepalived.conf"), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Makes the check script fail ({@code true}) or succeed again. */
    void failCheck(boolean fail) throws IOException {
        if (fail) {
            Files.writeString(dir.resolve("fail"), "");
        } else {
            Files.deleteIfExists(dir.resolve("fail"));
        }
    }

    /** The lines the notify script wrote, in order. */
    List<String> notifications() {
        try {
            return Files.exists(notifyLog()) ? Files.readAllLines(notifyLog()).stream().map(String::strip).toList() : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until the notify script wrote exactly {@code expected}; fails with what it wrote and {@code context}. */
    void awaitNotifications(List<String> expected, Duration timeout, VrrpDaemon context) {
        long end = System.nanoTime() + timeout.toNanos();
        List<String> now;
        while (!(now = notifications()).equals(expected)) {
            if (System.nanoTime() > end || (now.size() > expected.size())) {
                throw new AssertionError(dir + ": the notify scripts wrote " + now + ", expected " + expected + " (within "
                        + timeout + ")" + (context == null ? "" : "\n--- " + context + " log:\n" + context.log()));
            }
            VrrpDaemon.sleep(20);
        }
    }

    /** Deletes the directory. */
    @Override
    public void close() {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory; best effort
        }
    }
}
