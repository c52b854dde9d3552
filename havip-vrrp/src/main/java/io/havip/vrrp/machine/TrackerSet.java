package io.havip.vrrp.machine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The current state of a router's trackers (pure logic, single-threaded): which are up,
 * the rise/fall streaks of health checks, the weight they add and whether any FAULT
 * tracker is down. See {@link TrackerSpec} for the weight semantics.
 */
final class TrackerSet {

    private final Map<String, Entry> byKey = new LinkedHashMap<>();

    TrackerSet(String ownInterface, List<TrackerSpec> specs) {
        for (TrackerSpec s : specs) {
            byKey.put(s.key(), new Entry(s));
        }
        // keepalived tracks the VRRP interface itself: its link going down is a FAULT.
        TrackerSpec own = new TrackerSpec.TrackedInterface(ownInterface, 0);
        byKey.putIfAbsent(own.key(), new Entry(own));
    }

    /** Records a link change; false when the interface is not tracked or nothing changed. */
    boolean interfaceChanged(String interfaceName, boolean up) {
        Entry e = byKey.get("interface " + interfaceName);
        if (e == null || e.up == up) {
            return false;
        }
        e.up = up;
        return true;
    }

    /**
     * Records one health-check result; true when the check changed between healthy and failing.
     *
     * @throws IllegalArgumentException if no check of that name is configured (a driver bug)
     */
    boolean healthResult(String checkName, boolean success) {
        Entry e = byKey.get("check " + checkName);
        if (e == null) {
            throw new IllegalArgumentException("no health check named \"" + checkName + "\" is configured; known: "
                    + byKey.keySet());
        }
        TrackerSpec.HealthCheck spec = (TrackerSpec.HealthCheck) e.spec;
        if (success == e.up) {
            e.streak = 0;
            return false;
        }
        e.streak++;
        if (e.streak >= (success ? spec.rise() : spec.fall())) {
            e.up = success;
            e.streak = 0;
            return true;
        }
        return false;
    }

    /** True when a weight-0 tracker is down: the router belongs in FAULT. */
    boolean faulted() {
        return byKey.values().stream().anyMatch(e -> e.spec.weight() == 0 && !e.up);
    }

    /** The sum of active weights: positive ones while up, negative ones while down. */
    int weightSum() {
        int sum = 0;
        for (Entry e : byKey.values()) {
            int w = e.spec.weight();
            if (w > 0 && e.up || w < 0 && !e.up) {
                sum += w;
            }
        }
        return sum;
    }

    /** The keys of trackers that are down, for logs. */
    List<String> down() {
        List<String> out = new ArrayList<>();
        byKey.forEach((k, e) -> {
            if (!e.up) {
                out.add(k);
            }
        });
        return out;
    }

    private static final class Entry {
        final TrackerSpec spec;
        boolean up;
        int streak;

        Entry(TrackerSpec spec) {
            this.spec = spec;
            this.up = !(spec instanceof TrackerSpec.HealthCheck h) || h.initiallyHealthy();
        }
    }
}
