package io.havip.vrrp;

import io.havip.core.AddressHook;
import io.havip.core.AdvertTransport;
import io.havip.core.Clock;
import io.havip.core.FailoverListener;
import io.havip.core.RouterId;
import io.havip.core.VipBinder;
import io.havip.core.net.InterfaceAddress;
import io.havip.core.net.IpAddress;
import io.havip.arp.garp.GarpConfig;
import io.havip.vrrp.codec.VrrpVersion;
import io.havip.vrrp.internal.engine.Engine;
import io.havip.vrrp.internal.engine.SilentTransport;
import io.havip.vrrp.internal.linux.LinuxPlatform;
import io.havip.vrrp.internal.linux.VirtualMacPlatform;
import io.havip.vrrp.keepalived.KeepalivedRouters;
import io.havip.vrrp.liveness.LivenessConfig;
import io.havip.vrrp.liveness.LivenessEndpoints;
import io.havip.vrrp.machine.RouterConfig;
import io.havip.vrrp.machine.StrayAddressPolicy;
import io.havip.vrrp.machine.TrackerSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * The entry point: {@code Havip.builder()...start()} runs one virtual router on this node.
 *
 * <pre>{@code
 * VirtualRouter router = Havip.builder()
 *         .interfaceName("eth1").vrid(51).priority(100)
 *         .virtualAddress("198.51.100.50/24")
 *         .listener(change -> log.info("now {}", change.to()))
 *         .start();
 * }</pre>
 *
 * By default the router runs on Linux networking (rtnetlink, raw VRRP sockets, gratuitous
 * ARP / NA; needs CAP_NET_ADMIN and CAP_NET_RAW); give a {@link #builder() builder} an
 * {@link AdvertTransport} and a {@link VipBinder} (for example from
 * {@code io.havip.core.memory.InMemoryNetwork}) to run anywhere.
 */
public final class Havip {

    private Havip() {
    }

    /**
     * A sync group: routers of one node that move together, as keepalived's
     * {@code vrrp_sync_group} (an LVS-NAT director's outside and inside addresses, a proxy's
     * client-side and replication-side addresses). See {@link RouterGroup}.
     */
    public static RouterGroup.Builder syncGroup(String name) {
        return new RouterGroup.Builder(name);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder preset from the {@code vrrp_instance} named {@code instance} of a
     * keepalived.conf (its {@code vrrp_script}s become process health checks); add listeners
     * and hooks, then {@link Builder#start()}. Warnings (options havip does not support) are
     * logged with file and line.
     *
     * @throws io.havip.vrrp.config.ConfigException if the file does not read, with file:line:key
     * @throws IllegalArgumentException if there is no such instance
     */
    public static Builder fromKeepalivedConf(java.nio.file.Path file, String instance) {
        KeepalivedRouters.Mapping mapping = KeepalivedRouters.map(io.havip.vrrp.config.KeepalivedConfigReader.read(file));
        mapping.warnings().forEach(w -> org.slf4j.LoggerFactory.getLogger(Havip.class).warn("{}", w));
        Builder b = mapping.builders().get(instance);
        if (b == null) {
            throw new IllegalArgumentException(file + " has no vrrp_instance " + instance + " (it has "
                    + mapping.builders().keySet() + ")");
        }
        return b;
    }

    /**
     * Collects the settings of one virtual router. Defaults follow keepalived's: VRRPv3,
     * priority 100, advert interval 1 s, preempt on, multicast, keepalived's GARP schedule.
     * {@link #build()} validates everything and names the field at fault.
     */
    public static final class Builder {
        /** The protocol settings, validated by {@link RouterConfig}'s own rules. */
        private final RouterConfig.Builder protocol = RouterConfig.builder();
        private IpAddress sourceAddress;
        private GarpConfig garp = GarpConfig.keepalivedDefaults();
        private final List<HealthCheck> healthChecks = new ArrayList<>();
        private final List<Engine.ListenerRegistration> listeners = new ArrayList<>();
        private final List<Engine.HookRegistration> hooks = new ArrayList<>();
        private VipBinder binder;
        private AdvertTransport transport;
        private Clock clock;
        private HavipRuntime runtime;
        private Duration handoverTimeout;
        private LivenessConfig liveness;
        private LivenessEndpoints livenessEndpoints;
        private io.havip.vrrp.election.ElectionAuthority authority;
        private io.havip.vrrp.machine.LeaseGate.Mode electionMode;
        private boolean virtualMac;
        private String virtualMacName;
        private boolean virtualMacTransmitBase;

        private Builder() {
        }

        /** A name for logs and {@link RouterId#name()}; default {@code VI_<vrid>}. */
        public Builder name(String name) {
            protocol.name(name);
            return this;
        }

        /** The interface the virtual addresses are bound to and adverts are sent on. Required. */
        public Builder interfaceName(String interfaceName) {
            protocol.interfaceName(interfaceName);
            return this;
        }

        /** The Virtual Router ID, 1-255, the same on every node of the router. Required. */
        public Builder vrid(int vrid) {
            protocol.vrid(vrid);
            return this;
        }

        /** VRRP version 3 (default; RFC 5798) or 2 (RFC 3768, IPv4 only, whole-second intervals, PASS auth). */
        public Builder version(VrrpVersion version) {
            protocol.version(version);
            return this;
        }

        /** 1-254, or 255 for the address owner; default 100. Higher wins. */
        public Builder priority(int priority) {
            protocol.priority(priority);
            return this;
        }

        /** Default 1 s. v3: 10 ms steps from 10 ms to 40.95 s; v2: whole seconds. */
        public Builder advertInterval(Duration advertInterval) {
            protocol.advertInterval(advertInterval);
            return this;
        }

        /** Adds a virtual address such as {@code 198.51.100.50/24} (no prefix: /32 or /128). */
        public Builder virtualAddress(String address) {
            try {
                return virtualAddress(InterfaceAddress.parse(address));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("virtualAddress: " + e.getMessage(), e);
            }
        }

        public Builder virtualAddress(InterfaceAddress address) {
            protocol.virtualAddress(address);
            return this;
        }

        /** Whether a higher-priority node takes over from a live lower-priority master; default true. */
        public Builder preempt(boolean preempt) {
            protocol.preempt(preempt);
            return this;
        }

        /** keepalived's {@code preempt_delay}: after start-up, wait this long before preempting. */
        public Builder preemptDelay(Duration preemptDelay) {
            protocol.preemptDelay(preemptDelay);
            return this;
        }

        /** VRRPv2 simple password (Auth Type PASS), 1-8 bytes. Not for v3. */
        public Builder authPassword(String password) {
            protocol.password(password);
            return this;
        }

        /**
         * The address adverts are sent from (keepalived {@code mcast_src_ip} / {@code unicast_src_ip});
         * default: the interface's primary address (IPv6: its link-local address).
         */
        public Builder sourceAddress(String address) {
            return sourceAddress(parse("sourceAddress", address));
        }

        public Builder sourceAddress(IpAddress address) {
            this.sourceAddress = address;
            return this;
        }

        /** Sends adverts to these peers by unicast instead of to the multicast group. */
        public Builder unicastPeers(String... peers) {
            for (String p : peers) {
                protocol.unicastPeer(parse("unicastPeers", p));
            }
            return this;
        }

        public Builder unicastPeer(IpAddress peer) {
            protocol.unicastPeer(peer);
            return this;
        }

        /**
         * With {@link #unicastPeers unicast peers}: whether adverts whose IP source is not one of
         * them are accepted. Default {@code false}: they are dropped before they are decoded,
         * counted in {@link io.havip.vrrp.machine.VrrpStats#unicastSourceErrors()} and logged once
         * per source, so a host that is not a peer cannot take the address over with a forged
         * priority-255 advert. {@code true} accepts them, as keepalived does unless
         * {@code vrrp_check_unicast_src} is set; use it only when a peer sends from another of its
         * addresses than the one listed (better: list that one). No effect on a multicast
         * router, where any host on the segment can still send adverts (isolate VRRP traffic or
         * filter protocol 112 by source, see RELIABILITY.md).
         */
        public Builder acceptAdvertsFromNonPeers(boolean accept) {
            protocol.acceptAdvertsFromNonPeers(accept);
            return this;
        }

        /** As master, answer a lower-priority advert with a fresh GARP burst too (default true). */
        public Builder garpOnLowerPriorityAdvert(boolean enabled) {
            protocol.garpOnLowerPriorityAdvert(enabled);
            return this;
        }

        /**
         * What this router does, while not master, with one of its virtual addresses found on its
         * interface (added by hand, a network manager, a DHCP client): {@link StrayAddressPolicy#REMOVE}
         * it (default; two holders break clients) or only {@link StrayAddressPolicy#REPORT} it. Both
         * log and count it ({@link RouterStats#strayAddresses()}). As master, a virtual address
         * removed by someone else is always put back and re-announced.
         */
        public Builder strayAddressPolicy(StrayAddressPolicy policy) {
            protocol.strayAddressPolicy(require("strayAddressPolicy", policy));
            return this;
        }

        /** The gratuitous ARP / NA schedule on becoming master; default keepalived's. */
        public Builder garp(GarpConfig garp) {
            this.garp = garp;
            return this;
        }

        /** Tracks an interface's link: weight 0 puts the router in FAULT while it is down. */
        public Builder trackInterface(String interfaceName, int weight) {
            protocol.tracker(new TrackerSpec.TrackedInterface(interfaceName, weight));
            return this;
        }

        /** Adds an application health check (see {@link HealthCheck}). */
        public Builder healthCheck(HealthCheck check) {
            healthChecks.add(check);
            protocol.tracker(new TrackerSpec.HealthCheck(check.name(), check.weight(), check.rise(), check.fall(), true));
            return this;
        }

        /** Adds a listener on the router's single listener thread (ordered). */
        public Builder listener(FailoverListener listener) {
            listeners.add(new Engine.ListenerRegistration(require("listener", listener), null));
            return this;
        }

        /** Adds a listener whose callbacks run on {@code executor}. */
        public Builder listener(FailoverListener listener, Executor executor) {
            listeners.add(new Engine.ListenerRegistration(require("listener", listener), require("executor", executor)));
            return this;
        }

        /** Adds a hook run before the address is taken or released, bounded by {@code timeout}. */
        public Builder hook(AddressHook hook, Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("hook timeout " + timeout + " must be positive");
            }
            hooks.add(new Engine.HookRegistration(require("hook", hook), timeout));
            return this;
        }

        /**
         * keepalived's {@code use_vmac}: the router's addresses go on an interface of their own
         * carrying the RFC 5798 virtual MAC ({@code 00:00:5e:00:01:VRID}, IPv6
         * {@code 00:00:5e:00:02:VRID}), a private-mode macvlan on {@link #interfaceName} named
         * {@code vrrp.VRID} ({@code vrrp6.VRID} for IPv6) unless {@link #virtualMacInterface}
         * names it. Clients then reach the address at the same MAC whichever node is master, and
         * adverts and gratuitous ARP / NA leave from the virtual MAC. Needed where switches or
         * peers (FRR) expect it. The interface is created at start (a leftover of a killed run is
         * adopted; any other interface of that name is refused and left alone), recreated if
         * deleted while the router runs, and deleted at close. Sets {@code arp_ignore=1},
         * {@code arp_filter=1} on the base interface, as keepalived does. Linux networking only.
         * Default off.
         */
        public Builder useVirtualMac(boolean use) {
            this.virtualMac = use;
            return this;
        }

        /** Turns on {@link #useVirtualMac} with the vmac named {@code name} (keepalived: {@code use_vmac NAME}). */
        public Builder virtualMacInterface(String name) {
            this.virtualMacName = require("virtualMacInterface", name);
            this.virtualMac = true;
            return this;
        }

        /**
         * keepalived's {@code vmac_xmit_base}: with {@link #useVirtualMac}, adverts leave from the
         * base interface and its own MAC (the addresses stay on the vmac). Default false.
         */
        public Builder virtualMacTransmitBase(boolean onBase) {
            this.virtualMacTransmitBase = onBase;
            return this;
        }

        /** The virtual MAC settings, or null when off. */
        VirtualMacPlatform.Spec virtualMac() {
            return virtualMac ? new VirtualMacPlatform.Spec(virtualMacName, virtualMacTransmitBase) : null;
        }

        /** Where the addresses go; default: the Linux binder (rtnetlink + GARP / NA). */
        public Builder binder(VipBinder binder) {
            this.binder = binder;
            return this;
        }

        /** How adverts travel; default: raw IP sockets, protocol 112, on {@link #interfaceName}. */
        public Builder transport(AdvertTransport transport) {
            this.transport = transport;
            return this;
        }

        /**
         * The time source; default the runtime's. A router given a clock and no runtime gets a
         * runtime of its own on that clock (tests: a {@link io.havip.core.ManualClock}), closed
         * with the router.
         */
        public Builder clock(Clock clock) {
            this.clock = require("clock", clock);
            return this;
        }

        /**
         * The runtime that drives the router: its threads and sockets are shared with the
         * runtime's other routers, and closing the runtime closes the router. Default
         * {@link HavipRuntime#shared()}.
         */
        public Builder runtime(HavipRuntime runtime) {
            this.runtime = require("runtime", runtime);
            return this;
        }

        /**
         * On close as master: how long to keep the address after the priority-0 advert while
         * waiting to hear the new master (make-before-break, so clients lose nothing during
         * its Skew_Time). Default: two advert intervals plus 100 ms. {@code Duration.ZERO}
         * releases at once, as keepalived does.
         */
        public Builder handoverTimeout(Duration timeout) {
            if (timeout == null || timeout.isNegative()) {
                throw new IllegalArgumentException("handoverTimeout " + timeout + " must be zero or positive");
            }
            this.handoverTimeout = timeout;
            return this;
        }

        /**
         * Turns on the liveness channel (see {@link io.havip.vrrp.liveness.LivenessMonitor}): an
         * authenticated TCP connection to each havip peer, so a backup takes over within tens of
         * milliseconds when the master's process dies on a live host, instead of after
         * Master_Down_Interval. Off by default, and only ever on with a secret: without one a peer
         * cannot be authenticated. Peers that do not answer (keepalived) keep plain VRRP timing.
         * {@code null} turns it off.
         */
        public Builder liveness(LivenessConfig config) {
            this.liveness = config;
            return this;
        }

        /**
         * The liveness channel's shared secret (at least 16 bytes, the same on every havip node of
         * the router); turns the channel on with the default port ({@value LivenessConfig#DEFAULT_PORT_BASE}
         * + VRID) and grace (2 ms) unless set otherwise.
         */
        public Builder livenessSecret(String secret) {
            LivenessConfig base = LivenessConfig.withSecret(secret);
            this.liveness = liveness == null ? base
                    : new LivenessConfig(base.secret(), liveness.port(), liveness.grace(), liveness.heartbeatInterval());
            return this;
        }

        /** The liveness channel's TCP port (needs {@link #livenessSecret}); default 11200 + VRID. */
        public Builder livenessPort(int port) {
            this.liveness = requireLiveness("livenessPort").withPort(port);
            return this;
        }

        /** How long an advert from a master whose process died may still cancel the takeover; default 2 ms. */
        public Builder livenessGrace(Duration grace) {
            this.liveness = requireLiveness("livenessGrace").withGrace(grace);
            return this;
        }

        /**
         * Quorum guard: VRRP elects as before, but the winner binds the addresses only once it holds
         * this router's lease at {@code authority} (a ZooKeeper ensemble: {@code havip-zookeeper}'s
         * {@code ZooKeeperAuthority}), and a holder that loses the lease or cannot renew it releases
         * them by the grant's release deadline, before the store can grant it elsewhere. A router
         * leaving MASTER gives the lease back after it has unbound. Listeners hear MASTER only once
         * the lease is held; every {@link io.havip.core.StateChange} to or from MASTER carries the
         * lease's fencing token. While the authority cannot be reached the router is in FAULT (a
         * tracker named {@code "election authority"}, weight 0). Replaces an earlier
         * {@link #leaseOnly}.
         */
        public Builder quorumGuard(io.havip.vrrp.election.ElectionAuthority authority) {
            return election(io.havip.vrrp.machine.LeaseGate.Mode.QUORUM_GUARD, "quorumGuard", authority);
        }

        /**
         * Lease only: no VRRP traffic at all (for networks that drop protocol 112 or multicast);
         * the holder of this router's lease at {@code authority} binds and announces the addresses.
         * Priority, preempt and health checks still decide who asks for it: a router whose checks
         * put it in FAULT gives the lease up; the highest-priority healthy candidate obtains a free
         * lease; with preempt, a higher-priority candidate makes a lower holder yield (it unbinds,
         * then gives the lease up, and the candidate, already waiting, is granted it). A single lease
         * cannot be held twice, so a move is break-before-make: the gap is the old holder's unbind
         * plus about two store round trips. On start, a router waits Master_Down_Interval (three
         * advert intervals) before it asks, as a VRRP backup would. The handover timeout defaults to
         * zero (nobody could take over while the address is kept). Replaces an earlier
         * {@link #quorumGuard}.
         */
        public Builder leaseOnly(io.havip.vrrp.election.ElectionAuthority authority) {
            return election(io.havip.vrrp.machine.LeaseGate.Mode.LEASE_ONLY, "leaseOnly", authority);
        }

        private Builder election(io.havip.vrrp.machine.LeaseGate.Mode mode, String field,
                                 io.havip.vrrp.election.ElectionAuthority authority) {
            if (this.authority == null) {
                protocol.tracker(new TrackerSpec.HealthCheck(Engine.AUTHORITY_CHECK, 0, 1, 1, true));
            }
            this.authority = require(field, authority);
            this.electionMode = mode;
            return this;
        }

        /** Where the liveness channel listens and dials (tests map peers onto loopback ports). */
        Builder livenessEndpoints(LivenessEndpoints endpoints) {
            this.livenessEndpoints = endpoints;
            return this;
        }

        private LivenessConfig requireLiveness(String field) {
            if (liveness == null) {
                throw new IllegalArgumentException(field + " needs the liveness channel on: set livenessSecret(...) "
                        + "first");
            }
            return liveness;
        }

        /** Validates the settings into a {@link RouterConfig}; messages name the field at fault. */
        public RouterConfig build() {
            RouterConfig config = protocol.build();
            if (sourceAddress != null && sourceAddress.family() != config.router().family()) {
                throw new IllegalArgumentException("sourceAddress " + sourceAddress + " is " + sourceAddress.family()
                        + " but the virtual addresses are " + config.router().family());
            }
            if (virtualMacTransmitBase && !virtualMac) {
                throw new IllegalArgumentException("virtualMacTransmitBase needs useVirtualMac(true) (keepalived:"
                        + " vmac_xmit_base is only valid with use_vmac)");
            }
            if (virtualMacName != null) {
                io.havip.arp.linux.VirtualMacInterface.invalidName(virtualMacName).ifPresent(why -> {
                    throw new IllegalArgumentException("virtualMacInterface: the name " + why);
                });
                if (virtualMacName.equals(config.router().interfaceName())) {
                    throw new IllegalArgumentException("virtualMacInterface " + virtualMacName + " is the router's own"
                            + " interface; name the virtual MAC interface differently (default "
                            + io.havip.arp.linux.VirtualMacInterface.defaultName(config.router().family(),
                                    config.router().vrid()) + ")");
                }
            }
            if (virtualMac && (binder != null || transport != null)) {
                throw new IllegalArgumentException("useVirtualMac needs havip's Linux binder and transport; drop the"
                        + " binder(...) / transport(...) given, or turn the virtual MAC off");
            }
            return config;
        }

        /** Builds, opens the transport and binder, and starts the router. */
        public VirtualRouter start() {
            Engine engine = create(null);
            engine.start();
            return engine;
        }

        /** The runtime this builder's router would run on ({@code forGroup} when a group chose one). */
        HavipRuntime runtimeFor(String routerName) {
            if (runtime != null && clock != null && clock != runtime.clock()) {
                throw new IllegalArgumentException("clock: the router runs on its runtime's clock; give the clock to "
                        + "HavipRuntime.builder().clock(...) instead, or no runtime");
            }
            return runtime != null ? runtime
                    : clock == null ? HavipRuntime.shared() : HavipRuntime.privateFor(routerName, clock);
        }

        HavipRuntime explicitRuntime() {
            return runtime;
        }

        Clock explicitClock() {
            return clock;
        }

        /** Builds and opens the router without starting it; on {@code groupRuntime} when given. */
        Engine create(HavipRuntime groupRuntime) {
            RouterConfig config = build();
            boolean ownRuntime = groupRuntime == null && runtime == null && clock != null;
            HavipRuntime rt = groupRuntime != null ? groupRuntime : runtimeFor(config.router().name());
            List<AutoCloseable> resources = new ArrayList<>();
            AdvertTransport t = transport;
            VipBinder vb = binder;
            LinuxPlatform linux = null;
            if (t == null || vb == null) {
                linux = LinuxPlatform.open(rt.linux(), config, Optional.ofNullable(sourceAddress), garp, virtualMac());
                resources.add(linux);
                t = t != null ? t : linux.transport();
                vb = vb != null ? vb : linux.binder();
            }
            boolean leaseOnly = electionMode == io.havip.vrrp.machine.LeaseGate.Mode.LEASE_ONLY;
            if (leaseOnly) {
                t = new SilentTransport(t); // the lease elects: no adverts leave, none are read
            }
            Duration handover = handoverTimeout != null ? handoverTimeout : leaseOnly ? Duration.ZERO
                    : config.advertInterval().multipliedBy(2).plusMillis(100);
            Engine.Liveness live = liveness == null ? null : new Engine.Liveness(liveness,
                    livenessEndpoints != null ? livenessEndpoints : LivenessEndpoints.tcp(config.router().interfaceName()));
            Engine engine;
            try {
                engine = new Engine(rt.services(), config, t, vb, handover, healthChecks, hooks, listeners, resources, live);
                if (authority != null) {
                    engine.useElection(electionMode, authority);
                }
            } catch (RuntimeException e) {
                if (ownRuntime) {
                    rt.close(); // the router's own runtime: nothing else runs on it
                }
                if (linux != null) {
                    linux.close(); // frees the VRID slot: the same router may be started again
                    if (transport == null) {
                        linux.transport().close();
                    }
                    if (binder == null) {
                        linux.binder().close(); // its announcement thread and packet sockets
                    }
                }
                throw e;
            }
            if (linux != null) {
                linux.monitorLinks(config, engine);
                if (linux.monitorConflicts(config, engine::addressConflict)) {
                    engine.announcementsVisible();
                }
            }
            return engine;
        }

        private static IpAddress parse(String field, String text) {
            try {
                return IpAddress.parse(text);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(field + ": " + e.getMessage(), e);
            }
        }

        private static <T> T require(String field, T value) {
            if (value == null) {
                throw new IllegalArgumentException(field + " is null");
            }
            return value;
        }
    }
}
