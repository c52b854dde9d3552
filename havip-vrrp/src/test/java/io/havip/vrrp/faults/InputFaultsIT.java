package io.havip.vrrp.faults;

import static io.havip.vrrp.faults.FaultBed.CONVERGE;
import static org.assertj.core.api.Assertions.assertThat;

import io.havip.arp.linux.RawVrrpTransport;
import io.havip.arp.testbed.LinuxTestRequirements;
import io.havip.arp.testbed.Node;
import io.havip.arp.testbed.Testbed;
import io.havip.arp.testbed.TestbedExtension;
import io.havip.core.net.IpAddress;
import io.havip.vrrp.codec.VrrpPacketBuilder;
import io.havip.vrrp.it.HavipProcess;
import io.havip.vrrp.it.VipChecks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Scenarios 7 and 8: what other senders on the segment put on the wire. */
@ExtendWith(TestbedExtension.class)
class InputFaultsIT {

    private static final int COPIES = 5;

    /**
     * Guarantee: a foreign router with the same VRID but other addresses causes no state change
     * on either node; its adverts are counted (addressListErrors) and logged once per source,
     * with the offending address list.
     */
    @Test
    void foreignRouterWithTheSameVridIsCountedAndLoggedOncePerSourceWithoutChurn(Testbed net) throws Exception {
        try (FaultBed bed = new FaultBed(net).start(150, 100)) {
            bed.awaitServing(bed.r1);
            Node fr = net.addNode("foreign");
            String foreignVip = "203.0.113.7";
            try (HavipProcess foreign = HavipProcess.start(fr, FaultBed.MODE.args(fr, List.of(), 200,
                    "vips=" + foreignVip + "/24"))) {
                foreign.awaitState("MASTER", CONVERGE);
                long before = bed.r2.stat("addressListErrors");
                bed.r2.awaitStat("addressListErrors", v -> v >= before + 20, CONVERGE); // two seconds of its adverts
                bed.checker.assertSteady(bed.r1, 1_000);
                assertThat(bed.r1.process().lines("STATE ")).as("no churn on n1").hasSize(2); // BACKUP, MASTER
                assertThat(bed.r2.process().lines("STATE ")).as("no churn on n2").hasSize(1); // BACKUP
                assertThat(bed.r1.stat("addressListErrors")).isPositive();
                assertThat(VipChecks.holds(fr, IpAddress.parse(foreignVip))).isTrue();

                assertThat(bed.r2.process().terminate()).isEqualTo(143);
                String needle = "advert from " + fr.ipv4() + " lists [" + foreignVip + "]";
                long logged = bed.r2.process().stderrAll().lines().filter(l -> l.contains(needle)).count();
                Measured.report("foreign router: n2 counted %d address-list errors, logged %d times",
                        bed.r2.stats().get("addressListErrors"), logged);
                assertThat(logged).as("warnings naming %s in n2's log", needle).isEqualTo(1);
            }
        }
    }

    /**
     * Guarantee: forged or broken VRRPv3 adverts from another namespace, each claiming priority
     * 254 (they would win if accepted), are dropped and counted under their keepalived counter,
     * one count per packet, and no state changes. A well-formed one at the end (the control)
     * does take mastership, so the forgeries were delivered and would have mattered.
     */
    @Test
    void brokenV3AdvertsAreDroppedAndCountedWithoutStateChange(Testbed net) throws Exception {
        try (FaultBed bed = new FaultBed(net).start(150, 100)) {
            bed.awaitServing(bed.r1);
            Node evil = net.addNode("evil");
            IpAddress src = evil.ipv4();
            IpAddress dst = RawVrrpTransport.GROUP_V4;
            Function<VrrpPacketBuilder, byte[]> v3 = b -> b.vrid(51).priority(254).interval(10).addAddress(bed.vip)
                    .build(src, dst);
            forge(bed, evil, "checksumErrors", v3.apply(VrrpPacketBuilder.v3().corruptChecksum()), false);
            forge(bed, evil, "versionErrors", v3.apply(VrrpPacketBuilder.v3().version(2).interval(1)), false);
            forge(bed, evil, "packetLengthErrors", v3.apply(VrrpPacketBuilder.v3().truncateTo(7)), false);
            forge(bed, evil, "packetLengthErrors", v3.apply(VrrpPacketBuilder.v3().count(3)), false);
            forge(bed, evil, "invalidTypeReceived", v3.apply(VrrpPacketBuilder.v3().type(2)), false);
            forge(bed, evil, "ttlErrors", v3.apply(VrrpPacketBuilder.v3()), true);
            control(bed, evil, v3.apply(VrrpPacketBuilder.v3()));
        }
    }

