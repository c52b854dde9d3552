/**
 * havip's VRRP routers, the API an application uses: {@link io.havip.vrrp.Havip#builder()}
 * starts a {@link io.havip.vrrp.VirtualRouter} (its state, {@link io.havip.vrrp.RouterStats},
 * priority and close), {@link io.havip.vrrp.HealthCheck} tracks the application's health,
 * {@link io.havip.vrrp.Havip#syncGroup(String)} starts a {@link io.havip.vrrp.RouterGroup} whose
 * members move together, and a {@link io.havip.vrrp.HavipRuntime} drives them all.
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
 * What a user sees of it: a fixed, small set of threads for every router of the runtime, however
 * many there are; listener callbacks in order per router, never on the loop and never under an
 * internal lock; hooks bounded by their timeouts, one at a time per router; closing a runtime
 * (or a group) hands every router over at once.
 *
 * <h2>Where the rest lives</h2>
 * <ul>
 *   <li>{@code io.havip.vrrp.machine}: the sans-IO protocol core ({@code VrrpMachine},
 *       {@code SyncGroup}, conflict answers), which decides; {@code io.havip.vrrp.codec}: the
 *       packets.</li>
 *   <li>{@code io.havip.vrrp.config} reads a keepalived.conf and {@code io.havip.vrrp.keepalived}
 *       maps it onto these builders (havipd, {@link io.havip.vrrp.Havip#fromKeepalivedConf}).</li>
 *   <li>{@code io.havip.vrrp.liveness}: the liveness channel; {@code io.havip.vrrp.election}:
 *       the quorum guard and lease-only election.</li>
 *   <li>Not API, not exported by the module: {@code io.havip.vrrp.internal.engine} (the engine
 *       and event loop that drive the machines; the design notes of the driver are there) and
 *       {@code io.havip.vrrp.internal.linux} (the Linux sockets, monitors and virtual MAC
 *       interfaces a runtime shares among its routers).</li>
 * </ul>
 */
package io.havip.vrrp;
