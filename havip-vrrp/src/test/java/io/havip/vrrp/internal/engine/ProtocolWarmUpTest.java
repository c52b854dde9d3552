package io.havip.vrrp.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.havip.core.net.IpAddress;
import io.havip.core.net.Ipv4Address;
import io.havip.core.net.Ipv6Address;
import io.havip.vrrp.codec.VrrpVersion;
import io.havip.vrrp.machine.RouterConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The warm-up goes through the paths a takeover runs, for every kind of router: a handover
 * (priority 0, then Skew_Time) and a node loss (Master_Down_Timer), each ending in MASTER. A
 * warm-up that stopped short (a scratch advert refused, a machine left BACKUP) would warm
 * nothing and still look fine.
 */
class ProtocolWarmUpTest {

    private static final IpAddress SOURCE4 = Ipv4Address.parse("198.51.100.11");
    private static final IpAddress PEER4 = Ipv4Address.parse("198.51.100.12");
    private static final IpAddress SOURCE6 = Ipv6Address.parse("fe80::11");
    private static final IpAddress PEER6 = Ipv6Address.parse("fe80::12");

    @Test
    void everyKindOfRouterGoesThroughBothTakeovers() {
        takesOverTwice(v4().build(), SOURCE4);
        takesOverTwice(v4().unicastPeer(PEER4).build(), SOURCE4);
        takesOverTwice(v4().version(VrrpVersion.V2).advertInterval(Duration.ofSeconds(1)).password("secret").build(),
                SOURCE4);
        takesOverTwice(v4().version(VrrpVersion.V2).advertInterval(Duration.ofSeconds(1)).unicastPeer(PEER4).build(),
                SOURCE4);
        takesOverTwice(v4().advertInterval(Duration.ofMillis(10)).build(), SOURCE4);
        takesOverTwice(v6().build(), SOURCE6);
        takesOverTwice(v6().unicastPeer(PEER6).build(), SOURCE6);
        takesOverTwice(v6().unicastPeer(Ipv6Address.parse("2001:db8::12")).build(), Ipv6Address.parse("2001:db8::11"));
    }

    /** The router's own settings do not stop it: an owner (255), a preempt delay, a tracker-free copy of a low priority. */
    @Test
    void theRoutersOwnPriorityAndDelaysDoNotMatter() {
        takesOverTwice(v4().priority(255).build(), SOURCE4);
        takesOverTwice(v4().priority(1).preemptDelay(Duration.ofSeconds(30)).preempt(false).build(), SOURCE4);
    }

    private static void takesOverTwice(RouterConfig config, IpAddress source) {
        assertThat(ProtocolWarmUp.run(config, source, 3)).as("takeovers in 3 rounds for %s", config).isEqualTo(6);
    }

    private static RouterConfig.Builder v4() {
        return RouterConfig.builder().interfaceName("eth0").vrid(51).virtualAddress("198.51.100.50/24");
    }

    private static RouterConfig.Builder v6() {
        return RouterConfig.builder().interfaceName("eth0").vrid(51).virtualAddress("2001:db8::50/64");
    }
}
