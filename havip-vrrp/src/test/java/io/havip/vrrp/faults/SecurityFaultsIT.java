package io.havip.vrrp.faults;

import static io.havip.vrrp.faults.FaultBed.CONVERGE;
import static org.assertj.core.api.Assertions.assertThat;

import io.havip.arp.linux.RawVrrpTransport;
import io.havip.arp.testbed.Node;
import io.havip.arp.testbed.Testbed;
import io.havip.arp.testbed.TestbedExtension;
import io.havip.core.net.IpAddress;
import io.havip.vrrp.codec.VrrpPacketBuilder;
import io.havip.vrrp.it.HavipProcess;
import io.havip.vrrp.it.Mode;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A stranger on the segment (a namespace of its own that is not a configured peer) forging
 * adverts that would win: priority 255, the right VRID (and for VRRPv2 the right password).
 */
@ExtendWith(TestbedExtension.class)
class SecurityFaultsIT {

    /** Rounds of forged adverts, one a second to each router. */
    private static final int ROUNDS = 5;
    private static final String OTHER_ADDRESS = "203.0.113.7";

    /**
     * Guarantee: with unicast peers, priority-255 adverts from a host that is not a peer, sent to
     * both routers once a second, are dropped and counted (unicastSourceErrors, one per packet on
     * each router), logged once; the master keeps the VIP and nobody changes state. For VRRPv2
     * they carry the right PASS password: the password is no proof of being a peer.
     */
    @ParameterizedTest(name = "VRRPv{0}")
    @ValueSource(ints = {3, 2})
    void unicastRoutersIgnoreAPriority255StrangerAndCountEachOfItsAdverts(int version, Testbed net) throws Exception {
        Stranger s = Stranger.of(version);
        try (FaultBed bed = new FaultBed(net, Mode.IPV4_UNICAST).start(150, 100, s.routerArgs())) {
            bed.awaitServing(bed.r1);
            Node stranger = net.addNode("stranger");
            List<IpAddress> targets = List.of(bed.n1.ipv4(), bed.n2.ipv4());
            List<byte[]> packets = s.forged(bed, stranger.ipv4(), targets);
            long before1 = bed.r1.stat("unicastSourceErrors");
            long before2 = bed.r2.stat("unicastSourceErrors");
            long from = System.currentTimeMillis();
            for (int i = 0; i < ROUNDS; i++) {
                send(stranger, targets, packets);
                HavipProcess.sleep(1000);
            }
            assertCountedWithoutChurn(bed, "unicastSourceErrors", before1, before2, from);
            assertThat(bed.r1.stat("advertisementsReceived")).as("n1 took none of them").isZero();
            assertLoggedOnce(bed.r2, "dropped advert from " + stranger.ipv4() + ": not a unicast peer");
        }
    }

    /**
     * Control: with {@code acceptAdvertsFromNonPeers} (keepalived's default) one such advert does
     * take mastership, so they reached the routers and would have mattered.
     */
    @ParameterizedTest(name = "VRRPv{0}")
    @ValueSource(ints = {3, 2})
    void controlWithAcceptAdvertsFromNonPeersTheStrangerTakesOver(int version, Testbed net) throws Exception {
        Stranger s = Stranger.of(version);
        String[] args = Stream.concat(Stream.of(s.routerArgs()), Stream.of("accept-non-peers=true"))
                .toArray(String[]::new);
        try (FaultBed bed = new FaultBed(net, Mode.IPV4_UNICAST).start(150, 100, args)) {
            bed.awaitServing(bed.r1);
            Node stranger = net.addNode("stranger");
            List<IpAddress> targets = List.of(bed.n1.ipv4(), bed.n2.ipv4());
            assertTakenOver(bed, send(stranger, targets, s.forged(bed, stranger.ipv4(), targets)));
            assertThat(bed.r1.stat("unicastSourceErrors") + bed.r2.stat("unicastSourceErrors")).isZero();
        }
    }

    /**
     * Guarantee: a priority-255 advert listing other addresses than ours is dropped and counted
     * (addressListErrors), logged once per source, and changes no state (multicast; before, it
     * was taken as the address owner's). Control: the same advert listing our address wins.
     */
    @Test
    void aPriority255AdvertWithOtherAddressesIsDroppedAndCounted(Testbed net) throws Exception {
        try (FaultBed bed = new FaultBed(net).start(150, 100)) {
            bed.awaitServing(bed.r1);
            Node stranger = net.addNode("stranger");
            IpAddress src = stranger.ipv4();
            byte[] other = VrrpPacketBuilder.v3().vrid(51).priority(255).interval(10)
                    .addAddress(IpAddress.parse(OTHER_ADDRESS)).build(src, RawVrrpTransport.GROUP_V4);
            long before1 = bed.r1.stat("addressListErrors");
            long before2 = bed.r2.stat("addressListErrors");
            long from = System.currentTimeMillis();
            for (int i = 0; i < ROUNDS; i++) {
                send(stranger, List.of(RawVrrpTransport.GROUP_V4), List.of(other));
                HavipProcess.sleep(1000);
            }
            assertCountedWithoutChurn(bed, "addressListErrors", before1, before2, from);

            byte[] ours = VrrpPacketBuilder.v3().vrid(51).priority(255).interval(10).addAddress(bed.vip)
                    .build(src, RawVrrpTransport.GROUP_V4);
            assertTakenOver(bed, send(stranger, List.of(RawVrrpTransport.GROUP_V4), List.of(ours)));
            assertLoggedOnce(bed.r2, "advert from " + src + " lists [" + OTHER_ADDRESS + "]");
        }
    }

