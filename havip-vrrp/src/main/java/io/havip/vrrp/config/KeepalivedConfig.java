package io.havip.vrrp.config;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A keepalived.conf as {@link KeepalivedConfigReader} read it: immutable, typed, with every
 * default filled in and every reference resolved.
 *
 * @param globalDefs the {@code global_defs} block (defaults when absent)
 * @param scripts    {@code vrrp_script} blocks by name, in file order
 * @param instances  {@code vrrp_instance} blocks in file order
 * @param syncGroups {@code vrrp_sync_group} blocks in file order
 * @param havip      the {@code havip} block, read by havip only ({@link HavipSettings#NONE} when absent)
 * @param warnings   what keepalived would have complained about and carried on, in file order
 * @param trackFiles {@code track_file} blocks by name, in file order
 * @param trackProcesses {@code vrrp_track_process} blocks by name, in file order
 */
public record KeepalivedConfig(GlobalDefs globalDefs, Map<String, VrrpScriptConfig> scripts, List<VrrpInstanceConfig> instances,
                               List<VrrpSyncGroupConfig> syncGroups, HavipSettings havip, List<ConfigWarning> warnings,
                               Map<String, TrackFileConfig> trackFiles, Map<String, TrackProcessConfig> trackProcesses) {

    public KeepalivedConfig {
        Objects.requireNonNull(globalDefs, "globalDefs");
        Objects.requireNonNull(havip, "havip");
        scripts = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(scripts));
        instances = List.copyOf(instances);
        syncGroups = List.copyOf(syncGroups);
        warnings = List.copyOf(warnings);
        trackFiles = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(trackFiles));
        trackProcesses = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(trackProcesses));
    }

    /** The instance called {@code name}. */
    public Optional<VrrpInstanceConfig> instance(String name) {
        return instances.stream().filter(i -> i.name().equals(name)).findFirst();
    }

    /** The sync group that has {@code instanceName} as a member. */
    public Optional<VrrpSyncGroupConfig> syncGroupOf(String instanceName) {
        return syncGroups.stream().filter(g -> g.instances().contains(instanceName)).findFirst();
    }
}
