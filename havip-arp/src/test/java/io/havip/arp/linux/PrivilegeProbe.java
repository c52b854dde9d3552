package io.havip.arp.linux;

import io.havip.core.net.InterfaceAddress;

/**
 * Run in a child JVM (as an unprivileged user) by {@link PrivilegesIT}: prints what the
 * availability check says and what adding an address to eth0 does, one line each.
 */
public final class PrivilegeProbe {

    private PrivilegeProbe() { }

    public static void main(String[] args) {
        System.out.println("CAPS " + LinuxNetworking.effectiveCapabilities().orElseThrow());
        System.out.println("AVAILABILITY " + LinuxNetworking.availability().unavailabilityCause().orElse("available"));
        try (RtNetlink nl = RtNetlink.open()) {
            System.out.println("ADD " + nl.addAddress(nl.ifindex("eth0"), InterfaceAddress.parse(args[0])));
        } catch (NativeException e) {
            System.out.println("ADD-ERROR " + e.getMessage());
        }
        for (String extra : args) {
            if (extra.equals("raw")) {
                try {
                    Sys.closeQuietly(Sys.socket("open a VRRP raw socket", "AF_INET, SOCK_RAW, 112", Sys.AF_INET,
                            Sys.SOCK_RAW, Sys.IPPROTO_VRRP, Capability.CAP_NET_RAW));
                    System.out.println("RAW ok");
                } catch (NativeException e) {
                    System.out.println("RAW-ERROR " + e.getMessage());
                }
            }
        }
    }
}
