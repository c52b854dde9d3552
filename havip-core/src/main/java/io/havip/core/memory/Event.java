package io.havip.core.memory;

import java.time.Instant;

/**
 * One entry of an {@link InMemoryNetwork}'s log, for tests and a demo timeline.
 *
 * @param sequence increasing from 1, for {@link InMemoryNetwork#eventsSince}
 * @param at       the network clock's wall time when it happened
 * @param kind     what happened
 * @param node     the node concerned, or {@code null} for segment-wide events
 * @param detail   human-readable specifics (addresses, sides, probability)
 */
public record Event(long sequence, Instant at, Kind kind, String node, String detail) {

    /** What happened on the segment. */
    public enum Kind {
        /** A node joined the segment. */
        ATTACH,
        /** A node left the segment (its host crashed). */
        DETACH,
        /** A node added addresses. */
        BIND,
        /** A node removed addresses. */
        UNBIND,
        /** A node announced addresses (gratuitous ARP / unsolicited NA): clients now reach it. */
        ANNOUNCE,
        /** The segment was split. */
        PARTITION,
        /** The segment was joined again. */
        HEAL,
        /** The loss probability changed. */
        LOSS
    }

    @Override
    public String toString() {
        return "#" + sequence + " " + at + " " + kind + (node == null ? "" : " " + node) + ": " + detail;
    }
}
