package io.havip.arp.testbed;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a command (test code only) and returns what it printed; a failing {@link #check} names the command and its stderr. */
public final class Cmd {

    private Cmd() { }

    /** Exit status and output of a finished command. */
    public record Result(List<String> command, int exit, String stdout, String stderr) {
        public Result check() {
            if (exit != 0) {
                throw new IllegalStateException("`" + String.join(" ", command) + "` exited " + exit + ": "
                        + stderr.strip() + (stdout.isBlank() ? "" : " / stdout: " + stdout.strip()));
            }
            return this;
        }
    }

    /** Runs {@code command} with a 60 s limit and fails if it exits non-zero. */
    public static String check(String... command) {
        return run(command).check().stdout();
    }

    public static Result run(String... command) {
        return run(Arrays.asList(command));
    }

    public static Result run(List<String> command) {
        Process p;
        try {
            p = new ProcessBuilder(new ArrayList<>(command)).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start `" + String.join(" ", command) + "`", e);
        }
        CompletableFuture<String> out = drain(p.getInputStream());
        CompletableFuture<String> err = drain(p.getErrorStream());
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("`" + String.join(" ", command) + "` did not finish in 60 s");
            }
            return new Result(List.copyOf(command), p.exitValue(), out.join(), err.join());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
    }

    static CompletableFuture<String> drain(InputStream in) {
        // A thread of its own per stream: the common pool has one worker on a 2-core host, so a
        // child's stderr was only read once another child's stdout ended, and a child logging
        // more than a pipe holds (64 KiB) blocked in its log call.
        // And what was read is kept when the stream ends in an IOException: Process closes the
        // pipe under a blocked reader when the child exits, and readAllBytes then lost it all.
        CompletableFuture<String> out = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            java.io.ByteArrayOutputStream read = new java.io.ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            try (in) {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    read.write(buf, 0, n);
                }
            } catch (IOException e) {
                // closed under us at the child's exit: keep what came before
            }
            out.complete(read.toString(StandardCharsets.UTF_8));
        }, "cmd-drain");
        t.setDaemon(true);
        t.start();
        return out;
    }

    /** Whether {@code tool} is an executable on PATH (or the usual sbin directories). */
    public static boolean onPath(String tool) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin:/usr/bin:/bin";
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && new java.io.File(dir, tool).canExecute()) {
                return true;
            }
        }
        return false;
    }
}
