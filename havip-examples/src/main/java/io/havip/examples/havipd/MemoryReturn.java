package io.havip.examples.havipd;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Lets the daemon give memory back once a burst of work is over. A flood of adverts makes the
 * JVM grow its heap for the allocation rate (one small object per packet); without help G1
 * keeps that memory committed for good, so havipd's RSS would stay at its flood level. G1
 * returns it when it collects while idle (JEP 346) and the heap is more free than
 * {@code MaxHeapFreeRatio}. All three options are manageable, so the daemon sets them at start,
 * each only when the command line left it at its default ({@code -XX:...} on the command line
 * wins). Measured under an advert flood (BENCHMARKS.md): RSS 61 MB before, 139 MB at the peak,
 * 73 MB ten seconds after, where it stayed at the peak before.
 */
final class MemoryReturn {

    /**
     * An idle collection after 5 s without one, shrinking the heap to at most 30 % free
     * (MinHeapFreeRatio lowered first: it may not exceed the maximum).
     */
    static final Map<String, String> OPTIONS = orderedOptions();

    private MemoryReturn() {
    }

    private static Map<String, String> orderedOptions() {
        java.util.LinkedHashMap<String, String> m = new java.util.LinkedHashMap<>();
        m.put("G1PeriodicGCInterval", "5000");
        m.put("MinHeapFreeRatio", "10");
        m.put("MaxHeapFreeRatio", "30");
        return java.util.Collections.unmodifiableMap(m);
    }

    /** Sets the options left at their defaults; returns what it set ("name=value"), or why not, for the log. */
    static List<String> apply() {
        List<String> done = new ArrayList<>();
        HotSpotDiagnosticMXBean vm;
        try {
            vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        } catch (RuntimeException | LinkageError e) {
            done.add("not set: this JVM has no HotSpot diagnostic bean (" + e.getClass().getSimpleName() + ")");
            return done;
        }
        if (vm == null) {
            done.add("not set: this JVM has no HotSpot diagnostic bean");
            return done;
        }
        for (Map.Entry<String, String> o : OPTIONS.entrySet()) {
            try {
                VMOption current = vm.getVMOption(o.getKey());
                if (current.getOrigin() != VMOption.Origin.DEFAULT) {
                    done.add(o.getKey() + "=" + current.getValue() + " (as given)");
                    continue;
                }
                vm.setVMOption(o.getKey(), o.getValue());
                done.add(o.getKey() + "=" + o.getValue());
            } catch (IllegalArgumentException e) {
                done.add(o.getKey() + " not set: " + e.getMessage());
            }
        }
        return done;
    }
}
