package io.havip.arp.linux;

/**
 * The Linux capabilities this layer needs (capability(7), numbers from
 * linux/capability.h). A process gets them as root, or as a non-root user through
 * <em>ambient</em> capabilities, e.g. systemd's {@code AmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW}
 * or {@code setpriv --inh-caps=+net_admin,+net_raw --ambient-caps=+net_admin,+net_raw}.
 * See {@link LinuxNetworking} for why {@code setcap} on the {@code java} binary does not work.
 */
public enum Capability {
    /** Address changes through rtnetlink (RTM_NEWADDR / RTM_DELADDR), {@code SO_BINDTODEVICE} on older kernels. */
    CAP_NET_ADMIN(12),
    /** AF_PACKET sockets (gratuitous ARP / NA) and raw IP sockets (VRRP, protocol 112). */
    CAP_NET_RAW(13);

    private final int number;

    Capability(int number) {
        this.number = number;
    }

    /** The bit number in the capability sets of {@code /proc/PID/status}. */
    public int number() {
        return number;
    }
}
