package io.havip.core.cloud;

/** A {@link HavipService} request that was refused; {@link #reason()} says which rule, the message what to do. */
public final class HavipRefusedException extends RuntimeException {

    /** Which rule refused the request. */
    public enum Reason {
        /** The HAVIP, VPC, subnet or instance does not exist. */
        NOT_FOUND,
        /** A required field is missing or does not fit (name, address family, subnet without IPv6). */
        INVALID_REQUEST,
        /** The subnet or instance is not in the HAVIP's VPC or subnet. */
        WRONG_NETWORK,
        /** The HAVIP's status does not allow the operation. */
        WRONG_STATUS,
        /** The HAVIP already has {@link HavipLimits#maxInstancesPerHavip()} bound instances. */
        INSTANCES_PER_HAVIP_LIMIT,
        /** The instance is already bound to {@link HavipLimits#maxHavipsPerInstance()} HAVIPs. */
        HAVIPS_PER_INSTANCE_LIMIT,
        /** The instance is not bound to the HAVIP. */
        NOT_BOUND,
        /** The allocator refused the address; the cause is the {@link AllocationRefusedException}. */
        ADDRESS_REFUSED,
        /** The EIP is associated elsewhere, or the HAVIP already has another one, or none. */
        EIP_CONFLICT
    }

    private final Reason reason;

    HavipRefusedException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    HavipRefusedException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
