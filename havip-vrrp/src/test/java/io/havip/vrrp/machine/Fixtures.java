package io.havip.vrrp.machine;

import io.havip.core.RouterId;
import io.havip.core.net.IpAddress;
import io.havip.core.net.IpFamily;
import io.havip.vrrp.codec.VrrpAdvertisement;
import io.havip.vrrp.codec.VrrpVersion;
import java.time.Duration;
import java.util.List;

/** Shared test data: routers on 198.51.100.0/24 with VIP 198.51.100.50. */
final class Fixtures {

    static final RouterId VR = new RouterId("VI_1", "eth0", 51, IpFamily.IPV4);
    static final IpAddress SELF = IpAddress.parse("198.51.100.10");
    static final IpAddress LOWER_PEER = IpAddress.parse("198.51.100.5");
    static final IpAddress HIGHER_PEER = IpAddress.parse("198.51.100.20");
    static final IpAddress MCAST = RouterConfig.MULTICAST_V4;
    static final long SEC = 1_000_000_000L;

    private Fixtures() {
    }

    static RouterConfig.Builder v3(int priority) {
        return RouterConfig.builder(VR).priority(priority).virtualAddress("198.51.100.50/24");
    }

    static RouterConfig.Builder v2(int priority) {
        return v3(priority).version(VrrpVersion.V2);
    }

    static VrrpAdvertisement advert(RouterConfig c, int priority) {
        return new VrrpAdvertisement(c.version(), c.router().vrid(), priority, c.advertIntervalCs(), c.authType(),
                c.authData(), c.router().family(), c.addresses());
    }

    static VrrpAdvertisement advert(RouterConfig c, int priority, int intervalCs) {
        return new VrrpAdvertisement(c.version(), c.router().vrid(), priority, intervalCs, c.authType(), c.authData(),
                c.router().family(), c.addresses());
    }

    static VrrpMachine started(RouterConfig c, long now) {
        VrrpMachine m = new VrrpMachine(c, SELF);
        m.start(now);
        return m;
    }

    /** A started machine whose Master_Down_Timer has already made it MASTER. */
    static VrrpMachine master(RouterConfig c) {
        VrrpMachine m = started(c, 0);
        fire(m);
        if (m.state() != io.havip.core.RouterState.MASTER) {
            throw new AssertionError("expected MASTER, got " + m.state());
        }
        return m;
    }

    static List<Action> fire(VrrpMachine m) {
        return m.onTimer(m.nextDeadlineNanos());
    }

    static long nanos(Duration d) {
        return d.toNanos();
    }
}
