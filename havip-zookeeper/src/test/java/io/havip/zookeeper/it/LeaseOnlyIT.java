package io.havip.zookeeper.it;

import static io.havip.zookeeper.it.ZkBed.ADVERT_MS;
import static io.havip.zookeeper.it.ZkBed.CONVERGE;
import static io.havip.zookeeper.it.ZkBed.SESSION_MS;
import static io.havip.zookeeper.it.ZkBed.SLACK_MS;
import static org.assertj.core.api.Assertions.assertThat;

import io.havip.arp.testbed.Node;
import io.havip.vrrp.it.HavipProcess;
import io.havip.zookeeper.it.ZkBed.Election;
import org.junit.jupiter.api.Test;

/**
 * Lease only (no VRRP at all), with protocol 112 dropped on the whole segment from the start to
 * prove nothing depends on it: a partition between the nodes keeps one holder (a), and a killed
 * holder is replaced within the session timeout + one interval (e).
 */
class LeaseOnlyIT extends ZkBedTests {

    /** (a) nodes partitioned from each other, VRRP dropped everywhere: exactly one holder throughout. */
    @Test
    void nodesPartitionedFromEachOtherKeepOneHolder() throws Exception {
        bed.dropVrrp();
        bed.start(Election.LEASE, path, 150, 100);
        Node holder = awaitOneHolder();
        try (ArpWatch arp = ArpWatch.start(bed.client, bed.vip); var cut = bed.cutBetweenNodes()) {
            long cutAt = System.currentTimeMillis();
            HavipProcess.sleep(HOLD_MS);
            ArpWatch.Result seen = arp.finish();
            ZkBed.measured("(a) lease only, nodes partitioned for %d ms: two holders for %d ms, two MACs answered ARP "
                    + "for %.0f ms (%d probes answered twice)", System.currentTimeMillis() - cutAt, bed.sampler.longestDualMillis(cutAt),
                    seen.overlapMillis(), seen.dual().size());
            partitionFigures(Election.LEASE, "(a) nodes partitioned", cutAt, seen);
            assertThat(bed.sampler.longestDualMillis(cutAt)).isZero();
            assertThat(bed.sampler.longestNoneMillis(cutAt)).as("the holder kept it").isZero();
            assertThat(seen.dual()).as(seen.describe()).isEmpty();
        }
        assertThat(bed.sampler.awaitSole(holder, CONVERGE)).isPositive();
    }

    /** (e) kill -9 of the holder, VRRP dropped everywhere: the other holds within the session timeout + one interval. */
    @Test
    void holderKilledIsReplacedWithinTheSessionTimeoutAndAnInterval() throws Exception {
        bed.dropVrrp();
        bed.start(Election.LEASE, path, 150, 100);
        Node holder = awaitOneHolder();
        Node other = holder == bed.n1 ? bed.n2 : bed.n1;
        long killAt = System.currentTimeMillis();
        bed.process(holder).kill();
        long otherMaster = bed.process(other).awaitLine("STATE MASTER", CONVERGE);
        ZkBed.measured("(e) lease only, holder killed: the other MASTER (lease held, address bound) after %d ms",
                otherMaster - killAt);
        ZkBed.bench(Election.LEASE, "process crash", "failover ms", otherMaster - killAt);
        assertThat(otherMaster - killAt).isLessThanOrEqualTo(SESSION_MS + ADVERT_MS + SLACK_MS);
        assertThat(masterTokens(bed.process(other)).get(0)).isGreaterThan(masterTokens(bed.process(holder)).get(0));
    }

    /** Node loss (the holder cut off from everything): the other is MASTER within the session timeout + one interval. */
    @Test
    void holderIsolatedIsReplacedWithinTheSessionTimeoutAndAnInterval() throws Exception {
        bed.dropVrrp();
        bed.start(Election.LEASE, path, 150, 100);
        Node holder = awaitOneHolder();
        assertThat(isolateAndAwaitTakeover(Election.LEASE, holder)).isLessThanOrEqualTo(SESSION_MS + ADVERT_MS + SLACK_MS);
    }

    /** Waits until one node says MASTER and alone holds the VIP, the client reaching it; returns it. */
    private Node awaitOneHolder() {
        long t = awaitEitherHolds(System.currentTimeMillis() - 1);
        Node holder = bed.sampler.since(t).get(0).n1() ? bed.n1 : bed.n2;
        bed.awaitServing(holder);
        return holder;
    }
}
