/**
 * Micrometer meters for havip's routers: {@link io.havip.micrometer.HavipMeters} for one router,
 * {@link io.havip.micrometer.HavipRouterSetMeters} for a changing set. Micrometer is the
 * application's: this module reads it as {@code micrometer.core} (the name Micrometer's jar
 * declares).
 */
@SuppressWarnings("requires-transitive-automatic") // micrometer.core declares its module name; it has no descriptor
module io.havip.micrometer {
    requires transitive io.havip.vrrp;
    requires transitive micrometer.core;

    exports io.havip.micrometer;
}
