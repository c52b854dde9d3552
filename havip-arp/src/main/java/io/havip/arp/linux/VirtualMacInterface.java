package io.havip.arp.linux;

import io.havip.core.net.InterfaceAddress;
import io.havip.core.net.IpFamily;
import io.havip.core.net.Ipv6Address;
import io.havip.core.net.MacAddress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A virtual router's own interface carrying its virtual MAC (RFC 5798 section 7.3:
 * {@code 00:00:5e:00:01:VRID}, IPv6 {@code 00:00:5e:00:02:VRID}), as keepalived 2.2.7's
 * {@code use_vmac} makes it (vrrp_vmac.c, vrrp_if_config.c): a macvlan in private mode on the
 * base interface, named {@code vrrp.VRID} by default. The virtual addresses go on it, so the
 * kernel answers ARP / NS for them at the virtual MAC and the gratuitous ARP / NA leave from
 * it: after a failover clients keep the same MAC for the address and no cache has to learn
 * anything; only switches learn the new port (from the new master's frames).
 *
 * <p>Set up as keepalived does:
 * <ul>
 *   <li>the link is created down, with the MAC, then (IPv4) {@code net.ipv4.conf.VMAC}
 *       {@code arp_ignore=1} (answer only for its own addresses), {@code accept_local=1},
 *       {@code rp_filter=0} (adverts of peers sending from the virtual MAC arrive on the vmac
 *       only: the macvlan driver hands a multicast frame whose source MAC is one of its own
 *       private macvlans' to that macvlan alone), and on the base {@code arp_ignore=1},
 *       {@code arp_filter=1} (the base must not answer for the virtual addresses with its own
 *       MAC) and, unlike keepalived, {@code arp_announce=2} (see below); IPv6 is disabled on
 *       an IPv4 vmac ({@code net.ipv6.conf.VMAC.disable_ipv6=1}: no MLD or DAD from the virtual
 *       MAC, which would teach switches the backup's port);</li>
 *   <li>{@code addrgenmode none} (no link-local address made from the virtual MAC, RFC 5798
 *       section 7.4); an IPv6 vmac gets, unless adverts go out on the base, the base's
 *       link-local address (so adverts from it can leave through the vmac);</li>
 *   <li>then it is set up, and stays up in every state (keepalived does the same): a backup
 *       sends nothing from it, and it has no address to answer for.</li>
 * </ul>
 * Three differences from keepalived. It turns off IGMP reports for link-local groups in the
 * namespace instead of moving them to the base with nftables (the {@code quietLinkLocalReports} comment says why).
 * It does not set {@code net.ipv4.conf.all.rp_filter} to 0
 * (a host-wide change): with {@code all.rp_filter=1} (strict) adverts from peers cannot arrive
 * on the vmac, which {@link #open} logs. And it sets the base's {@code arp_announce=2}: the
 * master answers a client's first packet to a virtual address out of the base interface, and
 * with {@code arp_announce=0} the ARP request it sends for the client carries the virtual
 * address as sender with the base's MAC, which moves the client's entry for it off the
 * virtual MAC (seen with keepalived 2.2.7 in namespaces: a client's first ping did it).
 *
 * <p><b>Lifecycle.</b> {@link #open} adopts a vmac left by a run that was killed (same name, a
 * private macvlan of the same base with the same MAC), replaces a macvlan of the same base
 * with the wrong MAC or mode, and refuses any other interface of that name (it is not
 * havip's; it is left alone). {@link #ensurePresent} recreates it when it was deleted by
 * someone else (counted in {@link #recreations()}). {@link #close} deletes it and puts the
 * base's {@code arp_ignore} / {@code arp_filter} back when this object changed them and no
 * other VRRP vmac remains on the base.
 *
 * <p><b>Threads.</b> Thread-safe; every method may block on netlink for a few milliseconds.
 * The netlink socket belongs to the namespace of the thread that called
 * {@link #open}; the sysctls are written in the calling thread's.
 */
public final class VirtualMacInterface implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(VirtualMacInterface.class);
    /** IFNAMSIZ - 1: the longest interface name the kernel takes. */
    public static final int MAX_NAME_BYTES = Sys.IFNAMSIZ - 1;

    private final String owner;
    private final String baseName;
    private final String name;
    private final MacAddress mac;
    private final IpFamily family;
    private final boolean transmitBase;
    private final RtNetlink netlink;
    private final AtomicLong recreations = new AtomicLong();
    /** The base's arp_ignore / arp_filter / arp_announce before this object set them (-1: not changed by it). */
    private int baseArpIgnore = -1;
    private int baseArpFilter = -1;
    private int baseArpAnnounce = -1;
    /** net.ipv4.igmp_link_local_mcast_reports before this object set it to 0 (-1: not changed by it). */
    private int igmpLinkLocalReports = -1;
    private LinkState link;
    private boolean adopted;
    private boolean closed;

    private VirtualMacInterface(String owner, String baseName, String name, MacAddress mac, IpFamily family,
                                boolean transmitBase, RtNetlink netlink) {
        this.owner = owner;
        this.baseName = baseName;
        this.name = name;
        this.mac = mac;
        this.family = family;
        this.transmitBase = transmitBase;
        this.netlink = netlink;
    }

    /** keepalived's default name: {@code vrrp.VRID} for IPv4, {@code vrrp6.VRID} for IPv6 (see README). */
    public static String defaultName(IpFamily family, int vrid) {
        return (family == IpFamily.IPV6 ? "vrrp6." : "vrrp.") + vrid;
    }

    /**
     * Why {@code name} cannot name an interface (empty when it can): longer than
     * {@value #MAX_NAME_BYTES} bytes, empty, "." or "..", or holding '/', ':', white space or a
     * control character (what the kernel's {@code dev_valid_name} refuses, plus ':', which
     * {@code ip} takes for an address label).
     */
    public static Optional<String> invalidName(String name) {
        if (name == null || name.isEmpty()) {
            return Optional.of("is empty");
        }
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_NAME_BYTES) {
            return Optional.of("\"" + name + "\" is " + bytes + " bytes long; interface names are at most "
                    + MAX_NAME_BYTES + " (IFNAMSIZ - 1)");
        }
        if (name.equals(".") || name.equals("..")) {
            return Optional.of("\"" + name + "\" cannot name an interface");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == ':' || Character.isWhitespace(c) || Character.isISOControl(c)) {
                return Optional.of("\"" + name + "\" holds '" + (Character.isISOControl(c)
                        ? String.format("\\u%04x", (int) c) : String.valueOf(c)) + "', which interface names cannot");
            }
        }
        return Optional.empty();
    }

    /**
     * Creates (or adopts) the vmac {@code name} of VRID {@code vrid} on {@code baseName} in the
     * calling thread's network namespace, sets its sysctls and sets it up.
     *
     * @param owner        the router's name, for messages
     * @param transmitBase keepalived's {@code vmac_xmit_base}: adverts leave from the base
     *                     interface (its MAC), so an IPv6 vmac needs no link-local address
     * @throws IOException naming the interface, the call, the value and what to do: the base does
     *                     not exist, another interface has the name, netlink or a sysctl refused
     */
    public static VirtualMacInterface open(String owner, String baseName, String name, int vrid, IpFamily family,
                                           boolean transmitBase) throws IOException {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(family, "family");
        Optional<String> bad = invalidName(name);
        if (bad.isPresent()) {
            throw new IllegalArgumentException(owner + ": the virtual MAC interface name " + bad.get());
        }
        if (vrid < 1 || vrid > 255) {
            throw new IllegalArgumentException("VRID " + vrid + " is outside 1-255");
        }
        if (name.equals(baseName)) {
            throw new IllegalArgumentException(owner + ": the virtual MAC interface cannot be named " + name
                    + " like its base interface; give it another name (default " + defaultName(family, vrid) + ")");
        }
        RtNetlink netlink = RtNetlink.open();
        VirtualMacInterface v = new VirtualMacInterface(owner, baseName, name, MacAddress.vrrp(family, vrid), family,
                transmitBase, netlink);
        try {
            synchronized (v) {
                v.setUp(true);
            }
            OptionalInt strict = Sysctl.read("ipv4", "all", "rp_filter");
            if (family == IpFamily.IPV4 && !transmitBase && strict.isPresent() && strict.getAsInt() == 1) {
                LOG.warn("{}: net.ipv4.conf.all.rp_filter is 1 (strict): adverts of peers sending from the virtual MAC"
                        + " arrive on {}, which has no address, and strict reverse-path filtering drops them; set it to"
                        + " 2 (loose) or 0, as keepalived does", owner, name);
            }
            return v;
        } catch (IOException | RuntimeException e) {
            netlink.close();
            throw e;
        }
    }

    /** The vmac's name, e.g. {@code vrrp.51}. */
    public String name() {
        return name;
    }

    /** The base interface's name. */
    public String baseName() {
        return baseName;
    }

    /** The virtual MAC. */
    public MacAddress mac() {
        return mac;
    }

    /** Whether adverts leave from the base interface ({@code vmac_xmit_base}). */
    public boolean transmitsOnBase() {
        return transmitBase;
    }

    /** Whether {@link #open} found the vmac left by an earlier run and kept it. */
    public synchronized boolean adopted() {
        return adopted;
    }

    /** Times the vmac was found deleted (by someone else, or with its base) and created again. */
    public long recreations() {
        return recreations.get();
    }

    /**
     * Makes sure the vmac exists: recreates it (counted, logged once at WARN, later at DEBUG)
     * when it was deleted behind havip's back. Returns true when it recreated it. When the base
     * interface itself is gone, nothing can be created: returns false and the next call (say at
     * the base's return) tries again.
     *
     * @throws IOException when the vmac is missing and cannot be created
     */
    public synchronized boolean ensurePresent() throws IOException {
        if (closed) {
            return false;
        }
        if (link != null) {
            Optional<LinkState> now = netlink.link(link.index());
            if (now.isPresent() && now.get().name().equals(name)) {
                return false;
            }
        }
        if (netlink.link(baseName).isEmpty()) {
            return false;
        }
        setUp(false);
        long n = recreations.incrementAndGet();
        if (n == 1) {
            LOG.warn("{}: the virtual MAC interface {} on {} was deleted by someone else; created it again with {}"
                    + " (counted in vmacRecreations; later ones are logged at DEBUG)", owner, name, baseName, mac);
        } else {
            LOG.debug("{}: {} recreated again ({} times)", owner, name, n);
        }
        return true;
    }

    /** Creates or adopts the link and configures it (under this object's lock). */
    private void setUp(boolean first) throws IOException {
        LinkState base = netlink.link(baseName).orElseThrow(() -> new IOException("cannot create the virtual MAC"
                + " interface " + name + " for " + owner + ": base interface " + baseName + " does not exist in this"
                + " network namespace (see `ip link`)"));
        Optional<RtNetlink.LinkDetails> existing = netlink.linkDetails(name);
        boolean create = true;
        if (existing.isPresent()) {
            RtNetlink.LinkDetails d = existing.get();
            boolean ourKind = d.kind().equals("macvlan") && d.lowerIndex() == base.index();
            if (!ourKind) {
                throw new IOException(owner + ": cannot use " + name + " as the virtual MAC interface on " + baseName
                        + ": an interface named " + name + " exists already and is " + describe(d) + ", not a macvlan"
                        + " of " + baseName + "; havip leaves it alone. Delete or rename it if it is a leftover (ip link"
                        + " del " + name + "), or give the virtual MAC interface another name (keepalived.conf:"
                        + " use_vmac NAME; Havip.builder().virtualMac(NAME))");
            }
            if (d.state().mac().equals(mac) && d.macvlanMode().orElse(null) == RtNetlink.MacvlanMode.PRIVATE) {
                create = false;
                link = d.state();
                if (first) {
                    adopted = true;
                    LOG.info("{}: adopting {} (a private macvlan of {} with {}), left by an earlier run", owner, name,
                            baseName, mac);
                }
            } else {
                LOG.info("{}: {} is a macvlan of {} with MAC {} in mode {}; replacing it with {} in private mode",
                        owner, name, baseName, d.state().mac(), d.macvlanMode().map(Enum::name).orElse("unknown"), mac);
                netlink.deleteLink(d.state());
            }
        }
        if (create) {
            netlink.addMacvlan(name, base, mac, RtNetlink.MacvlanMode.PRIVATE);
            link = netlink.link(name).orElseThrow(() -> new IOException("cannot read " + name + " right after"
                    + " creating it: it was deleted at once (by a network manager?)"));
        }
        configure(base);
    }

    private static String describe(RtNetlink.LinkDetails d) {
        if (d.kind().isEmpty()) {
            return "a device of its own (no link kind)";
        }
        return "a " + d.kind() + (d.lowerIndex() > 0 ? " on interface #" + d.lowerIndex() : "")
                + (d.state().mac().equals(MacAddress.ZERO) ? "" : " with MAC " + d.state().mac());
    }

    /** Sysctls, address generation, up, link-local address (keepalived's order). */
    private void configure(LinkState base) throws IOException {
        if (family == IpFamily.IPV4) {
            Sysctl.write("ipv4", name, "arp_ignore", 1);
            Sysctl.write("ipv4", name, "accept_local", 1);
            Sysctl.write("ipv4", name, "rp_filter", 0);
            baseArpIgnore = setBase("arp_ignore", 1, baseArpIgnore);
            baseArpFilter = setBase("arp_filter", 1, baseArpFilter);
            baseArpAnnounce = setBase("arp_announce", 2, baseArpAnnounce);
            if (!transmitBase) {
                quietLinkLocalReports();
            }
            ipv6(true);
        } else {
            ipv6(false);
        }
        netlink.disableIpv6AddressGeneration(link);
        netlink.setUp(link, true);
        if (family == IpFamily.IPV6 && !transmitBase) {
            InterfaceAddress ll = baseLinkLocal(base);
            netlink.addAddress(link, ll);
        }
    }

    /** Sets the base's {@code key} to {@code value}; returns its earlier value when this call changed it, else {@code before}. */
    private int setBase(String key, int value, int before) throws IOException {
        OptionalInt v = Sysctl.read("ipv4", baseName, key);
        if (v.isPresent() && v.getAsInt() < value) {
            Sysctl.write("ipv4", baseName, key, value);
            return before >= 0 ? before : v.getAsInt();
        }
        return before;
    }

    /**
     * Receiving adverts on the vmac means joining 224.0.0.18 there, and the kernel then sends
     * IGMP reports from the vmac, with the virtual MAC as source, at the join and at every
     * query: a switch learns the virtual MAC at a backup's port and sends the clients' traffic
     * there until the master's next advert (measured in a namespace: the bridge's entry moved
     * to the starting backup's port for about half a second). keepalived moves those reports
     * to the base interface with nftables; havip, which runs no nftables, turns off reports for
     * link-local groups (224.0.0.0/24), which RFC 4541 section 2.1.2 has snooping switches
     * flood anyway: {@code net.ipv4.igmp_link_local_mcast_reports=0} in this namespace, logged,
     * put back at close.
     */
    private void quietLinkLocalReports() throws IOException {
        OptionalInt v = Sysctl.readGlobal("ipv4", "igmp_link_local_mcast_reports");
        if (v.isPresent() && v.getAsInt() != 0) {
            Sysctl.writeGlobal("ipv4", "igmp_link_local_mcast_reports", 0);
            if (igmpLinkLocalReports < 0) {
                igmpLinkLocalReports = v.getAsInt();
                LOG.info("{}: set net.ipv4.igmp_link_local_mcast_reports to 0 (was {}): IGMP reports for 224.0.0.18"
                        + " would leave {} from the virtual MAC and teach switches a backup's port; put back at close",
                        owner, v.getAsInt(), name);
            }
        }
    }

    /** IPv6 off on an IPv4 vmac (nothing may leave from the virtual MAC), on for an IPv6 one. */
    private void ipv6(boolean disable) throws IOException {
        if (disable && Sysctl.read("ipv6", name, "disable_ipv6").isEmpty()) {
            return; // IPv6 is off on this host: nothing to disable
        }
        Sysctl.write("ipv6", name, "disable_ipv6", disable ? 1 : 0);
    }

    private InterfaceAddress baseLinkLocal(LinkState base) throws IOException {
        for (AddressEntry e : netlink.addresses(base.index())) {
            if (e.address().address() instanceof Ipv6Address a && a.isLinkLocal()) {
                return new InterfaceAddress(a, 64);
            }
        }
        throw new IOException(owner + ": " + baseName + " has no IPv6 link-local address for " + name + " to send"
                + " adverts from; give " + baseName + " one, or send adverts on the base (vmac_xmit_base)");
    }

    /** Returns once no (re)creation runs on another thread: the vmac is then up, or known to be gone. */
    public synchronized void awaitSetUp() {
        // the lock is the wait: setUp runs under it
    }

    /** The vmac's link as last created or adopted. */
    public synchronized LinkState link() {
        return link;
    }

    /**
     * Deletes the vmac (if it is still the one created or adopted) and puts the base's
     * {@code arp_ignore} / {@code arp_filter} back when this object changed them and no other
     * private macvlan with a VRRP MAC remains on the base. Failures are logged. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (link != null) {
                netlink.deleteLink(link);
            }
            if ((baseArpIgnore >= 0 || baseArpFilter >= 0 || baseArpAnnounce >= 0 || igmpLinkLocalReports >= 0)
                    && !otherVirtualMacs()) {
                restore("arp_ignore", baseArpIgnore);
                restore("arp_filter", baseArpFilter);
                restore("arp_announce", baseArpAnnounce);
                if (igmpLinkLocalReports >= 0) {
                    Sysctl.writeGlobal("ipv4", "igmp_link_local_mcast_reports", igmpLinkLocalReports);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("{}: removing the virtual MAC interface {}: {}", owner, name, e.getMessage());
        } finally {
            netlink.close();
        }
    }

    private void restore(String key, int before) throws IOException {
        if (before >= 0) {
            Sysctl.write("ipv4", baseName, key, before);
        }
    }

    private boolean otherVirtualMacs() throws NativeException {
        Optional<LinkState> base = netlink.link(baseName);
        if (base.isEmpty()) {
            return false;
        }
        for (RtNetlink.LinkDetails d : netlink.linkDetails()) {
            long bits = d.state().mac().bits();
            if (d.kind().equals("macvlan") && d.lowerIndex() == base.get().index()
                    && (bits >>> 8 == 0x00005e0001L || bits >>> 8 == 0x00005e0002L)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "VirtualMacInterface[" + name + " on " + baseName + ", " + mac + (transmitBase ? ", adverts on the base"
                : "") + "]";
    }
}
