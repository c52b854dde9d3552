package io.havip.zookeeper.it;

import io.havip.arp.testbed.Cmd;
import io.havip.arp.testbed.LinuxTestRequirements;
import io.havip.vrrp.it.HavipProcess;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInfo;

/**
 * The lifecycle the scenario classes share: one {@link ZkBed} per class (the ensemble forms once),
 * reset after every test; a ZooKeeper path of its own per test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ZkBedTests {

    private static final Pattern TOKEN = Pattern.compile(" token=(-?\\d+)");

    /** How long each fault is held: longer than every guarded bound (twice the session timeout, plus 1 s). */
    static final long HOLD_MS = 2L * ZkBed.SESSION_MS + 1_000;

    ZkBed bed;
    String path;

    @BeforeAll
    void bed() throws Exception {
        LinuxTestRequirements.require("ip", "nft", "tshark");
        bed = ZkBed.create();
    }

    @org.junit.jupiter.api.BeforeEach
    void path(TestInfo test) {
        path = "/havip-it/" + getClass().getSimpleName() + "-" + test.getTestMethod().orElseThrow().getName();
    }

    @AfterEach
    void reset() throws Exception {
        bed.reset();
    }

    @AfterAll
    void close() throws Exception {
        if (bed != null) {
            bed.close();
        }
    }

    /** The BENCH figures of a partition scenario: the longest two-holder run since {@code fromMillis}, and ARP's. */
    void partitionFigures(ZkBed.Election mode, String scenario, long fromMillis, ArpWatch.Result arp) {
        ZkBed.bench(mode, scenario, "two holders ms", bed.sampler.longestDualMillis(fromMillis));
        ZkBed.bench(mode, scenario, "two MACs answering ARP ms", arp.overlapMillis());
    }

    /**
     * Node loss: every frame to and from the master {@code master} dropped at the bridge; waits until
     * the other node says MASTER and returns how long that took (ms). Healed by the reset.
     */
    long isolateAndAwaitTakeover(ZkBed.Election mode, io.havip.arp.testbed.Node master) {
        io.havip.arp.testbed.Node other = master == bed.n1 ? bed.n2 : bed.n1;
        int before = bed.process(other).lines("STATE MASTER").size();
        long cutAt = System.currentTimeMillis();
        bed.rule("isolate_" + master.name(), "iifname \"" + master.bridgePort() + "\" drop\n  oifname \""
                + master.bridgePort() + "\" drop");
        long took = bed.process(other).awaitLine("STATE MASTER", before + 1, ZkBed.CONVERGE) - cutAt;
        ZkBed.measured("node loss, %s: the other MASTER after %d ms", mode, took);
        ZkBed.bench(mode, "node loss", "failover ms", took);
        return took;
    }

    static void signal(HavipProcess p, String signal) {
        Cmd.check("kill", "-" + signal, Long.toString(p.pid()));
    }

    /** The fencing tokens on {@code p}'s STATE MASTER lines, in order. */
    static List<Long> masterTokens(HavipProcess p) {
        return p.lines("STATE MASTER").stream().map(l -> {
            Matcher m = TOKEN.matcher(l);
            if (!m.find()) {
                throw new AssertionError("no token= on " + l);
            }
            return Long.parseLong(m.group(1));
        }).toList();
    }

    /** Waits until {@code node} no longer holds the VIP (sampled since {@code fromMillis}); returns when. */
    long awaitReleased(io.havip.arp.testbed.Node node, long fromMillis, long boundMillis) {
        long end = System.currentTimeMillis() + ZkBed.CONVERGE.toMillis();
        while (true) {
            for (ZkBed.Sampler.Sample s : bed.sampler.since(fromMillis)) {
                if (!(node == bed.n1 ? s.n1() : s.n2())) {
                    org.assertj.core.api.Assertions.assertThat(s.atMillis() - fromMillis).as(node.name() + " released within " + boundMillis + " ms; "
                            + "n1 " + bed.p1.lines() + " n2 " + bed.p2.lines()).isLessThanOrEqualTo(boundMillis);
                    return s.atMillis();
                }
            }
            if (System.currentTimeMillis() > end) {
                throw new AssertionError(node.name() + " still holds " + bed.vip + " " + ZkBed.CONVERGE + " later; n1 "
                        + bed.p1.lines() + " n2 " + bed.p2.lines());
            }
            HavipProcess.sleep(ZkBed.Sampler.PERIOD_MS);
        }
    }

    long awaitEitherHolds(long fromMillis) {
        long end = System.currentTimeMillis() + ZkBed.CONVERGE.toMillis();
        while (System.currentTimeMillis() < end) {
            for (ZkBed.Sampler.Sample s : bed.sampler.since(fromMillis)) {
                if (s.holders() == 1) {
                    return s.atMillis();
                }
            }
            HavipProcess.sleep(ZkBed.Sampler.PERIOD_MS);
        }
        throw new AssertionError("nobody holds " + bed.vip + " " + ZkBed.CONVERGE + " after the quorum came back");
    }
}
