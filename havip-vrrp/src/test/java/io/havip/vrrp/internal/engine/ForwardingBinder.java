package io.havip.vrrp.internal.engine;

import io.havip.core.VipBinder;
import io.havip.core.net.InterfaceAddress;
import java.util.List;
import java.util.Set;

/**
 * A {@link VipBinder} that passes bind, unbind and present to another (a node's in-memory
 * binder): the engine tests' binders extend it and override only what they watch or change.
 */
abstract class ForwardingBinder implements VipBinder {
    final VipBinder inner;

    ForwardingBinder(VipBinder inner) {
        this.inner = inner;
    }

    @Override
    public List<AddressOutcome> bind(String ifname, List<InterfaceAddress> a) throws BindException {
        return inner.bind(ifname, a);
    }

    @Override
    public List<AddressOutcome> unbind(String ifname, List<InterfaceAddress> a) throws BindException {
        return inner.unbind(ifname, a);
    }

    @Override
    public Set<InterfaceAddress> present(String ifname, List<InterfaceAddress> c) throws BindException {
        return inner.present(ifname, c);
    }
}
