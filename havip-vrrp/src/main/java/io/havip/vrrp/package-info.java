/**
 * havip's VRRP routers: the public entry point ({@link io.havip.vrrp.Havip#builder()},
 * {@link io.havip.vrrp.VirtualRouter}, {@link io.havip.vrrp.Havip#syncGroup(String)},
 * {@link io.havip.vrrp.HavipRuntime}) and the driver that runs them.
 *
 * <h2>How a router runs (the design, 2026-12)</h2>
 * <pre>
 *  application ── Havip.builder() / Havip.syncGroup() ── FailoverListener, AddressHook
 *                         │
 *                  HavipRuntime (one per JVM normally; HavipRuntime.shared() by default)
 *   ┌─────────────────────┼───────────────────────────────┬────────────────────────────┐
 *   │ havip-loop-RT       │ VrrpSocketHub, read by the    │ havip-address-RT-N (≤4)    │
 *   │ one thread: every   │ loop where it would park:     │ hooks, releases, repairs,  │
 *   │ router's machine,   │ one raw socket per interface  │ serial per router          │
 *   │ timers (on Clock),  │ and family, VRIDs filtered in │ havip-listener-RT-N (≤2)   │
 *   │ adverts, takeover   │ the kernel, into the routers' │ callbacks, serial per      │
 *   │ bind + first GARP   │ queues; no thread of its own  │ router                     │
 *   └─────────────────────┴───────────────────────────────┴────────────────────────────┘
 *   per namespace: one link monitor (links, MACs, addresses), one LinuxVipBinder (netlink,
 *   GARP/NA thread); per interface and family: one ARP/NA conflict monitor
 * </pre>
 * <ul>
 *   <li>Each router ({@code Engine}) is an {@code EventLoop.Driven}: other threads queue its
 *       input (a packet, a check result, a link event, close) and wake the loop; the loop keeps
 *       one deadline per router in a heap, read from the runtime's {@link io.havip.core.Clock}.
 *       Nothing on the loop blocks or runs user code.</li>
 *   <li>The protocol is decided by the sans-IO core in {@code io.havip.vrrp.machine}
 *       ({@code VrrpMachine}, {@code SyncGroup}, conflict answers): inputs carry {@code now},
 *       outputs are actions and a next deadline. The engine moves bytes and calls binders.</li>
 *   <li>A sync group's members run on one runtime; after any member's input, on the loop
 *       thread, {@code SyncGroupDriver} reconciles the group and the other members carry out
 *       what it returns before the loop moves on, so members never rest in different states.</li>
 *   <li>Address work leaves the loop except the takeover bind of a router without hooks on a
 *       low-latency binder, which the loop does right after the advert, as keepalived does.</li>
 *   <li>Closing a runtime begins every router's handover at once, then waits for each.</li>
 * </ul>
 * The keepalived.conf mapping ({@link io.havip.vrrp.keepalived.KeepalivedRouters}) and the
 * {@code io.havip.vrrp.config} reader serve havipd; the liveness channel lives in
 * {@code io.havip.vrrp.liveness}.
 */
package io.havip.vrrp;
