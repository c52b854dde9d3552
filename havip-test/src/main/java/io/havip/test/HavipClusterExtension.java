package io.havip.test;

import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A JUnit 5 extension that gives each test a fresh, started {@link HavipCluster} and closes it
 * after the test (every router closed, crashed ones too).
 *
 * <pre>{@code
 * @RegisterExtension
 * final HavipClusterExtension havip = HavipClusterExtension.withNodes("n1", "n2", "n3")
 *         .configure(b -> b.advertInterval(Duration.ofMillis(100)));
 *
 * @Test
 * void theNextNodeTakesOver(HavipCluster cluster) throws Exception {
 *     cluster.advance(Duration.ofSeconds(1));
 *     assertThat(cluster).hasMaster("n1");
 *     cluster.crash("n1");
 *     cluster.advance(Duration.ofSeconds(1));
 *     assertThat(cluster).hasMaster("n2");
 * }
 * }</pre>
 *
 * The cluster is a parameter of the test method ({@link HavipCluster}) or {@link #cluster()}.
 */
public final class HavipClusterExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver {

    private final HavipCluster.Builder builder = HavipCluster.builder();
    private HavipCluster cluster;

    private HavipClusterExtension() {
    }

    /** A cluster of these nodes (see {@link HavipCluster.Builder#nodes(String...)}). */
    public static HavipClusterExtension withNodes(String... names) {
        HavipClusterExtension e = new HavipClusterExtension();
        e.builder.nodes(names);
        return e;
    }

    /** A cluster of {@code count} nodes, {@code n1} to {@code n<count>}. */
    public static HavipClusterExtension withNodes(int count) {
        HavipClusterExtension e = new HavipClusterExtension();
        e.builder.nodes(count);
        return e;
    }

    /** Changes the cluster's settings before each test builds it. */
    public HavipClusterExtension configure(Consumer<HavipCluster.Builder> settings) {
        settings.accept(builder);
        return this;
    }

    /** The running test's cluster. */
    public HavipCluster cluster() {
        if (cluster == null) {
            throw new IllegalStateException("no cluster: HavipClusterExtension makes one for each test, register it "
                    + "with @RegisterExtension on an instance field (not static) and read it inside a test");
        }
        return cluster;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        cluster = builder.start();
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        HavipCluster c = cluster;
        cluster = null;
        if (c != null) {
            c.close();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == HavipCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return cluster();
    }
}
