package io.havip.core.net;

import java.math.BigInteger;

/** Arithmetic shared by both address families. */
final class AddressArithmetic {

    private AddressArithmetic() {
    }

    /** {@code address + delta}, failing with both in the message when the result leaves the family's range. */
    static IpAddress plus(IpAddress address, BigInteger delta) {
        BigInteger sum = address.toBigInteger().add(delta);
        if (sum.signum() < 0 || sum.bitLength() > address.bitLength()) {
            throw new IllegalArgumentException(address + (delta.signum() < 0 ? " - " + delta.negate() : " + " + delta)
                    + " leaves the " + address.family() + " address range");
        }
        return IpAddress.fromBigInteger(address.family(), sum);
    }
}
