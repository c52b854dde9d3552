package io.havip.vrrp.config;

import java.util.Objects;

/**
 * A {@code track_interface} entry.
 *
 * @param name    interface name
 * @param weight  0: the instance goes to FAULT while the interface is down (keepalived's default);
 *                positive: added to the priority while up; negative: subtracted while down (-253..253)
 * @param reverse keepalived's {@code reverse}: the adjustment applies in the opposite link state
 */
public record TrackedInterface(String name, int weight, boolean reverse, SourceLocation location) {
    public TrackedInterface {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(location, "location");
        if (weight < -253 || weight > 253) {
            throw new IllegalArgumentException("track_interface weight " + weight + " is outside -253..253");
        }
    }
}
