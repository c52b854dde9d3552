package io.havip.vrrp.config;

import java.util.Objects;
import java.util.Optional;

/**
 * A keepalived {@code notify*} command line and the user/group to run it as.
 *
 * @param command the command and its arguments as one string, exactly as configured
 * @param user    user to run it as, or empty for the global {@code script_user}
 * @param group   group to run it as, or empty for the user's group
 */
public record NotifyScript(String command, Optional<String> user, Optional<String> group, SourceLocation location) {
    public NotifyScript {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(location, "location");
    }
}
