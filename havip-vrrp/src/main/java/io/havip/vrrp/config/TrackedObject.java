package io.havip.vrrp.config;

import java.util.Objects;

/**
 * A {@code track_file} or {@code track_process} entry of an instance or sync group that names a
 * defined {@link TrackFileConfig} or {@link TrackProcessConfig}.
 *
 * @param name    the block's name
 * @param weight  the weight in effect: the one given here, else the block's own
 * @param reverse whether the direction of the priority adjustment is reversed
 */
public record TrackedObject(String name, int weight, boolean reverse, SourceLocation location) {
    public TrackedObject {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(location, "location");
    }
}
