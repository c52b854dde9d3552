package io.havip.core.cloud;

/**
 * Binding limits. The defaults, 3 instances per HAVIP and 5 HAVIPs per instance, are the
 * quotas of the havip issue (#2), modelled on Tencent Cloud's HAVIP console.
 */
public record HavipLimits(int maxInstancesPerHavip, int maxHavipsPerInstance) {

    public static final HavipLimits DEFAULT = new HavipLimits(3, 5);

    public HavipLimits {
        if (maxInstancesPerHavip < 1 || maxHavipsPerInstance < 1) {
            throw new IllegalArgumentException("binding limits must be at least 1, got maxInstancesPerHavip="
                    + maxInstancesPerHavip + ", maxHavipsPerInstance=" + maxHavipsPerInstance);
        }
    }
}
