package io.havip.vrrp.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.havip.core.RouterId;
import io.havip.core.net.IpAddress;
import io.havip.core.net.IpFamily;
import io.havip.vrrp.codec.VrrpVersion;
import io.havip.vrrp.fuzz.FuzzPacket;
import io.havip.vrrp.machine.RouterConfig;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * The engine's packet path fed arbitrary packets: three routers of one virtual router on the
 * simulated segment ({@link Simulation}: virtual time, deterministic), with the fuzz input
 * forged into their receive path between steps of virtual time, exactly where
 * {@code Engine.onPacket} hands a received packet to the machine.
 *
 * <p>Input: byte 0 picks the version (bit 0: VRRPv2, else v3); then records of
 * {@code gap (1 byte, x 10 ms), flags (1: bits 0-1 the receiving node, 3 = all; bit 2 fix the
 * checksum; bit 3 unicast to the node instead of multicast), ttl (1), source (4), length (1),
 * message (length)}.
 *
 * <p>Invariants: nothing throws; at every step no node binds unless MASTER, and binds and
 * unbinds alternate ({@link Simulation#violations()}); once the forgeries stop, within the
 * longest Master_Down_Interval a forged advert can teach (3 x 40.95 s + Skew_Time) plus
 * some adverts, exactly one node is MASTER and it alone holds the address, and it stays so.
 */
class ClusterFuzzTest {

    static final RouterId VR = new RouterId("VI_1", "eth0", 51, IpFamily.IPV4);
    static final int MAX_RECORDS = 64;
    /** 3 x 4095 cs + Skew_Time (< 4095 cs) is below 164 s; the rest is adverts and preemption. */
    static final Duration SETTLE = Duration.ofSeconds(180);

    @FuzzTest
    void forgedPackets(byte[] input) {
        if (input.length < 1) {
            return;
        }
        VrrpVersion version = (input[0] & 1) != 0 ? VrrpVersion.V2 : VrrpVersion.V3;
        Simulation sim = new Simulation(1);
        String[] names = {"n0", "n1", "n2"};
        int[] priorities = {100, 150, 200};
        boolean[] preempt = {true, false, true};
        for (int k = 0; k < 3; k++) {
            sim.add(names[k], "198.51.100." + (10 * (k + 1)), RouterConfig.builder(VR).version(version)
                    .priority(priorities[k]).preempt(preempt[k]).virtualAddress("198.51.100.50/24").build());
        }
        sim.startAll();
        sim.runFor(Duration.ofSeconds(5));

        int at = 1;
        for (int r = 0; r < MAX_RECORDS && at + 8 <= input.length; r++) {
            int gap = input[at] & 0xff;
            int flags = input[at + 1] & 0xff;
            int ttl = input[at + 2] & 0xff;
            IpAddress source = IpAddress.ofBytes(Arrays.copyOfRange(input, at + 3, at + 7));
            int len = Math.min(input[at + 7] & 0xff, input.length - at - 8);
            byte[] message = Arrays.copyOfRange(input, at + 8, at + 8 + len);
            at += 8 + len;
            sim.runFor(Duration.ofMillis(10L * gap));
            int target = flags & 3;
            for (int k = 0; k < 3; k++) {
                if (target != 3 && target != k) {
                    continue;
                }
                Simulation.Node node = sim.node(names[k]);
                IpAddress dst = (flags & 8) != 0 ? node.address : RouterConfig.MULTICAST_V4;
                byte[] packet = FuzzPacket.write((flags & 4) != 0 ? FuzzPacket.FIX_CHECKSUM : 0, ttl, source, null, message);
                FuzzPacket p = FuzzPacket.read(packet, false).to(dst, packet);
                sim.inject(names[k], p.source(), p.destination(), p.ttl(), p.message());
            }
        }

        sim.runFor(SETTLE);
        assertThat(sim.violations()).as("binding invariants").isEmpty();
        List<Simulation.Node> masters = sim.masters();
        assertThat(masters).as("masters %s after the forgeries stop", sim).hasSize(1);
        assertThat(sim.boundNodes()).as("address holders").isEqualTo(masters);
        int transitions = sim.transitions().size();
        sim.runFor(Duration.ofSeconds(10));
        assertThat(sim.transitions()).as("stable once converged").hasSize(transitions);
    }
}
