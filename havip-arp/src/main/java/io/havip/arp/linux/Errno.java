package io.havip.arp.linux;

/**
 * The errno values this package meets, with their symbolic names (asm-generic/errno-base.h
 * and asm-generic/errno.h, the values of x86_64, arm64 and riscv64).
 */
enum Errno {
    EPERM(1), ENOENT(2), ESRCH(3), EINTR(4), EIO(5), ENXIO(6), E2BIG(7), EBADF(9), EAGAIN(11), ENOMEM(12),
    EACCES(13), EFAULT(14), EBUSY(16), EEXIST(17), ENODEV(19), EINVAL(22), ENFILE(23), EMFILE(24), ENOSPC(28),
    ERANGE(34), ENOSYS(38), ENOTSOCK(88), EMSGSIZE(90), EPROTONOSUPPORT(93), EOPNOTSUPP(95), EAFNOSUPPORT(97),
    EADDRINUSE(98), EADDRNOTAVAIL(99), ENETDOWN(100), ENETUNREACH(101), ENOBUFS(105), ETIMEDOUT(110),
    ECONNREFUSED(111), EHOSTUNREACH(113);

    final int number;

    Errno(int number) {
        this.number = number;
    }

    /** The symbolic name of {@code number}, or {@code "errno N"} for one not listed here. */
    static String nameOf(int number) {
        for (Errno e : values()) {
            if (e.number == number) {
                return e.name();
            }
        }
        return "E?" + number;
    }
}
