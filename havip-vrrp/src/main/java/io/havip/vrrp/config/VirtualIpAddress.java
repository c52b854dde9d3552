package io.havip.vrrp.config;

import io.havip.core.net.InterfaceAddress;
import io.havip.core.net.IpAddress;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One line of {@code virtual_ipaddress} / {@code virtual_ipaddress_excluded}:
 * {@code ADDR[/PREFIX] [brd ADDR] [dev IF] [scope SCOPE] [label LABEL] [peer ADDR] [no_track] ...}.
 *
 * @param address      the address with its prefix (/32 or /128 when none is given, as keepalived does)
 * @param device       {@code dev}: the interface to add it on, or empty for the instance's interface
 * @param label        {@code label}: the IPv4 alias label, e.g. {@code eth0:1}
 * @param broadcast    {@code brd}: IPv4 broadcast address
 * @param scope        {@code scope}, or empty for the kernel default (global)
 * @param peer         {@code peer}: the far end of a point-to-point address
 * @param noTrack      {@code no_track}: deleting it from outside does not make the instance leave MASTER
 * @param otherOptions options kept verbatim that havip does not act on (e.g. {@code home}, {@code -nodad},
 *                     {@code noprefixroute}, {@code preferred_lft forever}); the reader warned about them
 */
public record VirtualIpAddress(InterfaceAddress address, Optional<String> device, Optional<String> label,
                               Optional<IpAddress> broadcast, Optional<Scope> scope, Optional<IpAddress> peer,
                               boolean noTrack, List<String> otherOptions, SourceLocation location) {

    /** The {@code scope} values keepalived accepts (those of ip-address(8)). */
    public enum Scope {
        GLOBAL, SITE, LINK, HOST, NOWHERE;

        /** The lower-case keyword as written in keepalived.conf. */
        public String keyword() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public VirtualIpAddress {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(broadcast, "broadcast");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(peer, "peer");
        otherOptions = List.copyOf(otherOptions);
        Objects.requireNonNull(location, "location");
    }

    /** A plain address with no options, e.g. for tests and builders. */
    public static VirtualIpAddress of(InterfaceAddress address, SourceLocation location) {
        return new VirtualIpAddress(address, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), false, List.of(), location);
    }
}
