package io.havip.spring.boot;

import io.havip.vrrp.Havip;

/**
 * A bean of this type is called for each router's builder after the properties were applied and
 * before it starts: for what properties do not carry (a transport and binder for tests, health
 * checks, a hook for one router only, a listener with its own executor).
 */
@FunctionalInterface
public interface HavipRouterCustomizer {

    /**
     * @param name    the router's name ({@code havip.routers.<name>})
     * @param builder its builder, with the properties applied
     */
    void customize(String name, Havip.Builder builder);
}
