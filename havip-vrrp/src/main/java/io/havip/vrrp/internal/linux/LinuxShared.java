package io.havip.vrrp.internal.linux;

import io.havip.arp.linux.AddressConflictMonitor;
import io.havip.arp.linux.AddressEvent;
import io.havip.arp.linux.LinkEvent;
import io.havip.arp.linux.LinkMonitor;
import io.havip.arp.linux.LinkState;
import io.havip.arp.linux.NativeException;
import io.havip.core.RouterId;
import io.havip.core.net.IpAddress;
import io.havip.core.net.IpFamily;
import io.havip.core.net.MacAddress;
import io.havip.vrrp.HavipRuntime;
import io.havip.vrrp.internal.engine.EventLoop;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

/**
 * The Linux side of a {@link HavipRuntime}, shared by its routers: the link monitor (one per
 * network namespace), the ARP / NA conflict monitors (one per namespace, interface and family),
 * each with one thread and one socket, and the address binder (one per namespace and GARP
 * setting: one netlink socket, one announcing thread), instead of one of each per router. A router subscribes when it
 * starts and closes its subscription when it stops; the last one out stops the monitor.
 * The namespace is the calling thread's ({@code /proc/thread-self/ns/net}), as for every
 * socket havip opens. When a link's MAC changes, the ARP monitors of that link learn it before
 * any router hears of it, so the re-announcement from the new MAC is not taken for a conflict.
 */
public final class LinuxShared implements AutoCloseable {

    private final Map<String, LinkHub> links = new HashMap<>();
    /** Changed under this object's lock; also read without it, by the link monitors' threads. */
    private final Map<String, ArpHub> arps = new ConcurrentHashMap<>();
    /** Running routers by (namespace, interface, family, VRID). */
    private final Map<String, List<Slot>> routers = new HashMap<>();
    private final String runtime;

    LinuxShared(String runtime) {
        this(runtime, null);
    }

    /** With {@code loop}: the VRRP sockets are read by the loop thread (see {@link #hub()}); null: by a thread of their own. */
    public LinuxShared(String runtime, EventLoop loop) {
        this.runtime = runtime;
        this.loop = loop;
    }

    private final EventLoop loop;

