package io.havip.vrrp.machine;

import io.havip.core.RouterId;
import io.havip.core.net.InterfaceAddress;
import io.havip.core.net.IpAddress;
import io.havip.core.net.IpFamily;
import io.havip.core.net.Ipv4Address;
import io.havip.core.net.Ipv6Address;
import io.havip.vrrp.codec.VrrpVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The settings of one virtual router on this node, validated once so the state machine
 * never meets an impossible value. Both the engine's builder and the keepalived.conf
 * reader produce this record; every refusal names the field, the value and what is allowed.
 *
 * @param router                   which virtual router (VRID, family, interface, name)
 * @param version                  VRRP version 2 (RFC 3768, IPv4 only) or 3 (RFC 5798)
 * @param priority                 1-255; 255 means this node owns the addresses (RFC 5798 section 5.2.4)
 * @param advertInterval           v2: whole seconds 1-255 (RFC 3768 section 5.3.7, an 8-bit field of
 *                                 seconds); v3: 10 ms steps from 10 ms to 40.95 s (RFC 5798 section
 *                                 5.2.7, a 12-bit field of centiseconds)
 * @param virtualAddresses         the addresses the master holds, at least one, at most 255 (the 8-bit
 *                                 Count IPvX Addr field), all of the router's family, no duplicates
 * @param preempt                  whether a higher-priority backup takes over from a lower-priority
 *                                 master (RFC 5798 section 6.1 Preempt_Mode; keepalived {@code nopreempt}
 *                                 is {@code false})
 * @param preemptDelay             keepalived {@code preempt_delay}: 0 to 1000 s; see {@link VrrpMachine}
 * @param password                 v2 simple text password (Auth Type 1, RFC 2338 section 5.3.6), 1-8
 *                                 bytes UTF-8; empty for no authentication; always empty for v3
 * @param unicastPeers             peers to send adverts to; empty means the multicast group
 *                                 224.0.0.18 / ff02::12 (RFC 5798 section 5.1.1.2 / 5.1.2.2)
 * @param garpOnLowerPriorityAdvert as master, answer a lower-priority advert with a fresh gratuitous
 *                                 ARP / NA burst besides the advert (keepalived {@code garp_lower_prio_repeat})
 * @param trackers                 interface and health-check trackers feeding FAULT and priority
 * @param acceptAdvertsFromNonPeers with unicast peers: also accept adverts whose IP source is not one of
 *                                 them (keepalived's default). Default false: they are dropped and counted
 *                                 in {@link VrrpStats#unicastSourceErrors()} (keepalived does that only with
 *                                 {@code vrrp_check_unicast_src}). No effect on a multicast router
 * @param strayAddressPolicy       what a router that is not master does with a virtual address found on
 *                                 its interface ({@link StrayAddressPolicy#REMOVE} by default)
 */
public record RouterConfig(RouterId router, VrrpVersion version, int priority, Duration advertInterval,
                           List<InterfaceAddress> virtualAddresses, boolean preempt, Duration preemptDelay,
                           Optional<String> password, List<IpAddress> unicastPeers,
                           boolean garpOnLowerPriorityAdvert, List<TrackerSpec> trackers,
                           boolean acceptAdvertsFromNonPeers, StrayAddressPolicy strayAddressPolicy) {

    /** The address-owner priority (RFC 5798 section 5.2.4). */
    public static final int OWNER_PRIORITY = 255;
    /** keepalived's upper bound for {@code preempt_delay} (seconds). */
    public static final Duration MAX_PREEMPT_DELAY = Duration.ofSeconds(1000);
    /** The IPv4 VRRP multicast group (RFC 5798 section 5.1.1.2). */
    public static final IpAddress MULTICAST_V4 = Ipv4Address.parse("224.0.0.18");
    /** The IPv6 VRRP multicast group (RFC 5798 section 5.1.2.2). */
    public static final IpAddress MULTICAST_V6 = Ipv6Address.parse("ff02::12");

    private static final Duration V3_MAX_INTERVAL = Duration.ofMillis(40_950);

    public RouterConfig {
        require(router != null, "router is null");
        String who = "router " + router.name() + ": ";
        require(version != null, who + "version is null (2 or 3)");
        require(priority >= 1 && priority <= 255, who + "priority " + priority
                + " is outside 1-255 (255 = address owner; 0 is reserved for the release advert)");
        require(advertInterval != null, who + "advertInterval is null");
        if (version == VrrpVersion.V2) {
            require(router.family() == IpFamily.IPV4, who + "version 2 is IPv4 only (RFC 3768); use version 3 for "
                    + router.family());
            long s = advertInterval.getSeconds();
            require(advertInterval.getNano() == 0 && s >= 1 && s <= 255, who + "advertInterval " + advertInterval
                    + " is not a whole number of seconds 1-255, as VRRPv2 requires (RFC 3768 section 5.3.7)");
        } else {
            require(!advertInterval.isNegative() && advertInterval.compareTo(V3_MAX_INTERVAL) <= 0
                    && advertInterval.toNanos() % 10_000_000L == 0 && advertInterval.toMillis() >= 10, who + "advertInterval " + advertInterval
                    + " is not a multiple of 10 ms between 10 ms and 40.95 s, as VRRPv3 requires (RFC 5798 section 5.2.7)");
        }
        require(virtualAddresses != null && !virtualAddresses.isEmpty(), who
                + "virtualAddresses is empty; give at least one address to hold");
        virtualAddresses = List.copyOf(virtualAddresses);
        require(virtualAddresses.size() <= 255, who + "virtualAddresses has " + virtualAddresses.size()
                + " entries; an advert carries at most 255 (8-bit count)");
        Set<IpAddress> seen = new HashSet<>();
        for (InterfaceAddress a : virtualAddresses) {
            require(a.family() == router.family(), who + "virtual address " + a + " is " + a.family()
                    + " but the router is " + router.family());
            require(seen.add(a.address()), who + "virtual address " + a.address() + " is listed twice");
        }
        require(preemptDelay != null, who + "preemptDelay is null (use Duration.ZERO)");
        require(!preemptDelay.isNegative() && preemptDelay.compareTo(MAX_PREEMPT_DELAY) <= 0, who + "preemptDelay "
                + preemptDelay + " is outside 0-1000 s (keepalived's range)");
        require(password != null, who + "password is null (use Optional.empty())");
        if (password.isPresent()) {
            require(version == VrrpVersion.V2, who + "password is set but VRRPv3 has no authentication "
                    + "(RFC 5798 section 9); remove it or use version 2");
            int len = password.get().getBytes(StandardCharsets.UTF_8).length;
            require(len >= 1 && len <= 8, who + "password is " + len
                    + " bytes; the v2 Authentication Data field holds 1-8 (RFC 2338 section 5.3.10)");
        }
        require(unicastPeers != null, who + "unicastPeers is null (use an empty list for multicast)");
        unicastPeers = List.copyOf(unicastPeers);
        Set<IpAddress> peers = new HashSet<>();
        for (IpAddress p : unicastPeers) {
            require(p.family() == router.family(), who + "unicast peer " + p + " is " + p.family()
                    + " but the router is " + router.family());
            require(!isMulticast(p), who + "unicast peer " + p + " is a multicast address");
            require(peers.add(p), who + "unicast peer " + p + " is listed twice");
        }
        require(trackers != null, who + "trackers is null (use an empty list)");
        trackers = List.copyOf(trackers);
        Set<String> names = new HashSet<>();
        for (TrackerSpec t : trackers) {
            require(names.add(t.key()), who + "tracker " + t.key() + " is listed twice");
        }
        require(strayAddressPolicy != null, who + "strayAddressPolicy is null (REMOVE or REPORT)");
    }

    /** True for IPv4 224.0.0.0/4 and IPv6 ff00::/8. */
    static boolean isMulticast(IpAddress a) {
        return a instanceof Ipv4Address v4 ? v4.isMulticast() : ((Ipv6Address) a).isMulticast();
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** True when this node owns the addresses (priority 255): it takes over at once (RFC 5798 section 6.4.1). */
    public boolean addressOwner() {
        return priority == OWNER_PRIORITY;
    }

    /**
     * True when adverts must come from a configured unicast peer: unicast peers are set and
     * {@link #acceptAdvertsFromNonPeers()} is off.
     */
    public boolean checksUnicastSource() {
        return !unicastPeers.isEmpty() && !acceptAdvertsFromNonPeers;
    }

    /** The advert interval as the 12-bit v3 field / v2 seconds times 100, in centiseconds. */
    public int advertIntervalCs() {
        return (int) (advertInterval.toMillis() / 10);
    }

    /** v2 Auth Type: 1 (simple text password) when a password is set, else 0; always 0 for v3. */
    public int authType() {
        return password.isPresent() ? 1 : 0;
    }

    /** v2 Authentication Data: the password zero-padded to 8 bytes (zeros when none); empty for v3. */
    public byte[] authData() {
        if (version == VrrpVersion.V3) {
            return new byte[0];
        }
        byte[] data = new byte[8];
        password.ifPresent(p -> {
            byte[] b = p.getBytes(StandardCharsets.UTF_8);
            System.arraycopy(b, 0, data, 0, b.length);
        });
        return data;
    }

    /** Where adverts go: the unicast peers, or the family's VRRP multicast group. */
    public List<IpAddress> advertDestinations() {
        if (!unicastPeers.isEmpty()) {
            return unicastPeers;
        }
        return List.of(router.family() == IpFamily.IPV4 ? MULTICAST_V4 : MULTICAST_V6);
    }

    /** The bare virtual addresses, in configured order, as adverts carry them. */
    public List<IpAddress> addresses() {
        return virtualAddresses.stream().map(InterfaceAddress::address).toList();
    }

    @Override
    public String toString() {
        return "RouterConfig[" + router + ", v" + version.number() + ", priority " + priority + ", every "
                + advertInterval + ", " + virtualAddresses + (preempt ? ", preempt" : ", nopreempt")
                + (preemptDelay.isZero() ? "" : " delay " + preemptDelay) + (password.isPresent() ? ", PASS" : "")
                + (unicastPeers.isEmpty() ? "" : ", unicast " + unicastPeers)
                + (unicastPeers.isEmpty() || !acceptAdvertsFromNonPeers ? "" : " (adverts from non-peers accepted)")
                + (trackers.isEmpty() ? "" : ", " + trackers)
                + (strayAddressPolicy == StrayAddressPolicy.REMOVE ? "" : ", stray addresses " + strayAddressPolicy)
                + "]";
    }

    /** A builder starting from RFC defaults: v3, priority 100, 1 s, preempt, no delay, multicast. */
    public static Builder builder(RouterId router) {
        return new Builder().router(Objects.requireNonNull(router, "router"));
    }

    /**
     * A builder whose {@link RouterId} is made at {@link Builder#build()} from
     * {@link Builder#interfaceName}, {@link Builder#vrid}, an optional {@link Builder#name} and
     * the family of the first virtual address.
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link RouterConfig}; validation happens in {@link #build()}. */
    public static final class Builder {
        private RouterId router;
        private String name;
        private String interfaceName;
        private Integer vrid;
        private VrrpVersion version = VrrpVersion.V3;
        private int priority = 100;
        private Duration advertInterval = Duration.ofSeconds(1);
        private final List<InterfaceAddress> virtualAddresses = new ArrayList<>();
        private boolean preempt = true;
        private Duration preemptDelay = Duration.ZERO;
        private String password;
        private final List<IpAddress> unicastPeers = new ArrayList<>();
        private boolean garpOnLowerPriorityAdvert = true;
        private final List<TrackerSpec> trackers = new ArrayList<>();
        private boolean acceptAdvertsFromNonPeers;
        private StrayAddressPolicy strayAddressPolicy = StrayAddressPolicy.REMOVE;

        private Builder() {
        }

        /** Sets the whole identity at once (instead of name, interfaceName and vrid). */
        public Builder router(RouterId id) {
            this.router = id;
            return this;
        }

        /** A name for logs; default {@code VI_<vrid>}. */
        public Builder name(String n) {
            this.name = n;
            return this;
        }

        public Builder interfaceName(String i) {
            this.interfaceName = i;
            return this;
        }

        public Builder vrid(int v) {
            this.vrid = v;
            return this;
        }

        public Builder version(VrrpVersion v) {
            this.version = v;
            return this;
        }

        public Builder priority(int p) {
            this.priority = p;
            return this;
        }

        public Builder advertInterval(Duration d) {
            this.advertInterval = d;
            return this;
        }

        /** Adds a virtual address, e.g. {@code "198.51.100.50/24"}. */
        public Builder virtualAddress(String address) {
            this.virtualAddresses.add(InterfaceAddress.parse(address));
            return this;
        }

        public Builder virtualAddress(InterfaceAddress address) {
            this.virtualAddresses.add(address);
            return this;
        }

        public Builder preempt(boolean p) {
            this.preempt = p;
            return this;
        }

        public Builder preemptDelay(Duration d) {
            this.preemptDelay = d;
            return this;
        }

        public Builder password(String p) {
            this.password = p;
            return this;
        }

        public Builder unicastPeer(IpAddress peer) {
            this.unicastPeers.add(peer);
            return this;
        }

        public Builder garpOnLowerPriorityAdvert(boolean g) {
            this.garpOnLowerPriorityAdvert = g;
            return this;
        }

        public Builder tracker(TrackerSpec t) {
            this.trackers.add(t);
            return this;
        }

        /** See {@link RouterConfig#acceptAdvertsFromNonPeers()}; default false. */
        public Builder acceptAdvertsFromNonPeers(boolean accept) {
            this.acceptAdvertsFromNonPeers = accept;
            return this;
        }

        /** See {@link RouterConfig#strayAddressPolicy()}; default {@link StrayAddressPolicy#REMOVE}. */
        public Builder strayAddressPolicy(StrayAddressPolicy p) {
            this.strayAddressPolicy = p;
            return this;
        }

        public RouterConfig build() {
            return new RouterConfig(router != null ? router : identity(), version, priority, advertInterval, virtualAddresses, preempt, preemptDelay,
                    Optional.ofNullable(password), unicastPeers, garpOnLowerPriorityAdvert, trackers,
                    acceptAdvertsFromNonPeers, strayAddressPolicy);
        }

        private RouterId identity() {
            require(interfaceName != null && !interfaceName.isBlank(),
                    "interfaceName is required (the interface to bind the address on)");
            require(vrid != null, "vrid is required (1-255, the same on every node of the router)");
            require(!virtualAddresses.isEmpty(), "virtualAddress is required (at least one address to hold)");
            return new RouterId(name != null ? name : "VI_" + vrid, interfaceName, vrid,
                    virtualAddresses.get(0).family());
        }
    }
}
