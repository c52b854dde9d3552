package io.havip.core.cloud;

/**
 * A reserved position in a subnet: {@code offset} from the network address (0 is the
 * network address itself, 1 the first host), or from the end when negative (-1 is the last
 * address, the IPv4 broadcast). {@code rule} names what the address is for, e.g.
 * {@code "gateway address"}; it completes the sentence "10.0.0.1 is the ... reserved by aws".
 */
public record ReservedOffset(long offset, String rule) {

    public ReservedOffset {
        if (rule == null || rule.isBlank()) {
            throw new IllegalArgumentException("reserved offset " + offset + " needs a rule name, e.g. \"gateway address\"");
        }
    }

    /** Shorthand for {@code new ReservedOffset(offset, rule)}. */
    public static ReservedOffset at(long offset, String rule) {
        return new ReservedOffset(offset, rule);
    }
}
