package io.havip.vrrp.internal.linux;

import io.havip.arp.garp.GarpConfig;
import io.havip.arp.linux.AddressEntry;
import io.havip.arp.linux.AddressEvent;
import io.havip.arp.linux.LinkEvent;
import io.havip.arp.linux.LinkMonitor;
import io.havip.arp.linux.LinkState;
import io.havip.arp.linux.LinuxNetworking;
import io.havip.arp.linux.NativeException;
import io.havip.arp.linux.RtNetlink;
import io.havip.core.AdvertTransport;
import io.havip.core.VipBinder;
import io.havip.core.net.IpAddress;
import io.havip.core.net.IpFamily;
import io.havip.core.net.Ipv6Address;
import io.havip.core.net.MacAddress;
import io.havip.vrrp.internal.engine.Engine;
import io.havip.vrrp.machine.RouterConfig;
import io.havip.vrrp.machine.TrackerSpec;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Linux defaults of a router: a raw VRRP socket on its interface, the rtnetlink + GARP/NA
 * binder, and a link monitor feeding the interface trackers and the address repairs. Needs CAP_NET_ADMIN and
 * CAP_NET_RAW; refuses early with the reason when they (or Linux) are missing.
 */
public final class LinuxPlatform implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LinuxPlatform.class);
    private static final int IFA_F_SECONDARY = 0x01;

    private final AdvertTransport transport;
    private final VipBinder binder;
    /** This router's VRID on its interface and family, held until close. */
    private final LinuxShared.Subscription slot;
    private LinuxShared.LinkSubscription links;
    private LinuxShared.Subscription conflicts;

    private final LinuxShared shared;
    /** Set by {@link #close} (under this object's lock): a vmac recreated later reopens nothing. */
    private boolean closed;
    /** The router's virtual MAC interface (use_vmac), or null. */
    private final VirtualMacPlatform vmac;

    private LinuxPlatform(LinuxShared shared, AdvertTransport transport, VipBinder binder,
                          LinuxShared.Subscription slot, VirtualMacPlatform vmac) {
        this.shared = shared;
        this.transport = transport;
        this.binder = binder;
        this.slot = slot;
        this.vmac = vmac;
    }

    /**
     * Opens the router's socket and binder.
     *
     * @throws IllegalStateException when another router of this process runs the same VRID on
     *                               the same interface and family (see {@link LinuxShared#virtualRouter})
     */
    public static LinuxPlatform open(LinuxShared shared, RouterConfig config, Optional<IpAddress> source, GarpConfig garp,
                              VirtualMacPlatform.Spec virtualMac) {
        LinuxNetworking.availability().ensureAvailable();
        String ifname = config.router().interfaceName();
        LinuxShared.Subscription slot = shared.virtualRouter(config.router(), config.unicastPeers());
        AdvertTransport advertTransport = null;
        LinuxShared.BinderHandle binder = null;
        VirtualMacPlatform vmac = null;
        try {
            IpAddress from = source.isPresent() ? source.get() : primaryAddress(ifname, config);
            VirtualMacPlatform.TransportFactory sockets = on -> HubTransport.open(shared.hub(), on, from,
                    config.router().vrid(), config.unicastPeers().isEmpty());
            if (virtualMac != null) {
                vmac = VirtualMacPlatform.open(config.router(), virtualMac);
                advertTransport = vmac.transport(ifname, sockets);
            } else {
                advertTransport = sockets.open(ifname);
            }
            binder = shared.binder(garp);
            if (vmac != null) {
                binder = vmac.binder(binder);
            }
            try {
                binder.prepare(ifname, config.virtualAddresses());
            } catch (VipBinder.BindException e) {
                log.warn("{}: preparing announcements failed ({}); the first takeover will do it", config.router().name(),
                        e.getMessage());
            }
            log.info("{}: adverts from {} on {} ({})", config.router().name(), from,
                    vmac != null && !virtualMac.transmitBase() ? vmac.vmac().name() : ifname,
                    config.unicastPeers().isEmpty() ? "multicast" : "unicast to " + config.unicastPeers());
            return new LinuxPlatform(shared, advertTransport, binder, slot, vmac);
        } catch (IOException | RuntimeException e) {
            if (advertTransport != null) {
                advertTransport.close();
            }
            if (binder != null) {
                binder.close();
            }
            if (vmac != null) {
                vmac.close();
            }
            slot.close();
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("cannot start router " + config.router() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The address adverts are sent from: for IPv4 the interface's primary (first non-secondary)
     * address that is not a virtual address; for IPv6 its link-local address, as RFC 5798
     * section 5.1.2.1 requires, except with unicast peers that are not link-local (keepalived's
     * usual {@code unicast_peer} setup): then the interface's address in the first peer's
     * subnet, since a link-local source would never be answered by such peers.
     */
    private static IpAddress primaryAddress(String ifname, RouterConfig config) throws NativeException {
        IpFamily family = config.router().family();
        Set<IpAddress> vips = new HashSet<>(config.addresses());
        try (RtNetlink netlink = RtNetlink.open()) {
            List<AddressEntry> entries = netlink.addresses(netlink.ifindex(ifname));
            if (family == IpFamily.IPV6 && !config.unicastPeers().isEmpty()
                    && !((Ipv6Address) config.unicastPeers().get(0)).isLinkLocal()) {
                IpAddress peer = config.unicastPeers().get(0);
                for (AddressEntry e : entries) {
                    IpAddress a = e.address().address();
                    if (a.family() == family && !vips.contains(a) && e.address().subnet().contains(peer)) {
                        return a;
                    }
                }
                throw new IllegalStateException(ifname + " has no IPv6 address in the subnet of unicast peer " + peer
                        + " to send adverts from (found " + entries.stream().map(AddressEntry::address).toList()
                        + "); add one, give link-local peers, or set sourceAddress");
            }
            for (AddressEntry e : entries) {
                IpAddress a = e.address().address();
                if (a.family() != family || vips.contains(a)) {
                    continue;
                }
                if (family == IpFamily.IPV6 ? ((Ipv6Address) a).isLinkLocal() : (e.flags() & IFA_F_SECONDARY) == 0) {
                    return a;
                }
            }
            throw new IllegalStateException(ifname + " has no " + (family == IpFamily.IPV6 ? "IPv6 link-local"
                    : "primary IPv4") + " address to send adverts from (found " + entries.stream()
                    .map(AddressEntry::address).toList() + "); add one, or set sourceAddress");
        }
    }

    public AdvertTransport transport() {
        return transport;
    }

    public VipBinder binder() {
        return binder;
    }

    /**
     * Feeds link up/down of the router's interface and its tracked interfaces to the engine,
     * starting with their current state; and the changes of the namespace's addresses and of
     * its links' MACs, which the engine filters for its interface and addresses.
     */
    public void monitorLinks(RouterConfig config, Engine engine) {
        Set<String> watched = new HashSet<>();
        watched.add(config.router().interfaceName());
        for (TrackerSpec t : config.trackers()) {
            if (t instanceof TrackerSpec.TrackedInterface ti) {
                watched.add(ti.interfaceName());
            }
        }
        try {
            LinkMonitor.Listener listener = new LinkMonitor.Listener() {
                @Override
                public void linkChanged(LinkEvent event) {
                    String name = event.link().name();
                    if (event.change() == LinkEvent.Change.MAC_CHANGED) {
                        engine.macChanged(name, event.link().mac());
                    } else if (watched.contains(name)) {
                        engine.interfaceChanged(name, event.change() == LinkEvent.Change.UP);
                    }
                }

                @Override
                public void addressChanged(AddressEvent event) {
                    if (event.change() == AddressEvent.Change.REMOVED) {
                        engine.addressRemoved(event.interfaceName(), event.entry().address());
                    } else {
                        engine.addressAdded(event.interfaceName(), event.entry().address());
                    }
                }
            };
            links = shared.links(vmac != null ? vmac.listener(listener) : listener);
            for (LinkState s : links.snapshot()) {
                if (watched.contains(s.name())) {
                    engine.interfaceChanged(s.name(), s.isUp());
                }
            }
        } catch (NativeException e) {
            log.warn("{}: cannot monitor links ({}); interface trackers will not see changes, and addresses removed "
                    + "or added by others will not be repaired", config.router().name(), e.getMessage());
        }
    }

    /**
     * Reports (address, foreign MAC) to {@code sink} whenever another MAC claims one of the
     * router's virtual addresses: in an ARP packet (IPv4) or a Neighbor Advertisement (IPv6).
     */
    public boolean monitorConflicts(RouterConfig config, BiConsumer<IpAddress, MacAddress> sink) {
        if (config.addresses().isEmpty()) {
            return false;
        }
        try {
            // with a vmac, on the vmac: its own frames (the base sees them outgoing) are not claims
            String on = vmac != null ? vmac.vmac().name() : config.router().interfaceName();
            conflicts = shared.conflicts(on, Set.copyOf(config.addresses()), sink);
            if (vmac != null) {
                vmac.onRecreated(() -> { // the monitor's packet socket was bound to the deleted link
                    synchronized (this) {
                        if (closed) {
                            return;
                        }
                        conflicts.close();
                        try {
                            conflicts = shared.conflicts(on, Set.copyOf(config.addresses()), sink);
                        } catch (NativeException | RuntimeException e) {
                            log.warn("{}: cannot watch ARP / NA on the recreated {} ({}); a stale holder will not be"
                                    + " answered", config.router().name(), on, e.getMessage());
                        }
                    }
                });
            }
            return true;
        } catch (NativeException e) {
            log.warn("{}: cannot watch ARP / NA for address conflicts ({}); a stale holder will not be answered",
                    config.router().name(), e.getMessage());
            return false;
        }
    }

    /** Stops the monitors and frees the router's VRID slot; the engine closes the transport and binder. */
    @Override
    public void close() {
        if (links != null) {
            links.close();
        }
        synchronized (this) {
            closed = true;
            if (conflicts != null) {
                conflicts.close();
            }
        }
        if (vmac != null) {
            vmac.close(); // after the engine's release and priority-0 advert: it closes the platform last
        }
        slot.close();
    }
}
