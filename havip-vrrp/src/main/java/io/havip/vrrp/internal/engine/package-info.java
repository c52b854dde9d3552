/**
 * The engine: what runs a {@link io.havip.vrrp.VirtualRouter} once the builder has started it.
 * Not API: the module does not export this package, its public members serve
 * {@code io.havip.vrrp} (the builder, {@link io.havip.vrrp.HavipRuntime},
 * {@link io.havip.vrrp.RouterGroup}) and the Linux wiring in {@code io.havip.vrrp.internal.linux},
 * and may change in any release. An application reaches all of it through the API types.
 *
 * <h2>What is here</h2>
 * <ul>
 *   <li>{@link io.havip.vrrp.internal.engine.Engine}: one router, the driver of its sans-IO
 *       {@code VrrpMachine}; it moves bytes and calls the binder, the machine decides.</li>
 *   <li>{@link io.havip.vrrp.internal.engine.EventLoop}: the runtime's one loop thread, every
 *       router's timers in a heap.</li>
 *   <li>{@link io.havip.vrrp.internal.engine.RuntimeServices}: what a {@code HavipRuntime} gives
 *       its engines (clock, loop, pools, register of routers); the runtime's implementation is
 *       private, so none of it shows on {@code HavipRuntime}.</li>
 *   <li>{@link io.havip.vrrp.internal.engine.SyncGroupDriver}: a sync group's members kept in
 *       step on the loop.</li>
 *   <li>{@link io.havip.vrrp.internal.engine.SerialExecutor}, {@code HookRunner},
 *       {@code ListenerDispatcher}, {@code HealthChecks}: address work, hooks, callbacks and
 *       checks, off the loop and in order per router.</li>
 *   <li>{@link io.havip.vrrp.internal.engine.SilentTransport}: the lease-only mode's transport
 *       (no adverts leave, none are read).</li>
 * </ul>
 *
 * <h2>How a router runs (the design, 2026-12)</h2>
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
 *   <li>The takeover path runs no code for the first time: {@code ProtocolWarmUp} drives a
 *       scratch pair of machines through a handover and a node loss when the first router of a
 *       kind starts (so the JIT has compiled them), and the events a takeover brings (its own
 *       address appearing, a liveness death) are classes loaded with the engine, not lambdas
 *       linked when they first happen.</li>
 * </ul>
 */
package io.havip.vrrp.internal.engine;
