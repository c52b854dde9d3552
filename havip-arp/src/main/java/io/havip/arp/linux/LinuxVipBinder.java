package io.havip.arp.linux;

import com.sun.jna.Memory;
import io.havip.arp.garp.GarpConfig;
import io.havip.arp.garp.GarpSchedule;
import io.havip.arp.packet.GratuitousArp;
import io.havip.arp.packet.NeighborAdvertisement;
import io.havip.core.Clock;
import io.havip.core.VipBinder;
import io.havip.core.net.InterfaceAddress;
import io.havip.core.net.IpAddress;
import io.havip.core.net.Ipv4Address;
import io.havip.core.net.Ipv6Address;
import io.havip.core.net.MacAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
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
 * <p><b>The takeover path.</b> {@link #prepare} builds ahead, per address, the RTM_NEWADDR
 * request and the announcement frame in native memory, and opens the interface's packet
 * socket; {@link #bind} then sends the request, waits for the kernel's ACK and sends the
 * first frames, with no message building, no JNA proxy and no interface lookup on the way
 * (three system calls per address, plus one poll for link events). The interface's facts
 * (index, MAC, flags) are kept, and refreshed from the link events of a netlink socket this
 * binder subscribes (read without a thread, at the start of each call, when there are any).
 *
 * <p><b>Sharing.</b> One binder may serve every router of a runtime: give each router its own
 * {@link #forRouter() view}, whose {@code close()} forgets that router's announcements but
 * leaves the binder open; the owner closes the binder. All methods are thread-safe (one lock;
 * the announcing thread sends under it too, so no frame for an address leaves after
 * {@link #unbind} of it returned).
 *
 * <p>Namespaces: sockets are opened on the thread calling {@link #open} (netlink) and
 * {@link #bind} / {@link #prepare} (packet sockets); call every method from threads in the
 * same network namespace (normally the process has one). Announcements after the first
 * burst are sent from one daemon thread ({@code havip-garp}) that reads
 * {@link Clock#nanoTime()}; a failing send is logged and the schedule goes on. Needs
 * CAP_NET_ADMIN and CAP_NET_RAW.
 */
public final class LinuxVipBinder implements VipBinder {

    private static final Logger LOG = LoggerFactory.getLogger(LinuxVipBinder.class);
    /** RTMGRP_LINK (linux/rtnetlink.h): link events, to keep the interface facts current. */
    private static final int RTMGRP_LINK = 1;

    private final RtNetlink netlink;
    /** Link events (RTM_NEWLINK / RTM_DELLINK) for {@link #links}; read in {@link #refreshLinks}. */
    private final NetlinkSocket linkEvents;
    private final Sys.PollSet linkEventPoll;
    private final GarpConfig config;
    private final GratuitousArp.Form arpForm;
    private final Clock clock;
    private final ScheduledThreadPoolExecutor executor;
    private final Object lock = new Object();
    /** The interfaces used, by name, as the kernel last reported them. */
    private final Map<String, LinkState> links = new HashMap<>();
    private final Map<String, PacketSocket> sockets = new HashMap<>();
    /**
     * Every announcement built: running while its address is bound, stopped once released or
     * when built ahead of a takeover ({@link #prepare}); kept, so the next bind reuses it.
     */
    private final Map<Key, Announcement> announcements = new HashMap<>();
    /** The announcements whose schedule runs: what {@link #tick} looks at. */
    private final Set<Announcement> running = new LinkedHashSet<>();
    /** How many router views use each announcement; a view's close forgets those no other uses. */
    private final Map<Key, Integer> users = new HashMap<>();
    private ScheduledFuture<?> nextTick;
    /** When {@link #nextTick} runs ({@link Clock#nanoTime()}), valid while it is not null. */
    private long nextTickAt;
    /** {@link #tick} as a task, made once (a method reference links on first use). */
    private final Runnable tickTask = this::tick;
    private boolean closed;

    /**
     * An address on an interface. Written out rather than a record: a record's generated
     * equals and hashCode (and those of the address records it would call) run through method
     * handles, tens of microseconds each in the interpreter, where a takeover runs.
     */
    private static final class Key {
        private final String ifname;
        private final InterfaceAddress address;
        private final int hash;

        Key(String ifname, InterfaceAddress address) {
            this.ifname = ifname;
            this.address = address;
            this.hash = (ifname.hashCode() * 31 + bits(address.address())) * 31 + address.prefixLength();
        }

        String ifname() {
            return ifname;
        }

        InterfaceAddress address() {
            return address;
        }

        private static int bits(IpAddress a) {
            if (a instanceof Ipv4Address v4) {
                return v4.bits();
            }
            Ipv6Address v6 = (Ipv6Address) a;
            return Long.hashCode(v6.high() * 31 + v6.low());
        }

        private static boolean same(IpAddress x, IpAddress y) {
            if (x instanceof Ipv4Address a) {
                return y instanceof Ipv4Address b && a.bits() == b.bits();
            }
            return y instanceof Ipv6Address b && ((Ipv6Address) x).high() == b.high() && ((Ipv6Address) x).low() == b.low();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.hash == hash && k.ifname.equals(ifname)
                    && k.address.prefixLength() == address.prefixLength() && same(k.address.address(), address.address());
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /** What binding and announcing one address on one link needs, built ahead. */
    private static final class Announcement {
        final Key key;
        final GarpSchedule schedule;
        final PacketSocket socket;
        final byte[] frame;
        /** {@link #frame} in native memory, sent as it is. */
        final Memory nativeFrame;
        final MacAddress mac;
        final int ifindex;
        final RtNetlink.AddressRequest add;
        /** Frames sent from the schedule (under the binder's lock). */
        long sent;
        /** The router view that bound it last, whose gate its announcements pass (under the lock). */
        RouterBinder view;
        /** Frames due while the view's gate was closed, dropped (under the binder's lock). */
        long gated;

        Announcement(Key key, GarpSchedule schedule, PacketSocket socket, byte[] frame, LinkState link) {
            this.key = key;
            this.schedule = schedule;
            this.socket = socket;
            this.frame = frame;
            this.nativeFrame = new Memory(frame.length);
            nativeFrame.write(0, frame, 0, frame.length);
            this.mac = link.mac();
            this.ifindex = link.index();
            this.add = RtNetlink.prepareAdd(link, key.address());
        }

        boolean isFor(LinkState link) {
            return ifindex == link.index() && mac.equals(link.mac());
        }
    }

    private LinuxVipBinder(RtNetlink netlink, NetlinkSocket linkEvents, GarpConfig config, GratuitousArp.Form arpForm,
            Clock clock) {
        this.netlink = netlink;
        this.linkEvents = linkEvents;
        this.linkEventPoll = new Sys.PollSet(linkEvents.fd);
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
        NetlinkSocket events = NetlinkSocket.open("follow link events for the address binder", RTMGRP_LINK, false);
        try {
            return new LinuxVipBinder(RtNetlink.open(), events, config, arpForm, clock);
        } catch (NativeException | RuntimeException e) {
            events.close();
            throw e;
        }
    }

    /**
     * A view of this binder for one router: every call goes to this binder, {@link
     * RouterBinder#announcing} lists that router's addresses only, and {@link RouterBinder#close()}
     * stops and forgets the announcements that router prepared or bound (unless another view
     * uses them too) but leaves this binder open. Closing this binder closes every view.
     */
    public RouterBinder forRouter() {
        return new RouterBinder();
    }

    @Override
    public List<AddressOutcome> bind(String interfaceName, List<InterfaceAddress> addresses) throws BindException {
        return bind(interfaceName, addresses, null);
    }

    private List<AddressOutcome> bind(String interfaceName, List<InterfaceAddress> addresses, RouterBinder view)
            throws BindException {
        synchronized (lock) {
            ensureOpen();
            LinkState link = link(interfaceName, "bind ", addresses);
            int n = addresses.size();
            List<AddressOutcome> outcomes = new ArrayList<>(n);
            Announcement[] bound = new Announcement[n];
            boolean lookedUp = false;
            for (int i = 0; i < n; i++) {
                InterfaceAddress a = addresses.get(i);
                Announcement an = announcement(new Key(interfaceName, a), link, view);
                long askedAt = clock.nanoTime();
                int lifetime = view == null ? 0 : view.lifetimeSeconds();
                try {
                    outcomes.add(new AddressOutcome(a, lifetime > 0 ? netlink.addAddress(link, a, lifetime)
                            : netlink.add(an.add)));
                    if (lifetime > 0) {
                        retakeIfStalled(link, a, view, askedAt);
                    }
                } catch (NativeException e) {
                    if (e.errno() != Errno.ENODEV.number || lookedUp) {
                        throw new BindException(e.getMessage() + (outcomes.isEmpty() ? "" : "; already bound: "
                                + outcomes), e);
                    }
                    // the interface went (and may be back) faster than its events: look it up and try again
                    links.remove(interfaceName);
                    link = link(interfaceName, "bind ", addresses);
                    lookedUp = true;
                    i--;
                    continue;
                }
                bound[i] = an;
            }
            if (link.isNoArp()) {
                LOG.info("{} has IFF_NOARP: {} bound without gratuitous ARP / NA", interfaceName, addresses);
                return outcomes;
            }
            long now = clock.nanoTime();
            for (Announcement an : bound) {
                an.view = view;
                an.schedule.start(now);
                running.add(an);
                sendDue(an, now);
            }
            for (Announcement an : bound) {
                OptionalLong next = an.schedule.nextDeadlineNanos();
                if (next.isPresent()) {
                    tickAt(next.getAsLong(), now);
                }
            }
            return outcomes;
        }
    }

    /**
     * Does ahead of time the work {@link #bind} would otherwise do on the first takeover:
     * resolves the interface, opens its packet socket, builds the address request and the
     * announcement (frame and schedule) of each of {@code addresses} and starts the announcing
     * thread, which also loads and links those code paths. The first gratuitous ARP then
     * follows the address by microseconds rather than milliseconds. Sends nothing and binds
     * nothing.
     */
    public void prepare(String interfaceName, List<InterfaceAddress> addresses) throws BindException {
        prepare(interfaceName, addresses, null);
    }

    private void prepare(String interfaceName, List<InterfaceAddress> addresses, RouterBinder view)
            throws BindException {
        synchronized (lock) {
            ensureOpen();
            LinkState link = link(interfaceName, "prepare announcements of ", addresses);
            for (InterfaceAddress a : addresses) {
                rehearse(announcement(new Key(interfaceName, a), link, view), link);
            }
            netlink.rehearseAdd();
            executor.prestartCoreThread();
        }
    }

    /**
     * Runs once, without effect, the code a takeover runs for the first time otherwise: the
     * classes it loads and the call sites it links cost milliseconds then, microseconds now.
     */
    private void rehearse(Announcement an, LinkState link) {
        an.isFor(link);
        an.key.equals(new Key(an.key.ifname(), an.key.address()));
        new AddressOutcome(an.key.address(), AddressOutcome.Outcome.ADDED);
        GarpSchedule schedule = new GarpSchedule(config, an.key.address().family());
        long now = clock.nanoTime();
        schedule.start(now);
        schedule.due(now);
        schedule.nextDeadlineNanos().isPresent();
        schedule.stop();
        running.add(an);
        running.remove(an);
        executor.schedule(() -> { }, 0, TimeUnit.NANOSECONDS).cancel(false);
    }

    /**
     * The announcement of {@code key}, built (and kept) unless one exists for the link as it is
     * (same index and MAC); counted as used by {@code view} when there is one.
     */
    private Announcement announcement(Key key, LinkState link, RouterBinder view) throws BindException {
        Announcement an = announcements.get(key);
        if (an == null || !an.isFor(link)) {
            InterfaceAddress a = key.address();
            Announcement fresh = new Announcement(key, new GarpSchedule(config, a.family()), socket(link),
                    frame(link.mac(), a), link);
            if (an != null) {
                an.schedule.stop();
                running.remove(an);
            }
            an = fresh;
            announcements.put(key, an);
        }
        if (view != null && !view.viewClosed && view.keys.add(key)) {
            users.merge(key, 1, Integer::sum);
        }
        return an;
    }

    private byte[] frame(MacAddress mac, InterfaceAddress a) {
        return a.address() instanceof Ipv4Address v4 ? GratuitousArp.frame(arpForm, mac, v4).encode()
                : NeighborAdvertisement.unsolicited(mac, (Ipv6Address) a.address()).encodeFrame();
    }

    /** The packet socket of {@code link}, opened again when the interface was re-created under its name. */
    private PacketSocket socket(LinkState link) throws BindException {
        PacketSocket s = sockets.get(link.name());
        if (s != null && s.interfaceIndex() != link.index()) {
            s.close();
            s = null;
        }
        if (s == null) {
            try {
                s = PacketSocket.open(link.name(), link.index());
            } catch (NativeException e) {
                throw new BindException(e.getMessage(), e);
            }
            sockets.put(link.name(), s);
        }
        return s;
    }

    /**
     * Interface {@code ifname} as last reported: from the cache, refreshed from link events,
     * or asked of the kernel (RTM_GETLINK) the first time and after a change it could not follow.
     */
    private LinkState link(String ifname, String attempted, List<InterfaceAddress> addresses) throws BindException {
        refreshLinks();
        LinkState link = links.get(ifname);
        if (link != null) {
            return link;
        }
        try {
            link = netlink.link(ifname).orElseThrow(() -> new BindException("cannot " + attempted + addresses + " on "
                    + ifname + ": interface " + ifname + " does not exist in this network namespace (see `ip link`)"));
        } catch (NativeException e) {
            throw new BindException(e.getMessage(), e);
        }
        links.put(ifname, link);
        return link;
    }

    /**
     * Applies the link events queued since the last call to the interfaces known: one poll when
     * there are none. A lost event (the socket overran) or a read failure forgets them all, so
     * the next use asks the kernel.
     */
    private void refreshLinks() {
        try {
            linkEventPoll.poll(0, "poll link events");
            if (linkEventPoll.revents(0) == 0) {
                return;
            }
            while (true) {
                int n;
                try {
                    n = linkEvents.receive("read link events", "recv", true);
                } catch (NativeException e) {
                    if (e.errno() == Errno.EAGAIN.number) {
                        return;
                    }
                    links.clear(); // ENOBUFS: events were lost; read on, what follows is newer
                    if (e.errno() != Errno.ENOBUFS.number) {
                        throw e;
                    }
                    continue;
                }
                applyLinkEvents(ByteBuffer.wrap(linkEvents.buffer(), 0, n).order(Sys.NATIVE), n);
            }
        } catch (NativeException | RuntimeException e) {
            LOG.debug("link events: {}; interfaces are looked up again", e.getMessage());
            links.clear();
        }
    }

    private void applyLinkEvents(ByteBuffer b, int n) {
        for (int pos = 0; pos + NetlinkSocket.NLMSG_HDRLEN <= n; ) {
            int len = b.getInt(pos);
            int type = b.getShort(pos + 4) & 0xffff;
            if (len < NetlinkSocket.NLMSG_HDRLEN || pos + len > n) {
                links.clear();
                return;
            }
            if (type == RtNetlink.RTM_NEWLINK || type == RtNetlink.RTM_DELLINK) {
                ByteBuffer payload = ByteBuffer.wrap(b.array(), pos + NetlinkSocket.NLMSG_HDRLEN,
                        len - NetlinkSocket.NLMSG_HDRLEN).slice().order(Sys.NATIVE);
                Optional<LinkState> parsed = RtNetlink.parseLink(payload);
                if (parsed.isPresent()) {
                    LinkState l = parsed.get();
                    // a rename or removal: the old name no longer means this link
                    links.values().removeIf(known -> known.index() == l.index() || known.name().equals(l.name()));
                    if (type == RtNetlink.RTM_NEWLINK && !l.name().isEmpty()) {
                        links.put(l.name(), l);
                    }
                } else {
                    links.clear();
                }
            }
            pos += (len + 3) & ~3;
        }
    }

    /** Sends the frames of {@code an} due at {@code now}; a failure is logged and the schedule goes on. */
    private void sendDue(Announcement an, long now) {
        int rounds = an.schedule.due(now);
        if (rounds > 0 && an.view != null && !an.view.mayAnnounce()) {
            an.gated += rounds;
            return; // the router's right to the address has ended (its lease deadline passed)
        }
        for (int i = 0; i < rounds; i++) {
            try {
                an.socket.send(an.nativeFrame, an.frame.length);
                an.sent++;
            } catch (NativeException | IllegalStateException e) {
                LOG.warn("announcing {} on {}: {}", an.key.address(), an.key.ifname(), e.getMessage());
                return;
            }
        }
    }

    /** Makes {@link #tick} run at {@code deadline} unless it runs earlier already. */
    private void tickAt(long deadline, long now) {
        if (nextTick != null && nextTickAt <= deadline) {
            return;
        }
        if (nextTick != null) {
            nextTick.cancel(false);
        }
        nextTickAt = deadline;
        nextTick = executor.schedule(tickTask, Math.max(0, deadline - now), TimeUnit.NANOSECONDS);
    }

    @Override
    public List<AddressOutcome> unbind(String interfaceName, List<InterfaceAddress> addresses) throws BindException {
        synchronized (lock) {
            ensureOpen();
            for (InterfaceAddress a : addresses) {
                Announcement gone = announcements.get(new Key(interfaceName, a));
                if (gone != null) {
                    gone.schedule.stop();
                    running.remove(gone);
                }
            }
            LinkState link = link(interfaceName, "unbind ", addresses);
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

    /**
     * Sets the kernel lifetime of {@code addresses} on {@code interfaceName} to {@code view}'s
     * lifetime from now, one RTM_NEWADDR (NLM_F_REPLACE) each, the lifetime computed right before
     * each; an absent one is added
     * again by the kernel (see {@link RtNetlink#replaceLifetime}). A vanished interface is looked
     * up once more, then reported.
     */
    private void refreshLifetime(String interfaceName, List<InterfaceAddress> addresses, RouterBinder view)
            throws BindException {
        synchronized (lock) {
            ensureOpen();
            LinkState link = link(interfaceName, "refresh the lifetime of ", addresses);
            boolean lookedUp = false;
            for (int i = 0; i < addresses.size(); i++) {
                long askedAt = clock.nanoTime();
                int seconds = view.lifetimeSeconds();
                if (seconds <= 0) {
                    return;
                }
                try {
                    netlink.replaceLifetime(link, addresses.get(i), seconds);
                    retakeIfStalled(link, addresses.get(i), view, askedAt);
                } catch (NativeException e) {
                    if (e.errno() != Errno.ENODEV.number || lookedUp) {
                        throw new BindException(e.getMessage(), e);
                    }
                    links.remove(interfaceName);
                    link = link(interfaceName, "refresh the lifetime of ", addresses);
                    lookedUp = true;
                    i--;
                }
            }
        }
    }

    /**
     * A lifetime request answered more than this after its lifetime was computed: the process
     * was frozen (SIGSTOP, GC, a paused VM) in between, so the kernel's countdown began that
     * much later than the lifetime assumed.
     */
    static final long LIFETIME_STALL_NANOS = 250_000_000L;

    /**
     * After a lifetime request answered {@link #LIFETIME_STALL_NANOS} or more after {@code
     * askedAt}: the lifetime is computed again and sent again (at most 3 times), so the kernel
     * never keeps an address longer than a lifetime computed before a freeze allowed.
     */
    private void retakeIfStalled(LinkState link, InterfaceAddress a, RouterBinder view, long askedAt)
            throws NativeException {
        for (int i = 0; i < 3; i++) {
            long now = clock.nanoTime();
            long stall = now - askedAt;
            if (stall < LIFETIME_STALL_NANOS) {
                return;
            }
            askedAt = now;
            int seconds = view.lifetimeSeconds();
            if (seconds <= 0) {
                return;
            }
            LOG.warn("{} on {}: the lifetime request was answered {} ms after its lifetime was computed (a pause?); "
                    + "setting it again: {} s", a, link.name(), stall / 1_000_000, seconds);
            netlink.replaceLifetime(link, a, seconds);
        }
    }

    @Override
    public Set<InterfaceAddress> present(String interfaceName, List<InterfaceAddress> candidates) throws BindException {
        synchronized (lock) {
            ensureOpen();
            LinkState link = link(interfaceName, "read the addresses among ", candidates);
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
            LinkState link = link(interfaceName, "re-announce ", addresses);
            long now = clock.nanoTime();
            for (InterfaceAddress a : addresses) {
                Key key = new Key(interfaceName, a);
                Announcement an = announcements.get(key);
                if (an != null && an.schedule.isRunning() && !an.isFor(link)) {
                    Announcement fresh = announcement(key, link, null);
                    fresh.schedule.start(now);
                    running.add(fresh);
                    LOG.info("re-announcing {} on {} from its new MAC {} (was {})", a, interfaceName, link.mac(),
                            an.mac);
                } else if (an == null || !an.schedule.reannounce(now)) {
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
            LinkState link = link(interfaceName, "announce at " + mac + " ", addresses);
            if (link.isNoArp()) {
                return;
            }
            PacketSocket socket = socket(link);
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
            for (Iterator<Announcement> it = running.iterator(); it.hasNext(); ) {
                Announcement an = it.next();
                sendDue(an, now);
                OptionalLong next = an.schedule.nextDeadlineNanos();
                if (next.isPresent()) {
                    earliest = any ? Math.min(earliest, next.getAsLong()) : next.getAsLong();
                    any = true;
                } else if (!an.schedule.isRunning()) {
                    it.remove();
                }
            }
            if (nextTick != null) {
                nextTick.cancel(false);
                nextTick = null;
            }
            if (any) {
                tickAt(earliest, now);
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
        return announcing(interfaceName, null);
    }

    /** Gratuitous ARP / unsolicited NA frames sent for {@code addresses} on {@code interfaceName} so far. */
    @Override
    public long announcementsSent(String interfaceName, List<InterfaceAddress> addresses) {
        synchronized (lock) {
            long n = 0;
            for (InterfaceAddress a : addresses) {
                Announcement an = announcements.get(new Key(interfaceName, a));
                n += an == null ? 0 : an.sent;
            }
            return n;
        }
    }

    private Set<InterfaceAddress> announcing(String interfaceName, Set<Key> only) {
        synchronized (lock) {
            Set<InterfaceAddress> out = new LinkedHashSet<>();
            for (Announcement an : running) {
                if (an.key.ifname().equals(interfaceName) && an.schedule.isRunning()
                        && (only == null || only.contains(an.key))) {
                    out.add(an.key.address());
                }
            }
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
            announcements.values().forEach(a -> a.schedule.stop());
            announcements.clear();
            running.clear();
            users.clear();
            executor.shutdownNow();
            sockets.values().forEach(PacketSocket::close);
            sockets.clear();
            netlink.close();
            linkEvents.close();
        }
    }

    /**
     * One router's view of a shared {@link LinuxVipBinder} (see {@link #forRouter()}): the same
     * methods, thread-safe, on the same sockets and thread. {@link #close()} stops and forgets
     * this router's announcements (those no other view uses) and leaves the binder open;
     * idempotent. After it, calls fail with {@link IllegalStateException}.
     */
    public final class RouterBinder implements VipBinder {
        /** What this view prepared or bound (under the binder's lock). */
        private final Set<Key> keys = new HashSet<>();
        private boolean viewClosed;
        private volatile java.util.function.BooleanSupplier announceGate;

        @Override
        public void announceOnlyWhile(java.util.function.BooleanSupplier allowed) {
            announceGate = allowed;
        }

        boolean mayAnnounce() {
            java.util.function.BooleanSupplier g = announceGate;
            return g == null || g.getAsBoolean();
        }

        private volatile java.util.function.IntSupplier lifetime;

        /**
         * Addresses this view adds from now on (bind, restore) get a kernel lifetime of {@code
         * validSeconds} (asked right before each add; 0: permanent), and {@link #refreshLifetime}
         * renews it. Linux removes an address whose lifetime runs out by itself, so the address
         * goes even when this process is frozen or killed.
         */
        @Override
        public boolean limitLifetime(java.util.function.IntSupplier validSeconds) {
            lifetime = validSeconds;
            return true;
        }

        int lifetimeSeconds() {
            java.util.function.IntSupplier l = lifetime;
            return l == null ? 0 : l.getAsInt();
        }

        @Override
        public void refreshLifetime(String interfaceName, List<InterfaceAddress> addresses) throws BindException {
            check();
            LinuxVipBinder.this.refreshLifetime(interfaceName, addresses, this);
        }

        private RouterBinder() {
        }

        private void check() {
            synchronized (lock) {
                if (viewClosed) {
                    throw new IllegalStateException("this router's view of the LinuxVipBinder is closed");
                }
            }
        }

        @Override
        public List<AddressOutcome> bind(String interfaceName, List<InterfaceAddress> addresses) throws BindException {
            check();
            return LinuxVipBinder.this.bind(interfaceName, addresses, this);
        }

        /** {@link LinuxVipBinder#prepare}, the addresses counted as this router's. */
        public void prepare(String interfaceName, List<InterfaceAddress> addresses) throws BindException {
            check();
            LinuxVipBinder.this.prepare(interfaceName, addresses, this);
        }

        @Override
        public List<AddressOutcome> unbind(String interfaceName, List<InterfaceAddress> addresses) throws BindException {
            check();
            return LinuxVipBinder.this.unbind(interfaceName, addresses);
        }

        @Override
        public Set<InterfaceAddress> present(String interfaceName, List<InterfaceAddress> candidates)
                throws BindException {
            check();
            return LinuxVipBinder.this.present(interfaceName, candidates);
        }

        @Override
        public void reannounce(String interfaceName, List<InterfaceAddress> addresses) throws BindException {
            check();
            LinuxVipBinder.this.reannounce(interfaceName, addresses);
        }

        @Override
        public void announceAt(String interfaceName, List<InterfaceAddress> addresses, MacAddress mac)
                throws BindException {
            check();
            LinuxVipBinder.this.announceAt(interfaceName, addresses, mac);
        }

        @Override
        public boolean isLowLatency() {
            return true;
        }

        /** The addresses of this router the binder is announcing on {@code interfaceName}. */
        public Set<InterfaceAddress> announcing(String interfaceName) {
            return LinuxVipBinder.this.announcing(interfaceName, keys);
        }

        @Override
        public long announcementsSent(String interfaceName, List<InterfaceAddress> addresses) {
            return LinuxVipBinder.this.announcementsSent(interfaceName, addresses);
        }

        /** Stops and forgets this router's announcements; the binder stays open; idempotent. */
        @Override
        public void close() {
            synchronized (lock) {
                if (viewClosed) {
                    return;
                }
                viewClosed = true;
                for (Key k : keys) {
                    if (users.merge(k, -1, Integer::sum) <= 0) {
                        users.remove(k);
                        Announcement an = announcements.remove(k);
                        if (an != null) {
                            an.schedule.stop();
                            running.remove(an);
                        }
                    }
                }
                keys.clear();
            }
        }
    }
}
