/**
 * The Linux wiring of the routers: what {@code Havip.builder()...start()} opens when it is given
 * no transport and no binder. Not API: the module does not export this package; its public
 * members serve {@code io.havip.vrrp} (the builder and {@link io.havip.vrrp.HavipRuntime}) and
 * may change in any release. The sockets, monitors and netlink bindings themselves are
 * {@code io.havip.arp.linux}'s; this package decides who shares them.
 *
 * <ul>
 *   <li>{@link io.havip.vrrp.internal.linux.LinuxShared}: the Linux side of one runtime, shared
 *       by its routers, replacing one set per router: per network namespace one link monitor
 *       (links, MACs, addresses) and one {@code LinuxVipBinder} per GARP setting (one netlink
 *       socket, one announcing thread); per namespace, interface and family one ARP / NA conflict
 *       monitor; and the runtime's {@code VrrpSocketHub} (one raw socket per interface and
 *       family, VRIDs filtered in the kernel), which the runtime's event loop polls where it
 *       would park, so it needs no thread of its own. A router subscribes when it starts; the
 *       last one out stops a monitor. It also keeps the VRID slots: two routers of one runtime
 *       cannot claim the same VRID, family and interface.</li>
 *   <li>{@link io.havip.vrrp.internal.linux.LinuxPlatform}: one router's defaults on top of it
 *       (its transport on the hub, the binder, its link and conflict subscriptions, which feed the
 *       engine's trackers and address repairs). Refuses early, with the reason, without Linux,
 *       CAP_NET_ADMIN or CAP_NET_RAW.</li>
 *   <li>{@code HubTransport}: a router's advert transport on the hub.</li>
 *   <li>{@link io.havip.vrrp.internal.linux.VirtualMacPlatform}: keepalived's {@code use_vmac},
 *       the router's macvlan with the RFC 5798 virtual MAC, recreated if someone deletes it.</li>
 * </ul>
 * The namespace is the calling thread's ({@code /proc/thread-self/ns/net}), as for every socket
 * havip opens.
 */
package io.havip.vrrp.internal.linux;
