package io.havip.zookeeper.it;

import static io.havip.zookeeper.it.ZkBed.ADVERT_MS;
import static io.havip.zookeeper.it.ZkBed.CONVERGE;
import static io.havip.zookeeper.it.ZkBed.SLACK_MS;
import static org.assertj.core.api.Assertions.assertThat;

import io.havip.vrrp.it.HavipProcess;
import io.havip.zookeeper.it.ZkBed.Election;
import org.junit.jupiter.api.Test;

/**
 * The control of issue 14's scenarios: the same bed (two nodes, a client, a 3-server ZooKeeper
 * ensemble), with VRRP alone. It shows what the guard is for: a partition between the nodes, or
 * a master cut off from its peer but not from the clients, gives two holders and two MACs
 * answering ARP for the VIP, for as long as the partition lasts; a master frozen and resumed
 * takes the address back at once. The measured overlaps are the VRRP column of BENCHMARKS.md.
 */
class VrrpAloneSplitBrainIT extends ZkBedTests {

    /** (a) nodes partitioned from each other, both reach the client: two holders for the whole partition. */
    @Test
    void nodesPartitionedFromEachOtherGiveTwoHolders() throws Exception {
        bed.start(Election.VRRP, path, 150, 100);
        bed.awaitServing(bed.n1);
        try (ArpWatch arp = ArpWatch.start(bed.client, bed.vip); var cut = bed.cutBetweenNodes()) {
            long cutAt = System.currentTimeMillis();
            bed.p2.awaitLine("STATE MASTER", CONVERGE);
            HavipProcess.sleep(HOLD_MS);
            ArpWatch.Result seen = arp.finish();
            long dual = bed.sampler.longestDualMillis(cutAt);
            ZkBed.measured("(a) VRRP alone, nodes partitioned for %d ms: two holders for %d ms, two MACs answered ARP "
                    + "for %.0f ms (%d probes answered twice)", System.currentTimeMillis() - cutAt, dual, seen.overlapMillis(), seen.dual().size());
            partitionFigures(Election.VRRP, "(a) nodes partitioned", cutAt, seen);
            assertThat(dual).as("the split brain VRRP alone cannot avoid").isGreaterThan(HOLD_MS / 2);
            assertThat(seen.dual()).as("probes answered by both nodes: " + seen.describe()).isNotEmpty();
        }
    }

    /**
     * (b) the master cut off from ZooKeeper and its peer but not from the client: VRRP alone knows
     * nothing of ZooKeeper, the peer stops hearing adverts, and both MACs answer ARP.
     */
    @Test
    void masterCutOffFromItsPeerButNotFromTheClientGivesTwoMacsAnsweringArp() throws Exception {
        bed.start(Election.VRRP, path, 150, 100);
        bed.awaitServing(bed.n1);
        try (ArpWatch arp = ArpWatch.start(bed.client, bed.vip)) {
            HavipProcess.sleep(300);
            long cutAt = System.currentTimeMillis();
            try (var zk = bed.cutFromZooKeeper(bed.n1); var peer = bed.cutBetweenNodes()) {
                bed.p2.awaitLine("STATE MASTER", CONVERGE);
                HavipProcess.sleep(HOLD_MS);
            }
            ArpWatch.Result seen = arp.finish();
            ZkBed.measured("(b) VRRP alone, master cut off from ZooKeeper and its peer for %d ms: two holders for %d ms, "
                    + "two MACs answered ARP for %.0f ms (%d probes answered twice)", HOLD_MS,
                    bed.sampler.longestDualMillis(cutAt), seen.overlapMillis(), seen.dual().size());
            partitionFigures(Election.VRRP, "(b') master cut off from ZooKeeper and peer", cutAt, seen);
            assertThat(seen.overlapMillis()).as("two MACs answering: " + seen.describe()).isGreaterThan(HOLD_MS / 2.0);
        }
    }

    /**
     * (c) the master SIGSTOPped for twice the session timeout: the backup takes over within
     * Master_Down_Interval, and on SIGCONT the higher-priority master preempts it back at once
     * (it announces); the frozen node's kernel kept answering ARP for the VIP meanwhile.
     */
    @Test
    void masterStoppedAndResumedTakesTheAddressBack() throws Exception {
        bed.start(Election.VRRP, path, 150, 100);
        bed.awaitServing(bed.n1);
        try (ArpWatch arp = ArpWatch.start(bed.client, bed.vip)) {
            long stopAt = System.currentTimeMillis();
            signal(bed.p1, "STOP");
            long n2Master = bed.p2.awaitLine("STATE MASTER", CONVERGE);
            HavipProcess.sleep(Math.max(0, stopAt + 2L * ZkBed.SESSION_MS - System.currentTimeMillis()));
            long contAt = System.currentTimeMillis();
            signal(bed.p1, "CONT");
            bed.p2.awaitLine("STATE BACKUP", 2, CONVERGE);
            HavipProcess.sleep(500);
            ArpWatch.Result seen = arp.finish();
            long n1Garps = seen.announcements().stream()
                    .filter(a -> a.atMillis() >= contAt && a.mac().equalsIgnoreCase(bed.n1.mac().toString())).count();
            ZkBed.measured("(c) VRRP alone, master stopped %d ms: n2 master %d ms after SIGSTOP; two holders for %d ms; "
                    + "n1 sent %d gratuitous ARPs after SIGCONT", contAt - stopAt, n2Master - stopAt,
                    bed.sampler.longestDualMillis(stopAt), n1Garps);
            partitionFigures(Election.VRRP, "(c) SIGSTOP for 2 x session", stopAt, seen);
            ZkBed.bench(Election.VRRP, "(c) SIGSTOP for 2 x session", "old master's GARP frames after SIGCONT", n1Garps);
            assertThat(n1Garps).as("VRRP alone: the resumed master announces").isPositive();
            assertThat(bed.sampler.awaitSole(bed.n1, CONVERGE)).isPositive();
        }
    }

    /** (e) kill -9 of the master: the backup holds the VIP within Master_Down_Interval (about 3.6 intervals) + slack. */
    @Test
    void masterKilledIsReplacedWithinMasterDownInterval() throws Exception {
        bed.start(Election.VRRP, path, 150, 100);
        bed.awaitServing(bed.n1);
        long killAt = System.currentTimeMillis();
        bed.p1.kill();
        long n2Master = bed.p2.awaitLine("STATE MASTER", CONVERGE);
        long holds = bed.sampler.awaitHolds(bed.n2, killAt, CONVERGE);
        ZkBed.measured("(e) VRRP alone, master killed: n2 MASTER after %d ms, holds the VIP after %d ms (sampled)",
                n2Master - killAt, holds - killAt);
        ZkBed.bench(Election.VRRP, "process crash", "failover ms", n2Master - killAt);
        assertThat(n2Master - killAt).isLessThanOrEqualTo(4 * ADVERT_MS + SLACK_MS);
    }

    /** Node loss (the master cut off from everything): the backup is MASTER within Master_Down_Interval + slack. */
    @Test
    void masterIsolatedIsReplacedWithinMasterDownInterval() throws Exception {
        bed.start(Election.VRRP, path, 150, 100);
        bed.awaitServing(bed.n1);
        assertThat(isolateAndAwaitTakeover(Election.VRRP, bed.n1)).isLessThanOrEqualTo(4 * ADVERT_MS + SLACK_MS);
    }
}
