package io.havip.vrrp.config;

import io.havip.vrrp.machine.StrayAddressPolicy;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code havip { ... }} block: settings only havip reads, applied to every
 * {@code vrrp_instance} of the file. keepalived rejects the block ("unknown keyword"), so it
 * belongs in a file that only havip hosts have, pulled in with a plain
 * {@code include /etc/havip/*.conf}: keepalived.conf(5) says a plain {@code include} that
 * matches nothing is no error, so the same keepalived.conf serves both daemons.
 *
 * <pre>
 * havip {
 *     liveness_secret_file /etc/havip/secret   # or: liveness_secret "at least 16 bytes"
 *     liveness_port 11251                      # default 11200 + virtual_router_id
 *     liveness_grace_ms 10
 *     liveness off                             # optional: plain VRRP timing
 *     accept_adverts_from_non_peers            # optional: keepalived's default for unicast instances
 *     stray_addresses report                   # default remove; see StrayAddressPolicy
 *     zookeeper { connect zk1:2181,zk2:2181,zk3:2181 }   # optional: see ZooKeeperSettings
 * }
 * </pre>
 *
 * @param liveness        {@code liveness}: whether the liveness channel runs (default on when a
 *                        secret is given)
 * @param livenessSecret  the shared secret as bytes ({@code liveness_secret} as UTF-8, or the
 *                        content of {@code liveness_secret_file} without its trailing line
 *                        break); empty when the block gives none (then the channel is off)
 * @param livenessPort    {@code liveness_port}, 0 for the default 11200 + VRID
 * @param livenessGrace   {@code liveness_grace_ms} (default 10 ms)
 * @param location        where the block starts; empty for {@link #NONE}
 * @param acceptAdvertsFromNonPeers {@code accept_adverts_from_non_peers}: unicast instances accept adverts
 *                        from sources that are not their {@code unicast_peer}s, as keepalived does without
 *                        {@code vrrp_check_unicast_src}; default off: havip drops and counts them (an
 *                        instance's {@code check_unicast_src}, or the global {@code vrrp_check_unicast_src},
 *                        keeps the check on anyway)
 * @param strayAddressPolicy {@code stray_addresses remove|report}: what a router that is not master
 *                        does with a virtual address found on its interface (default remove)
 * @param zookeeper       {@code zookeeper { ... }}: every instance under a ZooKeeper lease; empty without the block
 */
public record HavipSettings(boolean liveness, byte[] livenessSecret, int livenessPort, Duration livenessGrace,
                            Optional<SourceLocation> location, boolean acceptAdvertsFromNonPeers,
                            StrayAddressPolicy strayAddressPolicy, Optional<ZooKeeperSettings> zookeeper) {

    /** {@link io.havip.vrrp.liveness.LivenessConfig#DEFAULT_GRACE}. */
    public static final Duration DEFAULT_GRACE = io.havip.vrrp.liveness.LivenessConfig.DEFAULT_GRACE;

    /** No {@code havip} block: the channel is off and the file means exactly what it means to keepalived. */
    public static final HavipSettings NONE = new HavipSettings(false, new byte[0], 0, DEFAULT_GRACE, Optional.empty(),
            false, StrayAddressPolicy.REMOVE, Optional.empty());

    /** Without a {@code zookeeper} block. */
    public HavipSettings(boolean liveness, byte[] livenessSecret, int livenessPort, Duration livenessGrace,
                         Optional<SourceLocation> location, boolean acceptAdvertsFromNonPeers,
                         StrayAddressPolicy strayAddressPolicy) {
        this(liveness, livenessSecret, livenessPort, livenessGrace, location, acceptAdvertsFromNonPeers,
                strayAddressPolicy, Optional.empty());
    }

    /** The liveness settings alone, with the defaults for the rest (non-peers dropped, stray addresses removed). */
    public HavipSettings(boolean liveness, byte[] livenessSecret, int livenessPort, Duration livenessGrace,
                         Optional<SourceLocation> location) {
        this(liveness, livenessSecret, livenessPort, livenessGrace, location, false, StrayAddressPolicy.REMOVE);
    }

    public HavipSettings {
        livenessSecret = Objects.requireNonNull(livenessSecret, "livenessSecret").clone();
        if (livenessPort < 0 || livenessPort > 65535) {
            throw new IllegalArgumentException("livenessPort " + livenessPort + " is outside 0-65535 (0 = 11200 + VRID)");
        }
        Objects.requireNonNull(livenessGrace, "livenessGrace");
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(strayAddressPolicy, "strayAddressPolicy");
        Objects.requireNonNull(zookeeper, "zookeeper");
    }

    /** A copy of the secret. */
    @Override
    public byte[] livenessSecret() {
        return livenessSecret.clone();
    }

    /** Whether routers of this file run the liveness channel: on, with a secret. */
    public boolean livenessOn() {
        return liveness && livenessSecret.length > 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HavipSettings h && liveness == h.liveness && Arrays.equals(livenessSecret, h.livenessSecret)
                && livenessPort == h.livenessPort && livenessGrace.equals(h.livenessGrace) && location.equals(h.location)
                && acceptAdvertsFromNonPeers == h.acceptAdvertsFromNonPeers && strayAddressPolicy == h.strayAddressPolicy
                && zookeeper.equals(h.zookeeper);
    }

    @Override
    public int hashCode() {
        return Objects.hash(liveness, Arrays.hashCode(livenessSecret), livenessPort, livenessGrace, location,
                acceptAdvertsFromNonPeers, strayAddressPolicy, zookeeper);
    }

    /** Never shows the secret, only its length. */
    @Override
    public String toString() {
        return "HavipSettings[liveness " + (liveness ? "on" : "off") + ", secret " + livenessSecret.length + " bytes, port "
                + (livenessPort == 0 ? "11200+vrid" : livenessPort) + ", grace " + livenessGrace
                + (acceptAdvertsFromNonPeers ? ", adverts from non-peers accepted" : "")
                + (strayAddressPolicy == StrayAddressPolicy.REMOVE ? "" : ", stray addresses " + strayAddressPolicy)
                + zookeeper.map(z -> ", " + z).orElse("") + location.map(l -> ", at " + l).orElse("") + "]";
    }
}
