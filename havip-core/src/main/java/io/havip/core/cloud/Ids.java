package io.havip.core.cloud;

/** Argument checks shared by the model records. */
final class Ids {

    private Ids() {
    }

    static String require(String what, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " is missing (got \"" + value + "\")");
        }
        return value;
    }
}
