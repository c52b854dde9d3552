package io.havip.vrrp.config;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * A {@code track_file} block (keepalived's deprecated synonym {@code vrrp_track_file}): a file
 * holding an integer, written by another program, that moves the priority of the instances
 * which track it.
 *
 * @param name      the block's name, referred to by an instance's {@code track_file}
 * @param file      {@code file}: the path as written
 * @param weight    {@code weight} (default 1): the value read is multiplied by it; with 0 a
 *                  non-zero value means FAULT and 0 means OK
 * @param reverse   {@code weight N reverse}
 * @param initValue {@code init_file [VALUE]}: the value written at start when the file does not
 *                  exist (or always, with {@code overwrite}); empty without init_file
 * @param overwrite {@code init_file VALUE overwrite}
 */
public record TrackFileConfig(String name, String file, int weight, boolean reverse, OptionalLong initValue,
                              boolean overwrite, SourceLocation location) {
    public TrackFileConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(initValue, "initValue");
        Objects.requireNonNull(location, "location");
    }
}
