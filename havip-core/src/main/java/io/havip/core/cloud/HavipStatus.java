package io.havip.core.cloud;

/**
 * The lifecycle of a HAVIP. AVAILABLE: usable, instances may be bound. FAILED: the fabric
 * cannot serve it (set by {@link HavipService#markFailed}); it can be recovered or deleted.
 * DELETING: a delete has begun; only renaming is allowed (a store that survived a crash
 * mid-delete may hold HAVIPs in this state).
 */
public enum HavipStatus {
    AVAILABLE,
    FAILED,
    DELETING
}
