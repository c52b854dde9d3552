package io.havip.arp.linux;

import java.io.IOException;
import java.util.Optional;

/**
 * A kernel call that failed: what was attempted, the system call (or netlink message),
 * the errno with its symbolic name and {@code strerror} text, the kernel's own extended-ACK
 * text when netlink gave one, and a hint saying what to do. For example:
 *
 * <pre>cannot add 198.51.100.50/24 on eth1: Operation not permitted (EPERM, errno 1, RTM_NEWADDR) — the process needs CAP_NET_ADMIN</pre>
 *
 * <p>Compare Netty's {@code Errors.NativeIoException} ("bind(..) failed with error(N): text").
 */
public final class NativeException extends IOException {

    private final String attempted;
    private final String syscall;
    private final int errno;
    private final String strerror;
    private final String kernelMessage;
    private final String hint;

    /**
     * A failed native call: what was attempted, the call, its errno (the closest one for a
     * library that reports no errno, as libpcap), the message it gave, and what to do.
     */
    public NativeException(String attempted, String syscall, int errno, String kernelMessage, String hint) {
        super(format(attempted, syscall, errno, kernelMessage, hint));
        this.attempted = attempted;
        this.syscall = syscall;
        this.errno = errno;
        this.strerror = strerrorOf(errno);
        this.kernelMessage = kernelMessage;
        this.hint = hint;
    }

    /**
     * An exception for {@code errno} with the standard hint for it; {@code needed} is the
     * capability the call needs (EPERM / EACCES then name it), {@code ifname} the interface
     * involved (ENODEV then names it), either may be null.
     */
    public static NativeException of(String attempted, String syscall, int errno, String kernelMessage, Capability needed,
            String ifname) {
        return new NativeException(attempted, syscall, errno, kernelMessage, standardHint(errno, needed, ifname));
    }

    static String standardHint(int errno, Capability needed, String ifname) {
        String name = Errno.nameOf(errno);
        return switch (name) {
            case "EPERM", "EACCES" -> needed == null ? "the process lacks a privilege for this call"
                    : "the process needs " + needed + " (run as root, or grant it as an ambient capability;"
                            + " setcap on the java binary does not work)";
            case "ENODEV", "ENXIO" -> ifname == null ? "the interface does not exist in this network namespace"
                    : "interface " + ifname + " does not exist in this network namespace (see `ip link`)";
            case "EADDRNOTAVAIL" -> "the address is not available here: not configured on this interface, or not"
                    + " assignable to one";
            case "ENETDOWN" -> ifname == null ? "the interface is down" : "interface " + ifname + " is down";
            case "ENETUNREACH", "EHOSTUNREACH" -> "no route to the destination from this interface";
            case "EAFNOSUPPORT" -> "the address family is not supported (is IPv6 disabled?)";
            case "EMFILE", "ENFILE" -> "too many open files; raise the file descriptor limit";
            case "ENOBUFS", "ENOMEM" -> "the kernel is out of buffer memory; retry later";
            case "EINVAL" -> "the kernel refused a parameter of the request";
            default -> "unexpected error from the kernel";
        };
    }

    private static String format(String attempted, String syscall, int errno, String kernelMessage, String hint) {
        StringBuilder sb = new StringBuilder("cannot ").append(attempted).append(": ").append(strerrorOf(errno))
                .append(" (").append(Errno.nameOf(errno)).append(", errno ").append(errno).append(", ").append(syscall)
                .append(')');
        if (kernelMessage != null && !kernelMessage.isEmpty()) {
            sb.append(" [kernel: ").append(kernelMessage).append(']');
        }
        if (hint != null && !hint.isEmpty()) {
            sb.append(" — ").append(hint);
        }
        return sb.toString();
    }

    private static String strerrorOf(int errno) {
        try {
            String s = LibC.get().strerror(errno);
            return s == null ? "errno " + errno : s;
        } catch (LinkageError e) {
            return "errno " + errno;
        }
    }

    /** What was attempted, e.g. {@code add 198.51.100.50/24 on eth1}. */
    public String attempted() {
        return attempted;
    }

    /** The system call or netlink message that failed, e.g. {@code socket(AF_PACKET)} or {@code RTM_NEWADDR}. */
    public String syscall() {
        return syscall;
    }

    /** The errno number. */
    public int errno() {
        return errno;
    }

    /** The symbolic errno name, e.g. {@code EPERM}. */
    public String errnoName() {
        return Errno.nameOf(errno);
    }

    /** The C library's text for the errno, e.g. {@code Operation not permitted}. */
    public String strerror() {
        return strerror;
    }

    /** The kernel's extended-ACK message (NLMSGERR_ATTR_MSG), when netlink sent one. */
    public Optional<String> kernelMessage() {
        return Optional.ofNullable(kernelMessage);
    }

    /** What to do about it. */
    public String hint() {
        return hint;
    }
}
