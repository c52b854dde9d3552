/**
 * VRRP for the JVM: start with {@link io.havip.vrrp.Havip#builder()}. Exported: the API
 * ({@code io.havip.vrrp}), the packages its types name (the machine's configuration, the
 * liveness settings, the election authority, the packet codec for tools and tests, the
 * keepalived.conf reader) and the keepalived.conf mapping ({@code io.havip.vrrp.keepalived},
 * which havipd and applications that run a keepalived.conf use). Not exported: the engine and
 * event loop ({@code io.havip.vrrp.internal.engine}) and the Linux wiring
 * ({@code io.havip.vrrp.internal.linux}); their public members serve the API and may change in
 * any release.
 */
module io.havip.vrrp {
    requires transitive io.havip.core;
    requires transitive io.havip.arp;
    requires org.slf4j;

    exports io.havip.vrrp;
    exports io.havip.vrrp.codec;
    exports io.havip.vrrp.config;
    exports io.havip.vrrp.election;
    exports io.havip.vrrp.keepalived;
    exports io.havip.vrrp.liveness;
    exports io.havip.vrrp.machine;
}
