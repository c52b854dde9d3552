package io.havip.vrrp.config;

import java.util.Objects;
import java.util.Optional;

/**
 * A {@code notify_fifo} or {@code vrrp_notify_fifo} of global_defs: a FIFO to which every state
 * change is written as one line, in order ({@code INSTANCE "VI_1" MASTER 100}).
 *
 * @param key    the keyword it was given with
 * @param path   the FIFO's path as written
 * @param script the matching {@code *_fifo_script}, run with the FIFO's path as last argument
 */
public record NotifyFifo(String key, String path, Optional<NotifyScript> script, SourceLocation location) {
    public NotifyFifo {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(script, "script");
        Objects.requireNonNull(location, "location");
    }
}
