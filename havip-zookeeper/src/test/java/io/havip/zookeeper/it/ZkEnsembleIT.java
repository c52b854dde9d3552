package io.havip.zookeeper.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.havip.arp.testbed.Node;
import io.havip.arp.testbed.Testbed;
import io.havip.arp.testbed.TestbedExtension;
import java.time.Duration;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The fixture itself: three ZooKeeper servers, each in its own namespace, form a quorum that a
 * client in a fourth namespace writes through; losing one server keeps the quorum (a leader
 * among the other two, writes still succeed), losing two loses it (nobody serves, a write fails).
 */
@ExtendWith(TestbedExtension.class)
class ZkEnsembleIT {

    @Test
    void threeServersFormAQuorumThatSurvivesOneLossButNotTwo(Testbed net) throws Exception {
        Node client = net.addNode("client");
        try (ZkEnsemble zk = ZkEnsemble.start(net, 3)) {
            assertThat(zk.serving()).containsExactly(1, 2, 3);
            int leader = zk.leader().orElseThrow();
            assertThat(write(client, zk, "/one", 10_000)).as("write with three servers").isTrue();

            zk.kill(leader);
            zk.awaitQuorum(Duration.ofSeconds(30));
            List<Integer> left = zk.serving();
            assertThat(left).hasSize(2).doesNotContain(leader);
            assertThat(zk.leader()).isPresent().get().isNotEqualTo(leader);
            assertThat(write(client, zk, "/two", 10_000)).as("write with two of three servers").isTrue();

            zk.kill(left.get(0));
            zk.awaitNoQuorum(Duration.ofSeconds(30));
            assertThat(zk.mode(left.get(1))).as("the last server alone does not serve").isEmpty();
            assertThat(write(client, zk, "/three", 4_000)).as("write with one of three servers").isFalse();

            zk.restart(left.get(0)); // and it comes back: the fixture can heal what it broke
            zk.awaitQuorum(Duration.ofSeconds(30));
            assertThat(write(client, zk, "/four", 10_000)).as("write after a server came back").isTrue();
        }
    }

    /** Whether a fresh Curator client in {@code client}'s namespace creates {@code path} within {@code millis}. */
    static boolean write(Node client, ZkEnsemble zk, String path, int millis) throws Exception {
        return client.call(() -> {
            // built on the namespace thread: the client's own threads inherit its network namespace
            try (CuratorFramework c = CuratorFrameworkFactory.newClient(zk.connectString(), 4_000, millis,
                    new RetryOneTime(100))) {
                c.start();
                if (!c.blockUntilConnected(millis, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    return false;
                }
                try {
                    c.create().forPath(path, "x".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    return c.checkExists().forPath(path) != null;
                } catch (Exception e) {
                    return false;
                }
            }
        });
    }
}
