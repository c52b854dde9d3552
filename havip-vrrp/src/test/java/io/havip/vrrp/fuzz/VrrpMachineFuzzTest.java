package io.havip.vrrp.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.havip.core.RouterId;
import io.havip.core.RouterState;
import io.havip.core.net.IpAddress;
import io.havip.core.net.IpFamily;
import io.havip.vrrp.codec.DecodeResult;
import io.havip.vrrp.codec.VrrpCodec;
import io.havip.vrrp.codec.VrrpVersion;
import io.havip.vrrp.machine.Action;
import io.havip.vrrp.machine.RouterConfig;
import io.havip.vrrp.machine.VrrpMachine;
import io.havip.vrrp.machine.VrrpStats;
import java.time.Duration;
import java.util.List;

/**
 * One {@link VrrpMachine} (BACKUP or MASTER, in one of several configurations) fed one
 * arbitrary packet through {@link VrrpMachine#onPacket}. Input: the {@link FuzzPacket} layout
 * without a destination, whose flags byte also picks the set-up: bit 0 IPv6, bit 2 unicast
 * destination (this router's address) instead of the multicast group, bits 3-4 the
 * configuration (see {@link #config}), bit 5 start as MASTER.
 *
 * <p>Invariants: no exception; a packet the codec refuses changes nothing but one error
 * counter; a packet never changes the priority, never makes a router MASTER and never binds;
 * a MASTER only leaves for BACKUP, unbinding as it goes; the next deadline is not in the past.
 */
class VrrpMachineFuzzTest {

    static final long SEC = 1_000_000_000L;
    static final IpAddress SELF_V4 = IpAddress.parse("198.51.100.10");
    static final IpAddress SELF_V6 = IpAddress.parse("2001:db8::10");

    @FuzzTest
    void onPacket(byte[] input) {
        FuzzPacket read = FuzzPacket.read(input, false);
        if (read == null) {
            return;
        }
        int flags = input[0] & 0xff;
        boolean v6 = (flags & FuzzPacket.IPV6) != 0;
        IpAddress self = v6 ? SELF_V6 : SELF_V4;
        RouterConfig config = config(v6, (flags >>> 3) & 3);
        IpAddress group = v6 ? RouterConfig.MULTICAST_V6 : RouterConfig.MULTICAST_V4;
        FuzzPacket p = read.to(read.unicast() ? self : group, input);

        VrrpMachine m = new VrrpMachine(config, self);
        m.start(0);
        if ((flags & 0x20) != 0) {
            m.onTimer(m.nextDeadlineNanos());
            assertThat(m.state()).isEqualTo(RouterState.MASTER);
        }
        RouterState before = m.state();
        int priority = m.priority();
        long deadline = m.nextDeadlineNanos();
        VrrpStats stats = m.stats();
        long now = 2 * SEC;

        List<Action> actions = m.onPacket(now, p.source(), p.destination(), p.ttl(), p.message());

        assertThat(m.priority()).as("priority").isEqualTo(priority);
        assertThat(m.nextDeadlineNanos()).as("next deadline").isGreaterThan(now);
        assertThat(actions).noneMatch(a -> a instanceof Action.BindAddresses);
        if (VrrpCodec.decode(p.message(), p.source(), p.destination()) instanceof DecodeResult.Rejected) {
            assertThat(actions).isEmpty();
            assertThat(m.state()).isEqualTo(before);
            assertThat(m.nextDeadlineNanos()).isEqualTo(deadline);
            assertThat(errors(m.stats()) - errors(stats)).as("error counters after a refused packet").isEqualTo(1);
            return;
        }
        if (before == RouterState.BACKUP) {
            assertThat(m.state()).isEqualTo(RouterState.BACKUP);
            assertThat(actions).isEmpty();
        } else {
            assertThat(m.state()).isIn(RouterState.MASTER, RouterState.BACKUP);
            boolean unbound = actions.stream().anyMatch(a -> a instanceof Action.UnbindAddresses);
            assertThat(unbound).as("unbinds exactly when it leaves MASTER").isEqualTo(m.state() == RouterState.BACKUP);
        }
    }

    /** 0: v3 multicast; 1: v2 with a password (v3 for IPv6); 2: v3 unicast; 3: v3 with a preempt delay. */
    static RouterConfig config(boolean v6, int which) {
        RouterConfig.Builder b = RouterConfig.builder(new RouterId("VI_1", "eth0", 51, v6 ? IpFamily.IPV6 : IpFamily.IPV4))
                .priority(100).virtualAddress(v6 ? "2001:db8::50/64" : "198.51.100.50/24");
        switch (which) {
            case 1 -> {
                if (!v6) {
                    b.version(VrrpVersion.V2).password("secret");
                }
            }
            case 2 -> b.unicastPeer(IpAddress.parse(v6 ? "2001:db8::20" : "198.51.100.20"));
            case 3 -> b.preemptDelay(Duration.ofSeconds(10));
            default -> { }
        }
        return b.build();
    }

    static long errors(VrrpStats s) {
        return s.packetLengthErrors() + s.versionErrors() + s.invalidTypeReceived() + s.checksumErrors()
                + s.invalidAuthType() + s.advertIntervalErrors() + s.otherErrors();
    }
}
