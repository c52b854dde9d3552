package io.havip.arp.linux;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.OptionalInt;

/**
 * Per-interface kernel settings read and written through their files under {@code /proc/sys}
 * (what {@code sysctl -w net.ipv4.conf.IF.KEY=V} does, without running it). The kernel
 * resolves {@code /proc/sys/net} in the network namespace of the thread that opens the file,
 * so these act on the calling thread's namespace, as every socket havip opens does.
 */
public final class Sysctl {

    private static final Path ROOT = Path.of("/proc/sys/net");

    private Sysctl() {
    }

    /** {@code net.<family>.conf.<ifname>.<key>} as its file, e.g. ipv4 / vrrp.51 / arp_ignore. */
    static Path file(String family, String ifname, String key) {
        Interfaces.checkName(ifname);
        if (ifname.contains("/") || ifname.equals(".") || ifname.equals("..")) {
            throw new IllegalArgumentException("interface name \"" + ifname + "\" cannot name a sysctl directory");
        }
        return ROOT.resolve(family).resolve("conf").resolve(ifname).resolve(key);
    }

    /** The sysctl's name as {@code sysctl -a} prints it (an interface's dots become slashes: net.ipv4.conf.vrrp/51.arp_ignore). */
    static String name(String family, String ifname, String key) {
        return "net." + family + ".conf." + ifname.replace('.', '/') + "." + key;
    }

    /** The integer value of the namespace-wide {@code net.<family>.<key>}, empty when it does not exist. */
    public static OptionalInt readGlobal(String family, String key) throws IOException {
        Path f = ROOT.resolve(family).resolve(key);
        try {
            return OptionalInt.of(Integer.parseInt(Files.readString(f, StandardCharsets.US_ASCII).trim()));
        } catch (NoSuchFileException e) {
            return OptionalInt.empty();
        } catch (NumberFormatException e) {
            throw new IOException("cannot read net." + family + "." + key + " (" + f + "): not a number");
        } catch (IOException e) {
            throw failure("read", "net." + family + "." + key, "", f, null, e);
        }
    }

    /** Writes {@code value} to the namespace-wide {@code net.<family>.<key>}. */
    public static void writeGlobal(String family, String key, int value) throws IOException {
        Path f = ROOT.resolve(family).resolve(key);
        try {
            Files.writeString(f, Integer.toString(value), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw failure("set", "net." + family + "." + key, "", f, value, e);
        }
    }

    /** The integer value of {@code net.<family>.conf.<ifname>.<key>}, empty when it does not exist. */
    public static OptionalInt read(String family, String ifname, String key) throws IOException {
        Path f = file(family, ifname, key);
        try {
            return OptionalInt.of(Integer.parseInt(Files.readString(f, StandardCharsets.US_ASCII).trim()));
        } catch (NoSuchFileException e) {
            return OptionalInt.empty();
        } catch (NumberFormatException e) {
            throw new IOException("cannot read " + name(family, ifname, key) + " (" + f + "): not a number");
        } catch (IOException e) {
            throw failure("read", name(family, ifname, key), ifname, f, null, e);
        }
    }

    /**
     * Writes {@code value} to {@code net.<family>.conf.<ifname>.<key>}.
     *
     * @throws IOException naming the sysctl, its file, the value and what to do (no such
     *                     interface; /proc/sys read-only in a container; no CAP_NET_ADMIN)
     */
    public static void write(String family, String ifname, String key, int value) throws IOException {
        Path f = file(family, ifname, key);
        try {
            Files.writeString(f, Integer.toString(value), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw failure("set", name(family, ifname, key), ifname, f, value, e);
        }
    }

    private static IOException failure(String verb, String sysctl, String ifname, Path f, Integer value,
                                       IOException e) {
        String what = "cannot " + verb + " " + sysctl + (value == null ? "" : " to " + value) + " (" + f + "): ";
        String reason = e instanceof FileSystemException fs && fs.getReason() != null ? fs.getReason()
                : e.getClass().getSimpleName().replace("Exception", "");
        String hint;
        if (e instanceof NoSuchFileException) {
            hint = ifname.isEmpty() ? "the kernel has no such setting"
                    : "interface " + ifname + " does not exist in this network namespace (see `ip link`)"
                    + (sysctl.startsWith("net.ipv6") ? ", or IPv6 is disabled on the host" : "");
        } else if (e instanceof AccessDeniedException || reason.contains("ermission")) {
            hint = "the process needs CAP_NET_ADMIN in this network namespace (run as root, or grant it as an ambient"
                    + " capability)";
        } else if (reason.contains("Read-only")) {
            hint = "/proc/sys is mounted read-only (a container without --privileged or a writable /proc/sys/net):"
                    + " set it outside, or use a writable /proc/sys/net";
        } else {
            hint = "check that " + f + " is writable";
        }
        IOException out = new IOException(what + reason + " — " + hint);
        out.initCause(e);
        return out;
    }
}