    /** The same for VRRPv2 with PASS authentication: wrong password, wrong auth type, checksum, TTL. */
    @Test
    void brokenV2AdvertsWithWrongAuthAreDroppedAndCountedWithoutStateChange(Testbed net) throws Exception {
        try (FaultBed bed = new FaultBed(net).start(150, 100, "version=2", "interval-ms=1000", "password=secret")) {
            bed.awaitServing(bed.r1);
            Node evil = net.addNode("evil");
            IpAddress src = evil.ipv4();
            IpAddress dst = RawVrrpTransport.GROUP_V4;
            Function<VrrpPacketBuilder, byte[]> v2 = b -> b.vrid(51).priority(254).interval(1).addAddress(bed.vip)
                    .build(src, dst);
            forge(bed, evil, "authFailures", v2.apply(VrrpPacketBuilder.v2().password("guessed")), false);
            forge(bed, evil, "authTypeMismatch", v2.apply(VrrpPacketBuilder.v2()), false);
            forge(bed, evil, "checksumErrors", v2.apply(VrrpPacketBuilder.v2().password("secret").corruptChecksum()),
                    false);
            forge(bed, evil, "ttlErrors", v2.apply(VrrpPacketBuilder.v2().password("secret")), true);
            control(bed, evil, v2.apply(VrrpPacketBuilder.v2().password("secret")));
        }
    }

    /** Sends {@link #COPIES} of {@code packet} from {@code evil}; both routers must count exactly that many under {@code counter}. */
    private static void forge(FaultBed bed, Node evil, String counter, byte[] packet, boolean lowTtl) throws Exception {
        long before1 = bed.r1.stat(counter);
        long before2 = bed.r2.stat(counter);
        Path rules = null;
        if (lowTtl) {
            LinuxTestRequirements.require("nft");
            rules = Files.createTempFile("havip-ttl-", ".nft");
            Files.writeString(rules, "table ip havip_ttl {\n chain out {\n  type filter hook output priority 0; "
                    + "policy accept;\n  ip protocol 112 ip ttl set 64\n }\n}\n");
            evil.exec("nft", "-f", rules.toString()).check();
        }
        try {
            send(evil, packet, COPIES);
        } finally {
            if (rules != null) {
                evil.exec("nft", "delete", "table", "ip", "havip_ttl").check();
                Files.deleteIfExists(rules);
            }
        }
        bed.r1.awaitStat(counter, v -> v >= before1 + COPIES, CONVERGE);
        bed.r2.awaitStat(counter, v -> v >= before2 + COPIES, CONVERGE);
        HavipProcess.sleep(300); // nothing more may be counted: one count per packet
        assertThat(bed.r1.stat(counter)).as(counter + " on n1").isEqualTo(before1 + COPIES);
        assertThat(bed.r2.stat(counter)).as(counter + " on n2").isEqualTo(before2 + COPIES);
        assertThat(bed.r1.process().lines("STATE ")).as("n1 unchanged after " + counter).hasSize(2);
        assertThat(bed.r2.process().lines("STATE ")).as("n2 unchanged after " + counter).hasSize(1);
        bed.checker.assertSteady(bed.r1, 200);
        Measured.report("forged %s: %d dropped and counted on each router", counter, COPIES);
    }

    /** A valid priority-254 advert makes n1 step down: the path the forgeries took does reach the routers. */
    private static void control(FaultBed bed, Node evil, byte[] valid) throws Exception {
        send(evil, valid, 1);
        bed.r1.process().awaitLine("STATE BACKUP", 2, CONVERGE);
        assertThat(bed.r1.process().lines("STATE BACKUP").get(1)).contains("HIGHER_PRIORITY_MASTER");
        // the forger goes quiet: n1 takes over again after Master_Down_Interval
        bed.r1.process().awaitLine("STATE MASTER", 2, CONVERGE);
        assertThat(bed.checker.awaitConverged(CONVERGE)).isSameAs(bed.r1);
    }

    private static void send(Node evil, byte[] packet, int copies) throws Exception {
        evil.run(() -> {
            try (RawVrrpTransport t = RawVrrpTransport.openMulticast("eth0", evil.ipv4())) {
                for (int i = 0; i < copies; i++) {
                    t.send(RawVrrpTransport.GROUP_V4, packet);
                    Thread.sleep(20);
                }
            }
        });
    }
}
