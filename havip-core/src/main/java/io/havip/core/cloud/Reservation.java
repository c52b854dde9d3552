package io.havip.core.cloud;

import io.havip.core.net.IpAddress;

/**
 * One address a cloud provider keeps for itself in a subnet, with the rule that reserves
 * it ({@code "gateway address"}) and the policy that holds the rule ({@code "tencent"}).
 */
public record Reservation(IpAddress address, String rule, String policy) {

    public Reservation {
        if (address == null) {
            throw new IllegalArgumentException("reserved address is null");
        }
        if (rule == null || rule.isBlank()) {
            throw new IllegalArgumentException("the rule reserving " + address + " has no name");
        }
        if (policy == null || policy.isBlank()) {
            throw new IllegalArgumentException("the policy reserving " + address + " has no name");
        }
    }

    /** {@code "10.0.0.1 is the gateway address reserved by tencent"}. */
    public String describe() {
        return address + " is the " + rule + " reserved by " + policy;
    }
}