    /** The forger's adverts for a VRRP version, and the routers' arguments for it. */
    private record Stranger(Supplier<VrrpPacketBuilder> kind, int intervalField, String... routerArgs) {
        static Stranger of(int version) {
            return version == 2
                    ? new Stranger(() -> VrrpPacketBuilder.v2().password("secret"), 1, "version=2", "interval-ms=1000",
                            "password=secret")
                    : new Stranger(VrrpPacketBuilder::v3, 10);
        }

        /** One advert per target, addressed (and checksummed) to it, listing the router's VIP at priority 255. */
        List<byte[]> forged(FaultBed bed, IpAddress src, List<IpAddress> targets) {
            Function<IpAddress, byte[]> build = dst -> kind.get().vrid(51).priority(255).interval(intervalField)
                    .addAddress(bed.vip).build(src, dst);
            return targets.stream().map(build).toList();
        }
    }

    /** Both routers counted exactly {@link #ROUNDS} under {@code counter}; no state change, one holder throughout. */
    private static void assertCountedWithoutChurn(FaultBed bed, String counter, long before1, long before2, long from) {
        bed.r1.awaitStat(counter, v -> v >= before1 + ROUNDS, CONVERGE);
        bed.r2.awaitStat(counter, v -> v >= before2 + ROUNDS, CONVERGE);
        HavipProcess.sleep(300); // nothing more may be counted: one count per packet
        assertThat(bed.r1.stat(counter)).as(counter + " on n1").isEqualTo(before1 + ROUNDS);
        assertThat(bed.r2.stat(counter)).as(counter + " on n2").isEqualTo(before2 + ROUNDS);
        assertThat(bed.r1.process().lines("STATE ")).as("no churn on n1").hasSize(2); // BACKUP, MASTER
        assertThat(bed.r2.process().lines("STATE ")).as("no churn on n2").hasSize(1); // BACKUP
        bed.checker.assertSteadySince(bed.r1, from);
        Measured.report("stranger (%s): %d of %d forged priority-255 adverts counted on n1, %d on n2, %d invariant"
                        + " samples over %d ms all n1", counter, bed.r1.stat(counter) - before1, ROUNDS,
                bed.r2.stat(counter) - before2, bed.checker.since(from).size(), System.currentTimeMillis() - from);
    }

    /** n1 steps down to the forger (whose advert went out at {@code sentAt}), and takes over again once it goes quiet. */
    private static void assertTakenOver(FaultBed bed, long sentAt) {
        long at = bed.r1.process().awaitLine("STATE BACKUP", 2, CONVERGE);
        assertThat(bed.r1.process().lines("STATE BACKUP").get(1)).contains("HIGHER_PRIORITY_MASTER");
        bed.r1.process().awaitLine("STATE MASTER", 2, CONVERGE);
        assertThat(bed.checker.awaitConverged(CONVERGE)).isSameAs(bed.r1);
        Measured.report("control: n1 yielded to the forged advert %d ms after it was sent", at - sentAt);
    }

    private static void assertLoggedOnce(FaultBed.Router router, String needle) throws InterruptedException {
        assertThat(router.process().terminate()).isEqualTo(143);
        long logged = router.process().stderrAll().lines().filter(l -> l.contains(needle)).count();
        Measured.report("%s logged \"%s\" %d time(s)", router, needle, logged);
        assertThat(logged).as("log lines of %s naming: %s", router, needle).isEqualTo(1);
    }

    /**
     * Sends {@code packets.get(i)} to {@code targets.get(i)} from {@code from}'s eth0 (unicast or
     * the group); returns the wall-clock ms just before the first went out.
     */
    private static long send(Node from, List<IpAddress> targets, List<byte[]> packets) throws Exception {
        long sentAt = System.currentTimeMillis();
        from.run(() -> {
            boolean group = targets.get(0).equals(RawVrrpTransport.GROUP_V4);
            try (RawVrrpTransport t = group ? RawVrrpTransport.openMulticast("eth0", from.ipv4())
                    : RawVrrpTransport.openUnicast("eth0", from.ipv4())) {
                for (int i = 0; i < targets.size(); i++) {
                    t.send(targets.get(i), packets.get(i));
                }
            }
        });
        return sentAt;
    }
}
