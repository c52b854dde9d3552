package io.havip.vrrp.internal.engine;

import io.havip.core.RouterId;
import io.havip.core.RouterState;
import io.havip.core.net.IpAddress;
import io.havip.core.net.IpFamily;
import io.havip.core.net.Ipv4Address;
import io.havip.core.net.Ipv6Address;
import io.havip.vrrp.codec.AdvertEncoder;
import io.havip.vrrp.machine.Action;
import io.havip.vrrp.machine.Handover;
import io.havip.vrrp.machine.RouterConfig;
import io.havip.vrrp.machine.VrrpMachine;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the protocol's takeover and handover code on scratch machines before any router needs
 * it, once per JVM for each kind of router (version, family, unicast or multicast). A takeover
 * otherwise runs code the JVM has never run: the first advert after the Master_Down_Timer or a
 * priority-0 advert, and the priority-0 advert of a closing master, went out a millisecond or
 * more late, interpreted and linked on the way (keepalived, compiled, takes tens of
 * microseconds). Here a pair of machines, a master and a backup, goes through a handover and a
 * node loss {@link #ROUNDS} times, encoding and decoding every advert: enough for the JIT's
 * first tier to compile what a takeover runs. Pure: no socket, no address, no clock; about
 * 0.1 s of one core in the first router's start (measured: 117 ms for the 256 rounds in a fresh
 * JVM, 31 ms once compiled), once per kind.
 */
final class ProtocolWarmUp {

    private static final Logger LOG = LoggerFactory.getLogger(ProtocolWarmUp.class);
    /** Past the first JIT tier's invocation threshold (HotSpot's Tier3InvocationThreshold is 200). */
    static final int ROUNDS = 256;
    private static final Set<String> DONE = ConcurrentHashMap.newKeySet();
    private static final long SECOND = 1_000_000_000L;

    private ProtocolWarmUp() {
    }

    /** Warms the paths of routers like {@code config} whose primary address is {@code source}; at most once per kind. */
    static void warm(RouterConfig config, IpAddress source) {
        boolean unicast = !config.unicastPeers().isEmpty();
        if (!DONE.add(config.version() + " " + config.router().family() + (unicast ? " unicast" : " multicast"))) {
            return;
        }
        try {
            int takeovers = run(config, source, ROUNDS);
            if (takeovers != 2 * ROUNDS) {
                LOG.debug("protocol warm-up for {}: {} takeovers in {} rounds, not 2 each", config.router(), takeovers,
                        ROUNDS);
            }
        } catch (RuntimeException e) {
            // only an optimisation: the routers run the same code cold
            LOG.debug("protocol warm-up for {} stopped: {}", config.router(), e.toString());
        }
    }

    /** {@code rounds} rounds for routers like {@code config}; how many takeovers they went through (2 per round). */
    static int run(RouterConfig config, IpAddress source, int rounds) {
        boolean unicast = !config.unicastPeers().isEmpty();
        IpAddress peer = unicast ? config.unicastPeers().get(0) : stranger(source);
        RouterConfig backup = scratch(config, 100, peer);
        RouterConfig master = scratch(config, 254, source);
        AdvertEncoder encoder = new AdvertEncoder();
        int takeovers = 0;
        for (int i = 0; i < rounds; i++) {
            takeovers += round(backup, master, source, peer, unicast, encoder);
        }
        return takeovers;
    }

    /**
     * One handover and one node loss: {@code peer} (priority 254) becomes master and advertises
     * to a backup on {@code source}, closes (priority 0), the backup takes over after its
     * Skew_Time, advertises, and closes in turn; then a second backup takes over from a master
     * that falls silent.
     */
    private static int round(RouterConfig backupConfig, RouterConfig masterConfig, IpAddress source, IpAddress peer,
                              boolean unicast, AdvertEncoder encoder) {
        VrrpMachine master = new VrrpMachine(masterConfig, peer);
        VrrpMachine backup = new VrrpMachine(backupConfig, source);
        IpAddress to = unicast ? source
                : source.family() == IpFamily.IPV4 ? RouterConfig.MULTICAST_V4 : RouterConfig.MULTICAST_V6;
        long now = 0;
        master.start(now);
        backup.start(now);
        now = master.nextDeadlineNanos();
        List<Action> adverts = master.onTimer(now);
        for (int i = 0; i < 3; i++) {
            deliver(adverts, backup, peer, to, now, encoder);
            now += masterConfig.advertInterval().toNanos();
            adverts = master.onTimer(now);
        }
        Handover handover = new Handover(Duration.ofSeconds(1));
        deliver(handover.begin(now, master.shutdown(now)), backup, peer, to, now, encoder);
        now = backup.nextDeadlineNanos();
        encode(backup.onTimer(now), source, encoder);
        int takeovers = 0;
        if (backup.state() == RouterState.MASTER) {
            takeovers++;
            encode(backup.onTimer(backup.nextDeadlineNanos()), source, encoder);
            encode(new Handover(Duration.ofSeconds(1)).begin(now, backup.shutdown(now)), source, encoder);
        }
        VrrpMachine silent = new VrrpMachine(masterConfig, peer);
        VrrpMachine lost = new VrrpMachine(backupConfig, source);
        silent.start(0);
        lost.start(0);
        now = silent.nextDeadlineNanos();
        deliver(silent.onTimer(now), lost, peer, to, now, encoder);
        encode(lost.onTimer(lost.nextDeadlineNanos()), source, encoder);
        return lost.state() == RouterState.MASTER ? takeovers + 1 : takeovers;
    }

    /** Encodes {@code actions}' adverts as {@code from} sends them and hands each to {@code receiver}. */
    private static void deliver(List<Action> actions, VrrpMachine receiver, IpAddress from, IpAddress to, long now,
                                AdvertEncoder encoder) {
        for (int i = 0; i < actions.size(); i++) {
            if (actions.get(i) instanceof Action.SendAdvert send) {
                receiver.onPacket(now, from, to, 255, encoder.encode(send.advertisement(), from, to));
            }
        }
    }

    private static void encode(List<Action> actions, IpAddress from, AdvertEncoder encoder) {
        for (int i = 0; i < actions.size(); i++) {
            if (actions.get(i) instanceof Action.SendAdvert send) {
                for (IpAddress to : send.destinations()) {
                    encoder.encode(send.advertisement(), from, to);
                }
            }
        }
    }

    /** {@code config} as a scratch router: named for the warm-up, no trackers or delay, the given priority and peer. */
    private static RouterConfig scratch(RouterConfig config, int priority, IpAddress peer) {
        RouterId id = config.router();
        return new RouterConfig(new RouterId("protocol warm-up", id.interfaceName(), id.vrid(), id.family()),
                config.version(), priority, config.advertInterval(), config.virtualAddresses(), true, Duration.ZERO,
                config.password(), config.unicastPeers().isEmpty() ? List.of() : List.of(peer), false, List.of(),
                config.acceptAdvertsFromNonPeers(), config.strayAddressPolicy());
    }

    /** A peer address for a multicast warm-up: data only, never on a wire. */
    private static IpAddress stranger(IpAddress source) {
        if (source.family() == IpFamily.IPV4) {
            IpAddress a = Ipv4Address.parse("198.51.100.254");
            return a.equals(source) ? Ipv4Address.parse("198.51.100.253") : a;
        }
        IpAddress a = Ipv6Address.parse("fe80::fe");
        return a.equals(source) ? Ipv6Address.parse("fe80::fd") : a;
    }
}
