package io.havip.vrrp.config;

import java.util.List;
import java.util.Objects;

/**
 * A {@code vrrp_sync_group}: instances that become MASTER together and leave together.
 *
 * @param instances       names of the member instances, each defined in the file (others were dropped with a warning)
 * @param trackInterfaces interfaces tracked for every member
 * @param trackScripts    scripts tracked for every member (only defined ones)
 * @param notifyScripts        the group's notify commands
 * @param smtpAlert       whether e-mail alerts were asked for (havip does not send e-mail)
 * @param trackingWeight  {@code sync_group_tracking_weight}: the members keep the weights of their own trackers
 *                        (keepalived otherwise sets them to 0, or drops a weighted track_script)
 */
public record VrrpSyncGroupConfig(String name, List<String> instances, List<TrackedInterface> trackInterfaces,
                                  List<TrackedScript> trackScripts, NotifyScripts notifyScripts, boolean smtpAlert,
                                  SourceLocation location, boolean trackingWeight) {
    public VrrpSyncGroupConfig {
        Objects.requireNonNull(name, "name");
        instances = List.copyOf(instances);
        trackInterfaces = List.copyOf(trackInterfaces);
        trackScripts = List.copyOf(trackScripts);
        Objects.requireNonNull(notifyScripts, "notifyScripts");
        Objects.requireNonNull(location, "location");
    }

    /** Without {@code sync_group_tracking_weight}. */
    public VrrpSyncGroupConfig(String name, List<String> instances, List<TrackedInterface> trackInterfaces,
                               List<TrackedScript> trackScripts, NotifyScripts notifyScripts, boolean smtpAlert,
                               SourceLocation location) {
        this(name, instances, trackInterfaces, trackScripts, notifyScripts, smtpAlert, location, false);
    }
}
