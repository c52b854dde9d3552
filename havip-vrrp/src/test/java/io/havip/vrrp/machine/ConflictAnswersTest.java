package io.havip.vrrp.machine;

import static io.havip.vrrp.machine.ConflictAnswers.NONE;
import static org.assertj.core.api.Assertions.assertThat;

import io.havip.core.net.IpAddress;
import io.havip.core.net.IpFamily;
import io.havip.core.net.MacAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@link ConflictAnswers} under a virtual clock (nanoseconds passed in). */
class ConflictAnswersTest {

    private static final long MS = 1_000_000L;
    private static final IpAddress VIP = IpAddress.parse("2001:db8::50");
    private static final MacAddress STALE = MacAddress.parse("02:00:c6:33:64:63");
    private static final MacAddress FRR = MacAddress.parse("00:00:5e:00:02:33"); // VRID 51, IPv6

    private final ConflictAnswers answers = new ConflictAnswers(51, IpFamily.IPV6, Duration.ofMillis(200));

    @Test
    void theVirtualMacIsTheVridsAndTheFamilys() {
        assertThat(answers.virtualMac()).isEqualTo(FRR);
        assertThat(answers.isVirtualMac(MacAddress.parse("00:00:5e:00:01:33"))).as("IPv4's, not ours").isFalse();
        assertThat(new ConflictAnswers(51, IpFamily.IPV4, Duration.ofSeconds(1)).virtualMac())
                .isEqualTo(MacAddress.parse("00:00:5e:00:01:33"));
    }

    @Test
    void aStaleHoldersClaimIsAnsweredOnceAfterAtMostOneHundredMilliseconds() {
        assertThat(answers.onClaim(1_000 * MS, VIP, STALE)).isEqualTo(1_100 * MS);
        assertThat(answers.onClaim(1_050 * MS, VIP, STALE)).as("a second claim joins the pending answer")
                .isEqualTo(1_100 * MS);
        assertThat(answers.poll(1_099 * MS)).isEmpty();
        ConflictAnswers.Answer a = answers.poll(1_100 * MS).orElseThrow();
        assertThat(a.claimant()).isEqualTo(STALE);
        assertThat(a.firstForClaimant()).isTrue();
        assertThat(answers.nextDeadlineNanos()).isEqualTo(NONE);
        assertThat(answers.poll(2_000 * MS)).isEmpty();

        answers.onClaim(3_000 * MS, VIP, STALE);
        assertThat(answers.poll(3_100 * MS).orElseThrow().firstForClaimant()).as("warned once per MAC").isFalse();
    }

    @Test
    void aShortIntervalShortensTheWait() {
        ConflictAnswers fast = new ConflictAnswers(51, IpFamily.IPV4, Duration.ofMillis(30));
        assertThat(fast.onClaim(0, VIP, STALE)).isEqualTo(30 * MS);
    }

    /** FRR preempting: NA from the virtual MAC, its first advert one interval later; we yield. */
    @Test
    void aClaimFromTheVirtualMacIsNotAnsweredWhenItsRouterTakesOver() {
        assertThat(answers.onClaim(1_000 * MS, VIP, FRR)).as("three of our intervals").isEqualTo(1_600 * MS);
        assertThat(answers.poll(1_100 * MS)).as("where a stale holder would be answered").isEmpty();
        // FRR's advert at 1 200 ms: the machine yields
        assertThat(answers.onLeftMaster(1_200 * MS, 200 * MS)).as("nothing went out, nothing to undo").isEmpty();
        assertThat(answers.nextDeadlineNanos()).isEqualTo(NONE);
        assertThat(answers.poll(1_600 * MS)).isEmpty();
    }

    @Test
    void aVirtualMacHolderThatNeverAdvertisesIsOutAnnouncedAfterThreeIntervals() {
        answers.onClaim(1_000 * MS, VIP, FRR);
        answers.onClaim(1_300 * MS, VIP, FRR); // it answers every client; that does not put us off
        assertThat(answers.nextDeadlineNanos()).isEqualTo(1_600 * MS);
        ConflictAnswers.Answer a = answers.poll(1_600 * MS).orElseThrow();
        assertThat(a.claimant()).isEqualTo(FRR);
        // yielding much later to someone else: no hand-back, the claim was long before
        assertThat(answers.onLeftMaster(9_000 * MS, 200 * MS)).isEmpty();
    }

    @Test
    void aVirtualMacClaimHoldsBackAPendingAnswerToAStaleHolder() {
        answers.onClaim(1_000 * MS, VIP, STALE);
        assertThat(answers.onClaim(1_050 * MS, VIP, FRR)).isEqualTo(1_650 * MS);
        assertThat(answers.poll(1_100 * MS)).isEmpty();
        assertThat(answers.onClaim(1_200 * MS, VIP, STALE)).as("a foreign claim does not hurry it").isEqualTo(1_650 * MS);
    }

    /**
     * A peer advertising every second against our 200 ms: its NA precedes its advert by more
     * than our three intervals, so our answer goes out; when we yield, the answer is undone by
     * announcing the addresses at the virtual MAC.
     */
    @Test
    void yieldingSoonAfterAnsweringTheVirtualMacHandsTheAddressesBackToIt() {
        answers.onClaim(1_000 * MS, VIP, FRR);
        assertThat(answers.poll(1_600 * MS)).isPresent();
        assertThat(answers.onLeftMaster(2_000 * MS, 1_000 * MS)).contains(FRR);
        assertThat(answers.onLeftMaster(2_100 * MS, 1_000 * MS)).as("once").isEmpty();
    }

    @Test
    void noHandBackWhenTheVirtualMacClaimedAgainAfterOurAnswer() {
        answers.onClaim(1_000 * MS, VIP, FRR);
        answers.poll(1_600 * MS).orElseThrow();
        answers.onClaim(1_700 * MS, VIP, FRR); // its announcement is the latest clients heard
        assertThat(answers.onLeftMaster(1_800 * MS, 1_000 * MS)).isEmpty();
    }

    @Test
    void noHandBackForAForeignMacNorWhenLeavingForAnotherReason() {
        answers.onClaim(1_000 * MS, VIP, STALE);
        answers.poll(1_100 * MS).orElseThrow();
        assertThat(answers.onLeftMaster(1_200 * MS, 200 * MS)).as("a stale holder is never announced").isEmpty();

        answers.onClaim(2_000 * MS, VIP, FRR);
        answers.poll(2_600 * MS).orElseThrow();
        assertThat(answers.onLeftMaster(2_700 * MS, 0)).as("fault or stop: no new master to follow").isEmpty();
    }

    @Test
    void leavingMasterDropsAPendingAnswer() {
        answers.onClaim(1_000 * MS, VIP, STALE);
        answers.onLeftMaster(1_050 * MS, 200 * MS);
        assertThat(answers.nextDeadlineNanos()).isEqualTo(NONE);
        assertThat(answers.poll(1_100 * MS)).isEmpty();
    }
}
