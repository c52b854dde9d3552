package io.havip.vrrp.config;

import io.havip.core.net.IpAddress;
import io.havip.core.net.IpFamily;
import io.havip.vrrp.codec.VrrpVersion;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@code vrrp_instance} after keepalived's completion rules: defaults filled in, version and
 * family resolved, conflicting options cleared (each with a warning in
 * {@link KeepalivedConfig#warnings()}).
 *
 * @param name                  the instance name
 * @param initialState          {@code state} (default BACKUP)
 * @param interfaceName         {@code interface}; empty only for unicast instances with {@code unicast_src_ip}
 * @param virtualRouterId       {@code virtual_router_id}, 1-255 (required)
 * @param priority              {@code priority}, 1-255 (default 100; 255 is the address owner)
 * @param version               {@code version}, else global {@code vrrp_version}, else 2; IPv6 forces 3
 * @param family                the family of the virtual addresses (IPv4 unless the first VIP is IPv6)
 * @param advertInterval        {@code advert_int} (default 1 s): whole seconds 1-255 for v2,
 *                              0.01-40.95 s in steps of 10 ms for v3
 * @param authentication        the v2 {@code authentication} block; always empty for v3
 * @param preempt               false with {@code nopreempt} (cleared for state MASTER or priority 255)
 * @param preemptDelay          {@code preempt_delay}, 0-1000 s (default 0)
 * @param accept                {@code accept} / {@code no_accept} (default accept, no_accept under {@code vrrp_strict})
 * @param dontTrackPrimary      {@code dont_track_primary}: the instance's own interface going down does not cause FAULT
 * @param sourceAddress         {@code unicast_src_ip} or {@code mcast_src_ip}: the advert source instead of the
 *                              interface's primary address
 * @param unicastPeers          {@code unicast_peer} addresses (empty: multicast to 224.0.0.18 / ff02::12)
 * @param virtualAddresses      {@code virtual_ipaddress}: the addresses carried in adverts
 * @param excludedAddresses     {@code virtual_ipaddress_excluded}: added with the VIPs but not advertised
 * @param trackInterfaces       {@code track_interface} (the instance's own interface is dropped, as keepalived does)
 * @param trackScripts          {@code track_script} entries naming defined vrrp_scripts
 * @param notifyScripts              notify commands
 * @param garp                  gratuitous ARP / NA schedule (instance keys over the global ones)
 * @param smtpAlert             {@code smtp_alert} (havip sends no e-mail; kept for completeness)
 * @param location              where the block starts
 * @param checkUnicastSource    {@code check_unicast_src}: only accept adverts from the unicast peers (havip
 *                              does so anyway unless the {@code havip} block says
 *                              {@code accept_adverts_from_non_peers}; this keyword then still wins)
 * @param trackFiles            {@code track_file} entries naming defined {@code track_file} blocks
 * @param trackProcesses        {@code track_process} entries naming defined {@code vrrp_track_process} blocks
 * @param written               where each keyword of the block was written (the last occurrence), for
 *                              reports such as {@code havipd --check}; keys not in it took their default
 *                              (also {@code auth_type} / {@code auth_pass}, and {@code "unicast_peer ADDRESS"} per peer)
 * @param virtualRoutes         {@code virtual_routes}: routes added as master, removed when leaving it
 * @param virtualRules          {@code virtual_rules}: policy routing rules added as master, removed when leaving it
 * @param virtualMac            {@code use_vmac} / {@code vmac_xmit_base}, empty when not asked for
 */
public record VrrpInstanceConfig(String name, InitialState initialState, Optional<String> interfaceName, int virtualRouterId,
                                 int priority, VrrpVersion version, IpFamily family, Duration advertInterval,
                                 Optional<Authentication> authentication, boolean preempt, Duration preemptDelay,
                                 boolean accept, boolean dontTrackPrimary, Optional<IpAddress> sourceAddress,
                                 List<IpAddress> unicastPeers, List<VirtualIpAddress> virtualAddresses,
                                 List<VirtualIpAddress> excludedAddresses, List<TrackedInterface> trackInterfaces,
                                 List<TrackedScript> trackScripts, NotifyScripts notifyScripts, GarpSettings garp, boolean smtpAlert,
                                 SourceLocation location, boolean checkUnicastSource, List<TrackedObject> trackFiles,
                                 List<TrackedObject> trackProcesses, java.util.Map<String, SourceLocation> written,
                                 List<VirtualRoute> virtualRoutes, List<VirtualRule> virtualRules,
                                 Optional<VirtualMacConfig> virtualMac) {

    /** An instance without a virtual MAC interface. */
    public VrrpInstanceConfig(String name, InitialState initialState, Optional<String> interfaceName, int virtualRouterId,
                              int priority, VrrpVersion version, IpFamily family, Duration advertInterval,
                              Optional<Authentication> authentication, boolean preempt, Duration preemptDelay,
                              boolean accept, boolean dontTrackPrimary, Optional<IpAddress> sourceAddress,
                              List<IpAddress> unicastPeers, List<VirtualIpAddress> virtualAddresses,
                              List<VirtualIpAddress> excludedAddresses, List<TrackedInterface> trackInterfaces,
                              List<TrackedScript> trackScripts, NotifyScripts notifyScripts, GarpSettings garp,
                              boolean smtpAlert, SourceLocation location, boolean checkUnicastSource,
                              List<TrackedObject> trackFiles, List<TrackedObject> trackProcesses,
                              java.util.Map<String, SourceLocation> written, List<VirtualRoute> virtualRoutes,
                              List<VirtualRule> virtualRules) {
        this(name, initialState, interfaceName, virtualRouterId, priority, version, family, advertInterval,
                authentication, preempt, preemptDelay, accept, dontTrackPrimary, sourceAddress, unicastPeers,
                virtualAddresses, excludedAddresses, trackInterfaces, trackScripts, notifyScripts, garp, smtpAlert,
                location, checkUnicastSource, trackFiles, trackProcesses, written, virtualRoutes, virtualRules,
                Optional.empty());
    }

    public VrrpInstanceConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(initialState, "initialState");
        Objects.requireNonNull(interfaceName, "interfaceName");
        if (virtualRouterId < 1 || virtualRouterId > 255) {
            throw new IllegalArgumentException("virtual_router_id " + virtualRouterId + " is outside 1-255");
        }
        if (priority < 1 || priority > 255) {
            throw new IllegalArgumentException("priority " + priority + " is outside 1-255");
        }
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(advertInterval, "advertInterval");
        Objects.requireNonNull(authentication, "authentication");
        Objects.requireNonNull(preemptDelay, "preemptDelay");
        Objects.requireNonNull(sourceAddress, "sourceAddress");
        unicastPeers = List.copyOf(unicastPeers);
        virtualAddresses = List.copyOf(virtualAddresses);
        excludedAddresses = List.copyOf(excludedAddresses);
        trackInterfaces = List.copyOf(trackInterfaces);
        trackScripts = List.copyOf(trackScripts);
        Objects.requireNonNull(notifyScripts, "notifyScripts");
        Objects.requireNonNull(garp, "garp");
        Objects.requireNonNull(location, "location");
        trackFiles = List.copyOf(trackFiles);
        trackProcesses = List.copyOf(trackProcesses);
        written = java.util.Map.copyOf(written);
        virtualRoutes = List.copyOf(virtualRoutes);
        virtualRules = List.copyOf(virtualRules);
        Objects.requireNonNull(virtualMac, "virtualMac");
    }

    /** Where {@code key} was written in this instance's block (its last occurrence), if it was. */
    public Optional<SourceLocation> writtenAt(String key) {
        return Optional.ofNullable(written.get(key));
    }

    /** Whether adverts go to {@link #unicastPeers()} rather than the VRRP multicast group. */
    public boolean unicast() {
        return !unicastPeers.isEmpty();
    }

    /** The advertisement interval in centiseconds, the unit of the VRRPv3 field. */
    public int advertIntervalCentiseconds() {
        return (int) (advertInterval.toMillis() / 10);
    }
}
