/**
 * VRRP for the JVM: start with {@link io.havip.vrrp.Havip#builder()}. The engine, the event
 * loop and the Linux wiring are package-private in {@code io.havip.vrrp}; the other packages
 * are exported because the API names their types (the machine's configuration, the liveness
 * settings, the keepalived.conf reader, the packet codec for tools and tests).
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
