package io.havip.arp.linux;

import io.havip.core.net.InterfaceAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches link state through a NETLINK_ROUTE socket subscribed to RTNLGRP_LINK and reports
 * when a link becomes usable or stops being usable ({@link LinkState#isUp()}: IFF_UP and
 * IFF_LOWER_UP) or disappears. RTM_NEWLINK arrives for many reasons (flags, MTU, statistics);
 * only changes of usability are reported, and, to a {@link Listener}, changes of a link's MAC.
 * A {@link Listener} also hears addresses appear and disappear (RTNLGRP_IPV4_IFADDR and
 * RTNLGRP_IPV6_IFADDR): a flag change of a known address (IPv6 DAD ending) is not news.
 *
 * <p>Threading: one daemon thread per monitor, started by {@link #start}; the listener runs on
 * it, in kernel order, and must not block long (hand work to an executor). A listener that
 * throws is logged and the monitor goes on. If the socket overruns (ENOBUFS: events were
 * lost), the monitor re-reads every link (and address) and reports the differences, so no
 * transition is missed, though intermediate flaps may be. {@link #close()} stops the thread
 * and waits for it; no listener call starts after it returns (unless called from the listener
 * itself).
 *
 * <p>The sockets are opened on the thread calling {@link #start} and watch its network namespace.
 */
public final class LinkMonitor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LinkMonitor.class);
    /**
     * Loaded with the monitor, not with the first address event: that one usually comes with a
     * takeover (the router's own bind), when loading them would compete with the first GARP.
     */
    private static final List<Class<?>> PRELOADED = List.of(AddressEvent.class, AddressEvent.Change.class);
    /** RTMGRP_LINK (linux/rtnetlink.h): the legacy group bit of RTNLGRP_LINK (1). */
    private static final int RTMGRP_LINK = 1;
    /** RTMGRP_IPV4_IFADDR and RTMGRP_IPV6_IFADDR (linux/rtnetlink.h): RTNLGRP_IPV4_IFADDR (5), RTNLGRP_IPV6_IFADDR (9). */
    private static final int RTMGRP_IPV4_IFADDR = 0x10;
    private static final int RTMGRP_IPV6_IFADDR = 0x100;

    /** What a monitor reports: link changes (usability, removal, MAC) and address changes. */
    public interface Listener {
        /** A link became usable, stopped being usable, was removed, or changed its MAC. */
        void linkChanged(LinkEvent event);

        /** An address appeared on or disappeared from an interface. */
        void addressChanged(AddressEvent event);
    }

    /** An address on a link: the key of what the monitor knows. */
    private record AddressKey(int ifindex, InterfaceAddress address) { }

    private final NetlinkSocket events;
    private final RtNetlink requests;
    private final int wakeup;
    private final Listener listener;
    /** Whether the socket listens to address groups (and {@link #knownAddresses} is kept). */
    private final boolean addresses;
    private final Map<Integer, LinkState> known = new HashMap<>();
    private final Map<AddressKey, AddressEntry> knownAddresses = new HashMap<>();
    private final Thread thread;
    private volatile boolean closed;

    private LinkMonitor(NetlinkSocket events, RtNetlink requests, int wakeup, Listener listener, boolean addresses) {
        this.events = events;
        this.requests = requests;
        this.wakeup = wakeup;
        this.listener = listener;
        this.addresses = addresses;
        this.thread = new Thread(this::run, "havip-link-monitor");
        this.thread.setDaemon(true);
    }

    /**
     * Subscribes to link events, takes a snapshot of every link (not reported; see
     * {@link #snapshot()}), and starts the monitor thread. {@code listener} hears changes of
     * usability and removals only (not {@link LinkEvent.Change#MAC_CHANGED}).
     */
    public static LinkMonitor start(Consumer<LinkEvent> listener) throws NativeException {
        if (listener == null) {
            throw new IllegalArgumentException("listener is null");
        }
        return start(new Listener() {
            @Override
            public void linkChanged(LinkEvent event) {
                if (event.change() != LinkEvent.Change.MAC_CHANGED) {
                    listener.accept(event);
                }
            }

            @Override
            public void addressChanged(AddressEvent event) {
            }
        }, false);
    }

    /**
     * Subscribes to link and address events, takes a snapshot of every link and address (not
     * reported), and starts the monitor thread; {@code listener} hears every kind of change.
     */
    public static LinkMonitor start(Listener listener) throws NativeException {
        if (listener == null) {
            throw new IllegalArgumentException("listener is null");
        }
        return start(listener, true);
    }

    private static LinkMonitor start(Listener listener, boolean addresses) throws NativeException {
        String attempted = "start the link monitor";
        NetlinkSocket events = NetlinkSocket.open(attempted,
                RTMGRP_LINK | (addresses ? RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR : 0), false);
        RtNetlink requests = null;
        int wakeup = -1;
        try {
            requests = RtNetlink.open();
            wakeup = Sys.eventfd(attempted);
            LinkMonitor m = new LinkMonitor(events, requests, wakeup, listener, addresses);
            // Subscribed before the snapshot: a change racing with it is seen by both and reported once.
            for (LinkState l : requests.links()) {
                m.known.put(l.index(), l);
            }
            if (addresses) {
                for (AddressEntry a : requests.addresses()) {
                    m.knownAddresses.put(new AddressKey(a.ifindex(), a.address()), a);
                }
            }
            m.thread.start();
            return m;
        } catch (NativeException | RuntimeException e) {
            events.close();
            if (requests != null) {
                requests.close();
            }
            Sys.closeQuietly(wakeup);
            throw e;
        }
    }

    /** The links as last seen by the monitor thread. */
    public synchronized List<LinkState> snapshot() {
        return List.copyOf(known.values());
    }

    private void run() {
        int[] fds = {events.fd, wakeup};
        try {
            while (!closed) {
                short[] rev = Sys.poll(fds, -1, "wait for link events");
                if (closed || rev[1] != 0) {
                    return;
                }
                if (rev[0] == 0) {
                    continue;
                }
                int n;
                try {
                    n = events.receive("read link events", "recv", true);
                } catch (NativeException e) {
                    if (e.errno() == Errno.ENOBUFS.number) {
                        LOG.warn("link events were lost (socket overrun); re-reading all links{}",
                                addresses ? " and addresses" : "");
                        discardQueued();
                        resync();
                        continue;
                    }
                    if (e.errno() == Errno.EAGAIN.number || e.errno() == Errno.EINTR.number) {
                        continue;
                    }
                    throw e;
                }
                handle(ByteBuffer.wrap(events.buffer(), 0, n).order(Sys.NATIVE), n);
            }
        } catch (NativeException | RuntimeException e) {
            if (!closed) {
                LOG.error("link monitor stopped: {}", e.getMessage(), e);
            }
        }
    }

    private void handle(ByteBuffer b, int n) {
        for (int pos = 0; pos + NetlinkSocket.NLMSG_HDRLEN <= n; ) {
            int len = b.getInt(pos);
            int type = b.getShort(pos + 4) & 0xffff;
            if (len < NetlinkSocket.NLMSG_HDRLEN || pos + len > n) {
                return;
            }
            if (type == RtNetlink.RTM_NEWLINK || type == RtNetlink.RTM_DELLINK) {
                ByteBuffer payload = ByteBuffer.wrap(b.array(), pos + NetlinkSocket.NLMSG_HDRLEN,
                        len - NetlinkSocket.NLMSG_HDRLEN).slice().order(Sys.NATIVE);
                Optional<LinkState> link = RtNetlink.parseLink(payload);
                if (link.isPresent()) {
                    observe(link.get(), type == RtNetlink.RTM_DELLINK);
                }
            } else if (addresses && (type == RtNetlink.RTM_NEWADDR || type == RtNetlink.RTM_DELADDR)) {
                ByteBuffer payload = ByteBuffer.wrap(b.array(), pos + NetlinkSocket.NLMSG_HDRLEN,
                        len - NetlinkSocket.NLMSG_HDRLEN).slice().order(Sys.NATIVE);
                // No lambdas on this path: the first address event usually comes with a takeover
                // (the router's own bind), when linking one would compete with the first GARP.
                Optional<AddressEntry> address = RtNetlink.parseAddress(payload);
                if (address.isPresent()) {
                    observeAddress(address.get(), type == RtNetlink.RTM_DELADDR);
                }
            }
            pos += (len + 3) & ~3;
        }
    }

    /**
     * Reads and drops what the socket still holds after an overrun: the dump that follows
     * supersedes it, and the kernel reports the next overrun only once the queue has been empty
     * (netlink keeps a congested socket marked until then), so without this an event lost while
     * the dump is delivered would go unnoticed for good.
     */
    private void discardQueued() throws NativeException {
        while (!closed) {
            try {
                events.receive("discard link events after an overrun", "recv", true);
            } catch (NativeException e) {
                if (e.errno() == Errno.EAGAIN.number) {
                    return;
                }
                if (e.errno() != Errno.ENOBUFS.number && e.errno() != Errno.EINTR.number) {
                    throw e;
                }
            }
        }
    }

    private void resync() throws NativeException {
        List<LinkState> now = requests.links();
        Map<Integer, LinkState> seen = new HashMap<>();
        for (LinkState l : now) {
            seen.put(l.index(), l);
            observe(l, false);
        }
        List<LinkState> gone;
        synchronized (this) {
            gone = known.values().stream().filter(l -> !seen.containsKey(l.index())).toList();
        }
        gone.forEach(l -> observe(l, true));
        if (addresses) {
            resyncAddresses(requests.addresses());
        }
    }

    /** Reports the differences between {@code now} (a fresh dump) and the addresses known. */
    private void resyncAddresses(List<AddressEntry> now) {
        Map<AddressKey, AddressEntry> seen = new HashMap<>();
        now.forEach(a -> seen.put(new AddressKey(a.ifindex(), a.address()), a));
        List<AddressEntry> gone;
        synchronized (this) {
            gone = knownAddresses.entrySet().stream().filter(e -> !seen.containsKey(e.getKey()))
                    .map(Map.Entry::getValue).toList();
        }
        gone.forEach(a -> observeAddress(a, true));
        now.forEach(a -> observeAddress(a, false));
    }

    private void observe(LinkState link, boolean removed) {
        List<LinkEvent> out = new ArrayList<>(2);
        synchronized (this) {
            LinkState before = removed ? known.remove(link.index()) : known.put(link.index(), link);
            if (removed) {
                out.add(new LinkEvent(before != null ? before : link, LinkEvent.Change.REMOVED));
            } else if (before == null ? !link.isUp() : before.isUp() != link.isUp()) {
                // a new link that is down is worth saying (it cannot carry a VIP); a new up link is not news
                out.add(new LinkEvent(link, link.isUp() ? LinkEvent.Change.UP : LinkEvent.Change.DOWN));
            }
            if (!removed && before != null && !before.mac().equals(link.mac())) {
                out.add(new LinkEvent(link, LinkEvent.Change.MAC_CHANGED));
            }
        }
        for (LinkEvent event : out) {
            if (closed) {
                return;
            }
            try {
                listener.linkChanged(event);
            } catch (RuntimeException e) {
                threw(event, e);
            }
        }
    }

    private void observeAddress(AddressEntry entry, boolean removed) {
        AddressEvent event = null;
        synchronized (this) {
            AddressKey key = new AddressKey(entry.ifindex(), entry.address());
            AddressEntry before = removed ? knownAddresses.remove(key) : knownAddresses.put(key, entry);
            LinkState link = known.get(entry.ifindex());
            String name = link != null ? link.name() : "";
            if (removed && before != null) {
                event = new AddressEvent(entry, name, AddressEvent.Change.REMOVED);
            } else if (!removed && before == null) {
                event = new AddressEvent(entry, name, AddressEvent.Change.ADDED);
            }
        }
        if (event != null && !closed) {
            try {
                listener.addressChanged(event);
            } catch (RuntimeException e) {
                threw(event, e);
            }
        }
    }

    private static void threw(Object event, RuntimeException e) {
        LOG.warn("link listener threw on {}; the monitor goes on", event, e);
    }

    /** Stops the thread and closes the sockets; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Sys.wakeAndJoin(wakeup, thread);
        events.close();
        requests.close();
        Sys.closeQuietly(wakeup);
    }
}
