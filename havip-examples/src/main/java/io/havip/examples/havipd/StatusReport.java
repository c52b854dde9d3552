package io.havip.examples.havipd;

import io.havip.core.FailoverListener;
import io.havip.core.StateChange;
import io.havip.vrrp.VirtualRouter;
import io.havip.vrrp.machine.RouterConfig;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The state of a running havipd as {@code havipd --status} and the SIGUSR1 dump show it: one
 * JSON object, instance keys in keepalived's vocabulary. Built from any thread: it reads only
 * the daemon's published list of routers, whose methods are thread-safe, and what each router's
 * {@link Transitions} listener recorded. No secret is in it (no password, no liveness secret).
 */
final class StatusReport {

    /** Format version of the report; raised when a key changes meaning or goes away. */
    static final int FORMAT = 1;

    private StatusReport() {
    }

    /**
     * Records each router's last state change and how many it had. Runs on the router's listener
     * thread (in order); read from any thread: the change and its time are published together.
     */
    static final class Transitions implements FailoverListener {
        private record Last(StateChange change, Instant at) { }

        private final Clock clock;
        private final AtomicLong count = new AtomicLong();
        private volatile Last last;

        Transitions(Clock clock) {
            this.clock = clock;
        }

        @Override
        public void onStateChange(StateChange change) {
            last = new Last(change, clock.instant());
            count.incrementAndGet();
        }

        Map<String, Object> lastAsMap(DateTimeFormatter format) {
            Last l = last;
            if (l == null) {
                return null;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("at", format.format(l.at()));
            m.put("from", l.change().from().name());
            m.put("to", l.change().to().name());
            m.put("reason", l.change().reason().name().toLowerCase(Locale.ROOT).replace('_', ' '));
            m.put("priority", l.change().priority());
            return m;
        }
    }

    /** The report of {@code daemon} at {@code clock}'s now. */
    static Map<String, Object> of(Daemon daemon, Instant started, Clock clock) {
        DateTimeFormatter format = DateTimeFormatter.ofPattern(Havipd.TIME_STAMP).withZone(clock.getZone());
        Map<String, Object> top = new LinkedHashMap<>();
        Map<String, Object> me = new LinkedHashMap<>();
        me.put("format", FORMAT);
        me.put("pid", ProcessHandle.current().pid());
        me.put("config", daemon.file().toString());
        me.put("started", format.format(started));
        me.put("now", format.format(clock.instant()));
        me.put("reloads", daemon.reloads());
        me.put("last_reload", daemon.lastReload().map(format::format).orElse(null));
        top.put("havipd", me);
        List<Object> instances = new ArrayList<>();
        for (Daemon.Live l : daemon.live()) {
            instances.add(instance(l, format));
        }
        top.put("vrrp_instances", instances);
        return top;
    }

    private static Map<String, Object> instance(Daemon.Live l, DateTimeFormatter format) {
        VirtualRouter r = l.router();
        RouterConfig c = l.mapped().settings().router();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("vrrp_instance", l.name());
        m.put("state", r.state().name());
        m.put("interface", c.router().interfaceName());
        m.put("virtual_router_id", c.router().vrid());
        m.put("version", c.version().number());
        m.put("priority", c.priority());
        m.put("effective_priority", r.priority());
        m.put("advert_int", c.advertInterval());
        m.put("nopreempt", !c.preempt());
        m.put("preempt_delay", c.preemptDelay());
        m.put("virtual_ipaddress", c.virtualAddresses().stream().map(Object::toString).toList());
        m.put("unicast_src_ip", l.mapped().settings().sourceAddress().map(Object::toString).orElse(null));
        m.put("unicast_peer", c.unicastPeers().stream().map(Object::toString).toList());
        m.put("last_transition", l.transitions().lastAsMap(format));
        m.put("transitions", l.transitions().count.get());
        m.put("stats", Json.ofRecord(r.stats()));
        return m;
    }
}
