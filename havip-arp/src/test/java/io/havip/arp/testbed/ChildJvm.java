package io.havip.arp.testbed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A child JVM started inside a network namespace ({@code ip netns exec NS java -cp ... Main}),
 * optionally as an unprivileged user holding only some ambient capabilities
 * ({@code setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=... --ambient-caps=...}).
 * Both {@code ip netns exec} and {@code setpriv} exec, so {@link Child#pid()} is the JVM itself
 * and {@link Child#kill()} sends it SIGKILL.
 *
 * <p>The class path is built from the code sources of the main class and the given anchor
 * classes (havip-arp, havip-core, JNA and slf4j by default), copied once per test JVM into a
 * world-readable temporary directory, because an unprivileged child cannot read a root
 * user's {@code ~/.m2}.
 */
public final class ChildJvm {

    private static final Map<Path, Path> COPIES = new ConcurrentHashMap<>();
    private static volatile Path copyRoot;

    private ChildJvm() { }

    static Builder in(String namespace, Class<?> mainClass, String... args) {
        return new Builder(namespace, mainClass, List.of(args));
    }

    /** Options for one child. */
    public static final class Builder {
        private final String namespace;
        private final Class<?> mainClass;
        private final List<String> args;
        private final Set<Class<?>> anchors = new LinkedHashSet<>();
        private Integer uid;
        private List<String> ambientCaps = List.of();

        Builder(String namespace, Class<?> mainClass, List<String> args) {
            this.namespace = namespace;
            this.mainClass = mainClass;
            this.args = args;
            anchors.add(mainClass);
            anchors.add(io.havip.arp.linux.LinuxNetworking.class);
            anchors.add(io.havip.core.net.IpAddress.class);
            anchors.add(com.sun.jna.Native.class);
            anchors.add(org.slf4j.LoggerFactory.class);
            tryAnchor("org.slf4j.simple.SimpleServiceProvider");
        }

        private void tryAnchor(String className) {
            try {
                anchors.add(Class.forName(className));
            } catch (ClassNotFoundException ignored) {
                // optional: the child then logs through slf4j's no-op provider
            }
        }

        /** Adds the code source of each class (e.g. havip-vrrp's) to the child's class path. */
        public Builder withClassesOf(Class<?>... classes) {
            anchors.addAll(List.of(classes));
            return this;
        }

        /**
         * Runs the child as user/group {@code uid} (e.g. 65534, nobody) with no supplementary
         * groups and exactly {@code caps} (e.g. "net_admin", "net_raw") as inheritable and
         * ambient capabilities; none when empty.
         */
        public Builder asUser(int uid, String... caps) {
            this.uid = uid;
            this.ambientCaps = List.of(caps);
            return this;
        }

        public Child start() {
            LinuxTestRequirements.require("ip", "setpriv");
            List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
            Path tmp = root();
            if (uid != null) {
                cmd.addAll(List.of("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups"));
                if (ambientCaps.isEmpty()) {
                    cmd.add("--inh-caps=-all");
                } else {
                    String caps = String.join(",", ambientCaps.stream().map(c -> "+" + c).toList());
                    cmd.add("--inh-caps=" + caps);
                    cmd.add("--ambient-caps=" + caps);
                }
            }
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.add("-Djna.tmpdir=" + tmp.resolve("jna"));
            cmd.add("-Djava.io.tmpdir=" + tmp.resolve("jna"));
            cmd.add("-Xshare:auto");
            // Extra JVM options for every child, e.g. -Dhavip.it.childJvmArgs="-Xlog:class+load:file=/tmp/cl-%p.log"
            String extra = System.getProperty("havip.it.childJvmArgs", "").trim();
            if (!extra.isEmpty()) {
                cmd.addAll(List.of(extra.split("\\s+")));
            }
            cmd.add("-cp");
            cmd.add(String.join(":", anchors.stream().map(ChildJvm::readableCopy).map(Path::toString).toList()));
            cmd.add(mainClass.getName());
            cmd.addAll(args);
            try {
                Process p = new ProcessBuilder(cmd).directory(tmp.toFile()).start();
                return new Child(cmd, p);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start " + cmd, e);
            }
        }
    }

    /** A running child JVM. */
    public static final class Child implements AutoCloseable {
        private final List<String> command;
        private final Process process;
        private final CompletableFuture<String> stdout;
        private final CompletableFuture<String> stderr;

        Child(List<String> command, Process process) {
            this.command = command;
            this.process = process;
            this.stdout = Cmd.drain(process.getInputStream());
            this.stderr = Cmd.drain(process.getErrorStream());
        }

        /** The JVM's process id. */
        public long pid() {
            return process.pid();
        }

        public Process process() {
            return process;
        }

        /** Waits up to {@code seconds} for the exit and returns the result; kills the child if it does not exit. */
        public Cmd.Result await(int seconds) throws InterruptedException {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new IllegalStateException("child JVM " + command + " did not exit in " + seconds + " s; killed. stderr: "
                        + stderr.getNow(""));
            }
            return new Cmd.Result(command, process.exitValue(), stdout.join(), stderr.join());
        }

        /** SIGKILL to this child (by its pid). */
        public void kill() {
            process.destroyForcibly();
        }

        @Override
        public void close() {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
        }
    }

    private static synchronized Path root() {
        if (copyRoot == null) {
            try {
                Path dir = Files.createTempDirectory("havip-childjvm-",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
                Path jna = Files.createDirectory(dir.resolve("jna"));
                Files.setPosixFilePermissions(jna, PosixFilePermissions.fromString("rwxrwxrwx"));
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir), "havip-childjvm-cleanup"));
                copyRoot = dir;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a temporary class path directory", e);
            }
        }
        return copyRoot;
    }

    private static Path readableCopy(Class<?> anchor) {
        Path source;
        try {
            source = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("cannot find where " + anchor + " was loaded from", e);
        }
        return COPIES.computeIfAbsent(source, s -> {
            Path target = root().resolve("cp" + COPIES.size() + "-" + s.getFileName());
            try {
                if (Files.isDirectory(s)) {
                    try (Stream<Path> all = Files.walk(s)) {
                        for (Path p : (Iterable<Path>) all::iterator) {
                            Path t = target.resolve(s.relativize(p).toString());
                            if (Files.isDirectory(p)) {
                                Files.createDirectories(t);
                            } else {
                                Files.copy(p, t);
                            }
                        }
                    }
                } else {
                    Files.copy(s, target);
                }
                try (Stream<Path> all = Files.walk(target)) {
                    for (Path p : (Iterable<Path>) all::iterator) {
                        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(
                                Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
                    }
                }
                return target;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot copy " + s + " to " + target, e);
            }
        });
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort at JVM exit
        }
    }
}
