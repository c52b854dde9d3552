package io.havip.vrrp.config;

import java.util.Objects;

/**
 * A {@code track_script} entry that names a defined {@link VrrpScriptConfig}.
 *
 * @param name    the vrrp_script's name
 * @param weight  the weight in effect: the one given here, else the script's own (-253..253;
 *                0 means FAULT while the script fails)
 * @param reverse whether the direction of the priority adjustment is reversed
 */
public record TrackedScript(String name, int weight, boolean reverse, SourceLocation location) {
    public TrackedScript {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(location, "location");
        if (weight < -253 || weight > 253) {
            throw new IllegalArgumentException("track_script weight " + weight + " is outside -253..253");
        }
    }
}
