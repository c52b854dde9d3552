package io.havip.core.cloud;

import io.havip.core.net.IpAddress;
import java.time.Instant;
import java.util.Optional;

/** Something that changed about a HAVIP; {@link HavipService} emits one for every change. */
public sealed interface HavipEvent {

    String havipId();

    /** When the change happened: the service clock, or the announcement's time for {@link HolderChanged}. */
    Instant at();

    /** A HAVIP was created. */
    record Applied(HavipResource havip, Instant at) implements HavipEvent {
        @Override
        public String havipId() {
            return havip.id();
        }
    }

    /** The name or the remark changed. */
    record Updated(String havipId, String oldName, String newName, String oldRemark, String newRemark, Instant at)
            implements HavipEvent {
    }

    record StatusChanged(String havipId, HavipStatus from, HavipStatus to, Instant at) implements HavipEvent {
    }

    record InstanceBound(String havipId, String instanceId, Instant at) implements HavipEvent {
    }

    record InstanceUnbound(String havipId, String instanceId, Instant at) implements HavipEvent {
    }

    record EipAssociated(String havipId, IpAddress eip, Instant at) implements HavipEvent {
    }

    record EipDisassociated(String havipId, IpAddress eip, Instant at) implements HavipEvent {
    }

    /**
     * A different instance (or none, after its unbinding) holds the address: the fabric saw
     * {@code newHolder} announce it at {@code at}.
     */
    record HolderChanged(String havipId, Optional<String> oldHolder, Optional<String> newHolder, Instant at)
            implements HavipEvent {
    }

    /** The HAVIP is gone and {@code address} is free again. */
    record Deleted(String havipId, IpAddress address, Instant at) implements HavipEvent {
    }
}
