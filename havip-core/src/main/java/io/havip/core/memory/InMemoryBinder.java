package io.havip.core.memory;

import io.havip.core.VipBinder;
import io.havip.core.net.InterfaceAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A node's {@link VipBinder} on an {@link InMemoryNetwork}: records which addresses the node
 * holds and, on bind and reannounce, updates the segment's ARP view (as a gratuitous ARP
 * would) so {@link InMemoryNetwork#whoAnswers} points at this node. Unbinding leaves the
 * ARP view alone: clients keep the stale entry until another node announces, but nobody
 * answers at it. Idempotent; thread-safe.
 */
final class InMemoryBinder implements VipBinder {

    private final InMemoryNetwork network;
    private final Node node;

    InMemoryBinder(InMemoryNetwork network, Node node) {
        this.network = network;
        this.node = node;
    }

    @Override
    public List<AddressOutcome> bind(String interfaceName, List<InterfaceAddress> addresses) throws BindException {
        List<AddressOutcome> out = new ArrayList<>();
        synchronized (network) {
            requireAttached("bind " + addresses + " on " + interfaceName);
            for (InterfaceAddress a : addresses) {
                boolean added = node.held().putIfAbsent(a, interfaceName) == null;
                out.add(new AddressOutcome(a, added ? AddressOutcome.Outcome.ADDED
                        : AddressOutcome.Outcome.ALREADY_PRESENT));
            }
        }
        network.record(Event.Kind.BIND, node.name(), describe(interfaceName, out));
        network.announced(node, addresses, "bound");
        return out;
    }

    @Override
    public List<AddressOutcome> unbind(String interfaceName, List<InterfaceAddress> addresses) throws BindException {
        List<AddressOutcome> out = new ArrayList<>();
        synchronized (network) {
            requireAttached("unbind " + addresses + " from " + interfaceName);
            for (InterfaceAddress a : addresses) {
                boolean removed = node.held().remove(a) != null;
                out.add(new AddressOutcome(a, removed ? AddressOutcome.Outcome.REMOVED
                        : AddressOutcome.Outcome.ALREADY_ABSENT));
            }
        }
        network.record(Event.Kind.UNBIND, node.name(), describe(interfaceName, out));
        return out;
    }

    @Override
    public Set<InterfaceAddress> present(String interfaceName, List<InterfaceAddress> candidates) throws BindException {
        synchronized (network) {
            requireAttached("list addresses on " + interfaceName);
            Set<InterfaceAddress> out = new LinkedHashSet<>();
            for (InterfaceAddress a : candidates) {
                if (interfaceName.equals(node.held().get(a))) {
                    out.add(a);
                }
            }
            return out;
        }
    }

    @Override
    public void reannounce(String interfaceName, List<InterfaceAddress> addresses) throws BindException {
        List<InterfaceAddress> heldOnes;
        synchronized (network) {
            requireAttached("reannounce " + addresses + " on " + interfaceName);
            heldOnes = addresses.stream().filter(a -> node.held().containsKey(a)).toList();
        }
        if (!heldOnes.isEmpty()) {
            network.announced(node, heldOnes, "reannounced");
        }
    }

    private void requireAttached(String what) throws BindException {
        if (!node.attached()) {
            throw new BindException("cannot " + what + " on node " + node.name() + ": the node is detached (crashed)");
        }
    }

    private static String describe(String interfaceName, List<AddressOutcome> out) {
        StringBuilder sb = new StringBuilder(interfaceName).append(':');
        for (AddressOutcome o : out) {
            sb.append(' ').append(o.address()).append(' ').append(o.outcome());
        }
        return sb.toString();
    }
}