    /** A router's interest in a shared monitor; closing it is idempotent. */
    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }

    /** A subscription to link events, with the links as the monitor last saw them. */
    interface LinkSubscription extends Subscription {
        List<LinkState> snapshot();
    }

    /** Link and address events of the calling thread's namespace go to {@code sink} (on the monitor's thread). */
    synchronized LinkSubscription links(LinkMonitor.Listener sink) throws NativeException {
        String key = namespace();
        LinkHub hub = links.get(key);
        if (hub == null) {
            hub = new LinkHub(key, arps);
            links.put(key, hub);
        }
        LinkHub h = hub;
        h.sinks.add(sink);
        return new LinkSubscription() {
            private boolean closed;

            @Override
            public List<LinkState> snapshot() {
                return h.monitor.snapshot();
            }

            @Override
            public void close() {
                synchronized (LinuxShared.this) {
                    if (!closed) {
                        closed = true;
                        h.sinks.remove(sink);
                        if (h.sinks.isEmpty()) {
                            links.remove(h.key);
                            h.monitor.close();
                        }
                    }
                }
            }
        };
    }

    /**
     * Claims of any of {@code addresses} (not empty, one family) by another MAC on {@code ifname}
     * (calling thread's namespace: ARP for IPv4, Neighbor Advertisements for IPv6) go to
     * {@code sink}, on the monitor's thread.
     */
    synchronized Subscription conflicts(String ifname, Set<IpAddress> addresses,
                                               BiConsumer<IpAddress, MacAddress> sink) throws NativeException {
        IpFamily family = addresses.iterator().next().family();
        String key = namespace() + " " + ifname + " " + family;
        ArpHub hub = arps.get(key);
        if (hub == null) {
            hub = new ArpHub(key, ifname, family);
            arps.put(key, hub);
        }
        ArpHub h = hub;
        ArpHub.Watcher w = new ArpHub.Watcher(Set.copyOf(addresses), sink);
        h.watchers.add(w);
        addresses.forEach(h.monitor::watch);
        return new Subscription() {
            private boolean closed;

            @Override
            public void close() {
                synchronized (LinuxShared.this) {
                    if (closed) {
                        return;
                    }
                    closed = true;
                    h.watchers.remove(w);
                    if (h.watchers.isEmpty()) {
                        arps.remove(h.key);
                        h.monitor.close();
                        return;
                    }
                    Set<IpAddress> still = new HashSet<>();
                    h.watchers.forEach(o -> still.addAll(o.addresses()));
                    for (IpAddress a : w.addresses()) {
                        if (!still.contains(a)) {
                            h.monitor.unwatch(a);
                        }
                    }
                }
            }
        };
    }

    /**
     * Reserves {@code id}'s VRID on its interface and family in the calling thread's namespace
     * for this router until the returned subscription is closed. Two routers of one JVM that
     * would be one virtual router (the rule of keepalived 2.2.7's {@code check_vrid_conflicts},
     * which the keepalived.conf reader applies too: same VRID, interface and family, and either
     * both multicast or both unicast with a peer in common) would take each other's adverts for
     * their own: both would become MASTER. A unicast and a multicast router, or unicast routers
     * with no peer in common, are told apart by destination and by the unicast source check.
     *
     * @param unicastPeers the router's unicast peers, empty for multicast
     * @throws IllegalStateException naming both routers when another router of this JVM conflicts
     */
    synchronized Subscription virtualRouter(RouterId id, List<IpAddress> unicastPeers) {
        String key = namespace() + " " + id.interfaceName() + " " + id.family() + " " + id.vrid();
        Slot mine = new Slot(id, Set.copyOf(unicastPeers));
        List<Slot> holders = routers.computeIfAbsent(key, k -> new ArrayList<>());
        for (Slot other : holders) {
            if (mine.conflictsWith(other)) {
                throw new IllegalStateException("cannot start router " + id + ": router " + other.id() + " already runs"
                        + " on this runtime with the same VRID on the same interface and address family"
                        + (mine.peers().isEmpty() ? "" : " and a unicast peer in common") + "; the two would take each"
                        + " other's adverts for their own and both become MASTER. Give one a different VRID"
                        + " (keepalived: virtual_router_id), or close " + other.id().name() + " first");
            }
        }
        holders.add(mine);
        return new Subscription() {
            private boolean closed;

            @Override
            public void close() {
                synchronized (LinuxShared.this) {
                    if (!closed) {
                        closed = true;
                        holders.remove(mine);
                        if (holders.isEmpty()) {
                            routers.remove(key, holders);
                        }
                    }
                }
            }
        };
    }

    /** A running router's claim on its VRID (identity matters: two equal claims are two routers). */
    private static final class Slot {
        private final RouterId id;
        private final Set<IpAddress> peers;

        Slot(RouterId id, Set<IpAddress> peers) {
            this.id = id;
            this.peers = peers;
        }

        RouterId id() {
            return id;
        }

        Set<IpAddress> peers() {
            return peers;
        }

        boolean conflictsWith(Slot other) {
            if (peers.isEmpty() || other.peers.isEmpty()) {
                return peers.isEmpty() && other.peers.isEmpty();
            }
            return other.peers.stream().anyMatch(peers::contains);
        }
    }

    private final Map<String, SharedBinder> binders = new HashMap<>();

    /**
     * The binder of the calling thread's namespace for {@code garp} settings, opened on first
     * use; the router closes the returned handle, and the last handle closes the binder.
     */
    synchronized BinderHandle binder(io.havip.arp.garp.GarpConfig garp) throws NativeException {
        String key = namespace() + " " + garp;
        SharedBinder b = binders.get(key);
        if (b == null) {
            b = new SharedBinder(key, io.havip.arp.linux.LinuxVipBinder.open(garp,
                    io.havip.arp.packet.GratuitousArp.Form.REQUEST, io.havip.core.Clock.system()));
            binders.put(key, b);
        }
        b.users++;
        return b.handle();
    }

    /** A binder and the number of routers using it (under the enclosing object's lock). */
    private final class SharedBinder {
        final String key;
        final io.havip.arp.linux.LinuxVipBinder binder;
        int users;

        SharedBinder(String key, io.havip.arp.linux.LinuxVipBinder binder) {
            this.key = key;
            this.binder = binder;
        }

        /** The binder for one router: its own view of the shared binder; the last one closed closes the binder. */
        BinderHandle handle() {
            io.havip.arp.linux.LinuxVipBinder.RouterBinder view = binder.forRouter();
            return new BinderHandle() {
                private boolean closed;

                @Override
                public List<AddressOutcome> bind(String ifname, List<io.havip.core.net.InterfaceAddress> addresses)
                        throws BindException {
                    return view.bind(ifname, addresses);
                }

                @Override
                public List<AddressOutcome> unbind(String ifname, List<io.havip.core.net.InterfaceAddress> addresses)
                        throws BindException {
                    return view.unbind(ifname, addresses);
                }

                @Override
                public Set<io.havip.core.net.InterfaceAddress> present(String ifname,
                        List<io.havip.core.net.InterfaceAddress> candidates) throws BindException {
                    return view.present(ifname, candidates);
                }

                @Override
                public void reannounce(String ifname, List<io.havip.core.net.InterfaceAddress> addresses)
                        throws BindException {
                    view.reannounce(ifname, addresses);
                }

                @Override
                public void announceAt(String ifname, List<io.havip.core.net.InterfaceAddress> addresses,
                                       MacAddress mac) throws BindException {
                    view.announceAt(ifname, addresses, mac);
                }

                @Override
                void prepare(String ifname, List<io.havip.core.net.InterfaceAddress> addresses) throws BindException {
                    view.prepare(ifname, addresses);
                }

                @Override
                public boolean isLowLatency() {
                    return view.isLowLatency();
                }

                @Override
                public long announcementsSent(String ifname, List<io.havip.core.net.InterfaceAddress> addresses) {
                    return view.announcementsSent(ifname, addresses);
                }

                @Override
                public void announceOnlyWhile(java.util.function.BooleanSupplier allowed) {
                    view.announceOnlyWhile(allowed);
                }

                @Override
                public boolean limitLifetime(java.util.function.IntSupplier validSeconds) {
                    return view.limitLifetime(validSeconds);
                }

                @Override
                public void refreshLifetime(String ifname, List<io.havip.core.net.InterfaceAddress> addresses)
                        throws BindException {
                    view.refreshLifetime(ifname, addresses);
                }

                @Override
                public void close() {
                    synchronized (LinuxShared.this) {
                        if (closed) {
                            return;
                        }
                        closed = true;
                        view.close();
                        if (--users == 0) {
                            binders.remove(key);
                            binder.close();
                        }
                    }
                }
            };
        }
    }

    /** A router's use of a shared binder. */
    abstract static class BinderHandle implements io.havip.core.VipBinder {
        /** Builds the announcement frames of {@code addresses} ahead of the first takeover. */
        abstract void prepare(String ifname, List<io.havip.core.net.InterfaceAddress> addresses) throws BindException;
    }

    private io.havip.arp.linux.VrrpSocketHub hub;

    /**
     * The runtime's VRRP sockets: one receive socket per namespace, interface and family, one
     * send socket per source. The runtime's loop thread reads them where it would park
     * ({@link EventLoop#waitIn}): each advert is read and handled on the loop with one wake-up,
     * where a receive thread of their own cost a second wake-up and a hand-off per advert.
     * Without a loop (tests), one receive thread ({@code havip-receive-<runtime>}) reads them.
     */
    synchronized io.havip.arp.linux.VrrpSocketHub hub() throws NativeException {
        if (hub == null) {
            if (loop == null) {
                hub = io.havip.arp.linux.VrrpSocketHub.open("havip-receive-" + runtime);
            } else {
                io.havip.arp.linux.VrrpSocketHub h = io.havip.arp.linux.VrrpSocketHub.openDriven("havip-receive-" + runtime);
                loop.waitIn(new EventLoop.Waiter() {
                    @Override
                    public void await(long nanos) {
                        h.pollOnce(nanos == EventLoop.NEVER ? -1 : nanos);
                    }

                    @Override
                    public void wake() {
                        h.wakeup();
                    }
                });
                hub = h;
            }
        }
        return hub;
    }

    /** Stops what the routers left running (they close their subscriptions first). */
    @Override
    public synchronized void close() {
        if (hub != null) {
            hub.close();
            hub = null;
        }
        links.values().forEach(h -> h.monitor.close());
        links.clear();
        arps.values().forEach(h -> h.monitor.close());
        arps.clear();
        binders.values().forEach(b -> b.binder.close());
        binders.clear();
    }

    /** How many shared monitors run (tests). */
    public synchronized int running() {
        return links.size() + arps.size();
    }

    static String namespace() {
        try {
            return Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString();
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return "net:[unknown]";
        }
    }

    private static final class LinkHub {
        final String key;
        final List<LinkMonitor.Listener> sinks = new CopyOnWriteArrayList<>();
        final LinkMonitor monitor;

        LinkHub(String key, Map<String, ArpHub> arps) throws NativeException {
            this.key = key;
            this.monitor = LinkMonitor.start(new LinkMonitor.Listener() {
                @Override
                public void linkChanged(LinkEvent event) {
                    if (event.change() == LinkEvent.Change.MAC_CHANGED) {
                        for (IpFamily family : IpFamily.values()) {
                            ArpHub arp = arps.get(key + " " + event.link().name() + " " + family);
                            if (arp != null) {
                                arp.monitor.ownMacChanged(event.link().mac());
                            }
                        }
                    }
                    for (LinkMonitor.Listener s : sinks) {
                        s.linkChanged(event);
                    }
                }

                @Override
                public void addressChanged(AddressEvent event) {
                    // a loop, not a lambda: the first address event comes with a takeover (our own bind)
                    for (LinkMonitor.Listener s : sinks) {
                        s.addressChanged(event);
                    }
                }
            });
        }
    }

    private static final class ArpHub {
        record Watcher(Set<IpAddress> addresses, BiConsumer<IpAddress, MacAddress> sink) { }

        final String key;
        final List<Watcher> watchers = new CopyOnWriteArrayList<>();
        final AddressConflictMonitor monitor;

        ArpHub(String key, String ifname, IpFamily family) throws NativeException {
            this.key = key;
            this.monitor = AddressConflictMonitor.start(ifname, family, (address, mac) -> {
                for (Watcher w : watchers) {
                    if (w.addresses().contains(address)) {
                        w.sink().accept(address, mac);
                    }
                }
            });
        }
    }
}
