package io.havip.core.memory;

import io.havip.core.AdvertTransport;
import io.havip.core.VipBinder;
import io.havip.core.net.InterfaceAddress;
import io.havip.core.net.IpAddress;
import io.havip.core.net.MacAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A host attached to an {@link InMemoryNetwork}. Thread-safe (its state is guarded by the network's lock). */
public final class Node {

    private final InMemoryNetwork network;
    private final String name;
    private final MacAddress mac;
    private final IpAddress primaryAddress;
    private final InMemoryBinder binder;
    /** Guarded by {@code network}. */
    private final List<InMemoryTransport> transports = new ArrayList<>();
    /** Guarded by {@code network}: address to the interface it is bound on. */
    private final Map<InterfaceAddress, String> held = new LinkedHashMap<>();
    /** Guarded by {@code network}. */
    private boolean attached = true;

    Node(InMemoryNetwork network, String name, MacAddress mac, IpAddress primaryAddress) {
        this.network = network;
        this.name = name;
        this.mac = mac;
        this.primaryAddress = primaryAddress;
        this.binder = new InMemoryBinder(network, this);
    }

    public String name() {
        return name;
    }

    public MacAddress mac() {
        return mac;
    }

    /** The address adverts are sent from and unicast peers address. */
    public IpAddress primaryAddress() {
        return primaryAddress;
    }

    /** False once the node was detached (crashed). */
    public boolean attached() {
        synchronized (network) {
            return attached;
        }
    }

    /**
     * Opens a transport for one virtual router on {@code interfaceName}: it receives every
     * multicast VRRP message of its family sent by other nodes, and unicast ones sent to
     * this node's primary address.
     *
     * @throws IllegalStateException if the node is detached
     */
    public AdvertTransport openTransport(String interfaceName) {
        synchronized (network) {
            if (!attached) {
                throw new IllegalStateException("cannot open a transport on " + name + ": the node is detached");
            }
            InMemoryTransport t = new InMemoryTransport(network, this, interfaceName);
            transports.add(t);
            return t;
        }
    }

    /** The binder that adds this node's virtual addresses and announces them on the segment. */
    public VipBinder binder() {
        return binder;
    }

    /** The virtual addresses this node holds now. */
    public Set<InterfaceAddress> heldAddresses() {
        synchronized (network) {
            return Set.copyOf(held.keySet());
        }
    }

    /** True when this node holds {@code address} on some interface. */
    public boolean holds(IpAddress address) {
        synchronized (network) {
            return held.keySet().stream().anyMatch(a -> a.address().equals(address));
        }
    }

    @Override
    public String toString() {
        return name + " (" + mac + ", " + primaryAddress + ")";
    }

    // ---------------------------------------------------------------- package-private, under the network lock

    Map<InterfaceAddress, String> held() {
        return held;
    }

    List<InMemoryTransport> openTransports() {
        return transports;
    }

    void transportClosed(InMemoryTransport t) {
        synchronized (network) {
            transports.remove(t);
        }
    }

    void markDetached() {
        attached = false;
        held.clear();
    }

    void closeTransports() {
        List<InMemoryTransport> copy;
        synchronized (network) {
            copy = List.copyOf(transports);
        }
        copy.forEach(InMemoryTransport::close);
    }
}
