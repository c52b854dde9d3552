package io.havip.vrrp;

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
 * The link monitor and the ARP conflict monitors, shared by the routers of one JVM: one per
 * network namespace (link events) and one per namespace and interface (ARP), each with one
 * thread and one socket, instead of one of each per router. A router subscribes when it
 * starts and closes its subscription when it stops; the last one out stops the monitor.
 * The namespace is the calling thread's ({@code /proc/thread-self/ns/net}), as for every
 * socket havip opens. When a link's MAC changes, the ARP monitors of that link learn it before
 * any router hears of it, so the re-announcement from the new MAC is not taken for a conflict.
 */
final class SharedMonitors {

    private static final Map<String, LinkHub> LINKS = new HashMap<>();
    /** Changed under the class lock; also read without it, by the link monitors' threads. */
    private static final Map<String, ArpHub> ARPS = new ConcurrentHashMap<>();
    /** Running routers by (namespace, interface, family, VRID). */
    private static final Map<String, List<Slot>> ROUTERS = new HashMap<>();

    private SharedMonitors() {
    }

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
    static synchronized LinkSubscription links(LinkMonitor.Listener sink) throws NativeException {
        String key = namespace();
        LinkHub hub = LINKS.get(key);
        if (hub == null) {
            hub = new LinkHub(key);
            LINKS.put(key, hub);
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
                synchronized (SharedMonitors.class) {
                    if (!closed) {
                        closed = true;
                        h.sinks.remove(sink);
                        if (h.sinks.isEmpty()) {
                            LINKS.remove(h.key);
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
    static synchronized Subscription conflicts(String ifname, Set<IpAddress> addresses,
                                               BiConsumer<IpAddress, MacAddress> sink) throws NativeException {
        IpFamily family = addresses.iterator().next().family();
        String key = namespace() + " " + ifname + " " + family;
        ArpHub hub = ARPS.get(key);
        if (hub == null) {
            hub = new ArpHub(key, ifname, family);
            ARPS.put(key, hub);
        }
        ArpHub h = hub;
        ArpHub.Watcher w = new ArpHub.Watcher(Set.copyOf(addresses), sink);
        h.watchers.add(w);
        addresses.forEach(h.monitor::watch);
        return new Subscription() {
            private boolean closed;

            @Override
            public void close() {
                synchronized (SharedMonitors.class) {
                    if (closed) {
                        return;
                    }
                    closed = true;
                    h.watchers.remove(w);
                    if (h.watchers.isEmpty()) {
                        ARPS.remove(h.key);
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
    static synchronized Subscription virtualRouter(RouterId id, List<IpAddress> unicastPeers) {
        String key = namespace() + " " + id.interfaceName() + " " + id.family() + " " + id.vrid();
        Slot mine = new Slot(id, Set.copyOf(unicastPeers));
        List<Slot> holders = ROUTERS.computeIfAbsent(key, k -> new ArrayList<>());
        for (Slot other : holders) {
            if (mine.conflictsWith(other)) {
                throw new IllegalStateException("cannot start router " + id + ": router " + other.id() + " already runs"
                        + " in this process with the same VRID on the same interface and address family"
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
                synchronized (SharedMonitors.class) {
                    if (!closed) {
                        closed = true;
                        holders.remove(mine);
                        if (holders.isEmpty()) {
                            ROUTERS.remove(key, holders);
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

    /** How many shared monitors run (tests). */
    static synchronized int running() {
        return LINKS.size() + ARPS.size();
    }

    private static String namespace() {
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

        LinkHub(String key) throws NativeException {
            this.key = key;
            this.monitor = LinkMonitor.start(new LinkMonitor.Listener() {
                @Override
                public void linkChanged(LinkEvent event) {
                    if (event.change() == LinkEvent.Change.MAC_CHANGED) {
                        for (IpFamily family : IpFamily.values()) {
                            ArpHub arp = ARPS.get(key + " " + event.link().name() + " " + family);
                            if (arp != null) {
                                arp.monitor.ownMacChanged(event.link().mac());
                            }
                        }
                    }
                    sinks.forEach(s -> s.linkChanged(event));
                }

                @Override
                public void addressChanged(AddressEvent event) {
                    sinks.forEach(s -> s.addressChanged(event));
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
