package io.havip.zookeeper.it;

import io.havip.core.StateChange;
import io.havip.vrrp.Havip;
import io.havip.vrrp.VirtualRouter;
import io.havip.vrrp.it.NodeMain;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * NodeMain's ZooKeeper options ({@code extension=io.havip.zookeeper.it.ZkNodeExtension}):
 * <pre>
 *   zk=HOST:PORT,...     the ensemble's connect string (required)
 *   zk-path=/havip-it/x  the lease's parent path
 *   zk-mode=guard|lease  VRRP elects and the lease guards the address, or the lease alone
 *   zk-session-ms=2000   the session timeout asked for
 * </pre>
 * STATE lines get {@code token=<fencing token>} (0 without one).
 */
public final class ZkNodeExtension implements NodeMain.Extension {

    /** NodeMain arguments for a node of {@code election} mode. */
    static List<String> args(String connect, String path, ZkBed.Election election, int sessionMillis) {
        return List.of("extension=" + ZkNodeExtension.class.getName(), "zk=" + connect, "zk-path=" + path,
                "zk-mode=" + (election == ZkBed.Election.LEASE ? "lease" : "guard"), "zk-session-ms=" + sessionMillis);
    }

    /** Classes whose code sources the child needs besides havip's: this one, Curator, ZooKeeper and their libraries. */
    static Class<?>[] classPath() {
        return new Class<?>[] {ZkNodeExtension.class, org.apache.curator.framework.CuratorFramework.class,
            org.apache.curator.CuratorZookeeperClient.class, org.apache.curator.framework.recipes.locks.InterProcessMutex.class,
            org.apache.zookeeper.ZooKeeper.class, org.apache.jute.Record.class};
    }

    @Override
    public Set<String> keys() {
        return Set.of("zk", "zk-path", "zk-mode", "zk-session-ms");
    }

    @Override
    public VirtualRouter start(Havip.Builder builder, Map<String, String> options) {
        throw new UnsupportedOperationException("the ZooKeeper guard is not in havip-zookeeper yet");
    }

    @Override
    public String describe(StateChange change) {
        return "";
    }
}
