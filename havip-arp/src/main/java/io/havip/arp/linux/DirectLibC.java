package io.havip.arp.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * The libc calls of the per-packet and takeover paths (poll, recvmsg, sendto, send, recv), direct-mapped
 * ({@link Native#register}): an interface-mapped {@link LibC} call goes through a proxy,
 * reflection and boxed arguments, microseconds and garbage per call, which a flood of 100k
 * packets a second multiplies. The C signatures of {@link LibC}, with {@code size_t} /
 * {@code ssize_t} as {@code long}: LP64 only; elsewhere {@link #AVAILABLE} is false and the
 * callers use {@link LibC}.
 */
final class DirectLibC {

    /** True when the methods below are bound (an LP64 platform whose libc loaded). */
    static final boolean AVAILABLE = register();

    private DirectLibC() { }

    private static boolean register() {
        if (Native.LONG_SIZE != 8 || Native.POINTER_SIZE != 8) {
            return false;
        }
        try {
            Native.register(DirectLibC.class, NativeLibrary.getInstance("c"));
            return true;
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return false;
        }
    }

    /** poll(2): {@code int poll(struct pollfd *fds, nfds_t nfds, int timeout);} */
    static native int poll(Pointer fds, long nfds, int timeout) throws LastErrorException;

    /**
     * ppoll(2) without a signal mask: {@code int ppoll(struct pollfd *fds, nfds_t nfds, const
     * struct timespec *tmo_p, const sigset_t *sigmask);} (a null {@code tmo_p} waits without bound)
     */
    static native int ppoll(Pointer fds, long nfds, Pointer timeout, Pointer sigmask) throws LastErrorException;

    /** recvmsg(2): {@code ssize_t recvmsg(int sockfd, struct msghdr *msg, int flags);} */
    static native long recvmsg(int sockfd, Pointer msg, int flags) throws LastErrorException;

    /**
     * sendto(2): {@code ssize_t sendto(int sockfd, const void *buf, size_t len, int flags,
     * const struct sockaddr *dest_addr, socklen_t addrlen);}
     */
    static native long sendto(int sockfd, byte[] buf, long len, int flags, Pointer destAddr, int addrlen)
            throws LastErrorException;

    /**
     * send(2) of native memory: {@code ssize_t send(int sockfd, const void *buf, size_t len, int flags);}
     * (a netlink request, an Ethernet frame built ahead).
     */
    static native long send(int sockfd, Pointer buf, long len, int flags) throws LastErrorException;

    /** recv(2) into native memory: {@code ssize_t recv(int sockfd, void *buf, size_t len, int flags);} */
    static native long recv(int sockfd, Pointer buf, long len, int flags) throws LastErrorException;

    /**
     * recvmsg(2) without errno: for a non-blocking read that may well find nothing (EAGAIN),
     * where building an exception per call would cost more than the call. -1 only says "nothing
     * read"; the caller then polls and reads through {@link DirectLibC#recvmsg}, which reports
     * real errors.
     */
    static final class Quiet {

        static final boolean AVAILABLE = DirectLibC.AVAILABLE && register();

        private Quiet() { }

        private static boolean register() {
            try {
                Native.register(Quiet.class, NativeLibrary.getInstance("c"));
                return true;
            } catch (UnsatisfiedLinkError | RuntimeException e) {
                return false;
            }
        }

        /** recvmsg(2): {@code ssize_t recvmsg(int sockfd, struct msghdr *msg, int flags);} */
        static native long recvmsg(int sockfd, Pointer msg, int flags);
    }
}
