package io.havip.vrrp.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A {@code vrrp_track_process} block: how many processes of one name (or command line) must run
 * for the instances that track it to be OK.
 *
 * @param name           the block's name, referred to by an instance's {@code track_process}
 * @param command        {@code process}: the name, then the parameters if any were given
 * @param paramMatch     {@code param_match}: how the parameters are compared
 * @param paramMatchSet  whether {@code param_match} was given (with no parameters it then means "no parameters")
 * @param fullCommand    {@code full_command}: compare the whole command line, not the process name
 * @param weight         {@code weight} (default 1), -254..254: added while OK (positive) or while
 *                       not (negative); 0 means FAULT while not OK
 * @param reverse        {@code weight N reverse}
 * @param quorum         {@code quorum} (default 1): at least this many matching processes
 * @param quorumMax      {@code quorum_max} (default: no limit, {@link Integer#MAX_VALUE}): at most this many
 * @param forkDelay      {@code fork_delay} / {@code delay}: how long the quorum must hold before it counts as OK
 * @param terminateDelay {@code terminate_delay} / {@code delay}: how long it must be lost before it counts as lost
 */
public record TrackProcessConfig(String name, List<String> command, ParamMatch paramMatch, boolean paramMatchSet,
                                 boolean fullCommand, int weight, boolean reverse, int quorum, int quorumMax,
                                 Duration forkDelay, Duration terminateDelay, SourceLocation location) {

    /** keepalived's {@code param_match}. */
    public enum ParamMatch {
        /** every parameter as given, and no more */
        EXACT,
        /** the parameters given are the first ones; more may follow */
        PARTIAL,
        /** as PARTIAL, and the last one given may be the beginning of the process's parameter */
        INITIAL
    }

    public TrackProcessConfig {
        Objects.requireNonNull(name, "name");
        command = List.copyOf(command);
        if (command.isEmpty()) {
            throw new IllegalArgumentException("vrrp_track_process " + name + ": no process");
        }
        Objects.requireNonNull(paramMatch, "paramMatch");
        Objects.requireNonNull(forkDelay, "forkDelay");
        Objects.requireNonNull(terminateDelay, "terminateDelay");
        Objects.requireNonNull(location, "location");
    }
}
