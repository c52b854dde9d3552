package io.havip.vrrp.liveness;

/** A liveness frame that is not one the channel accepts; the connection is closed and counted. */
public final class LivenessProtocolException extends Exception {

    /** Why a frame was refused. */
    public enum Reason {
        /** A type other than hello, heartbeat and goodbye. */
        UNKNOWN_TYPE,
        /** A length above {@link LivenessCodec#MAX_BODY}: refused before reading it. */
        OVERSIZED,
        /** A known type whose body does not parse (wrong length, version or family). */
        MALFORMED
    }

    private final Reason reason;

    public LivenessProtocolException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
