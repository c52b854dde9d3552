package io.havip.arp.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import io.havip.core.net.MacAddress;
import java.nio.charset.StandardCharsets;

/**
 * Interface facts through ioctl(2) on an AF_INET datagram socket (netdevice(7)). The
 * socket is opened per call on the calling thread, so the answer is about that thread's
 * network namespace. Needs no capability.
 */
public final class Interfaces {

    /** netdevice(7) request numbers (linux/sockios.h). */
    private static final long SIOCGIFFLAGS = 0x8913;
    private static final long SIOCGIFMTU = 0x8921;
    private static final long SIOCGIFHWADDR = 0x8927;
    private static final long SIOCGIFINDEX = 0x8933;

    /** sizeof(struct ifreq): 16 bytes of name and a 24-byte union on LP64 (16 on ILP32). */
    private static final int IFREQ_SIZE = Sys.IFNAMSIZ + (Sys.POINTER == 8 ? 24 : 16);

    private Interfaces() { }

    /** Index, MAC, flags and MTU of {@code name}; ENODEV when it does not exist. */
    public static InterfaceInfo query(String name) throws NativeException {
        byte[] nameBytes = checkName(name);
        String attempted = "read interface " + name;
        int fd = Sys.socket(attempted, "AF_INET, SOCK_DGRAM", Sys.AF_INET, Sys.SOCK_DGRAM, 0, null);
        try {
            Memory ifr = new Memory(IFREQ_SIZE);
            int index = ioctl(fd, ifr, nameBytes, SIOCGIFINDEX, "SIOCGIFINDEX", attempted, name).getInt(Sys.IFNAMSIZ);
            ioctl(fd, ifr, nameBytes, SIOCGIFHWADDR, "SIOCGIFHWADDR", attempted, name);
            // struct sockaddr ifr_hwaddr: sa_family (ARPHRD_*), then sa_data with the address
            int hwType = ifr.getShort(Sys.IFNAMSIZ) & 0xffff;
            MacAddress mac = hwType == 1 /* ARPHRD_ETHER */ ? MacAddress.ofBytes(ifr.getByteArray(Sys.IFNAMSIZ + 2, 6))
                    : MacAddress.ZERO;
            int flags = ioctl(fd, ifr, nameBytes, SIOCGIFFLAGS, "SIOCGIFFLAGS", attempted, name)
                    .getShort(Sys.IFNAMSIZ) & 0xffff;
            int mtu = ioctl(fd, ifr, nameBytes, SIOCGIFMTU, "SIOCGIFMTU", attempted, name).getInt(Sys.IFNAMSIZ);
            return new InterfaceInfo(name, index, mac, flags, mtu);
        } finally {
            Sys.closeQuietly(fd);
        }
    }

    static byte[] checkName(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("interface name is empty");
        }
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        if (b.length >= Sys.IFNAMSIZ || name.indexOf('/') >= 0 || name.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("\"" + name + "\" is not a valid interface name (at most "
                    + (Sys.IFNAMSIZ - 1) + " bytes, no '/' or spaces)");
        }
        return b;
    }

    private static Memory ioctl(int fd, Memory ifr, byte[] name, long request, String requestName, String attempted,
            String ifname) throws NativeException {
        ifr.clear();
        ifr.write(0, name, 0, name.length);
        try {
            LibC.get().ioctl(fd, Sys.nl(request), ifr);
            return ifr;
        } catch (LastErrorException e) {
            throw NativeException.of(attempted, "ioctl(" + requestName + ")", e.getErrorCode(), null, null, ifname);
        }
    }

}
