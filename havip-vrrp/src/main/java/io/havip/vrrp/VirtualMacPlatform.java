package io.havip.vrrp;

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
 * the virtual MAC), adverts leave from the vmac unless {@code vmac_xmit_base}, adverts are
 * still received on the base, and the vmac's address events reach the engine as its base's,
 * so the address repairs work unchanged. A vmac deleted by someone else is recreated: at once
 * when the link monitor reports it, and by the binder when a bind finds it missing first (the
 * kernel reports the addresses' removal before the link's).
 */
final class VirtualMacPlatform implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(VirtualMacPlatform.class);

    /**
     * What the builder asked for.
     *
     * @param name         the vmac's name; null for the default ({@link VirtualMacInterface#defaultName})
     * @param transmitBase keepalived's {@code vmac_xmit_base}: adverts leave from the base interface
     */
    record Spec(String name, boolean transmitBase) {
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

    /** Adverts out of the vmac (received on the base by {@code onBase}); with vmac_xmit_base {@code onBase} itself. */
    AdvertTransport transport(AdvertTransport onBase) {
        if (vmac.transmitsOnBase()) {
            return onBase;
        }
        return new AdvertTransport() {
            @Override
            public void send(IpAddress destination, byte[] vrrpMessage) throws IOException {
                vmac.send(onBase.sourceAddress(), destination, vrrpMessage);
            }

            @Override
            public Received receive(Duration timeout) throws IOException, InterruptedException {
                return onBase.receive(timeout);
            }

            @Override
            public boolean deliverTo(Consumer<Received> sink) {
                return onBase.deliverTo(sink);
            }

            @Override
            public IpAddress sourceAddress() {
                return onBase.sourceAddress();
            }

            @Override
            public long overflowDrops() {
                return onBase.overflowDrops();
            }

            @Override
            public void close() {
                onBase.close();
            }

            @Override
            public String toString() {
                return onBase + " sending from " + vmac.name();
            }
        };
    }

    /** The binder on the vmac: calls naming the base go to the vmac; a bind that finds it gone recreates it once. */
    LinuxShared.BinderHandle binder(LinuxShared.BinderHandle onBase) {
        return new LinuxShared.BinderHandle() {
            private String map(String ifname) {
                return ifname.equals(base) ? vmac.name() : ifname;
            }

            @Override
            public List<AddressOutcome> bind(String ifname, List<InterfaceAddress> addresses) throws BindException {
                try {
                    return onBase.bind(map(ifname), addresses);
                } catch (BindException e) {
                    if (!recreate()) {
                        throw e;
                    }
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
            public void close() {
                onBase.close();
            }
        };
    }

    /** Recreates the vmac if it is gone; true when it did. Failures are logged (the caller's error stands). */
    private boolean recreate() {
        try {
            return vmac.ensurePresent();
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
