package io.havip.vrrp.config;

import java.util.Objects;
import java.util.Optional;

/**
 * The notify commands of an instance or sync group: one per target state, and {@code notify}
 * which keepalived runs for every transition after the specific one, with
 * {@code INSTANCE|GROUP name STATE priority} appended.
 */
public record NotifyScripts(Optional<NotifyScript> master, Optional<NotifyScript> backup, Optional<NotifyScript> fault,
                            Optional<NotifyScript> stop, Optional<NotifyScript> any,
                            Optional<NotifyScript> masterRxLowerPriority) {

    public static final NotifyScripts NONE = new NotifyScripts(Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty(), Optional.empty(), Optional.empty());

    public NotifyScripts {
        Objects.requireNonNull(master, "master");
        Objects.requireNonNull(backup, "backup");
        Objects.requireNonNull(fault, "fault");
        Objects.requireNonNull(stop, "stop");
        Objects.requireNonNull(any, "any");
        Objects.requireNonNull(masterRxLowerPriority, "masterRxLowerPriority");
    }

    /** Whether any command is configured. */
    public boolean isEmpty() {
        return this.equals(NONE);
    }
}
