package io.havip.arp.linux;

import com.sun.jna.LastErrorException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Whether this layer can run here, and why not, checked before anything is attempted
 * (compare Netty's {@code Epoll.isAvailable()} / {@code unavailabilityCause()}).
 *
 * <h2>Privileges</h2>
 * Address changes need {@link Capability#CAP_NET_ADMIN}; gratuitous ARP / NA (AF_PACKET)
 * and VRRP (raw IP sockets) need {@link Capability#CAP_NET_RAW}. Root has both. A non-root
 * service should get exactly these two as <em>ambient</em> capabilities, e.g. systemd
 * {@code AmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW} or
 * {@code setpriv --reuid=svc --inh-caps=+net_admin,+net_raw --ambient-caps=+net_admin,+net_raw java ...}.
 *
 * <h2>Why {@code setcap} on the {@code java} binary does not work</h2>
 * File capabilities make the kernel start the program with {@code AT_SECURE=1}, and glibc's
 * dynamic loader in secure mode does not expand {@code $ORIGIN} in a binary's RPATH/RUNPATH
 * (ld.so(8): it would let an unprivileged user plant libraries beside a privileged binary).
 * The {@code java} launcher finds {@code libjli.so} only through {@code RPATH $ORIGIN:$ORIGIN/../lib},
 * so it dies before the JVM starts with {@code java: error while loading shared libraries:
 * libjli.so: cannot open shared object file: No such file or directory}. (It is not a
 * re-exec: modern launchers on Linux do not re-exec.) Adding the JDK's {@code lib} directory
 * to {@code /etc/ld.so.conf.d} works around it but grants the capabilities to every Java
 * program run with that JDK; ambient capabilities for one service are the narrower choice.
 */
public final class LinuxNetworking {

    private LinuxNetworking() { }

    /** The outcome of a check: available, or the reasons why not (each names what is missing). */
    public record Availability(List<String> problems) {
        public Availability {
            problems = List.copyOf(problems);
        }

        public boolean isAvailable() {
            return problems.isEmpty();
        }

        /** All reasons joined, or empty when available. */
        public Optional<String> unavailabilityCause() {
            return problems.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", problems));
        }

        /** Throws {@link UnsupportedOperationException} with the reasons when unavailable. */
        public void ensureAvailable() {
            unavailabilityCause().ifPresent(cause -> {
                throw new UnsupportedOperationException("Linux networking is unavailable: " + cause);
            });
        }
    }

    /** Checks for everything the layer uses: Linux, libc through JNA, CAP_NET_ADMIN and CAP_NET_RAW. */
    public static Availability availability() {
        return availability(EnumSet.allOf(Capability.class));
    }

    /** Checks for Linux, libc through JNA, and the given capabilities in the effective set. */
    public static Availability availability(Set<Capability> needed) {
        List<String> problems = new ArrayList<>();
        String os = System.getProperty("os.name", "");
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
            problems.add("not Linux (os.name is \"" + os + "\")");
            return new Availability(problems);
        }
        String arch = System.getProperty("os.arch", "");
        if (!Set.of("amd64", "x86_64", "aarch64", "riscv64").contains(arch)) {
            problems.add("architecture " + arch + " is not supported (kernel constants are the asm-generic ones of"
                    + " amd64, aarch64, riscv64)");
        }
        try {
            LibC.get().strerror(1);
        } catch (LinkageError | RuntimeException e) {
            problems.add("libc cannot be loaded through JNA: " + e);
        }
        Optional<Set<Capability>> effective = effectiveCapabilities();
        if (effective.isEmpty()) {
            problems.add("cannot read CapEff from /proc/self/status");
        } else {
            for (Capability c : needed) {
                if (!effective.get().contains(c)) {
                    problems.add("the process lacks " + c + " (" + neededFor(c) + ")");
                }
            }
        }
        return new Availability(problems);
    }

    private static String neededFor(Capability c) {
        return c == Capability.CAP_NET_ADMIN ? "needed to add and delete addresses"
                : "needed for gratuitous ARP / NA and VRRP raw sockets";
    }

    /** The capabilities of this process's effective set ({@code CapEff} in /proc/self/status), if readable. */
    public static Optional<Set<Capability>> effectiveCapabilities() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    long bits = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                    Set<Capability> caps = EnumSet.noneOf(Capability.class);
                    for (Capability c : Capability.values()) {
                        if ((bits & (1L << c.number())) != 0) {
                            caps.add(c);
                        }
                    }
                    return Optional.of(caps);
                }
            }
            return Optional.empty();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * The calling thread's network namespace as the kernel names it, e.g.
     * {@code net:[4026531840]} (the target of {@code /proc/thread-self/ns/net}): equal for two
     * threads in the same namespace, so it can key what is shared per namespace; or
     * {@code net:[unknown]} when /proc cannot tell.
     */
    public static String currentNetworkNamespace() {
        try {
            return java.nio.file.Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString();
        } catch (java.io.IOException | UnsupportedOperationException | SecurityException e) {
            return "net:[unknown]";
        }
    }

    /**
     * Moves the <em>calling thread</em> into the network namespace {@code nsFile} (e.g.
     * {@code /run/netns/NAME} made by {@code ip netns add}) with setns(2). A network namespace
     * is a per-thread attribute on Linux, so only this thread moves; sockets it opens from now
     * on (netlink, ioctl, AF_PACKET, raw) belong to that namespace and keep it wherever they are
     * used. Use a dedicated platform thread (not a pooled or virtual one) and never return it
     * to a pool. Needs CAP_SYS_ADMIN.
     */
    public static void enterNetworkNamespace(Path nsFile) throws NativeException {
        String attempted = "enter network namespace " + nsFile;
        int fd;
        try {
            fd = LibC.get().open(nsFile.toString(), Sys.O_RDONLY | Sys.O_CLOEXEC);
        } catch (LastErrorException e) {
            throw new NativeException(attempted, "open", e.getErrorCode(), null,
                    "the namespace file does not exist or is not readable (see `ip netns list`)");
        }
        try {
            LibC.get().setns(fd, Sys.CLONE_NEWNET);
        } catch (LastErrorException e) {
            throw new NativeException(attempted, "setns(CLONE_NEWNET)", e.getErrorCode(), null,
                    "setns needs CAP_SYS_ADMIN and a network namespace file");
        } finally {
            Sys.closeQuietly(fd);
        }
    }
}
