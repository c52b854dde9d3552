package io.havip.arp.linux;

import io.havip.core.VipBinder.AddressOutcome.Outcome;
import io.havip.core.net.Cidr;
import io.havip.core.net.InterfaceAddress;
import io.havip.core.net.IpAddress;
import io.havip.core.net.IpFamily;
import io.havip.core.net.MacAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Addresses and links through rtnetlink (rtnetlink(7)): what {@code ip addr add/del},
 * {@code ip addr show} and {@code ip link show} do, without running them.
 *
 * <p>The socket is opened on the calling thread and belongs to that thread's network
 * namespace for its whole life. Methods are thread-safe (one request at a time). Changes
 * need {@link Capability#CAP_NET_ADMIN}; reads need nothing. Failures are
 * {@link NativeException}s carrying the kernel's extended-ACK text when it sent one.
 */
public final class RtNetlink implements AutoCloseable {

    static final int RTM_NEWLINK = 16;
    static final int RTM_DELLINK = 17;
    static final int RTM_GETLINK = 18;
    static final int RTM_NEWADDR = 20;
    static final int RTM_DELADDR = 21;
    static final int RTM_GETADDR = 22;

    static final int IFA_ADDRESS = 1;
    static final int IFA_LOCAL = 2;
    static final int IFA_LABEL = 3;
    static final int IFA_BROADCAST = 4;
    static final int IFA_CACHEINFO = 6;
    static final int IFA_FLAGS = 8;
    /** NLM_F_REPLACE (linux/netlink.h, for NEW requests): change an existing object. */
    static final int NLM_F_REPLACE = 0x100;
    /** Skip duplicate address detection: a VIP must be usable at once (keepalived sets it too). */
    static final int IFA_F_NODAD = 0x02;

    static final int IFLA_ADDRESS = 1;
    static final int IFLA_IFNAME = 3;
    static final int IFLA_MTU = 4;
    static final int IFLA_OPERSTATE = 16;

    private final NetlinkSocket socket;

    private RtNetlink(NetlinkSocket socket) {
        this.socket = socket;
    }

    /** Opens a NETLINK_ROUTE socket in the calling thread's network namespace. */
    public static RtNetlink open() throws NativeException {
        return new RtNetlink(NetlinkSocket.open("open a rtnetlink socket", 0, true));
    }

    /** Adds {@code address} to interface {@code ifindex} without a label. */
    public Outcome addAddress(int ifindex, InterfaceAddress address) throws NativeException {
        return addAddress(ifindex, address, "");
    }

    /**
     * Adds {@code address} (RTM_NEWADDR with NLM_F_CREATE | NLM_F_EXCL) to interface
     * {@code ifindex}: IFA_LOCAL and IFA_ADDRESS set to the address, IFA_BROADCAST for IPv4
     * prefixes up to /30, IFA_F_NODAD for IPv6 (in ifa_flags and IFA_FLAGS), and IFA_LABEL for
     * IPv4 when {@code label} is not empty (it must start with the interface name, as
     * {@code ip addr} requires; labels do not exist for IPv6 and are refused there).
     *
     * @return {@link Outcome#ADDED}, or {@link Outcome#ALREADY_PRESENT} when the kernel answered
     *         EEXIST (the address is adopted as is)
     */
    public synchronized Outcome addAddress(int ifindex, InterfaceAddress address, String label)
            throws NativeException {
        return addAddress(ifindex, nameOf(ifindex), address, label);
    }

    /**
     * {@link #addAddress(int, InterfaceAddress)} on a link already looked up: saves the round
     * trip that finds the interface's name for messages (the takeover path).
     */
    public synchronized Outcome addAddress(LinkState link, InterfaceAddress address) throws NativeException {
        return addAddress(link.index(), link.name(), address, "");
    }

    private Outcome addAddress(int ifindex, String ifname, InterfaceAddress address, String label)
            throws NativeException {
        NetlinkSocket.Message m = newAddressMessage(ifindex, ifname, address, label);
        try {
            socket.ack(m, "add " + address + " on " + ifname, "RTM_NEWADDR");
            return Outcome.ADDED;
        } catch (NetlinkSocket.KernelError e) {
            return addRefused(e, address, ifname);
        }
    }

    /** The RTM_NEWADDR of {@link #addAddress(int, InterfaceAddress, String)}, its arguments checked. */
    private static NetlinkSocket.Message newAddressMessage(int ifindex, String ifname, InterfaceAddress address,
            String label) {
        String attempted = "add " + address + " on " + ifname;
        if (label == null) {
            throw new IllegalArgumentException(attempted + ": label is null (use \"\" for none)");
        }
        if (!label.isEmpty()) {
            if (address.family() == IpFamily.IPV6) {
                throw new IllegalArgumentException(attempted + ": IPv6 addresses have no label, got \"" + label + "\"");
            }
            if (!label.startsWith(ifname) || label.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 15) {
                throw new IllegalArgumentException(attempted + ": label \"" + label + "\" must start with \"" + ifname
                        + "\" and be at most 15 bytes (e.g. " + ifname + ":vip)");
            }
        }
        NetlinkSocket.Message m = addressMessage(RTM_NEWADDR,
                NetlinkSocket.NLM_F_REQUEST | NetlinkSocket.NLM_F_ACK | NetlinkSocket.NLM_F_CREATE
                        | NetlinkSocket.NLM_F_EXCL, ifindex, address);
        if (address.family() == IpFamily.IPV4) {
            Optional<? extends IpAddress> broadcast = address.subnet().broadcast();
            if (broadcast.isPresent()) {
                m.attr(IFA_BROADCAST, broadcast.get().toBytes());
            }
            if (!label.isEmpty()) {
                m.attrString(IFA_LABEL, label);
            }
        } else {
            m.attrInt(IFA_FLAGS, IFA_F_NODAD);
        }
        return m;
    }

    /** EEXIST is {@link Outcome#ALREADY_PRESENT}; any other refusal a {@link NativeException}. */
    private static Outcome addRefused(NetlinkSocket.KernelError e, InterfaceAddress address, String ifname)
            throws NativeException {
        if (e.errno == Errno.EEXIST.number) {
            return Outcome.ALREADY_PRESENT;
        }
        throw NativeException.of("add " + address + " on " + ifname, "RTM_NEWADDR", e.errno, e.text,
                Capability.CAP_NET_ADMIN, ifname);
    }

    /**
     * The RTM_NEWADDR of {@link #addAddress(LinkState, InterfaceAddress)}, built ahead in native
     * memory: {@link #add(AddressRequest)} sends it as it is.
     */
    static final class AddressRequest {
        final InterfaceAddress address;
        final String ifname;
        final int ifindex;
        private final NetlinkSocket.Prepared message;
        private final String attempted;

        private AddressRequest(LinkState link, InterfaceAddress address) {
            this.address = address;
            this.ifname = link.name();
            this.ifindex = link.index();
            this.message = new NetlinkSocket.Prepared(newAddressMessage(link.index(), link.name(), address, ""));
            this.attempted = "add " + address + " on " + link.name();
        }
    }

    /** Builds the request that adds {@code address} to {@code link} (no label); sends nothing. */
    static AddressRequest prepareAdd(LinkState link, InterfaceAddress address) {
        return new AddressRequest(link, address);
    }

    /** Reads a made-up ACK the way {@link #add(AddressRequest)} reads the kernel's (see {@link LinuxVipBinder#prepare}). */
    synchronized void rehearseAdd() {
        socket.rehearseAck();
    }

    /**
     * Sends a prepared RTM_NEWADDR and waits for the kernel's answer: what
     * {@link #addAddress(LinkState, InterfaceAddress)} does, with nothing built on the way.
     *
     * @return {@link Outcome#ADDED}, or {@link Outcome#ALREADY_PRESENT} (EEXIST)
     */
    synchronized Outcome add(AddressRequest request) throws NativeException {
        try {
            socket.ack(request.message, request.attempted, "RTM_NEWADDR");
            return Outcome.ADDED;
        } catch (NetlinkSocket.KernelError e) {
            return addRefused(e, request.address, request.ifname);
        }
    }

    /**
     * Adds {@code address} to {@code link} as {@link #addAddress(LinkState, InterfaceAddress)}
     * does, with a finite kernel lifetime: IFA_CACHEINFO with {@code ifa_valid} and {@code
     * ifa_prefered} both {@code validSeconds}, counted by the kernel from this request. Linux
     * removes the address itself when it runs out (see {@link #replaceLifetime}). An address
     * already present (EEXIST) is adopted and given the lifetime by a second request.
     *
     * <p>The preferred lifetime equals the valid one, so the address stays a preferred source
     * address, as a permanent VIP is, until the kernel removes it: a preferred lifetime of 0
     * would mark it deprecated at once ({@code ip addr}: {@code deprecated}), and IPv6 source
     * address selection (RFC 6724 rule 3) would then avoid it for new connections.
     *
     * @param validSeconds 1 or more (the kernel refuses 0)
     * @return {@link Outcome#ADDED}, or {@link Outcome#ALREADY_PRESENT}
     */
    public synchronized Outcome addAddress(LinkState link, InterfaceAddress address, int validSeconds)
            throws NativeException {
        NetlinkSocket.Message m = newAddressMessage(link.index(), link.name(), address, "");
        cacheInfo(m, validSeconds);
        try {
            socket.ack(m, "add " + address + " on " + link.name() + " valid for " + validSeconds + " s", "RTM_NEWADDR");
            return Outcome.ADDED;
        } catch (NetlinkSocket.KernelError e) {
            Outcome o = addRefused(e, address, link.name());
            replaceLifetime(link, address, validSeconds);
            return o;
        }
    }

    /**
     * Sets the lifetime of {@code address} on {@code link} to {@code validSeconds} from now
     * (RTM_NEWADDR with NLM_F_REPLACE and IFA_CACHEINFO; valid and preferred lifetimes equal).
     * The kernel restarts the countdown ({@code ifa_tstamp}, IPv6 {@code tstamp}) and
     * reschedules its expiry check. An address that is absent is <em>added</em> (neither IPv4's
     * {@code inet_rtm_newaddr} nor IPv6's {@code inet6_rtm_newaddr} asks for NLM_F_CREATE), so a
     * refresh also puts back an address removed meanwhile, without announcing it.
     *
     * <p>When the kernel removes it: IPv4 {@code check_lifetime} and IPv6 {@code
     * addrconf_verify} delete an address once {@code (now - tstamp + HZ/50) / HZ >= valid}, so
     * no earlier than 20 ms before {@code tstamp + valid}; their work runs at that moment
     * rounded up to a whole second when that costs under {@code HZ/4}, but never sooner than
     * {@code HZ} (1 s) after its previous run, so no later than 1 s after it, plus the workqueue's
     * own delay (milliseconds unless the machine is starved).
     *
     * @param validSeconds 1 or more
     * @throws NativeException ENODEV when the interface is gone, or any other refusal
     */
    public synchronized void replaceLifetime(LinkState link, InterfaceAddress address, int validSeconds)
            throws NativeException {
        String attempted = "set the lifetime of " + address + " on " + link.name() + " to " + validSeconds + " s";
        NetlinkSocket.Message m = addressMessage(RTM_NEWADDR,
                NetlinkSocket.NLM_F_REQUEST | NetlinkSocket.NLM_F_ACK | NLM_F_REPLACE, link.index(), address);
        if (address.family() == IpFamily.IPV4) {
            Optional<? extends IpAddress> broadcast = address.subnet().broadcast();
            if (broadcast.isPresent()) {
                m.attr(IFA_BROADCAST, broadcast.get().toBytes());
            }
        } else {
            m.attrInt(IFA_FLAGS, IFA_F_NODAD); // IPv6 replaces the flags: keep NODAD
        }
        cacheInfo(m, validSeconds);
        try {
            socket.ack(m, attempted, "RTM_NEWADDR");
        } catch (NetlinkSocket.KernelError e) {
            throw NativeException.of(attempted, "RTM_NEWADDR", e.errno, e.text, Capability.CAP_NET_ADMIN, link.name());
        }
    }

    /** {@code struct ifa_cacheinfo { u32 ifa_prefered, ifa_valid, cstamp, tstamp; }}: the kernel reads the first two. */
    private static void cacheInfo(NetlinkSocket.Message m, int validSeconds) {
        if (validSeconds < 1) {
            throw new IllegalArgumentException("an address lifetime of " + validSeconds + " s: it must be 1 s or more "
                    + "(the kernel refuses 0)");
        }
        java.nio.ByteBuffer ci = java.nio.ByteBuffer.allocate(16).order(Sys.NATIVE);
        ci.putInt(validSeconds).putInt(validSeconds).putInt(0).putInt(0);
        m.attr(IFA_CACHEINFO, ci.array());
    }

    /**
     * Deletes {@code address} (RTM_DELADDR) from interface {@code ifindex}.
     *
     * <p>Deleting an IPv4 <em>primary</em> address also deletes the secondaries of its subnet
     * unless {@code net.ipv4.conf.IF.promote_secondaries} is 1; a VIP in the subnet of the
     * interface's own address is a secondary and is safe to delete.
     *
     * @return {@link Outcome#REMOVED}, or {@link Outcome#ALREADY_ABSENT} when the kernel answered
     *         EADDRNOTAVAIL (no such address with that prefix on the interface)
     */
    public synchronized Outcome deleteAddress(int ifindex, InterfaceAddress address) throws NativeException {
        return deleteAddress(ifindex, nameOf(ifindex), address);
    }

    /** {@link #deleteAddress(int, InterfaceAddress)} on a link already looked up (one round trip less). */
    public synchronized Outcome deleteAddress(LinkState link, InterfaceAddress address) throws NativeException {
        return deleteAddress(link.index(), link.name(), address);
    }

    private Outcome deleteAddress(int ifindex, String ifname, InterfaceAddress address) throws NativeException {
        String attempted = "delete " + address + " from " + ifname;
        NetlinkSocket.Message m = addressMessage(RTM_DELADDR, NetlinkSocket.NLM_F_REQUEST | NetlinkSocket.NLM_F_ACK,
                ifindex, address);
        try {
            socket.ack(m, attempted, "RTM_DELADDR");
            return Outcome.REMOVED;
        } catch (NetlinkSocket.KernelError e) {
            if (e.errno == Errno.EADDRNOTAVAIL.number) {
                return Outcome.ALREADY_ABSENT;
            }
            throw NativeException.of(attempted, "RTM_DELADDR", e.errno, e.text, Capability.CAP_NET_ADMIN, ifname);
        }
    }

    private static NetlinkSocket.Message addressMessage(int type, int flags, int ifindex, InterfaceAddress address) {
        boolean v6 = address.family() == IpFamily.IPV6;
        NetlinkSocket.Message m = new NetlinkSocket.Message(type, flags);
        // struct ifaddrmsg { u8 family; u8 prefixlen; u8 flags; u8 scope; u32 index; }
        m.buf.put((byte) (v6 ? Sys.AF_INET6 : Sys.AF_INET)).put((byte) address.prefixLength())
                .put((byte) (v6 ? IFA_F_NODAD : 0)).put((byte) 0).putInt(ifindex);
        byte[] a = address.address().toBytes();
        m.attr(IFA_LOCAL, a);
        m.attr(IFA_ADDRESS, a);
        return m;
    }

    private static final int CREATE = NetlinkSocket.NLM_F_REQUEST | NetlinkSocket.NLM_F_ACK | NetlinkSocket.NLM_F_CREATE
            | NetlinkSocket.NLM_F_EXCL;
    private static final int DELETE = NetlinkSocket.NLM_F_REQUEST | NetlinkSocket.NLM_F_ACK;

    /**
     * Sends a route or rule change and reads the kernel's answer: {@code done}, or {@code already}
     * when the kernel answered {@code benign} (the change was made already); any other error names
     * the attempt, the call and the errno.
     */
    private Outcome change(String attempted, String call, NetlinkSocket.Message message, Errno benign, Outcome done,
                           Outcome already) throws NativeException {
        try {
            socket.ack(message, attempted, call);
            return done;
        } catch (NetlinkSocket.KernelError e) {
            if (e.errno == benign.number) {
                return already;
            }
            throw NativeException.of(attempted, call, e.errno, e.text, Capability.CAP_NET_ADMIN, null);
        }
    }

    static final int RTM_NEWROUTE = 24;
    static final int RTM_DELROUTE = 25;
    static final int RTA_DST = 1;
    static final int RTA_OIF = 4;
    static final int RTA_GATEWAY = 5;
    static final int RTA_PRIORITY = 6;
    static final int RTA_PREFSRC = 7;
    static final int RTA_TABLE = 15;

    /**
     * Adds {@code route} (RTM_NEWROUTE with NLM_F_CREATE | NLM_F_EXCL, protocol
     * {@link Route#PROTOCOL}).
     *
     * @return {@link Outcome#ADDED}, or {@link Outcome#ALREADY_PRESENT} when the kernel answered EEXIST
     */
    public synchronized Outcome addRoute(Route route) throws NativeException {
        return change("add route " + route, "RTM_NEWROUTE", routeMessage(RTM_NEWROUTE, CREATE, route), Errno.EEXIST,
                Outcome.ADDED, Outcome.ALREADY_PRESENT);
    }

    /**
     * Deletes {@code route} (RTM_DELROUTE).
     *
     * @return {@link Outcome#REMOVED}, or {@link Outcome#ALREADY_ABSENT} when the kernel answered ESRCH
     */
    public synchronized Outcome deleteRoute(Route route) throws NativeException {
        return change("delete route " + route, "RTM_DELROUTE", routeMessage(RTM_DELROUTE, DELETE, route), Errno.ESRCH,
                Outcome.REMOVED, Outcome.ALREADY_ABSENT);
    }

    static final int RTM_NEWRULE = 32;
    static final int RTM_DELRULE = 33;
    static final int FRA_DST = 1;
    static final int FRA_SRC = 2;
    static final int FRA_IIFNAME = 3;
    static final int FRA_PRIORITY = 6;
    static final int FRA_TABLE = 15;
    static final int FRA_OIFNAME = 17;

    /**
     * Adds {@code rule} (RTM_NEWRULE with NLM_F_CREATE | NLM_F_EXCL).
     *
     * @return {@link Outcome#ADDED}, or {@link Outcome#ALREADY_PRESENT} when the kernel answered EEXIST
     */
    public synchronized Outcome addRule(Rule rule) throws NativeException {
        return change("add rule " + rule, "RTM_NEWRULE", ruleMessage(RTM_NEWRULE, CREATE, rule), Errno.EEXIST,
                Outcome.ADDED, Outcome.ALREADY_PRESENT);
    }

    /**
     * Deletes {@code rule} (RTM_DELRULE).
     *
     * @return {@link Outcome#REMOVED}, or {@link Outcome#ALREADY_ABSENT} when the kernel answered ENOENT
     */
    public synchronized Outcome deleteRule(Rule rule) throws NativeException {
        return change("delete rule " + rule, "RTM_DELRULE", ruleMessage(RTM_DELRULE, DELETE, rule), Errno.ENOENT,
                Outcome.REMOVED, Outcome.ALREADY_ABSENT);
    }

    private static NetlinkSocket.Message ruleMessage(int type, int flags, Rule r) {
        NetlinkSocket.Message m = new NetlinkSocket.Message(type, flags);
        // struct fib_rule_hdr { u8 family, dst_len, src_len, tos, table, res1, res2, action; u32 flags; }
        m.buf.put((byte) (r.family() == IpFamily.IPV6 ? Sys.AF_INET6 : Sys.AF_INET))
                .put((byte) r.to().map(Cidr::prefixLength).orElse(0).intValue())
                .put((byte) r.from().map(Cidr::prefixLength).orElse(0).intValue()).put((byte) 0).put((byte) (r.table() < 256 ? r.table() : 252)).put((byte) 0).put((byte) 0)
                .put((byte) r.action()).putInt(0);
        r.to().filter(c -> c.prefixLength() > 0).ifPresent(c -> m.attr(FRA_DST, c.network().toBytes()));
        r.from().filter(c -> c.prefixLength() > 0).ifPresent(c -> m.attr(FRA_SRC, c.network().toBytes()));
        r.inInterface().ifPresent(i -> m.attrString(FRA_IIFNAME, i));
        r.outInterface().ifPresent(o -> m.attrString(FRA_OIFNAME, o));
        r.priority().ifPresent(p -> m.attrInt(FRA_PRIORITY, p));
        if (r.action() == Rule.ACTION_TO_TABLE) {
            m.attrInt(FRA_TABLE, r.table());
        }
        return m;
    }

    private static NetlinkSocket.Message routeMessage(int type, int flags, Route r) {
        boolean v6 = r.destination().family() == IpFamily.IPV6;
        NetlinkSocket.Message m = new NetlinkSocket.Message(type, flags);
        // struct rtmsg { u8 family, dst_len, src_len, tos, table, protocol, scope, type; u32 flags; }
        m.buf.put((byte) (v6 ? Sys.AF_INET6 : Sys.AF_INET)).put((byte) r.destination().prefixLength()).put((byte) 0)
                .put((byte) 0).put((byte) (r.table() < 256 ? r.table() : 252)).put((byte) Route.PROTOCOL)
                .put((byte) r.scope()).put((byte) r.type()).putInt(0);
        if (r.destination().prefixLength() > 0) {
            m.attr(RTA_DST, r.destination().network().toBytes());
        }
        r.gateway().ifPresent(g -> m.attr(RTA_GATEWAY, g.toBytes()));
        r.preferredSource().ifPresent(s -> m.attr(RTA_PREFSRC, s.toBytes()));
        if (r.ifindex() > 0) {
            m.attrInt(RTA_OIF, r.ifindex());
        }
        r.metric().ifPresent(p -> m.attrInt(RTA_PRIORITY, p));
        m.attrInt(RTA_TABLE, r.table());
        return m;
    }

    /** Every address of every interface (RTM_GETADDR dump). */
    public List<AddressEntry> addresses() throws NativeException {
        // struct ifaddrmsg, all zero: every family, every interface
        return dump("list addresses", RTM_GETADDR, "RTM_GETADDR", new byte[8], RTM_NEWADDR, RtNetlink::parseAddress);
    }

    private synchronized <T> List<T> dump(String attempted, int type, String what, byte[] header, int replyType,
            Function<ByteBuffer, Optional<T>> parse) throws NativeException {
        NetlinkSocket.Message m = new NetlinkSocket.Message(type, NetlinkSocket.NLM_F_REQUEST | NetlinkSocket.NLM_F_DUMP);
        m.buf.put(header);
        List<T> out = new ArrayList<>();
        try {
            for (NetlinkSocket.Reply r : socket.dump(m, attempted, what)) {
                if (r.type() == replyType) {
                    parse.apply(r.payload()).ifPresent(out::add);
                }
            }
        } catch (NetlinkSocket.KernelError e) {
            throw NativeException.of(attempted, what, e.errno, e.text, null, null);
        }
        return out;
    }

    /** The addresses of interface {@code ifindex}. */
    public List<AddressEntry> addresses(int ifindex) throws NativeException {
        return addresses().stream().filter(a -> a.ifindex() == ifindex).toList();
    }

    static Optional<AddressEntry> parseAddress(ByteBuffer p) {
        if (p.limit() < 8) {
            return Optional.empty();
        }
        int family = p.get(0) & 0xff;
        int prefix = p.get(1) & 0xff;
        int flags = p.get(2) & 0xff;
        int scope = p.get(3) & 0xff;
        int index = p.getInt(4);
        byte[] local = null;
        byte[] addr = null;
        String label = "";
        for (int pos = 8; pos + 4 <= p.limit(); ) {
            int len = p.getShort(pos) & 0xffff;
            int type = p.getShort(pos + 2) & 0x3fff;
            if (len < 4 || pos + len > p.limit()) {
                break;
            }
            byte[] v = new byte[len - 4];
            p.get(pos + 4, v);
            switch (type) {
                case IFA_LOCAL -> local = v;
                case IFA_ADDRESS -> addr = v;
                case IFA_LABEL -> label = Sys.cString(v, 0, v.length);
                case IFA_FLAGS -> flags = v.length >= 4 ? ByteBuffer.wrap(v).order(Sys.NATIVE).getInt() : flags;
                default -> { }
            }
            pos += (len + 3) & ~3;
        }
        byte[] a = local != null ? local : addr;
        if (a == null || (family != Sys.AF_INET && family != Sys.AF_INET6)
                || a.length != (family == Sys.AF_INET ? 4 : 16) || prefix > a.length * 8) {
            return Optional.empty(); // not an address of its family, or a prefix longer than it: no answer
        }
        return Optional.of(new AddressEntry(index, new InterfaceAddress(IpAddress.ofBytes(a), prefix), flags, scope,
                label));
    }

    /** Every link (RTM_GETLINK dump). */
    public List<LinkState> links() throws NativeException {
        // struct ifinfomsg, all zero: every link
        return dump("list links", RTM_GETLINK, "RTM_GETLINK", new byte[16], RTM_NEWLINK, RtNetlink::parseLink);
    }

    /** Link {@code ifindex}, or empty when it does not exist. */
    public synchronized Optional<LinkState> link(int ifindex) throws NativeException {
        return getLink(ifindex, null, "read link #" + ifindex);
    }

    /** Link {@code name}, or empty when it does not exist. */
    public synchronized Optional<LinkState> link(String name) throws NativeException {
        Interfaces.checkName(name);
        return getLink(0, name, "read link " + name);
    }

    private Optional<LinkState> getLink(int ifindex, String name, String attempted) throws NativeException {
        return getLink(ifindex, name, attempted, RtNetlink::parseLink);
    }

    private <T> Optional<T> getLink(int ifindex, String name, String attempted, Function<ByteBuffer, Optional<T>> parse)
            throws NativeException {
        NetlinkSocket.Message m = new NetlinkSocket.Message(RTM_GETLINK, NetlinkSocket.NLM_F_REQUEST);
        m.buf.put((byte) Sys.AF_UNSPEC).put((byte) 0).putShort((short) 0).putInt(ifindex).putInt(0).putInt(0);
        if (name != null) {
            m.attrString(IFLA_IFNAME, name);
        }
        try {
            NetlinkSocket.Reply r = socket.get(m, attempted, "RTM_GETLINK");
            return r.type() == RTM_NEWLINK ? parse.apply(r.payload()) : Optional.empty();
        } catch (NetlinkSocket.KernelError e) {
            if (e.errno == Errno.ENODEV.number) {
                return Optional.empty();
            }
            throw NativeException.of(attempted, "RTM_GETLINK", e.errno, e.text, null, name);
        }
    }

    /** The index of interface {@code name}; ENODEV as a {@link NativeException} when it does not exist. */
    public int ifindex(String name) throws NativeException {
        return link(name).orElseThrow(() -> NativeException.of("find interface " + name, "RTM_GETLINK",
                Errno.ENODEV.number, null, null, name)).index();
    }

    static Optional<LinkState> parseLink(ByteBuffer p) {
        if (p.limit() < 16) {
            return Optional.empty();
        }
        // struct ifinfomsg { u8 family; u8 pad; u16 type; s32 index; u32 flags; u32 change; }
        int index = p.getInt(4);
        int flags = p.getInt(8);
        String name = "";
        int mtu = 0;
        int oper = -1;
        MacAddress mac = MacAddress.ZERO;
        for (int pos = 16; pos + 4 <= p.limit(); ) {
            int len = p.getShort(pos) & 0xffff;
            int type = p.getShort(pos + 2) & 0x3fff;
            if (len < 4 || pos + len > p.limit()) {
                break;
            }
            int vlen = len - 4;
            switch (type) {
                case IFLA_IFNAME -> {
                    byte[] v = new byte[vlen];
                    p.get(pos + 4, v);
                    name = Sys.cString(v, 0, v.length);
                }
                case IFLA_ADDRESS -> {
                    if (vlen == 6) {
                        byte[] v = new byte[6];
                        p.get(pos + 4, v);
                        mac = MacAddress.ofBytes(v);
                    }
                }
                case IFLA_MTU -> mtu = vlen >= 4 ? p.getInt(pos + 4) : 0;
                case IFLA_OPERSTATE -> oper = vlen >= 1 ? p.get(pos + 4) & 0xff : -1;
                default -> { }
            }
            pos += (len + 3) & ~3;
        }
        return index > 0 ? Optional.of(new LinkState(index, name, flags, mtu, mac, oper)) : Optional.empty();
    }

    static final int IFLA_LINK = 5;
    static final int IFLA_LINKINFO = 18;
    static final int IFLA_INFO_KIND = 1;
    static final int IFLA_INFO_DATA = 2;
    static final int IFLA_MACVLAN_MODE = 1;
    static final int IFLA_AF_SPEC = 26;
    static final int IFLA_INET6_ADDR_GEN_MODE = 8;
    /** linux/if_link.h: no link-local address from the MAC (RFC 5798 section 7.4: the virtual MAC must not make one). */
    static final int IN6_ADDR_GEN_MODE_NONE = 1;

    /**
     * Creates a macvlan link {@code name} on {@code base} with {@code mac} in {@code mode}
     * (RTM_NEWLINK with NLM_F_CREATE | NLM_F_EXCL, IFLA_IFNAME, IFLA_LINK, IFLA_ADDRESS and
     * IFLA_LINKINFO { IFLA_INFO_KIND "macvlan", IFLA_INFO_DATA { IFLA_MACVLAN_MODE } }), as
     * {@code ip link add link BASE name NAME address MAC type macvlan mode MODE} does. The link
     * is created down.
     *
     * @throws NativeException naming RTM_NEWLINK, the name, base, MAC and errno (EEXIST: a link
     *                         of that name exists already)
     */
    public synchronized void addMacvlan(String name, LinkState base, MacAddress mac, MacvlanMode mode)
            throws NativeException {
        Interfaces.checkName(name);
        String attempted = "create macvlan " + name + " on " + base.name() + " with MAC " + mac + " (mode "
                + mode.name().toLowerCase(java.util.Locale.ROOT) + ")";
        NetlinkSocket.Message m = new NetlinkSocket.Message(RTM_NEWLINK, CREATE);
        m.buf.put((byte) Sys.AF_UNSPEC).put((byte) 0).putShort((short) 0).putInt(0).putInt(0).putInt(0);
        m.attrString(IFLA_IFNAME, name);
        m.attrInt(IFLA_LINK, base.index());
        m.attr(IFLA_ADDRESS, mac.toBytes());
        int info = m.nest(IFLA_LINKINFO);
        m.attrString(IFLA_INFO_KIND, "macvlan");
        int data = m.nest(IFLA_INFO_DATA);
        m.attrInt(IFLA_MACVLAN_MODE, mode.value);
        m.end(data).end(info);
        linkChange(attempted, m, base.name(), "EEXIST: remove the link named " + name + " or choose another name");
    }

    /** Sets link {@code link} administratively up or down (RTM_NEWLINK, ifi_change IFF_UP). */
    public synchronized void setUp(LinkState link, boolean up) throws NativeException {
        NetlinkSocket.Message m = new NetlinkSocket.Message(RTM_NEWLINK, DELETE);
        m.buf.put((byte) Sys.AF_UNSPEC).put((byte) 0).putShort((short) 0).putInt(link.index())
                .putInt(up ? Sys.IFF_UP : 0).putInt(Sys.IFF_UP);
        linkChange("set " + link.name() + (up ? " up" : " down"), m, link.name(), null);
    }

    /**
     * Stops the kernel from making an IPv6 link-local address from {@code link}'s MAC
     * (IFLA_AF_SPEC { AF_INET6 { IFLA_INET6_ADDR_GEN_MODE none } }); done before the link goes up.
     */
    public synchronized void disableIpv6AddressGeneration(LinkState link) throws NativeException {
        NetlinkSocket.Message m = new NetlinkSocket.Message(RTM_NEWLINK, DELETE);
        m.buf.put((byte) Sys.AF_UNSPEC).put((byte) 0).putShort((short) 0).putInt(link.index()).putInt(0).putInt(0);
        int spec = m.nest(IFLA_AF_SPEC);
        int inet6 = m.nest(Sys.AF_INET6);
        m.attr(IFLA_INET6_ADDR_GEN_MODE, new byte[] {(byte) IN6_ADDR_GEN_MODE_NONE});
        m.end(inet6).end(spec);
        linkChange("set addrgenmode none on " + link.name(), m, link.name(), null);
    }

    /**
     * Deletes link {@code link} (RTM_DELLINK by index, checked against its name first so a link
     * renamed or replaced meanwhile is not deleted).
     *
     * @return false when no link of that index and name exists (gone already)
     */
    public synchronized boolean deleteLink(LinkState link) throws NativeException {
        Optional<LinkState> now = getLink(link.index(), null, "read link #" + link.index());
        if (now.isEmpty() || !now.get().name().equals(link.name())) {
            return false;
        }
        NetlinkSocket.Message m = new NetlinkSocket.Message(RTM_DELLINK, DELETE);
        m.buf.put((byte) Sys.AF_UNSPEC).put((byte) 0).putShort((short) 0).putInt(link.index()).putInt(0).putInt(0);
        try {
            socket.ack(m, "delete link " + link.name(), "RTM_DELLINK");
            return true;
        } catch (NetlinkSocket.KernelError e) {
            if (e.errno == Errno.ENODEV.number) {
                return false;
            }
            throw NativeException.of("delete link " + link.name(), "RTM_DELLINK", e.errno, e.text,
                    Capability.CAP_NET_ADMIN, link.name());
        }
    }

    private void linkChange(String attempted, NetlinkSocket.Message m, String ifname, String eexistHint)
            throws NativeException {
        try {
            socket.ack(m, attempted, "RTM_NEWLINK");
        } catch (NetlinkSocket.KernelError e) {
            if (e.errno == Errno.EEXIST.number && eexistHint != null) {
                throw new NativeException(attempted, "RTM_NEWLINK", e.errno, e.text, eexistHint);
            }
            if (e.errno == Errno.EOPNOTSUPP.number || e.errno == Errno.EINVAL.number && e.text == null) {
                throw new NativeException(attempted, "RTM_NEWLINK", e.errno, e.text, "the kernel refused the link"
                        + " settings; is the macvlan module available (modprobe macvlan), and is " + ifname
                        + " an Ethernet interface?");
            }
            throw NativeException.of(attempted, "RTM_NEWLINK", e.errno, e.text, Capability.CAP_NET_ADMIN, ifname);
        }
    }

    /** macvlan modes (linux/if_link.h {@code enum macvlan_mode}). */
    public enum MacvlanMode {
        /** No traffic to or from other macvlans of the base (keepalived's {@code use_vmac} mode). */
        PRIVATE(1), VEPA(2), BRIDGE(4), PASSTHRU(8), SOURCE(16);

        final int value;

        MacvlanMode(int value) {
            this.value = value;
        }

        /** The mode of a kernel value, empty for one this enum does not know. */
        static Optional<MacvlanMode> of(int value) {
            for (MacvlanMode m : values()) {
                if (m.value == value) {
                    return Optional.of(m);
                }
            }
            return Optional.empty();
        }
    }

    /**
     * Link {@code name} with its kind (IFLA_INFO_KIND, e.g. "macvlan", "veth", "" for a plain
     * device), its lower link (IFLA_LINK, 0 when none) and its macvlan mode; empty when there is
     * no such link.
     */
    public synchronized Optional<LinkDetails> linkDetails(String name) throws NativeException {
        Interfaces.checkName(name);
        return getLink(0, name, "read link " + name, RtNetlink::parseLinkDetails);
    }

    /** Every link with its kind, lower link and macvlan mode (RTM_GETLINK dump). */
    public List<LinkDetails> linkDetails() throws NativeException {
        return dump("list links", RTM_GETLINK, "RTM_GETLINK", new byte[16], RTM_NEWLINK, RtNetlink::parseLinkDetails);
    }

    /** A link with what {@link #parseLink} leaves out: its kind, lower link and macvlan mode. */
    public record LinkDetails(LinkState state, String kind, int lowerIndex, Optional<MacvlanMode> macvlanMode) {
    }

    static Optional<LinkDetails> parseLinkDetails(ByteBuffer p) {
        Optional<LinkState> state = parseLink(p);
        if (state.isEmpty()) {
            return Optional.empty();
        }
        String kind = "";
        int lower = 0;
        Optional<MacvlanMode> mode = Optional.empty();
        for (int pos = 16; pos + 4 <= p.limit(); ) {
            int len = p.getShort(pos) & 0xffff;
            int type = p.getShort(pos + 2) & 0x3fff;
            if (len < 4 || pos + len > p.limit()) {
                break;
            }
            if (type == IFLA_LINK && len >= 8) {
                lower = p.getInt(pos + 4);
            } else if (type == IFLA_LINKINFO) {
                for (int q = pos + 4; q + 4 <= pos + len; ) {
                    int l2 = p.getShort(q) & 0xffff;
                    int t2 = p.getShort(q + 2) & 0x3fff;
                    if (l2 < 4 || q + l2 > pos + len) {
                        break;
                    }
                    if (t2 == IFLA_INFO_KIND) {
                        byte[] v = new byte[l2 - 4];
                        p.get(q + 4, v);
                        kind = Sys.cString(v, 0, v.length);
                    } else if (t2 == IFLA_INFO_DATA) {
                        for (int r = q + 4; r + 4 <= q + l2; ) {
                            int l3 = p.getShort(r) & 0xffff;
                            int t3 = p.getShort(r + 2) & 0x3fff;
                            if (l3 < 4 || r + l3 > q + l2) {
                                break;
                            }
                            if (t3 == IFLA_MACVLAN_MODE && l3 >= 8) {
                                mode = MacvlanMode.of(p.getInt(r + 4));
                            }
                            r += (l3 + 3) & ~3;
                        }
                    }
                    q += (l2 + 3) & ~3;
                }
            }
            pos += (len + 3) & ~3;
        }
        return Optional.of(new LinkDetails(state.get(), kind, lower, mode));
    }

    /** The interface's name for messages, looked up on this socket's namespace; "#N" when there is none. */
    private String nameOf(int ifindex) throws NativeException {
        if (ifindex <= 0) {
            throw new IllegalArgumentException("interface index " + ifindex + " is not positive");
        }
        return getLink(ifindex, null, "read link #" + ifindex).map(LinkState::name).orElse("#" + ifindex);
    }

    @Override
    public void close() {
        socket.close();
    }
}
