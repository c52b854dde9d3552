package io.havip.examples.proxy;

import io.havip.vrrp.Havip;
import io.havip.zookeeper.ZooKeeperAuthority;

/**
 * The proxy's ZooKeeper guard, in a class of its own: a proxy started without {@code --zookeeper}
 * never links it, so it runs without havip-zookeeper, Curator and ZooKeeper on its class path.
 */
final class ProxyZooKeeper {

    private ProxyZooKeeper() {
    }

    /** Puts {@code builder}'s router under a lease of {@code zk}; returns the authority to close after the router. */
    static AutoCloseable guard(Havip.Builder builder, ProxyCommand.ZooKeeper zk) {
        ZooKeeperAuthority.Builder a = ZooKeeperAuthority.builder().connectString(zk.connect()).path(zk.path())
                .sessionTimeout(zk.sessionTimeout());
        zk.nodeName().ifPresent(a::nodeName);
        zk.auth().ifPresent(auth -> a.digest(auth.user(), auth.password()));
        ZooKeeperAuthority authority = a.build();
        if (zk.leaseOnly()) {
            builder.leaseOnly(authority);
        } else {
            builder.quorumGuard(authority);
        }
        return authority;
    }
}
