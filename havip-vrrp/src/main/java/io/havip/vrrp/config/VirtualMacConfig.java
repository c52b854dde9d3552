package io.havip.vrrp.config;

import java.util.Objects;
import java.util.Optional;

/**
 * keepalived's {@code use_vmac [NAME]} and {@code vmac_xmit_base} of a {@code vrrp_instance}:
 * the instance's addresses go on a macvlan carrying the RFC 5798 virtual MAC.
 *
 * @param interfaceName the vmac's name as written; empty for the default ({@code vrrp.VRID},
 *                      IPv6 {@code vrrp6.VRID})
 * @param transmitBase  {@code vmac_xmit_base}: adverts are sent from the base interface
 * @param location      where {@code use_vmac} was written
 */
public record VirtualMacConfig(Optional<String> interfaceName, boolean transmitBase, SourceLocation location) {

    public VirtualMacConfig {
        Objects.requireNonNull(interfaceName, "interfaceName");
        Objects.requireNonNull(location, "location");
    }
}
