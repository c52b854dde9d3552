package io.havip.zookeeper.it;

import io.havip.core.StateChange;
import io.havip.vrrp.Havip;
import io.havip.vrrp.VirtualRouter;
import io.havip.vrrp.it.NodeMain;
import io.havip.zookeeper.ZooKeeperAuthority;
import java.time.Duration;
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
 *   zk-node=n1           this node's name in the store
 * </pre>
 * STATE lines get {@code token=<fencing token>} (0 without one).
 */
public final class ZkNodeExtension implements NodeMain.Extension {

    /** NodeMain arguments for a node of {@code election} mode. */
    static List<String> args(String node, String connect, String path, ZkBed.Election election, int sessionMillis) {
        return List.of("zk-node=" + node, "extension=" + ZkNodeExtension.class.getName(), "zk=" + connect, "zk-path=" + path,
                "zk-mode=" + (election == ZkBed.Election.LEASE ? "lease" : "guard"), "zk-session-ms=" + sessionMillis);
    }

    /** Classes whose code sources a child JVM with this extension needs besides havip's: this one and {@link ZkEnsemble#clientClassPath()}. */
    static Class<?>[] classPath() {
        Class<?>[] client = ZkEnsemble.clientClassPath();
        Class<?>[] all = java.util.Arrays.copyOf(client, client.length + 1);
        all[client.length] = ZkNodeExtension.class;
        return all;
    }

    @Override
    public Set<String> keys() {
        return Set.of("zk", "zk-path", "zk-mode", "zk-session-ms", "zk-node");
    }

    private ZooKeeperAuthority authority;

    @Override
    public VirtualRouter start(Havip.Builder builder, Map<String, String> options) {
        authority = ZooKeeperAuthority.builder()
                .connectString(options.get("zk"))
                .path(options.getOrDefault("zk-path", ZooKeeperAuthority.DEFAULT_PATH))
                .nodeName(options.getOrDefault("zk-node", "node"))
                .sessionTimeout(Duration.ofMillis(Long.parseLong(options.getOrDefault("zk-session-ms", "2000"))))
                .build();
        String mode = options.getOrDefault("zk-mode", "guard");
        switch (mode) {
            case "guard" -> builder.quorumGuard(authority);
            case "lease" -> builder.leaseOnly(authority);
            default -> throw new IllegalArgumentException("zk-mode=" + mode + " is not guard or lease");
        }
        return builder.start();
    }

    @Override
    public String describe(StateChange change) {
        return "token=" + change.fencingToken();
    }

    @Override
    public void close() {
        if (authority != null) {
            authority.close();
        }
    }
}
