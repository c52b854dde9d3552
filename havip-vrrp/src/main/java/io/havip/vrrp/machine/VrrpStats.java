package io.havip.vrrp.machine;

/**
 * A snapshot of one virtual router's counters, named after keepalived's {@code vrrp_stats}
 * (as printed by {@code keepalived --signum=STATS}) and the VRRP MIB (RFC 6527
 * vrrpv3StatisticsTable). Counters only grow; a snapshot never changes.
 *
 * @param advertisementsReceived valid adverts for this VRID (after length, type, version, checksum, auth)
 * @param advertisementsSent     adverts sent, priority 0 included
 * @param becameMaster           transitions to MASTER
 * @param releasedMaster         transitions out of MASTER (to BACKUP, FAULT or STOP)
 * @param packetLengthErrors     too short, or the length does not match the address count
 * @param advertIntervalErrors   v2 adverts whose interval differs from ours (RFC 3768 section 7.1: discard)
 * @param ttlErrors              TTL / hop limit not 255 on a multicast router (RFC 5798 section 7.1)
 * @param invalidTypeReceived    a VRRP type other than 1 (ADVERTISEMENT)
 * @param addressListErrors      the advert's addresses differ from ours (count or content), or a
 *                               multicast advert reached a unicast router or the reverse
 * @param invalidAuthType        v2 Auth Type not 0 or 1
 * @param authTypeMismatch       v2 Auth Type differs from ours
 * @param authFailures           v2 password differs from ours
 * @param priorityZeroReceived   adverts with priority 0 (a master releasing)
 * @param priorityZeroSent       adverts with priority 0 we sent (shutdown, FAULT)
 * @param checksumErrors         checksum did not verify
 * @param versionErrors          a VRRP version other than ours
 * @param vridMismatch           adverts for another virtual router (other VRID or family) on the same
 *                               link: not an error, other routers share the segment
 * @param otherErrors            malformed in a way none of the above names (the codec's detail is logged)
 * @param unicastSourceErrors    with unicast peers configured: adverts for this VRID whose IP source is not a
 *                               configured peer, dropped before any other check (keepalived logs these as
 *                               "not a unicast peer" with {@code vrrp_check_unicast_src} but has no counter);
 *                               always 0 for multicast routers and with {@code acceptAdvertsFromNonPeers}
 * @param lowerPriorityAdverts   valid adverts of a lower priority received as master (another master
 *                               after a healed partition, or a flood)
 * @param lowerPriorityAnswers   of those, the ones answered with an advert and a re-announcement (at
 *                               most one per advert interval)
 */
public record VrrpStats(long advertisementsReceived, long advertisementsSent, long becameMaster, long releasedMaster,
                        long packetLengthErrors, long advertIntervalErrors, long ttlErrors, long invalidTypeReceived,
                        long addressListErrors, long invalidAuthType, long authTypeMismatch, long authFailures,
                        long priorityZeroReceived, long priorityZeroSent, long checksumErrors, long versionErrors,
                        long vridMismatch, long otherErrors, long unicastSourceErrors, long lowerPriorityAdverts,
                        long lowerPriorityAnswers) {

    /** Mutable counters owned by one machine (single-threaded, like the machine). */
    /** How many counters a {@link VrrpStats} has ({@link #of}, {@link VrrpMachine#statsInto}). */
    public static final int COUNT = 21;

    /** The counters in declaration order, as {@link VrrpMachine#statsInto} writes them. */
    public static VrrpStats of(long[] c) {
        if (c.length != COUNT) {
            throw new IllegalArgumentException(c.length + " counters where a VrrpStats has " + COUNT);
        }
        return new VrrpStats(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11], c[12], c[13],
                c[14], c[15], c[16], c[17], c[18], c[19], c[20]);
    }

    static final class Counters {
        long advertisementsReceived;
        long advertisementsSent;
        long becameMaster;
        long releasedMaster;
        long packetLengthErrors;
        long advertIntervalErrors;
        long ttlErrors;
        long invalidTypeReceived;
        long addressListErrors;
        long invalidAuthType;
        long authTypeMismatch;
        long authFailures;
        long priorityZeroReceived;
        long priorityZeroSent;
        long checksumErrors;
        long versionErrors;
        long vridMismatch;
        long otherErrors;
        long unicastSourceErrors;
        long lowerPriorityAdverts;
        long lowerPriorityAnswers;

        /** Writes the counters in declaration order into {@code into} (allocates nothing). */
        void copyInto(long[] into) {
            into[0] = advertisementsReceived;
            into[1] = advertisementsSent;
            into[2] = becameMaster;
            into[3] = releasedMaster;
            into[4] = packetLengthErrors;
            into[5] = advertIntervalErrors;
            into[6] = ttlErrors;
            into[7] = invalidTypeReceived;
            into[8] = addressListErrors;
            into[9] = invalidAuthType;
            into[10] = authTypeMismatch;
            into[11] = authFailures;
            into[12] = priorityZeroReceived;
            into[13] = priorityZeroSent;
            into[14] = checksumErrors;
            into[15] = versionErrors;
            into[16] = vridMismatch;
            into[17] = otherErrors;
            into[18] = unicastSourceErrors;
            into[19] = lowerPriorityAdverts;
            into[20] = lowerPriorityAnswers;
        }

        VrrpStats snapshot() {
            return new VrrpStats(advertisementsReceived, advertisementsSent, becameMaster, releasedMaster,
                    packetLengthErrors, advertIntervalErrors, ttlErrors, invalidTypeReceived, addressListErrors,
                    invalidAuthType, authTypeMismatch, authFailures, priorityZeroReceived, priorityZeroSent,
                    checksumErrors, versionErrors, vridMismatch, otherErrors, unicastSourceErrors, lowerPriorityAdverts,
                    lowerPriorityAnswers);
        }
    }
}
