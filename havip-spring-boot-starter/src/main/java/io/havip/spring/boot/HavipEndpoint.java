package io.havip.spring.boot;

import io.havip.vrrp.RouterStats;
import io.havip.vrrp.VirtualRouter;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * {@code /actuator/havip}: every running router with its state, priority and counters;
 * {@code /actuator/havip/{name}} one of them. Read only.
 */
@Endpoint(id = "havip")
public class HavipEndpoint {

    private final HavipRouters routers;

    public HavipEndpoint(HavipRouters routers) {
        this.routers = routers;
    }

    /** One router as the endpoint shows it. */
    public record RouterView(String name, String state, int priority, int vrid, String interfaceName, String family,
                             RouterStats stats) {
        static RouterView of(VirtualRouter r) {
            return new RouterView(r.id().name(), r.state().name(), r.priority(), r.id().vrid(), r.id().interfaceName(),
                    r.id().family().name(), r.stats());
        }
    }

    @ReadOperation
    public Map<String, RouterView> routers() {
        Map<String, RouterView> out = new LinkedHashMap<>();
        routers.routers().forEach((name, r) -> out.put(name, RouterView.of(r)));
        return out;
    }

    /** The router of that name; null (404) when none runs. */
    @ReadOperation
    public RouterView router(@Selector String name) {
        return routers.router(name).map(RouterView::of).orElse(null);
    }
}
