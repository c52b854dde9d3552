/**
 * Micrometer meters for havip. Optional: only an application that has Micrometer on its class
 * path uses this module, and a router without a binder pays nothing.
 *
 * <ul>
 *   <li>{@link io.havip.micrometer.HavipMeters}: a {@code MeterBinder} for one router;</li>
 *   <li>{@link io.havip.micrometer.HavipRouterSetMeters}: one for a set of routers that changes
 *       (havipd's reload, a Spring application's routers).</li>
 * </ul>
 *
 * <h2>Tags</h2>
 * Every meter carries {@code router} (the router's name, keepalived's {@code vrrp_instance}),
 * {@code interface}, {@code vrid} (1-255) and {@code family} ({@code IPV4} / {@code IPV6}), plus any
 * tags the application adds. The tags below come on top.
 *
 * <h2>Meters</h2>
 * Names are Micrometer's dotted names; a Prometheus registry writes them with underscores and a
 * {@code _total} suffix on counters ({@code havip.vrrp.adverts.sent} is
 * {@code havip_vrrp_adverts_sent_total}). The last column is the
 * <a href="https://github.com/mehdy/keepalived-exporter">keepalived_exporter</a> metric that holds
 * the same number for a keepalived node (its labels {@code iname}, {@code intf}, {@code vrid} are
 * our {@code router}, {@code interface}, {@code vrid}), so a dashboard carries over by renaming.
 *
 * <table>
 * <caption>Meters of one router</caption>
 * <tr><th>meter</th><th>type</th><th>extra tags</th><th>what</th><th>keepalived_exporter</th></tr>
 * <tr><td>havip.vrrp.state</td><td>gauge</td><td></td><td>0 INITIALIZE, 1 BACKUP, 2 MASTER, 3 FAULT, 98 STOP (keepalived's numbers)</td><td>keepalived_vrrp_state</td></tr>
 * <tr><td>havip.vrrp.master</td><td>gauge</td><td></td><td>1 while MASTER (the address is here), else 0</td><td>(keepalived_vrrp_state == 2)</td></tr>
 * <tr><td>havip.vrrp.priority</td><td>gauge</td><td>kind=effective|base</td><td>effective priority (base plus tracker weights); base only when the binder is given it</td><td>none (keepalived --signum=JSON: effective_priority, base_priority)</td></tr>
 * <tr><td>havip.vrrp.transitions</td><td>counter</td><td>from, to, reason</td><td>state changes by {@link io.havip.core.TransitionReason} in lower case, counted when the listener hears them</td><td>none</td></tr>
 * <tr><td>havip.vrrp.listener.lag</td><td>timer</td><td></td><td>from a state change to its delivery on the listener thread (the binder's own listener, so the queue's lag)</td><td>none</td></tr>
 * <tr><td>havip.vrrp.became.master</td><td>counter</td><td></td><td>transitions to MASTER</td><td>keepalived_become_master_total</td></tr>
 * <tr><td>havip.vrrp.released.master</td><td>counter</td><td></td><td>transitions out of MASTER</td><td>keepalived_release_master_total</td></tr>
 * <tr><td>havip.vrrp.adverts.sent</td><td>counter</td><td></td><td>adverts sent, priority 0 included</td><td>keepalived_advert_sent_total</td></tr>
 * <tr><td>havip.vrrp.adverts.received</td><td>counter</td><td></td><td>valid adverts for this router</td><td>keepalived_advert_rcvd_total</td></tr>
 * <tr><td>havip.vrrp.priority.zero.sent</td><td>counter</td><td></td><td>priority-0 adverts sent</td><td>keepalived_pri_zero_sent_total</td></tr>
 * <tr><td>havip.vrrp.priority.zero.received</td><td>counter</td><td></td><td>priority-0 adverts received</td><td>keepalived_pri_zero_rcvd_total</td></tr>
 * <tr><td>havip.vrrp.adverts.dropped</td><td>counter</td><td>reason=packet_length</td><td>too short, or length and address count disagree</td><td>keepalived_packet_len_err_total</td></tr>
 * <tr><td>havip.vrrp.adverts.dropped</td><td>counter</td><td>reason=advert_interval</td><td>v2 advert with another interval</td><td>keepalived_advert_interval_err_total</td></tr>
 * <tr><td>havip.vrrp.adverts.dropped</td><td>counter</td><td>reason=ttl</td><td>TTL / hop limit not 255</td><td>keepalived_ip_ttl_err_total</td></tr>
 * <tr><td>havip.vrrp.adverts.dropped</td><td>counter</td><td>reason=invalid_type</td><td>VRRP type other than ADVERTISEMENT</td><td>keepalived_invalid_type_rcvd_total</td></tr>
 * <tr><td>havip.vrrp.adverts.dropped</td><td>counter</td><td>reason=address_list</td><td>the advert's addresses differ from ours</td><td>keepalived_addr_list_err_total</td></tr>
 * <tr><td>havip.vrrp.adverts.dropped</td><td>counter</td><td>reason=invalid_auth_type</td><td>v2 auth type not 0 or 1</td><td>keepalived_invalid_authtype_total</td></tr>
 * <tr><td>havip.vrrp.adverts.dropped</td><td>counter</td><td>reason=auth_type_mismatch</td><td>v2 auth type differs from ours</td><td>keepalived_authtype_mismatch_total</td></tr>
 * <tr><td>havip.vrrp.adverts.dropped</td><td>counter</td><td>reason=auth_failure</td><td>v2 password differs</td><td>keepalived_auth_failure_total</td></tr>
 * <tr><td>havip.vrrp.adverts.dropped</td><td>counter</td><td>reason=checksum</td><td>checksum did not verify</td><td>none (keepalived counts it in no exported field)</td></tr>
 * <tr><td>havip.vrrp.adverts.dropped</td><td>counter</td><td>reason=version</td><td>another VRRP version</td><td>none</td></tr>
 * <tr><td>havip.vrrp.adverts.dropped</td><td>counter</td><td>reason=unicast_source</td><td>unicast router: source not a configured peer</td><td>none</td></tr>
 * <tr><td>havip.vrrp.adverts.dropped</td><td>counter</td><td>reason=other</td><td>malformed otherwise</td><td>none</td></tr>
 * <tr><td>havip.vrrp.adverts.dropped</td><td>counter</td><td>reason=overload</td><td>dropped unread: the engine or the socket buffer was full (a flood)</td><td>none</td></tr>
 * <tr><td>havip.vrrp.adverts.other.router</td><td>counter</td><td></td><td>adverts for another VRID on the link (not an error)</td><td>none</td></tr>
 * <tr><td>havip.vrrp.adverts.lower.priority</td><td>counter</td><td></td><td>lower-priority adverts heard as MASTER</td><td>none</td></tr>
 * <tr><td>havip.vrrp.adverts.lower.priority.answered</td><td>counter</td><td></td><td>of those, answered with an advert and an announcement</td><td>none</td></tr>
 * <tr><td>havip.address.conflicts</td><td>counter</td><td></td><td>another MAC claimed a virtual address while MASTER</td><td>none</td></tr>
 * <tr><td>havip.address.announcements</td><td>counter</td><td>cause=conflict_answer|for_new_master|mac_change</td><td>extra gratuitous ARP / NA bursts beyond the one of each takeover</td><td>none (keepalived_garp_delay_total is a setting, not a count)</td></tr>
 * <tr><td>havip.address.restored</td><td>counter</td><td></td><td>virtual addresses put back after someone removed them</td><td>none</td></tr>
 * <tr><td>havip.address.stray</td><td>counter</td><td></td><td>virtual addresses found here while not MASTER</td><td>none</td></tr>
 * <tr><td>havip.router.hook.timeouts</td><td>counter</td><td></td><td>address hooks that ran out of time or threw</td><td>none</td></tr>
 * <tr><td>havip.router.hooks</td><td>function timer</td><td></td><td>address hooks run and the time spent in them (the router's clock)</td><td>none</td></tr>
 * <tr><td>havip.router.takeover</td><td>function timer</td><td></td><td>becoming MASTER: from the decision to the addresses bound and first announced (hooks included)</td><td>none</td></tr>
 * <tr><td>havip.address.announcement.frames</td><td>counter</td><td></td><td>gratuitous ARP / unsolicited NA frames sent for the router's addresses</td><td>none (keepalived counts none)</td></tr>
 * <tr><td>havip.router.handovers</td><td>counter</td><td></td><td>make-before-break handovers on close</td><td>none</td></tr>
 * <tr><td>havip.router.late.timers</td><td>counter</td><td></td><td>wake-ups an advert interval or more late</td><td>none</td></tr>
 * <tr><td>havip.router.errors</td><td>counter</td><td>operation=send|receive|bind</td><td>I/O failures</td><td>none</td></tr>
 * <tr><td>havip.liveness.channels.open</td><td>gauge</td><td></td><td>authenticated liveness channels open</td><td>none</td></tr>
 * <tr><td>havip.liveness.unauthenticated.open</td><td>gauge</td><td></td><td>connections waiting for their handshake</td><td>none</td></tr>
 * <tr><td>havip.liveness.channels.established</td><td>counter</td><td></td><td>channels ever made</td><td>none</td></tr>
 * <tr><td>havip.liveness.peers.without.listener</td><td>counter</td><td></td><td>peers that refused the first connection (keepalived)</td><td>none</td></tr>
 * <tr><td>havip.liveness.connections.refused</td><td>counter</td><td>reason=bad_proof|unknown_peer|malformed|over_limit|handshake_timeout|evicted</td><td>liveness connections closed without a channel</td><td>none</td></tr>
 * <tr><td>havip.liveness.goodbyes</td><td>counter</td><td>direction=sent|received</td><td>goodbyes of a graceful close</td><td>none</td></tr>
 * <tr><td>havip.liveness.half.open.closed</td><td>counter</td><td></td><td>silent channels closed</td><td>none</td></tr>
 * <tr><td>havip.liveness.process.deaths.reported</td><td>counter</td><td></td><td>peer process deaths reported</td><td>none</td></tr>
 * <tr><td>havip.liveness.process.deaths</td><td>counter</td><td>decision=takeover|cancelled_by_advert|ignored</td><td>what this node did about each</td><td>none</td></tr>
 * <tr><td>havip.lease.held</td><td>gauge</td><td>mode=quorum-guard|lease-only</td><td>1 while the addresses are bound under the lease (only routers with an election authority)</td><td>none</td></tr>
 * <tr><td>havip.lease.waiting</td><td>gauge</td><td>mode</td><td>1 while a VRRP winner (or lease candidate) waits for the lease</td><td>none</td></tr>
 * <tr><td>havip.lease.reachable</td><td>gauge</td><td>mode</td><td>1 while the election authority answers</td><td>none</td></tr>
 * <tr><td>havip.lease.token</td><td>gauge</td><td>mode</td><td>fencing token of the lease held, -1 when none</td><td>none</td></tr>
 * <tr><td>havip.lease.events</td><td>counter</td><td>event=grant|wait|loss|yield</td><td>lease grants, waits begun, losses, yields</td><td>none</td></tr>
 * <tr><td>havip.lease.kernel.lifetime</td><td>counter</td><td>event=refresh|failure|expiry</td><td>renewals of the leased addresses' kernel lifetime, failed renewals, expiries while the lease was held (Linux)</td><td>none</td></tr>
 * </table>
 *
 * <p>keepalived_exporter's {@code keepalived_up}, {@code keepalived_script_status} and
 * {@code keepalived_script_state} have no counterpart here: an embedded router is up when its
 * application is, and health checks show in the priority and in FAULT.
 */
package io.havip.micrometer;
