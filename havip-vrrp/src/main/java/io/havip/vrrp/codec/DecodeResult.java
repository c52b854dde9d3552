package io.havip.vrrp.codec;

/** What {@link VrrpCodec#decode} made of a message: an advertisement, or a typed refusal. */
public sealed interface DecodeResult permits DecodeResult.Decoded, DecodeResult.Rejected {

    /** A valid advertisement. Authentication against a configured password is the state machine's job. */
    record Decoded(VrrpAdvertisement advertisement) implements DecodeResult {
        public Decoded {
            if (advertisement == null) {
                throw new IllegalArgumentException("advertisement is null");
            }
        }
    }

    /**
     * A refused message.
     *
     * @param reason what check failed
     * @param detail the values involved, e.g. {@code "count 2 needs 16 bytes, message has 12"}
     * @param hex    the message bytes as lower-case hex (for the log line and a bug report)
     */
    record Rejected(RejectReason reason, String detail, String hex) implements DecodeResult {
        public Rejected {
            if (reason == null || detail == null || hex == null) {
                throw new IllegalArgumentException("reason, detail and hex are required");
            }
        }

        @Override
        public String toString() {
            return "rejected VRRP message (" + reason + "): " + detail + " [" + hex + "]";
        }
    }
}
