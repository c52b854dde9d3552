package io.havip.vrrp.internal.linux;

import io.havip.arp.linux.AddressEvent;
import io.havip.arp.linux.LinkEvent;
import io.havip.arp.linux.LinkMonitor;
import io.havip.arp.linux.VirtualMacInterface;
import io.havip.core.AdvertTransport;
import io.havip.core.net.InterfaceAddress;
import io.havip.core.net.IpAddress;
import io.havip.core.net.MacAddress;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A router's virtual MAC interface (keepalived's {@code use_vmac}, see
 * {@link VirtualMacInterface}) seen from the rest of the router, which keeps naming its base
 * interface: the binder puts the addresses on the vmac (so they are answered and announced at
 * the virtual MAC), adverts are sent and received on the vmac unless {@code vmac_xmit_base}
 * (then on the base, as keepalived does), and the vmac's address events reach the engine as its base's,
 * so the address repairs work unchanged. A vmac deleted by someone else is recreated: at once
 * when the link monitor reports it, and by the binder when a bind finds it missing first (the
 * kernel reports the addresses' removal before the link's).
 */
public final class VirtualMacPlatform implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(VirtualMacPlatform.class);

    /**
     * What the builder asked for.
     *
     * @param name         the vmac's name; null for the default ({@link VirtualMacInterface#defaultName})
     * @param transmitBase keepalived's {@code vmac_xmit_base}: adverts leave from the base interface
     */
    public record Spec(String name, boolean transmitBase) {
    }

    private final String router;
    private final String base;
    private final VirtualMacInterface vmac;

    private VirtualMacPlatform(String router, String base, VirtualMacInterface vmac) {
        this.router = router;
        this.base = base;
        this.vmac = vmac;
    }

    /** Creates or adopts the vmac of {@code router} in the calling thread's namespace. */
    static VirtualMacPlatform open(io.havip.core.RouterId router, Spec spec) throws IOException {
        String name = spec.name() != null ? spec.name()
                : VirtualMacInterface.defaultName(router.family(), router.vrid());
        VirtualMacInterface v = VirtualMacInterface.open(router.name(), router.interfaceName(), name, router.vrid(),
                router.family(), spec.transmitBase());
        log.info("{}: virtual MAC {} on {} ({} on {}{})", router.name(), v.mac(), v.name(), v.adopted() ? "adopted"
                : "created", router.interfaceName(), spec.transmitBase() ? "; adverts from " + router.interfaceName()
                : "; adverts from " + v.name());
        return new VirtualMacPlatform(router.name(), router.interfaceName(), v);
    }

    VirtualMacInterface vmac() {
        return vmac;
    }

    /** Opens the router's transport on an interface (the runtime's socket hub). */
    @FunctionalInterface
    interface TransportFactory {
        HubTransport open(String ifname) throws java.io.IOException;
    }

    /**
     * The router's transport: on the vmac (sent from the virtual MAC, and received there: the
     * macvlan driver hands a peer's multicast from the virtual MAC to the vmac alone), reopened
     * when the vmac is recreated (its sockets were bound to the old link); with vmac_xmit_base on
     * the base, as keepalived does.
     */
    AdvertTransport transport(String baseName, TransportFactory factory) throws IOException {
        if (vmac.transmitsOnBase()) {
            return factory.open(baseName);
        }
        VmacTransport t = new VmacTransport(factory, factory.open(vmac.name()));
        this.transport = t;
        return t;
    }

    private volatile VmacTransport transport;
    /** Run after each recreation (on the thread that recreated): what was bound to the old link reopens. */
    private final List<Runnable> onRecreated = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Runs {@code action} after each recreation of the vmac (the old link's sockets are dead). */
    void onRecreated(Runnable action) {
        onRecreated.add(action);
    }

    /** A transport on the vmac that follows its recreation. */
    private final class VmacTransport implements AdvertTransport {
        private final TransportFactory factory;
        private volatile HubTransport current;
        private Consumer<Received> sink;
        private boolean closed;

        VmacTransport(TransportFactory factory, HubTransport first) {
            this.factory = factory;
            this.current = first;
        }

        /** After a recreation: new sockets on the new link, the same sink; the old ones closed. */
        synchronized void reopen() {
            if (closed) {
                return;
            }
            // the old endpoint first: the hub shares sockets by interface name, and the old ones are bound to the old link
            current.close();
            try {
                HubTransport next = factory.open(vmac.name());
                if (sink != null) {
                    next.deliverTo(sink);
                }
                current = next;
            } catch (IOException | RuntimeException e) {
                log.warn("{}: cannot open VRRP sockets on the recreated {}: {}; adverts fail until it is recreated"
                        + " again", router, vmac.name(), e.getMessage());
            }
        }

        @Override
        public void send(IpAddress destination, byte[] vrrpMessage) throws IOException {
            current.send(destination, vrrpMessage);
        }

        @Override
        public Received receive(Duration timeout) throws IOException, InterruptedException {
            return current.receive(timeout);
        }

        @Override
        public synchronized boolean deliverTo(Consumer<Received> sink) {
            this.sink = sink;
            return current.deliverTo(sink);
        }

        @Override
        public IpAddress sourceAddress() {
            return current.sourceAddress();
        }

        @Override
        public long overflowDrops() {
            return current.overflowDrops();
        }

        @Override
        public synchronized void close() {
            closed = true;
            current.close();
        }

        @Override
        public String toString() {
            return current.toString();
        }
    }

    /** The binder on the vmac: calls naming the base go to the vmac; a bind that finds it gone recreates it once. */
    LinuxShared.BinderHandle binder(LinuxShared.BinderHandle onBase) {
        return new LinuxShared.BinderHandle() {
            private String map(String ifname) {
                return ifname.equals(base) ? vmac.name() : ifname;
            }

            @Override
            public List<AddressOutcome> bind(String ifname, List<InterfaceAddress> addresses) throws BindException {
                vmac.awaitSetUp(); // a recreation under way (the link monitor's) ends first: the link is up then
                try {
                    return onBase.bind(map(ifname), addresses);
                } catch (BindException e) {
                    // gone before the link monitor said so: recreate it here (or find it recreated meanwhile), once
                    recreate();
                    return onBase.bind(map(ifname), addresses);
                }
            }

            @Override
            public List<AddressOutcome> unbind(String ifname, List<InterfaceAddress> addresses) throws BindException {
                return onBase.unbind(map(ifname), addresses);
            }

            @Override
            public Set<InterfaceAddress> present(String ifname, List<InterfaceAddress> candidates)
                    throws BindException {
                return onBase.present(map(ifname), candidates);
            }

            @Override
            public void reannounce(String ifname, List<InterfaceAddress> addresses) throws BindException {
                onBase.reannounce(map(ifname), addresses);
            }

            @Override
            public void announceAt(String ifname, List<InterfaceAddress> addresses, MacAddress mac)
                    throws BindException {
                onBase.announceAt(map(ifname), addresses, mac);
            }

            @Override
            void prepare(String ifname, List<InterfaceAddress> addresses) throws BindException {
                onBase.prepare(map(ifname), addresses);
            }

            @Override
            public boolean isLowLatency() {
                return onBase.isLowLatency();
            }

            @Override
            public long announcementsSent(String ifname, List<InterfaceAddress> addresses) {
                return onBase.announcementsSent(map(ifname), addresses);
            }

            @Override
            public void announceOnlyWhile(java.util.function.BooleanSupplier allowed) {
                onBase.announceOnlyWhile(allowed);
            }

            @Override
            public boolean limitLifetime(java.util.function.IntSupplier validSeconds) {
                return onBase.limitLifetime(validSeconds);
            }

            @Override
            public void refreshLifetime(String ifname, List<InterfaceAddress> addresses) throws BindException {
                onBase.refreshLifetime(map(ifname), addresses);
            }

            @Override
            public void close() {
                onBase.close();
            }
        };
    }

    /** Recreates the vmac if it is gone; true when it did. Failures are logged (the caller's error stands). */
    private boolean recreate() {
        try {
            boolean recreated = vmac.ensurePresent();
            VmacTransport t = transport;
            if (recreated && t != null) {
                t.reopen();
            }
            if (recreated) {
                for (Runnable r : onRecreated) {
                    r.run();
                }
            }
            return recreated;
        } catch (IOException | RuntimeException e) {
            log.warn("{}: {} is gone and cannot be created again: {}", router, vmac.name(), e.getMessage());
            return false;
        }
    }

    /**
     * The engine's link listener as it would be on the base: the vmac's address events come as
     * the base's (the base's own events for the router's addresses are dropped: they are not
     * where the router puts them); the vmac's removal, and the base coming back, recreate it.
     */
    LinkMonitor.Listener listener(LinkMonitor.Listener engine) {
        return new LinkMonitor.Listener() {
            @Override
            public void linkChanged(LinkEvent event) {
                String name = event.link().name();
                if (name.equals(vmac.name())) {
                    if (event.change() == LinkEvent.Change.REMOVED) {
                        recreate();
                    }
                    return; // the vmac's own state and MAC are havip's, not the engine's
                }
                if (name.equals(base) && event.change() == LinkEvent.Change.UP) {
                    recreate(); // a base deleted and back takes its macvlans with it
                }
                engine.linkChanged(event);
            }

            @Override
            public void addressChanged(AddressEvent event) {
                if (event.interfaceName().equals(vmac.name())) {
                    engine.addressChanged(new AddressEvent(event.entry(), base, event.change()));
                } else if (!event.interfaceName().equals(base)) {
                    engine.addressChanged(event);
                }
            }
        };
    }

    @Override
    public void close() {
        vmac.close();
    }

    @Override
    public String toString() {
        return vmac.toString();
    }
}
