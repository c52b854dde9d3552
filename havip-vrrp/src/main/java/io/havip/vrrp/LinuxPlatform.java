package io.havip.vrrp;

import io.havip.arp.garp.GarpConfig;
import io.havip.core.AdvertTransport;
import io.havip.core.VipBinder;
import io.havip.core.net.IpAddress;
import io.havip.vrrp.machine.RouterConfig;
import java.util.Optional;
import java.util.function.BiConsumer;

/** Opens the Linux transport, binder and link monitor for a router (TEMPORARY until LinuxVipBinder lands). */
final class LinuxPlatform implements AutoCloseable {
    static LinuxPlatform open(RouterConfig config, Optional<IpAddress> source, GarpConfig garp) {
        throw new UnsupportedOperationException("not yet");
    }

    AdvertTransport transport() {
        throw new UnsupportedOperationException();
    }

    VipBinder binder() {
        throw new UnsupportedOperationException();
    }

    void monitorLinks(RouterConfig config, BiConsumer<String, Boolean> sink) {
    }

    @Override
    public void close() {
    }
}
