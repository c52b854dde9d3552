package io.havip.examples.spring;

import io.havip.spring.boot.HavipRouters;
import io.havip.spring.boot.HavipStateChangeEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.event.EventListener;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A web application that holds a virtual IP: the three {@code havip.routers.web.*} lines of
 * {@code application.properties} are all it takes. Clients of {@code http://VIP:8080/} reach
 * whichever node is MASTER; {@code /actuator/health} shows the router (MASTER and BACKUP are
 * UP, FAULT is DOWN), {@code /actuator/metrics/havip.vrrp.state} and {@code /actuator/havip} its
 * state and counters. Run two or more on one segment, as root or with CAP_NET_ADMIN and
 * CAP_NET_RAW:
 *
 * <pre>
 * java -jar havip-spring-boot-sample-0.1.0-SNAPSHOT-exec.jar --havip.routers.web.priority=150   # the preferred node
 * java -jar havip-spring-boot-sample-0.1.0-SNAPSHOT-exec.jar                                    # the others (100)
 * </pre>
 */
@SpringBootApplication
@RestController
public class VipApplication {

    private static final Logger log = LoggerFactory.getLogger(VipApplication.class);

    private final HavipRouters routers;
    private final String nodeName;

    public VipApplication(HavipRouters routers, @Value("${sample.node-name:${HOSTNAME:this node}}") String nodeName) {
        this.routers = routers;
        this.nodeName = nodeName;
    }

    public static void main(String[] args) {
        SpringApplication.run(VipApplication.class, args);
    }

    /** What a client of the virtual address sees: which node served it. */
    @GetMapping("/")
    public String hello() {
        String state = routers.router("web").map(r -> r.state().name()).orElse("not running");
        return "served by " + nodeName + " (" + state + ")\n";
    }

    /** Failovers as the application hears them. */
    @EventListener
    public void onFailover(HavipStateChangeEvent event) {
        log.info("{}: {}", nodeName, event.change());
    }
}
