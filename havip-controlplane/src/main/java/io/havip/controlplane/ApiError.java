package io.havip.controlplane;

import io.havip.core.cloud.AllocationRefusedException;
import io.havip.core.cloud.HavipRefusedException;

/**
 * An error answer of the API: a stable {@code Code} in Tencent Cloud's style
 * ({@code Family.Detail}), the library's refusal reason when there is one, the message, and
 * the HTTP status. The codes are part of the API: clients may switch on them.
 */
final class ApiError extends RuntimeException {

    final int httpStatus;
    final String code;
    final String reason;

    ApiError(int httpStatus, String code, String reason, String message) {
        super(message);
        this.httpStatus = httpStatus;
        this.code = code;
        this.reason = reason;
    }

    static ApiError request(String code, String message) {
        return new ApiError(400, code, null, message);
    }

    /** The code for a refusal of the service: the reason, and for an address the allocator's own kind of refusal. */
    static ApiError of(HavipRefusedException e) {
        String reason = e.reason().name();
        return switch (e.reason()) {
            case NOT_FOUND -> new ApiError(404, "ResourceNotFound", reason, e.getMessage());
            case INVALID_REQUEST -> new ApiError(400, "InvalidParameterValue", reason, e.getMessage());
            case WRONG_NETWORK -> new ApiError(400, "InvalidParameterValue.WrongNetwork", reason, e.getMessage());
            case WRONG_STATUS -> new ApiError(409, "UnsupportedOperation.InvalidState", reason, e.getMessage());
            case INSTANCES_PER_HAVIP_LIMIT -> new ApiError(409, "LimitExceeded.InstancesPerHaVip", reason, e.getMessage());
            case HAVIPS_PER_INSTANCE_LIMIT -> new ApiError(409, "LimitExceeded.HaVipsPerInstance", reason, e.getMessage());
            case NOT_BOUND -> new ApiError(409, "UnsupportedOperation.NotBound", reason, e.getMessage());
            case EIP_CONFLICT -> new ApiError(409, "ResourceInUse.AddressIp", reason, e.getMessage());
            case ADDRESS_REFUSED -> {
                Throwable cause = e.getCause();
                if (cause instanceof AllocationRefusedException.Exhausted) {
                    yield new ApiError(409, "ResourceInsufficient.SubnetExhausted", reason, e.getMessage());
                }
                if (cause instanceof AllocationRefusedException.InUse) {
                    yield new ApiError(409, "ResourceInUse.Vip", reason, e.getMessage());
                }
                if (cause instanceof AllocationRefusedException.Reserved) {
                    yield new ApiError(400, "InvalidParameterValue.ReservedVip", reason, e.getMessage());
                }
                yield new ApiError(400, "InvalidParameterValue.VipNotInSubnet", reason, e.getMessage());
            }
        };
    }
}
