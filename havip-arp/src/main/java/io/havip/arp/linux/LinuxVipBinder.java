package io.havip.arp.linux;

import io.havip.arp.garp.GarpConfig;
import io.havip.arp.garp.GarpSchedule;
import io.havip.arp.packet.GratuitousArp;
import io.havip.arp.packet.NeighborAdvertisement;
import io.havip.core.Clock;
import io.havip.core.VipBinder;
import io.havip.core.net.InterfaceAddress;
import io.havip.core.net.Ipv4Address;
import io.havip.core.net.Ipv6Address;
import io.havip.core.net.MacAddress;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Linux {@link VipBinder}: {@link #bind} adds the addresses through rtnetlink and starts
 * announcing each with gratuitous ARP (IPv4) or an unsolicited Neighbor Advertisement (IPv6,
 * Override set, to ff02::1, hop limit 255) on an AF_PACKET socket, timed by one
 * {@link GarpSchedule} per address (keepalived's {@code garp_master_*} semantics);
 * {@link #unbind} stops the announcements and deletes the addresses. Interfaces with
 * {@code IFF_NOARP} get their addresses but no announcements.
 *
 * <p>Namespaces: sockets are opened on the thread calling {@link #open} (netlink) and
 * {@link #bind} (packet sockets); call every method from threads in the same network
 * namespace (normally the process has one). Announcements are sent from one daemon thread
 * ({@code havip-garp}) that reads {@link Clock#nanoTime()}; a failing send is logged and the
 * schedule goes on. Thread-safe. Needs CAP_NET_ADMIN and CAP_NET_RAW.
 */
public final class LinuxVipBinder implements VipBinder {

    private static final Logger LOG = LoggerFactory.getLogger(LinuxVipBinder.class);

    private final RtNetlink netlink;
    private final GarpConfig config;
    private final GratuitousArp.Form arpForm;
    private final Clock clock;
    private final ScheduledThreadPoolExecutor executor;
    private final Object lock = new Object();
    private final Map<String, PacketSocket> sockets = new HashMap<>();
    /**
     * Every announcement built: running while its address is bound, stopped once released or
     * when built ahead of a takeover ({@link #prepare}); kept, so the next bind reuses it.
     */
    private final Map<Key, Announcement> announcements = new HashMap<>();
    private ScheduledFuture<?> nextTick;
    /** {@link #tick} as a task, made once (a method reference links on first use). */
    private final Runnable tickTask = this::tick;
    private boolean closed;

    private record Key(String ifname, InterfaceAddress address) { }

    private record Announcement(GarpSchedule schedule, PacketSocket socket, byte[] frame, MacAddress mac) { }

    private LinuxVipBinder(RtNetlink netlink, GarpConfig config, GratuitousArp.Form arpForm, Clock clock) {
        this.netlink = netlink;
        this.config = config;
        this.arpForm = arpForm;
        this.clock = clock;
        this.executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "havip-garp");
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
    }

    /** keepalived's GARP defaults, the keepalived request form, the system clock. */
    public static LinuxVipBinder open() throws NativeException {
        return open(GarpConfig.keepalivedDefaults(), GratuitousArp.Form.REQUEST, Clock.system());
    }

    /**
     * A binder announcing with {@code config} and gratuitous ARPs of {@code arpForm}, timed by
     * {@code clock}. Checks {@link LinuxNetworking#availability()} first and refuses with its
     * reasons ({@link UnsupportedOperationException}).
     */
    public static LinuxVipBinder open(GarpConfig config, GratuitousArp.Form arpForm, Clock clock)
            throws NativeException {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(arpForm, "arpForm");
        Objects.requireNonNull(clock, "clock");
        LinuxNetworking.availability().ensureAvailable();
        return new LinuxVipBinder(RtNetlink.open(), config, arpForm, clock);
    }

    @Override
    public List<AddressOutcome> bind(String interfaceName, List<InterfaceAddress> addresses) throws BindException {
        synchronized (lock) {
            ensureOpen();
            LinkState link = link(interfaceName, "bind " + addresses);
            List<AddressOutcome> outcomes = new ArrayList<>();
            for (InterfaceAddress a : addresses) {
                try {
                    outcomes.add(new AddressOutcome(a, netlink.addAddress(link, a)));
                } catch (NativeException e) {
                    throw new BindException(e.getMessage() + (outcomes.isEmpty() ? "" : "; already bound: " + outcomes), e);
                }
            }
            if (link.isNoArp()) {
                LOG.info("{} has IFF_NOARP: {} bound without gratuitous ARP / NA", interfaceName, addresses);
                return outcomes;
            }
            long now = clock.nanoTime();
            for (InterfaceAddress a : addresses) {
                announcement(new Key(interfaceName, a), link).schedule().start(now);
            }
            tick();
            return outcomes;
        }
    }

    /**
     * Does ahead of time the work {@link #bind} would otherwise do on the first takeover:
     * resolves the interface, opens its packet socket, builds the announcement (frame and
     * schedule) of each of {@code addresses} and starts the announcing thread, which also
     * loads and links those code paths. The first gratuitous ARP then follows the address by
     * microseconds rather than milliseconds. Sends nothing and binds nothing.
     */
    public void prepare(String interfaceName, List<InterfaceAddress> addresses) throws BindException {
        synchronized (lock) {
            ensureOpen();
            LinkState link = link(interfaceName, "prepare announcements of " + addresses);
            for (InterfaceAddress a : addresses) {
                announcement(new Key(interfaceName, a), link);
                rehearse(a);
            }
            executor.prestartCoreThread();
        }
    }

    /**
     * Runs once, without effect, the code a takeover runs for the first time otherwise: the
     * classes it loads and the call sites it links cost milliseconds then, microseconds now.
     */
    private void rehearse(InterfaceAddress a) {
        a.subnet().broadcast();
        new AddressOutcome(a, AddressOutcome.Outcome.ADDED);
        GarpSchedule schedule = new GarpSchedule(config, a.family());
        long now = clock.nanoTime();
        schedule.start(now);
        schedule.due(now);
        schedule.nextDeadlineNanos();
        schedule.stop();
        executor.schedule(() -> { }, 0, TimeUnit.NANOSECONDS).cancel(false);
    }

    /** The announcement of {@code key}, built (and kept) unless one exists for the link's current MAC. */
    private Announcement announcement(Key key, LinkState link) throws BindException {
        Announcement an = announcements.get(key);
        if (an == null || !an.mac().equals(link.mac())) {
            InterfaceAddress a = key.address();
            an = new Announcement(new GarpSchedule(config, a.family()), socket(key.ifname()), frame(link.mac(), a),
                    link.mac());
            announcements.put(key, an);
        }
        return an;
    }

    private byte[] frame(MacAddress mac, InterfaceAddress a) {
        return a.address() instanceof Ipv4Address v4 ? GratuitousArp.frame(arpForm, mac, v4).encode()
                : NeighborAdvertisement.unsolicited(mac, (Ipv6Address) a.address()).encodeFrame();
    }

    private PacketSocket socket(String ifname) throws BindException {
        PacketSocket s = sockets.get(ifname);
        if (s == null) {
            try {
                s = PacketSocket.open(ifname);
            } catch (NativeException e) {
                throw new BindException(e.getMessage(), e);
            }
            sockets.put(ifname, s);
        }
        return s;
    }

    private LinkState link(String ifname, String attempted) throws BindException {
        try {
            return netlink.link(ifname).orElseThrow(() -> new BindException("cannot " + attempted + " on " + ifname
                    + ": interface " + ifname + " does not exist in this network namespace (see `ip link`)"));
        } catch (NativeException e) {
            throw new BindException(e.getMessage(), e);
        }
    }

    @Override
    public List<AddressOutcome> unbind(String interfaceName, List<InterfaceAddress> addresses) throws BindException {
        synchronized (lock) {
            ensureOpen();
            for (InterfaceAddress a : addresses) {
                Announcement gone = announcements.get(new Key(interfaceName, a));
                if (gone != null) {
                    gone.schedule().stop();
                }
            }
            LinkState link = link(interfaceName, "unbind " + addresses);
            List<AddressOutcome> outcomes = new ArrayList<>();
            for (InterfaceAddress a : addresses) {
                try {
                    outcomes.add(new AddressOutcome(a, netlink.deleteAddress(link, a)));
                } catch (NativeException e) {
                    throw new BindException(e.getMessage() + (outcomes.isEmpty() ? "" : "; already unbound: " + outcomes), e);
                }
            }
            return outcomes;
        }
    }

    @Override
    public Set<InterfaceAddress> present(String interfaceName, List<InterfaceAddress> candidates) throws BindException {
        synchronized (lock) {
            ensureOpen();
            LinkState link = link(interfaceName, "read the addresses");
            try {
                Set<InterfaceAddress> have = new LinkedHashSet<>();
                netlink.addresses(link.index()).forEach(e -> have.add(e.address()));
                Set<InterfaceAddress> out = new LinkedHashSet<>();
                for (InterfaceAddress c : candidates) {
                    if (have.contains(c)) {
                        out.add(c);
                    }
                }
                return out;
            } catch (NativeException e) {
                throw new BindException(e.getMessage(), e);
            }
        }
    }

    /**
     * A lower-priority advert or another MAC's claim: {@link GarpSchedule#reannounce} for each held
     * address. When the interface's MAC is no longer the one the announcement was built with (a
     * bond failover, {@code ip link set address}), the announcement is built again with the
     * current MAC and started afresh, as on becoming master: every client holds the old MAC.
     */
    @Override
    public void reannounce(String interfaceName, List<InterfaceAddress> addresses) throws BindException {
        synchronized (lock) {
            ensureOpen();
            LinkState link = link(interfaceName, "re-announce " + addresses);
            long now = clock.nanoTime();
            for (InterfaceAddress a : addresses) {
                Key key = new Key(interfaceName, a);
                Announcement an = announcements.get(key);
                if (an != null && an.schedule().isRunning() && !an.mac().equals(link.mac())) {
                    announcement(key, link).schedule().start(now);
                    LOG.info("re-announcing {} on {} from its new MAC {} (was {})", a, interfaceName, link.mac(),
                            an.mac());
                } else if (an == null || !an.schedule().reannounce(now)) {
                    LOG.debug("reannounce {} on {}: not bound by this binder, nothing sent", a, interfaceName);
                }
            }
            tick();
        }
    }

    /**
     * One burst ({@link GarpConfig#masterRepeat} frames per address, at once) announcing
     * {@code addresses} at {@code mac} from this interface's MAC: the ARP sender hardware
     * address, or the NA's Target Link-Layer Address option, is {@code mac}.
     */
    @Override
    public void announceAt(String interfaceName, List<InterfaceAddress> addresses, MacAddress mac)
            throws BindException {
        synchronized (lock) {
            ensureOpen();
            LinkState link = link(interfaceName, "announce " + addresses + " at " + mac);
            if (link.isNoArp()) {
                return;
            }
            PacketSocket socket = socket(interfaceName);
            for (InterfaceAddress a : addresses) {
                byte[] frame = a.address() instanceof Ipv4Address v4
                        ? GratuitousArp.frame(arpForm, link.mac(), mac, v4).encode()
                        : new NeighborAdvertisement(link.mac(), NeighborAdvertisement.ALL_NODES_MAC,
                                (Ipv6Address) a.address(), NeighborAdvertisement.ALL_NODES,
                                EnumSet.of(NeighborAdvertisement.Flag.OVERRIDE), (Ipv6Address) a.address(),
                                Optional.of(mac)).encodeFrame();
                for (int i = 0; i < config.masterRepeat(); i++) {
                    try {
                        socket.send(frame);
                    } catch (NativeException e) {
                        throw new BindException("cannot announce " + a + " at " + mac + " on " + interfaceName + ": "
                                + e.getMessage(), e);
                    }
                }
            }
        }
    }

    /**
     * Sends what is due now and schedules the next run at the earliest deadline. Called under
     * the lock by the methods above and by the executor.
     */
    void tick() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            long now = clock.nanoTime();
            long earliest = Long.MAX_VALUE;
            boolean any = false;
            for (Map.Entry<Key, Announcement> e : announcements.entrySet()) {
                Announcement an = e.getValue();
                int rounds = an.schedule().due(now);
                for (int i = 0; i < rounds; i++) {
                    try {
                        an.socket().send(an.frame());
                    } catch (NativeException ex) {
                        LOG.warn("announcing {} on {}: {}", e.getKey().address(), e.getKey().ifname(), ex.getMessage());
                        break;
                    }
                }
                OptionalLong next = an.schedule().nextDeadlineNanos();
                if (next.isPresent()) {
                    long in = next.getAsLong() - now;
                    earliest = any ? Math.min(earliest, in) : in;
                    any = true;
                }
            }
            if (nextTick != null) {
                nextTick.cancel(false);
                nextTick = null;
            }
            if (any) {
                nextTick = executor.schedule(tickTask, Math.max(0, earliest), TimeUnit.NANOSECONDS);
            }
        }
    }

    /** Netlink round trips and a packet send, all to the local kernel. */
    @Override
    public boolean isLowLatency() {
        return true;
    }

    /** Addresses this binder is announcing on {@code interfaceName} (diagnostics, tests). */
    public Set<InterfaceAddress> announcing(String interfaceName) {
        synchronized (lock) {
            Set<InterfaceAddress> out = new LinkedHashSet<>();
            announcements.forEach((k, an) -> {
                if (k.ifname().equals(interfaceName) && an.schedule().isRunning()) {
                    out.add(k.address());
                }
            });
            return out;
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("this LinuxVipBinder is closed");
        }
    }

    /** Stops every announcement and closes the sockets; addresses stay; idempotent. */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            announcements.values().forEach(a -> a.schedule().stop());
            announcements.clear();
            executor.shutdownNow();
            sockets.values().forEach(PacketSocket::close);
            sockets.clear();
            netlink.close();
        }
    }
}
