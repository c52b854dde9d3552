package io.havip.arp.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

/**
 * The libc functions this package calls, with the C signatures of the Linux man pages
 * (section 2 and 3). Every call that can fail with {@code errno} declares
 * {@link LastErrorException}, so JNA captures {@code errno} right after the call on the
 * calling thread; callers turn it into a {@link NativeException}. {@code size_t} and
 * {@code ssize_t} are {@link NativeLong} (both are {@code long} on Linux ILP32 and LP64),
 * {@code socklen_t} is {@code int}.
 *
 * <p>Package-private: nothing outside {@code io.havip.arp.linux} calls the kernel.
 */
interface LibC extends Library {

    /** Loaded on first use; {@link LinuxNetworking#availability()} reports a failure to load it. */
    final class Holder {
        static final LibC INSTANCE = Native.load("c", LibC.class);

        private Holder() { }
    }

    static LibC get() {
        return Holder.INSTANCE;
    }

    /** socket(2): {@code int socket(int domain, int type, int protocol);} */
    int socket(int domain, int type, int protocol) throws LastErrorException;

    /** bind(2): {@code int bind(int sockfd, const struct sockaddr *addr, socklen_t addrlen);} */
    int bind(int sockfd, Pointer addr, int addrlen) throws LastErrorException;

    /** close(2): {@code int close(int fd);} */
    int close(int fd) throws LastErrorException;

    /** send(2): {@code ssize_t send(int sockfd, const void *buf, size_t len, int flags);} */
    NativeLong send(int sockfd, byte[] buf, NativeLong len, int flags) throws LastErrorException;

    /**
     * sendto(2): {@code ssize_t sendto(int sockfd, const void *buf, size_t len, int flags,
     * const struct sockaddr *dest_addr, socklen_t addrlen);}
     */
    NativeLong sendto(int sockfd, byte[] buf, NativeLong len, int flags, Pointer destAddr, int addrlen)
            throws LastErrorException;

    /** recv(2): {@code ssize_t recv(int sockfd, void *buf, size_t len, int flags);} */
    NativeLong recv(int sockfd, byte[] buf, NativeLong len, int flags) throws LastErrorException;

    /** recvmsg(2): {@code ssize_t recvmsg(int sockfd, struct msghdr *msg, int flags);} */
    NativeLong recvmsg(int sockfd, Pointer msg, int flags) throws LastErrorException;

    /**
     * setsockopt(2): {@code int setsockopt(int sockfd, int level, int optname, const void *optval,
     * socklen_t optlen);}
     */
    int setsockopt(int sockfd, int level, int optname, Pointer optval, int optlen) throws LastErrorException;

    /** ioctl(2): {@code int ioctl(int fd, unsigned long request, ...);} with one pointer argument. */
    int ioctl(int fd, NativeLong request, Pointer arg) throws LastErrorException;

    /** poll(2): {@code int poll(struct pollfd *fds, nfds_t nfds, int timeout);} */
    int poll(Pointer fds, NativeLong nfds, int timeout) throws LastErrorException;

    /** ppoll(2): {@code int ppoll(struct pollfd *fds, nfds_t nfds, const struct timespec *tmo_p, const sigset_t *sigmask);} */
    int ppoll(Pointer fds, NativeLong nfds, Pointer timeout, Pointer sigmask) throws LastErrorException;

    /** signal(2): {@code sighandler_t signal(int signum, sighandler_t handler);} (null is SIG_DFL) */
    Pointer signal(int signum, Pointer handler);

    /** eventfd(2): {@code int eventfd(unsigned int initval, int flags);} */
    int eventfd(int initval, int flags) throws LastErrorException;

    /** write(2): {@code ssize_t write(int fd, const void *buf, size_t count);} */
    NativeLong write(int fd, byte[] buf, NativeLong count) throws LastErrorException;

    /** read(2): {@code ssize_t read(int fd, void *buf, size_t count);} */
    NativeLong read(int fd, byte[] buf, NativeLong count) throws LastErrorException;

    /** open(2): {@code int open(const char *pathname, int flags);} */
    int open(String pathname, int flags) throws LastErrorException;

    /** setns(2): {@code int setns(int fd, int nstype);} */
    int setns(int fd, int nstype) throws LastErrorException;

    /** if_indextoname(3): {@code char *if_indextoname(unsigned int ifindex, char *ifname);} NULL on failure. */
    Pointer if_indextoname(int ifindex, byte[] ifname) throws LastErrorException;

    /** strerror(3): {@code char *strerror(int errnum);} */
    String strerror(int errnum);
}
