package io.havip.arp.linux;

import java.nio.ByteBuffer;
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
 * only changes of usability are reported.
 *
 * <p>Threading: one daemon thread per monitor, started by {@link #start}; the listener runs on
 * it, in kernel order, and must not block long (hand work to an executor). A listener that
 * throws is logged and the monitor goes on. If the socket overruns (ENOBUFS: events were
 * lost), the monitor re-reads every link and reports the differences, so no transition is
 * missed, though intermediate flaps may be. {@link #close()} stops the thread and waits for
 * it; no listener call starts after it returns (unless called from the listener itself).
 *
 * <p>The sockets are opened on the thread calling {@link #start} and watch its network namespace.
 */
public final class LinkMonitor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LinkMonitor.class);
    /** RTMGRP_LINK (linux/rtnetlink.h): the legacy group bit of RTNLGRP_LINK (1). */
    private static final int RTMGRP_LINK = 1;

    private final NetlinkSocket events;
    private final RtNetlink requests;
    private final int wakeup;
    private final Consumer<LinkEvent> listener;
    private final Map<Integer, LinkState> known = new HashMap<>();
    private final Thread thread;
    private volatile boolean closed;

    private LinkMonitor(NetlinkSocket events, RtNetlink requests, int wakeup, Consumer<LinkEvent> listener) {
        this.events = events;
        this.requests = requests;
        this.wakeup = wakeup;
        this.listener = listener;
        this.thread = new Thread(this::run, "havip-link-monitor");
        this.thread.setDaemon(true);
    }

    /**
     * Subscribes, takes a snapshot of every link (not reported; see {@link #snapshot()}), and
     * starts the monitor thread.
     */
    public static LinkMonitor start(Consumer<LinkEvent> listener) throws NativeException {
        if (listener == null) {
            throw new IllegalArgumentException("listener is null");
        }
        String attempted = "start the link monitor";
        NetlinkSocket events = NetlinkSocket.open(attempted, RTMGRP_LINK, false);
        RtNetlink requests = null;
        int wakeup = -1;
        try {
            requests = RtNetlink.open();
            wakeup = Sys.eventfd(attempted);
            LinkMonitor m = new LinkMonitor(events, requests, wakeup, listener);
            // Subscribed before the snapshot: a change racing with it is seen by both and reported once.
            for (LinkState l : requests.links()) {
                m.known.put(l.index(), l);
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
                        LOG.warn("link events were lost (socket overrun); re-reading all links");
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
                link.ifPresent(l -> observe(l, type == RtNetlink.RTM_DELLINK));
            }
            pos += (len + 3) & ~3;
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
    }

    private void observe(LinkState link, boolean removed) {
        LinkEvent event = null;
        synchronized (this) {
            LinkState before = removed ? known.remove(link.index()) : known.put(link.index(), link);
            if (removed) {
                event = new LinkEvent(before != null ? before : link, LinkEvent.Change.REMOVED);
            } else if (before == null ? !link.isUp() : before.isUp() != link.isUp()) {
                // a new link that is down is worth saying (it cannot carry a VIP); a new up link is not news
                event = new LinkEvent(link, link.isUp() ? LinkEvent.Change.UP : LinkEvent.Change.DOWN);
            }
        }
        if (event != null && !closed) {
            try {
                listener.accept(event);
            } catch (RuntimeException e) {
                LOG.warn("link listener threw on {}; the monitor goes on", event, e);
            }
        }
    }

    /** Stops the thread and closes the sockets; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Sys.signal(wakeup);
        if (Thread.currentThread() != thread) {
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        events.close();
        requests.close();
        Sys.closeQuietly(wakeup);
    }
}
