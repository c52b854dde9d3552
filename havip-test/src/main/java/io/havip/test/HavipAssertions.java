package io.havip.test;

import io.havip.core.RouterState;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.assertj.core.api.AbstractAssert;

/**
 * AssertJ assertions on a {@link HavipCluster}: who holds the address, who is MASTER.
 *
 * <pre>{@code
 * import static io.havip.test.HavipAssertions.assertThat;
 *
 * assertThat(cluster).hasMaster("n2");
 * assertThat(cluster).node("n1").isInState(RouterState.BACKUP);
 * }</pre>
 *
 * Each assertion waits, with the virtual clock standing still, for at most the cluster's
 * {@linkplain HavipCluster.Builder#settleTimeout settle timeout} of real time for the routers'
 * own threads (address work, listeners) to finish what the last {@code advance} started; it
 * never moves time itself. A failure message describes every node.
 */
public final class HavipAssertions {

    private HavipAssertions() {
    }

    public static ClusterAssert assertThat(HavipCluster cluster) {
        return new ClusterAssert(cluster);
    }

    /** Assertions on a whole cluster. */
    public static final class ClusterAssert extends AbstractAssert<ClusterAssert, HavipCluster> {

        ClusterAssert(HavipCluster cluster) {
            super(cluster, ClusterAssert.class);
        }

        /**
         * {@code node} is the one MASTER, the only node holding the virtual address, and the node
         * clients reach at it.
         */
        public ClusterAssert hasMaster(String node) {
            isNotNull();
            actual.router(node);
            waitFor(() -> actual.masters().equals(List.of(node)) && actual.addressHolders().equals(List.of(node))
                            && actual.addressAnsweredBy().equals(Optional.of(node)),
                    "expected %s to be the one MASTER, the only holder of the address and the node clients reach",
                    node);
            return this;
        }

        /** No node is MASTER, none holds the address, and clients reach nobody. */
        public ClusterAssert hasNoMaster() {
            isNotNull();
            waitFor(() -> actual.masters().isEmpty() && actual.addressHolders().isEmpty()
                    && actual.addressAnsweredBy().isEmpty(), "expected no MASTER and nobody holding the address");
            return this;
        }

        /** At most one node holds the virtual address now (no split brain). */
        public ClusterAssert hasNoSplitBrain() {
            isNotNull();
            List<String> holders = actual.addressHolders();
            if (holders.size() > 1) {
                failWithMessage("expected at most one holder of the address, but %s hold it; %s", holders,
                        actual.describe());
            }
            return this;
        }

        /** Assertions on one node. */
        public NodeAssert node(String node) {
            isNotNull();
            return new NodeAssert(actual, node);
        }

        private void waitFor(BooleanSupplier condition, String message, Object... args) {
            if (!HavipAssertions.waitFor(actual, condition)) {
                Object[] all = java.util.Arrays.copyOf(args, args.length + 1);
                all[args.length] = actual.describe();
                failWithMessage(message + "; %s", all);
            }
        }
    }

    /** Assertions on one node of a cluster. */
    public static final class NodeAssert extends AbstractAssert<NodeAssert, HavipCluster> {
        private final String node;

        NodeAssert(HavipCluster cluster, String node) {
            super(cluster, NodeAssert.class);
            this.node = node;
        }

        /** The node's router is in {@code state} ({@link RouterState#STOP} for a node that does not run). */
        public NodeAssert isInState(RouterState state) {
            if (!waitFor(actual, () -> actual.state(node) == state)) {
                failWithMessage("expected %s in %s but it is %s; %s", node, state, actual.state(node), actual.describe());
            }
            return this;
        }

        /** The node holds the virtual address and clients reach it there. */
        public NodeAssert holdsTheAddress() {
            if (!waitFor(actual, () -> actual.addressHolders().contains(node)
                    && actual.addressAnsweredBy().equals(Optional.of(node)))) {
                failWithMessage("expected %s to hold the address and answer for it; %s", node, actual.describe());
            }
            return this;
        }

        /** Assertions on another node of the same cluster. */
        public NodeAssert node(String other) {
            return new NodeAssert(actual, other);
        }

        /** The node does not hold the virtual address. */
        public NodeAssert doesNotHoldTheAddress() {
            if (!waitFor(actual, () -> !actual.addressHolders().contains(node))) {
                failWithMessage("expected %s not to hold the address; %s", node, actual.describe());
            }
            return this;
        }
    }

    /** Polls {@code condition} with the clock standing still, up to the settle timeout of real time. */
    static boolean waitFor(HavipCluster cluster, BooleanSupplier condition) {
        long end = System.nanoTime() + cluster.settleTimeout().toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                return false;
            }
            try {
                Thread.sleep(HavipCluster.TICK_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return condition.getAsBoolean();
            }
        }
        return true;
    }
}
