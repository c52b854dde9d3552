package io.havip.examples.havipd;

import io.havip.vrrp.Havip;
import io.havip.vrrp.config.ZooKeeperSettings;
import io.havip.zookeeper.WhenUnreachable;
import io.havip.zookeeper.ZooKeeperAuthority;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * havipd's {@code havip { zookeeper { ... } }}: one {@link ZooKeeperAuthority} for the daemon,
 * put on every instance's builder. Only this class names Curator's side: the daemon loads it
 * (and with it Curator and ZooKeeper) only when the block is in the file, so a havipd without
 * it, {@code --check} and {@code --status} need none of it. The authority is made from the
 * block as read at start; a reload that changes the block keeps it (havipd must restart for a
 * new ensemble or path, which the reload log says).
 */
final class ZooKeeperGuard implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ZooKeeperGuard.class);

    private final ZooKeeperSettings settings;
    private final ZooKeeperAuthority authority;

    private ZooKeeperGuard(ZooKeeperSettings settings, ZooKeeperAuthority authority) {
        this.settings = settings;
        this.authority = authority;
    }

    /** Starts the authority (it connects in the background; an ensemble that does not answer puts the routers in FAULT). */
    static ZooKeeperGuard open(ZooKeeperSettings s) {
        ZooKeeperAuthority.Builder b = ZooKeeperAuthority.builder().connectString(s.connect()).path(s.path())
                .sessionTimeout(s.sessionTimeout()).whenUnreachable(s.unreachable() == ZooKeeperSettings.Unreachable.HOLD
                        ? WhenUnreachable.HOLD : WhenUnreachable.RELEASE);
        s.node().ifPresent(b::nodeName);
        s.auth().ifPresent(auth -> b.digest(auth.user(), auth.password()));
        ZooKeeperAuthority a = b.build();
        log.info("havip zookeeper block ({}): {} for every vrrp_instance, node {}, {}", s.location(),
                s.mode() == ZooKeeperSettings.Mode.GUARD ? "quorum guard" : "lease only", a.node(),
                s.auth().map(String::valueOf).orElse("no credentials (open ACL)"));
        return new ZooKeeperGuard(s, a);
    }

    /** Puts the instance under the lease (guard or lease only, as the block says). */
    Havip.Builder apply(Havip.Builder b) {
        return settings.mode() == ZooKeeperSettings.Mode.GUARD ? b.quorumGuard(authority) : b.leaseOnly(authority);
    }

    /** Whether {@code now} (the block as read again) differs from the block in use; logs it. */
    boolean changedTo(java.util.Optional<ZooKeeperSettings> now) {
        boolean same = now.isPresent() && now.get().connect().equals(settings.connect())
                && now.get().path().equals(settings.path()) && now.get().mode() == settings.mode()
                && now.get().sessionTimeout().equals(settings.sessionTimeout())
                && now.get().unreachable() == settings.unreachable() && now.get().node().equals(settings.node())
                && now.get().auth().equals(settings.auth());
        if (!same) {
            log.warn("the havip zookeeper block changed ({}); the routers keep the one read at start ({}) until havipd "
                    + "restarts", now.map(String::valueOf).orElse("removed"), settings);
        }
        return !same;
    }

    @Override
    public void close() {
        authority.close();
    }
}
