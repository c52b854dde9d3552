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

        VrrpStats snapshot() {
            return new VrrpStats(advertisementsReceived, advertisementsSent, becameMaster, releasedMaster,
                    packetLengthErrors, advertIntervalErrors, ttlErrors, invalidTypeReceived, addressListErrors,
                    invalidAuthType, authTypeMismatch, authFailures, priorityZeroReceived, priorityZeroSent,
                    checksumErrors, versionErrors, vridMismatch, otherErrors, unicastSourceErrors, lowerPriorityAdverts,
                    lowerPriorityAnswers);
        }
    }
}
