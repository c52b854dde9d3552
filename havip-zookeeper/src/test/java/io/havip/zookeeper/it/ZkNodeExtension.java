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

    /** Classes whose code sources the child needs besides havip's: this one, Curator, ZooKeeper and their libraries. */
    static Class<?>[] classPath() {
        return new Class<?>[] {ZkNodeExtension.class, ZooKeeperAuthority.class, org.apache.curator.framework.CuratorFramework.class,
            org.apache.curator.CuratorZookeeperClient.class, org.apache.curator.framework.recipes.locks.InterProcessMutex.class,
            org.apache.zookeeper.ZooKeeper.class, org.apache.jute.Record.class,
            com.google.common.base.Preconditions.class, // Curator's Guava
            com.google.common.util.concurrent.internal.InternalFutureFailureAccess.class,
            // ZooKeeper's client links its TLS utilities (Netty's SslContext) even when TLS is off
            io.netty.handler.ssl.SslContext.class, io.netty.util.concurrent.Future.class, io.netty.buffer.ByteBuf.class,
            io.netty.channel.Channel.class, io.netty.handler.codec.ByteToMessageDecoder.class,
            io.netty.resolver.AddressResolver.class};
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
