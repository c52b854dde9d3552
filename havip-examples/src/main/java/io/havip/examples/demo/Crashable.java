package io.havip.examples.demo;

import io.havip.core.AdvertTransport;
import io.havip.core.VipBinder;
import io.havip.core.net.InterfaceAddress;
import io.havip.core.net.IpAddress;
import io.havip.core.net.MacAddress;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The demo's stand-in for {@code kill -9}: one JVM cannot kill the threads of one of its
 * routers, so after {@link #crash()} the node's transport and binder go silent, as a dead
 * process's would: sends vanish, nothing arrives, address changes do nothing (the host is off
 * the segment anyway). The router's engine is then closed only to free its threads, without
 * the warnings a live engine rightly logs when its network disappears.
 */
final class Crashable {

    private final AtomicBoolean crashed = new AtomicBoolean();
    private final AdvertTransport transport;
    private final VipBinder binder;

    Crashable(AdvertTransport transport, VipBinder binder) {
        this.transport = transport;
        this.binder = binder;
    }

    void crash() {
        crashed.set(true);
    }

    AdvertTransport transport() {
        return new AdvertTransport() {
            @Override
            public void send(IpAddress destination, byte[] vrrpMessage) throws IOException {
                if (!crashed.get()) {
                    transport.send(destination, vrrpMessage);
                }
            }

            @Override
            public Received receive(Duration timeout) throws IOException, InterruptedException {
                if (crashed.get()) {
                    Thread.sleep(timeout.toMillis());
                    return null;
                }
                try {
                    return transport.receive(timeout);
                } catch (IOException e) {
                    if (crashed.get()) {
                        return null; // the segment closed a receive already under way: the host is gone
                    }
                    throw e;
                }
            }

            @Override
            public IpAddress sourceAddress() {
                return transport.sourceAddress();
            }

            @Override
            public void close() {
                transport.close();
            }
        };
    }

    VipBinder binder() {
        return new VipBinder() {
            @Override
            public List<AddressOutcome> bind(String interfaceName, List<InterfaceAddress> addresses) throws BindException {
                return crashed.get() ? List.of() : binder.bind(interfaceName, addresses);
            }

            @Override
            public List<AddressOutcome> unbind(String interfaceName, List<InterfaceAddress> addresses)
                    throws BindException {
                return crashed.get() ? List.of() : binder.unbind(interfaceName, addresses);
            }

            @Override
            public Set<InterfaceAddress> present(String interfaceName, List<InterfaceAddress> candidates)
                    throws BindException {
                return crashed.get() ? Set.of() : binder.present(interfaceName, candidates);
            }

            @Override
            public void reannounce(String interfaceName, List<InterfaceAddress> addresses) throws BindException {
                if (!crashed.get()) {
                    binder.reannounce(interfaceName, addresses);
                }
            }

            @Override
            public void announceAt(String interfaceName, List<InterfaceAddress> addresses,
                    MacAddress mac) throws BindException {
                if (!crashed.get()) {
                    binder.announceAt(interfaceName, addresses, mac);
                }
            }

            @Override
            public void close() {
                binder.close();
            }
        };
    }
}
