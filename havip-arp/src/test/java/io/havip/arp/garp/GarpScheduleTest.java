package io.havip.arp.garp;

import static org.assertj.core.api.Assertions.assertThat;

import io.havip.arp.packet.ClassicPcap;
import io.havip.core.net.IpFamily;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class GarpScheduleTest {

    private static final long S = 1_000_000_000L;
    private static final long MS = 1_000_000L;
    /** An arbitrary nanoTime origin, far from zero like a real one. */
    private static final long T0 = 7_345_000_000_123L;

    /** A send: {@code rounds} rounds at {@code atNanos} relative to the start. */
    record Send(long atNanos, int rounds) {
    }

    /** Drives a schedule like a binder: sleep to the deadline, ask what is due, until {@code untilNanos}. */
    static List<Send> drive(GarpSchedule schedule, long startNanos, long untilNanos) {
        List<Send> sends = new ArrayList<>();
        long now = startNanos;
        for (int guard = 0; guard < 100_000; guard++) {
            int rounds = schedule.due(now);
            if (rounds > 0) {
                sends.add(new Send(now - startNanos, rounds));
            }
            OptionalLong next = schedule.nextDeadlineNanos();
            if (next.isEmpty() || next.getAsLong() - startNanos > untilNanos) {
                return sends;
            }
            now = Math.max(now, next.getAsLong());
        }
        throw new AssertionError("schedule never went quiet: " + schedule);
    }

    /**
     * keepalived-garp-on-takeover.pcap (garp_master_delay 1, garp_master_repeat 5): five at
     * once, five more one second later. The schedule with that configuration produces the
     * same sequence; send times agree with the capture to within 5 ms.
     */
    @Test
    void reproducesKeepalivedTakeoverCapture() {
        List<ClassicPcap.Record> frames = ClassicPcap.readResource("/vectors/keepalived-garp-on-takeover.pcap");
        List<Send> captured = bursts(frames);
        assertThat(captured).extracting(Send::rounds).containsExactly(5, 5);

        GarpConfig config = GarpConfig.keepalivedDefaults().withMasterDelay(Duration.ofSeconds(1))
                .withMasterRefresh(Duration.ofSeconds(5));
        GarpSchedule schedule = new GarpSchedule(config, IpFamily.IPV4);
        schedule.start(T0);
        List<Send> planned = drive(schedule, T0, 2 * S);

        assertThat(planned).containsExactly(new Send(0, 5), new Send(S, 5));
        for (int i = 0; i < planned.size(); i++) {
            assertThat(Math.abs(planned.get(i).atNanos() - captured.get(i).atNanos())).isLessThan(5 * MS);
        }
    }

    /** keepalived-garp-refresh.pcap (garp_master_refresh 5, refresh repeat 1): one GARP every 5 s. */
    @Test
    void reproducesKeepalivedRefreshCapture() {
        List<ClassicPcap.Record> frames = ClassicPcap.readResource("/vectors/keepalived-garp-refresh.pcap");
        List<Send> captured = bursts(frames);
        assertThat(captured).extracting(Send::rounds).containsExactly(1, 1);
        long capturedGap = captured.get(1).atNanos() - captured.get(0).atNanos();

        GarpConfig config = GarpConfig.keepalivedDefaults().withMasterDelay(Duration.ofSeconds(1))
                .withMasterRefresh(Duration.ofSeconds(5));
        GarpSchedule schedule = new GarpSchedule(config, IpFamily.IPV4);
        schedule.start(T0);
        List<Send> planned = drive(schedule, T0, 16 * S);

        assertThat(planned).containsExactly(new Send(0, 5), new Send(S, 5), new Send(5 * S, 1),
                new Send(10 * S, 1), new Send(15 * S, 1));
        long plannedGap = planned.get(3).atNanos() - planned.get(2).atNanos();
        assertThat(Math.abs(plannedGap - capturedGap)).as("keepalived refreshes on advert ticks").isLessThan(5 * MS);
    }

    @Test
    void keepalivedDefaultsSendFiveThenFiveMoreAfterFiveSecondsThenNothing() {
        GarpSchedule schedule = new GarpSchedule(GarpConfig.keepalivedDefaults(), IpFamily.IPV4);
        assertThat(schedule.nextDeadlineNanos()).isEmpty();
        schedule.start(T0);
        assertThat(schedule.nextDeadlineNanos()).hasValue(T0);
        assertThat(schedule.due(T0)).isEqualTo(5);
        assertThat(schedule.due(T0)).isZero();
        assertThat(schedule.nextDeadlineNanos()).hasValue(T0 + 5 * S);
        assertThat(schedule.due(T0 + 5 * S - 1)).isZero();
        assertThat(schedule.due(T0 + 5 * S)).isEqualTo(5);
        assertThat(schedule.nextDeadlineNanos()).isEmpty();
        assertThat(schedule.isRunning()).isTrue();
        assertThat(drive(schedule, T0 + 5 * S, 3600 * S)).isEmpty();
    }

    @Test
    void zeroMasterDelayMeansASingleBurst() {
        GarpSchedule schedule = new GarpSchedule(GarpConfig.keepalivedDefaults().withMasterDelay(Duration.ZERO)
                .withMasterRepeat(3), IpFamily.IPV4);
        schedule.start(T0);
        assertThat(drive(schedule, T0, 3600 * S)).containsExactly(new Send(0, 3));
    }

    @Test
    void aLateCallerGetsEverythingOwedAtOnceWithoutAGap() {
        GarpSchedule schedule = new GarpSchedule(GarpConfig.keepalivedDefaults().withMasterRefresh(Duration.ofSeconds(2)),
                IpFamily.IPV4);
        schedule.start(T0);
        assertThat(schedule.due(T0 + 6 * S)).as("5 now + 5 delayed + 1 refresh").isEqualTo(11);
        assertThat(schedule.nextDeadlineNanos()).as("refresh re-armed from the late call").hasValue(T0 + 8 * S);
    }

    @Test
    void intervalSpacesRoundsAndUsesTheFamilysSetting() {
        GarpConfig config = GarpConfig.keepalivedDefaults().withMasterRepeat(3).withMasterDelay(Duration.ofMillis(100))
                .withGarpInterval(Duration.ofMillis(10)).withGnaInterval(Duration.ofMillis(30));
        GarpSchedule v4 = new GarpSchedule(config, IpFamily.IPV4);
        v4.start(T0);
        assertThat(drive(v4, T0, S)).containsExactly(new Send(0, 1), new Send(10 * MS, 1), new Send(20 * MS, 1),
                new Send(100 * MS, 1), new Send(110 * MS, 1), new Send(120 * MS, 1));

        GarpSchedule v6 = new GarpSchedule(config, IpFamily.IPV6);
        v6.start(T0);
        assertThat(drive(v6, T0, S)).containsExactly(new Send(0, 1), new Send(30 * MS, 1), new Send(60 * MS, 1),
                new Send(100 * MS, 1), new Send(130 * MS, 1), new Send(160 * MS, 1));
    }

    @Test
    void intervalHoldsEvenWhenTheCallerIsEarlyOrLate() {
        GarpSchedule schedule = new GarpSchedule(GarpConfig.keepalivedDefaults().withMasterRepeat(3)
                .withMasterDelay(Duration.ZERO).withGarpInterval(Duration.ofMillis(10)), IpFamily.IPV4);
        schedule.start(T0);
        assertThat(schedule.due(T0)).isEqualTo(1);
        assertThat(schedule.due(T0 + 9 * MS)).isZero();
        assertThat(schedule.nextDeadlineNanos()).hasValue(T0 + 10 * MS);
        assertThat(schedule.due(T0 + 50 * MS)).as("late: still one round per call").isEqualTo(1);
        assertThat(schedule.owedRounds()).isEqualTo(1);
        assertThat(schedule.nextDeadlineNanos()).hasValue(T0 + 60 * MS);
    }

    @Test
    void gapCarriesOverFromThePreviousTerm() {
        GarpSchedule schedule = new GarpSchedule(GarpConfig.keepalivedDefaults().withMasterRepeat(1)
                .withMasterDelay(Duration.ZERO).withGarpInterval(Duration.ofMillis(10)), IpFamily.IPV4);
        schedule.start(T0);
        assertThat(schedule.due(T0)).isEqualTo(1);
        schedule.stop();
        schedule.start(T0 + 2 * MS);
        assertThat(schedule.due(T0 + 2 * MS)).isZero();
        assertThat(schedule.nextDeadlineNanos()).hasValue(T0 + 10 * MS);
        assertThat(schedule.due(T0 + 10 * MS)).isEqualTo(1);
    }

    @Test
    void reannounceSendsLowerPriorityBurstNowAndAfterItsDelay() {
        GarpConfig config = GarpConfig.keepalivedDefaults().withLowerPriorityRepeat(2)
                .withLowerPriorityDelay(Duration.ofSeconds(3));
        GarpSchedule schedule = new GarpSchedule(config, IpFamily.IPV4);
        schedule.start(T0);
        assertThat(schedule.due(T0)).isEqualTo(5);
        assertThat(schedule.reannounce(T0 + S)).isTrue();
        assertThat(schedule.nextDeadlineNanos()).hasValue(T0 + S);
        assertThat(drive(schedule, T0 + S, 3600 * S)).containsExactly(
                new Send(0, 2), new Send(3 * S, 2), new Send(4 * S, 5));
    }

    @Test
    void reannounceWithDefaultsRepeatsTheMasterBurst() {
        GarpSchedule schedule = new GarpSchedule(GarpConfig.keepalivedDefaults(), IpFamily.IPV6);
        schedule.start(T0);
        assertThat(drive(schedule, T0, 10 * S)).containsExactly(new Send(0, 5), new Send(5 * S, 5));
        assertThat(schedule.reannounce(T0 + 10 * S)).isTrue();
        assertThat(drive(schedule, T0 + 10 * S, 3600 * S)).containsExactly(new Send(0, 5), new Send(5 * S, 5));
    }

    @Test
    void reannounceDoesNothingWhenStoppedOrDisabled() {
        GarpSchedule stopped = new GarpSchedule(GarpConfig.keepalivedDefaults(), IpFamily.IPV4);
        assertThat(stopped.reannounce(T0)).isFalse();
        assertThat(stopped.due(T0)).isZero();

        GarpSchedule disabled = new GarpSchedule(GarpConfig.keepalivedDefaults().withLowerPriorityRepeat(0)
                .withMasterDelay(Duration.ZERO), IpFamily.IPV4);
        disabled.start(T0);
        disabled.due(T0);
        assertThat(disabled.reannounce(T0 + S)).isFalse();
        assertThat(disabled.nextDeadlineNanos()).isEmpty();
    }

    @Test
    void aFloodOfLowerPriorityAdvertsKeepsAtMostSixteenDelayedBursts() {
        GarpSchedule schedule = new GarpSchedule(GarpConfig.keepalivedDefaults().withMasterDelay(Duration.ZERO)
                .withLowerPriorityRepeat(1), IpFamily.IPV4);
        schedule.start(T0);
        schedule.due(T0);
        for (int i = 1; i <= 100; i++) {
            schedule.reannounce(T0 + i * MS);
            assertThat(schedule.due(T0 + i * MS)).isEqualTo(1);
        }
        List<Send> later = drive(schedule, T0 + 101 * MS, 3600 * S);
        assertThat(later).hasSize(GarpSchedule.MAX_DELAYED_BURSTS);
        assertThat(later.get(0)).isEqualTo(new Send(5 * S + MS - 101 * MS, 1));
    }

    @Test
    void stopCancelsTheSecondBurstAndTheRefresh() {
        GarpSchedule schedule = new GarpSchedule(GarpConfig.keepalivedDefaults().withMasterRefresh(Duration.ofSeconds(1)),
                IpFamily.IPV4);
        schedule.start(T0);
        schedule.stop();
        assertThat(schedule.isRunning()).isFalse();
        assertThat(schedule.nextDeadlineNanos()).isEmpty();
        assertThat(schedule.due(T0)).isZero();
        assertThat(schedule.due(T0 + 10 * S)).isZero();
        assertThat(schedule.owedRounds()).isZero();
    }

    @Test
    void startWhileRunningBeginsAFreshTerm() {
        GarpSchedule schedule = new GarpSchedule(GarpConfig.keepalivedDefaults(), IpFamily.IPV4);
        schedule.start(T0);
        schedule.start(T0 + S);
        assertThat(drive(schedule, T0 + S, 3600 * S)).containsExactly(new Send(0, 5), new Send(5 * S, 5));
    }

    @Test
    void deadlinesSurviveNanoTimeWraparound() {
        long start = Long.MAX_VALUE - S / 2;
        GarpSchedule schedule = new GarpSchedule(GarpConfig.keepalivedDefaults().withMasterDelay(Duration.ofSeconds(1))
                .withMasterRefresh(Duration.ofSeconds(2)), IpFamily.IPV4);
        schedule.start(start);
        assertThat(schedule.due(start)).isEqualTo(5);
        assertThat(schedule.nextDeadlineNanos()).hasValue(start + S);
        assertThat(schedule.nextDeadlineNanos().getAsLong()).isNegative();
        assertThat(schedule.due(start + S - 1)).isZero();
        assertThat(schedule.due(start + S)).isEqualTo(5);
        assertThat(schedule.nextDeadlineNanos()).hasValue(start + 2 * S);
        assertThat(schedule.due(start + 2 * S)).isEqualTo(1);
    }

    @Test
    void describesItself() {
        GarpSchedule schedule = new GarpSchedule(GarpConfig.keepalivedDefaults(), IpFamily.IPV6);
        assertThat(schedule).hasToString("GarpSchedule[IPv6, stopped]");
        schedule.start(T0);
        assertThat(schedule).hasToString("GarpSchedule[IPv6, running, owed 5, delayed bursts 1]");
        assertThat(schedule.family()).isEqualTo(IpFamily.IPV6);
        assertThat(schedule.config()).isEqualTo(GarpConfig.keepalivedDefaults());
    }

    /** Frames within 10 ms of each other form one burst; times relative to the first frame. */
    static List<Send> bursts(List<ClassicPcap.Record> frames) {
        List<Send> bursts = new ArrayList<>();
        long first = frames.get(0).timestampNanos();
        long last = Long.MIN_VALUE;
        for (ClassicPcap.Record frame : frames) {
            long t = frame.timestampNanos();
            if (bursts.isEmpty() || t - last > 10 * MS) {
                bursts.add(new Send(t - first, 1));
            } else {
                Send b = bursts.remove(bursts.size() - 1);
                bursts.add(new Send(b.atNanos(), b.rounds() + 1));
            }
            last = t;
        }
        return bursts;
    }
}
