package io.havip.spring.boot;

import io.havip.core.RouterState;
import io.havip.vrrp.VirtualRouter;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/**
 * {@code /actuator/health/havip}: UP while every router is MASTER or BACKUP (a backup is as
 * healthy as the master: it is ready to take over); DOWN when one is in FAULT (a tracked
 * interface or health check failed, the node is out of the election); UNKNOWN while one
 * starts (INITIALIZE); OUT_OF_SERVICE before the routers start and after they stop. Details per
 * router: state, priority, VRID, interface, and whether it holds the address.
 */
public class HavipHealthIndicator extends AbstractHealthIndicator {

    private final HavipRouters routers;

    public HavipHealthIndicator(HavipRouters routers) {
        super("havip health check failed");
        this.routers = routers;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        Map<String, VirtualRouter> running = routers.routers();
        Status status = running.isEmpty() && !routers.configuredNames().isEmpty() ? Status.OUT_OF_SERVICE : Status.UP;
        for (String name : routers.configuredNames()) {
            VirtualRouter r = running.get(name);
            RouterState state = r == null ? RouterState.STOP : r.state();
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("state", state.name());
            if (r != null) {
                detail.put("priority", r.priority());
                detail.put("vrid", r.id().vrid());
                detail.put("interface", r.id().interfaceName());
            }
            detail.put("holdsAddress", state.holdsAddress());
            builder.withDetail(name, detail);
            status = worse(status, of(state));
        }
        builder.status(status);
    }

    static Status of(RouterState state) {
        return switch (state) {
            case MASTER, BACKUP -> Status.UP;
            case FAULT -> Status.DOWN;
            case INITIALIZE -> Status.UNKNOWN;
            case STOP -> Status.OUT_OF_SERVICE;
        };
    }

    private static Status worse(Status a, Status b) {
        return rank(b) > rank(a) ? b : a;
    }

    private static int rank(Status s) {
        if (Status.DOWN.equals(s)) {
            return 3;
        }
        if (Status.OUT_OF_SERVICE.equals(s)) {
            return 2;
        }
        return Status.UNKNOWN.equals(s) ? 1 : 0;
    }
}
