package io.havip.core;

import io.havip.core.net.IpFamily;

/**
 * Names one virtual router on one node: its VRID and address family on an interface
 * (RFC 5798 section 1: a VRID is scoped to a LAN and a family), plus a human name such
 * as keepalived's {@code vrrp_instance} name.
 */
public record RouterId(String name, String interfaceName, int vrid, IpFamily family) {

    public RouterId {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("router name is empty");
        }
        if (interfaceName == null || interfaceName.isBlank()) {
            throw new IllegalArgumentException("interface name is empty for router " + name);
        }
        if (vrid < 1 || vrid > 255) {
            throw new IllegalArgumentException("VRID " + vrid + " of router " + name + " is outside 1-255");
        }
        if (family == null) {
            throw new IllegalArgumentException("address family is null for router " + name);
        }
    }

    @Override
    public String toString() {
        return name + " (VRID " + vrid + " " + family + " on " + interfaceName + ")";
    }
}
