package io.havip.vrrp.machine;

import static io.havip.vrrp.machine.Fixtures.HIGHER_PEER;
import static io.havip.vrrp.machine.Fixtures.LOWER_PEER;
import static io.havip.vrrp.machine.Fixtures.MCAST;
import static io.havip.vrrp.machine.Fixtures.SEC;
import static io.havip.vrrp.machine.Fixtures.SELF;
import static io.havip.vrrp.machine.Fixtures.advert;
import static io.havip.vrrp.machine.Fixtures.fire;
import static io.havip.vrrp.machine.Fixtures.master;
import static io.havip.vrrp.machine.Fixtures.started;
import static io.havip.vrrp.machine.Fixtures.v2;
import static io.havip.vrrp.machine.Fixtures.v3;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.havip.core.RouterState;
import io.havip.core.TransitionReason;
import io.havip.core.net.IpAddress;
import io.havip.vrrp.codec.VrrpAdvertisement;
import io.havip.vrrp.codec.VrrpVersion;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class VrrpMachineTest {

    static final long MDI_100 = 3 * SEC + 156 * SEC / 256; // 3.609375 s at priority 100, 1 s

    @Nested
    class Startup {
        @Test
        void nonOwnerStartsAsBackupWithMasterDownTimer() {
            VrrpMachine m = new VrrpMachine(v3(100).build(), SELF);
            assertThat(m.state()).isEqualTo(RouterState.INITIALIZE);
            assertThat(m.nextDeadlineNanos()).isEqualTo(Long.MAX_VALUE);
            List<Action> out = m.start(10);
            assertThat(out).containsExactly(new Action.NotifyStateChange(RouterState.INITIALIZE, RouterState.BACKUP,
                    TransitionReason.STARTUP, 100));
            assertThat(m.state()).isEqualTo(RouterState.BACKUP);
            assertThat(m.nextDeadlineNanos()).isEqualTo(10 + MDI_100);
            assertThat(m.skewTime()).isEqualTo(Duration.ofNanos(609_375_000));
            assertThat(m.masterDownInterval()).isEqualTo(Duration.ofNanos(MDI_100));
        }

        @Test
        void ownerTakesOverAtOnceAdvertBeforeBind() {
            RouterConfig c = v3(255).build();
            VrrpMachine m = new VrrpMachine(c, SELF);
            List<Action> out = m.start(0);
            assertThat(out).hasSize(3);
            assertThat(out.get(0)).isInstanceOfSatisfying(Action.SendAdvert.class, s -> {
                assertThat(s.advertisement().priority()).isEqualTo(255);
                assertThat(s.destinations()).containsExactly(MCAST);
            });
            assertThat(out.get(1)).isEqualTo(new Action.BindAddresses(c.virtualAddresses()));
            assertThat(out.get(2)).isEqualTo(new Action.NotifyStateChange(RouterState.INITIALIZE, RouterState.MASTER,
                    TransitionReason.ADDRESS_OWNER, 255));
            assertThat(m.nextDeadlineNanos()).isEqualTo(SEC);
            assertThat(m.stats().becameMaster()).isEqualTo(1);
            assertThat(m.stats().advertisementsSent()).isEqualTo(1);
        }

        @Test
        void startTwiceIsRefused() {
            VrrpMachine m = started(v3(100).build(), 0);
            assertThatThrownBy(() -> m.start(1)).isInstanceOf(IllegalStateException.class)
                    .hasMessage("router VI_1 was already started (state BACKUP)");
        }

        @Test
        void packetsBeforeStartAreIgnored() {
            RouterConfig c = v3(100).build();
            VrrpMachine m = new VrrpMachine(c, SELF);
            assertThat(m.onAdvertisement(0, HIGHER_PEER, MCAST, 255, advert(c, 200))).isEmpty();
            assertThat(m.stats().advertisementsReceived()).isZero();
            assertThat(m.onTimer(Long.MAX_VALUE - 1)).isEmpty();
        }

        @Test
        void primaryAddressMustMatchFamily() {
            assertThatThrownBy(() -> new VrrpMachine(v3(100).build(), IpAddress.parse("2001:db8::1")))
                    .hasMessageContaining("primary address 2001:db8::1 is IPv6 but router VI_1");
        }
    }

    @Nested
    class Backup {
        @Test
        void masterDownTimerMakesMaster() {
            RouterConfig c = v3(100).build();
            VrrpMachine m = started(c, 0);
            List<Action> out = fire(m);
            assertThat(out).extracting(a -> a.getClass().getSimpleName())
                    .containsExactly("SendAdvert", "BindAddresses", "NotifyStateChange");
            assertThat(out.get(2)).isEqualTo(new Action.NotifyStateChange(RouterState.BACKUP, RouterState.MASTER,
                    TransitionReason.MASTER_DOWN_TIMER, 100));
            assertThat(m.nextDeadlineNanos()).isEqualTo(MDI_100 + SEC);
        }

        @Test
        void timerNotYetDueDoesNothing() {
            VrrpMachine m = started(v3(100).build(), 0);
            assertThat(m.onTimer(MDI_100 - 1)).isEmpty();
            assertThat(m.state()).isEqualTo(RouterState.BACKUP);
        }

        @Test
        void advertFromHigherPriorityResetsTheTimer() {
            RouterConfig c = v3(100).build();
            VrrpMachine m = started(c, 0);
            assertThat(m.onAdvertisement(2 * SEC, HIGHER_PEER, MCAST, 255, advert(c, 200))).isEmpty();
            assertThat(m.nextDeadlineNanos()).isEqualTo(2 * SEC + MDI_100);
            assertThat(m.masterAddress()).contains(HIGHER_PEER);
            assertThat(m.stats().advertisementsReceived()).isEqualTo(1);
        }

        @Test
        void equalPriorityIsFollowed() {
            RouterConfig c = v3(100).build();
            VrrpMachine m = started(c, 0);
            m.onAdvertisement(SEC, LOWER_PEER, MCAST, 255, advert(c, 100));
            assertThat(m.nextDeadlineNanos()).isEqualTo(SEC + MDI_100);
        }

        @Test
        void v3BackupLearnsTheMastersInterval() {
            RouterConfig c = v3(100).build();
            VrrpMachine m = started(c, 0);
            m.onAdvertisement(SEC, HIGHER_PEER, MCAST, 255, advert(c, 200, 50));
            assertThat(m.masterAdverInterval()).isEqualTo(Duration.ofMillis(500));
            long mdi = 3 * SEC / 2 + 156 * (SEC / 2) / 256;
            assertThat(m.masterDownInterval()).isEqualTo(Duration.ofNanos(mdi));
            assertThat(m.nextDeadlineNanos()).isEqualTo(SEC + mdi);
        }

        @Test
        void priorityZeroTakesOverAfterSkewTime() {
            RouterConfig c = v3(100).build();
            VrrpMachine m = started(c, 0);
            m.onAdvertisement(SEC, HIGHER_PEER, MCAST, 255, advert(c, 200));
            m.onAdvertisement(2 * SEC, HIGHER_PEER, MCAST, 255, advert(c, 0));
            assertThat(m.nextDeadlineNanos()).isEqualTo(2 * SEC + 609_375_000);
            assertThat(m.stats().priorityZeroReceived()).isEqualTo(1);
            List<Action> out = fire(m);
            assertThat(out).last().isEqualTo(new Action.NotifyStateChange(RouterState.BACKUP, RouterState.MASTER,
                    TransitionReason.MASTER_RELEASED, 100));
        }

        @Test
        void preemptDiscardsLowerPriorityAndTakesOverByTimer() {
            RouterConfig c = v3(150).build();
            VrrpMachine m = started(c, 0);
            long deadline = m.nextDeadlineNanos();
            m.onAdvertisement(SEC, LOWER_PEER, MCAST, 255, advert(c, 100));
            assertThat(m.nextDeadlineNanos()).as("a discarded advert leaves the timer running").isEqualTo(deadline);
            assertThat(fire(m)).last().isEqualTo(new Action.NotifyStateChange(RouterState.BACKUP, RouterState.MASTER,
                    TransitionReason.PREEMPT, 150));
        }

        @Test
        void nopreemptFollowsLowerPriorityMaster() {
            RouterConfig c = v3(150).preempt(false).build();
            VrrpMachine m = started(c, 0);
            for (long t = 1; t <= 100; t++) {
                m.onAdvertisement(t * SEC, LOWER_PEER, MCAST, 255, advert(c, 100));
                assertThat(m.onTimer(t * SEC + SEC / 2)).isEmpty();
            }
            assertThat(m.state()).isEqualTo(RouterState.BACKUP);
        }

        @Test
        void preemptDelayCountsFromStartup() {
            RouterConfig c = v3(150).preemptDelay(Duration.ofSeconds(10)).build();
            VrrpMachine m = started(c, 0);
            long t = SEC;
            for (; t < 10 * SEC; t += SEC) {
                m.onAdvertisement(t, LOWER_PEER, MCAST, 255, advert(c, 100));
                assertThat(m.nextDeadlineNanos()).as("followed at %d", t).isEqualTo(t + m.masterDownInterval().toNanos());
            }
            long last = t - SEC;
            m.onAdvertisement(10 * SEC, LOWER_PEER, MCAST, 255, advert(c, 100));
            assertThat(m.nextDeadlineNanos()).as("discarded once the delay passed").isEqualTo(
                    last + m.masterDownInterval().toNanos());
            assertThat(fire(m)).last().extracting(a -> ((Action.NotifyStateChange) a).reason())
                    .isEqualTo(TransitionReason.PREEMPT);
        }

        @Test
        void preemptDelayRestartsAfterFollowingAHigherMaster() {
            RouterConfig c = v3(150).preemptDelay(Duration.ofSeconds(10)).build();
            VrrpMachine m = started(c, 0);
            m.onAdvertisement(20 * SEC, HIGHER_PEER, MCAST, 255, advert(c, 200));
            // The higher master goes away; a lower one appears at 21 s: the delay starts now.
            m.onAdvertisement(21 * SEC, LOWER_PEER, MCAST, 255, advert(c, 100));
            assertThat(m.nextDeadlineNanos()).isEqualTo(21 * SEC + m.masterDownInterval().toNanos());
            m.onAdvertisement(30 * SEC, LOWER_PEER, MCAST, 255, advert(c, 100));
            assertThat(m.nextDeadlineNanos()).as("still within 21 s + 10 s").isEqualTo(
                    30 * SEC + m.masterDownInterval().toNanos());
            m.onAdvertisement(31 * SEC, LOWER_PEER, MCAST, 255, advert(c, 100));
            assertThat(m.nextDeadlineNanos()).isEqualTo(30 * SEC + m.masterDownInterval().toNanos());
        }
    }

    @Nested
    class Master {
        @Test
        void advertisesEveryInterval() {
            VrrpMachine m = master(v3(100).build());
            long t0 = m.nextDeadlineNanos();
            for (int i = 0; i < 5; i++) {
                List<Action> out = fire(m);
                assertThat(out).singleElement().isInstanceOf(Action.SendAdvert.class);
            }
            assertThat(m.nextDeadlineNanos()).isEqualTo(t0 + 5 * SEC);
            assertThat(m.stats().advertisementsSent()).isEqualTo(6);
        }

        @Test
        void higherPriorityAdvertMakesBackup() {
            RouterConfig c = v3(100).build();
            VrrpMachine m = master(c);
            long now = 5 * SEC;
            List<Action> out = m.onAdvertisement(now, LOWER_PEER, MCAST, 255, advert(c, 101, 200));
            assertThat(out).hasSize(3);
            assertThat(out.get(0)).isInstanceOfSatisfying(Action.SendAdvert.class,
                    a -> assertThat(a.advertisement().priority()).as("a last advert at our priority for the winner")
                            .isEqualTo(100));
            assertThat(out.subList(1, 3)).containsExactly(new Action.UnbindAddresses(c.virtualAddresses()),
                    new Action.NotifyStateChange(RouterState.MASTER, RouterState.BACKUP,
                            TransitionReason.HIGHER_PRIORITY_MASTER, 100));
            assertThat(m.masterAdverInterval()).isEqualTo(Duration.ofSeconds(2));
            assertThat(m.nextDeadlineNanos()).isEqualTo(now + m.masterDownInterval().toNanos());
            assertThat(m.stats().releasedMaster()).isEqualTo(1);
        }

        @Test
        void equalPriorityHigherAddressWins() {
            RouterConfig c = v3(100).build();
            VrrpMachine m = master(c);
            assertThat(m.onAdvertisement(5 * SEC, HIGHER_PEER, MCAST, 255, advert(c, 100))).last()
                    .isEqualTo(new Action.NotifyStateChange(RouterState.MASTER, RouterState.BACKUP,
                            TransitionReason.HIGHER_PRIORITY_MASTER, 100));
        }

        @Test
        void lowerPriorityIsAnsweredAtOnceWithReannounce() {
            RouterConfig c = v3(100).build();
            VrrpMachine m = master(c);
            long next = m.nextDeadlineNanos();
            List<Action> out = m.onAdvertisement(5 * SEC, LOWER_PEER, MCAST, 255, advert(c, 100));
            assertThat(out).hasSize(2);
            assertThat(out.get(0)).isInstanceOfSatisfying(Action.SendAdvert.class,
                    s -> assertThat(s.advertisement().priority()).isEqualTo(100));
            assertThat(out.get(1)).isEqualTo(new Action.Reannounce(c.virtualAddresses()));
            assertThat(m.state()).isEqualTo(RouterState.MASTER);
            assertThat(m.nextDeadlineNanos()).isEqualTo(next);
        }

        @Test
        void aFloodOfLowerPriorityAdvertsIsAnsweredAtMostOncePerAdvertInterval() {
            RouterConfig c = v3(100).build();
            VrrpMachine m = master(c);
            long t = 5 * SEC;
            int answers = 0;
            // 1000 adverts a second for 3 s, from ten sources (a flood, or spoofed senders)
            for (int i = 0; i < 3_000; i++) {
                IpAddress from = IpAddress.parse("198.51.100." + (i % 10 + 101));
                List<Action> out = m.onAdvertisement(t + i * SEC / 1_000, from, MCAST, 255, advert(c, 50));
                if (!out.isEmpty()) {
                    assertThat(out).containsExactly(out.get(0), new Action.Reannounce(c.virtualAddresses()));
                    answers++;
                }
            }
            assertThat(answers).as("one per 1 s advert interval").isEqualTo(3);
            assertThat(m.stats().lowerPriorityAdverts()).isEqualTo(3_000);
            assertThat(m.stats().lowerPriorityAnswers()).isEqualTo(3);
            assertThat(m.state()).isEqualTo(RouterState.MASTER);
        }

        @Test
        void aFloodOfPriorityZeroAdvertsIsAnsweredAtMostOncePerAdvertInterval() {
            RouterConfig c = v3(100).build();
            VrrpMachine m = master(c);
            long t = 5 * SEC;
            int answers = 0;
            for (int i = 0; i < 3_000; i++) {
                List<Action> out = m.onAdvertisement(t + i * SEC / 1_000, LOWER_PEER, MCAST, 255, advert(c, 0));
                answers += out.size();
            }
            assertThat(answers).as("RFC 5798 6.4.3 answers priority 0 with an advert; one per 1 s interval").isEqualTo(3);
            assertThat(m.stats().priorityZeroReceived()).isEqualTo(3_000);
            assertThat(m.state()).isEqualTo(RouterState.MASTER);
        }

        @Test
        void aLowerMasterAfterAQuietIntervalIsAnsweredAtOnce() {
            RouterConfig c = v3(100).build();
            VrrpMachine m = master(c);
            assertThat(m.onAdvertisement(5 * SEC, LOWER_PEER, MCAST, 255, advert(c, 50))).hasSize(2);
            assertThat(m.onAdvertisement(5 * SEC + SEC / 2, LOWER_PEER, MCAST, 255, advert(c, 50)))
                    .as("within the interval of the last answer").isEmpty();
            // a healed partition one interval later: answered at once, as scenario 2 needs
            assertThat(m.onAdvertisement(6 * SEC, LOWER_PEER, MCAST, 255, advert(c, 50))).hasSize(2);
            // a new mastership answers its first lower advert whatever the last one answered
            m.onAdvertisement(6 * SEC + 1, HIGHER_PEER, MCAST, 255, advert(c, 200));
            assertThat(m.state()).isEqualTo(RouterState.BACKUP);
            fire(m);
            assertThat(m.state()).isEqualTo(RouterState.MASTER);
            long t = m.nextDeadlineNanos() - SEC; // when it became master
            assertThat(m.onAdvertisement(t, LOWER_PEER, MCAST, 255, advert(c, 50))).hasSize(2);
            assertThat(m.stats().lowerPriorityAnswers()).isEqualTo(3);
        }

        @Test
        void lowerPriorityWithoutGarpFlagOnlyAdvertises() {
            RouterConfig c = v3(100).garpOnLowerPriorityAdvert(false).build();
            VrrpMachine m = master(c);
            assertThat(m.onAdvertisement(5 * SEC, LOWER_PEER, MCAST, 255, advert(c, 50)))
                    .singleElement().isInstanceOf(Action.SendAdvert.class);
        }

        @Test
        void priorityZeroIsAnsweredAndTimerReset() {
            RouterConfig c = v3(100).build();
            VrrpMachine m = master(c);
            List<Action> out = m.onAdvertisement(MDI_100 + SEC / 2, HIGHER_PEER, MCAST, 255, advert(c, 0));
            assertThat(out).singleElement().isInstanceOf(Action.SendAdvert.class);
            assertThat(m.nextDeadlineNanos()).isEqualTo(MDI_100 + SEC / 2 + SEC);
        }

        @Test
        void shutdownSendsPriorityZeroThenUnbinds() {
            RouterConfig c = v3(100).build();
            VrrpMachine m = master(c);
            List<Action> out = m.shutdown(9 * SEC);
            assertThat(out).hasSize(3);
            assertThat(out.get(0)).isInstanceOfSatisfying(Action.SendAdvert.class,
                    s -> assertThat(s.advertisement().priority()).isZero());
            assertThat(out.get(1)).isEqualTo(new Action.UnbindAddresses(c.virtualAddresses()));
            assertThat(out.get(2)).isEqualTo(new Action.NotifyStateChange(RouterState.MASTER, RouterState.STOP,
                    TransitionReason.SHUTDOWN, 100));
            assertThat(m.stats().priorityZeroSent()).isEqualTo(1);
            assertThat(m.nextDeadlineNanos()).isEqualTo(Long.MAX_VALUE);
            assertThat(m.shutdown(10 * SEC)).isEmpty();
            assertThat(m.onAdvertisement(11 * SEC, HIGHER_PEER, MCAST, 255, advert(c, 200))).isEmpty();
        }

        @Test
        void advertCarriesConfiguredFields() {
            RouterConfig c = v2(100).password("secret").advertInterval(Duration.ofSeconds(3)).build();
            VrrpMachine m = started(c, 0);
            Action.SendAdvert s = (Action.SendAdvert) fire(m).get(0);
            VrrpAdvertisement a = s.advertisement();
            assertThat(a.version()).isEqualTo(VrrpVersion.V2);
            assertThat(a.vrid()).isEqualTo(51);
            assertThat(a.advertIntervalCs()).isEqualTo(300);
            assertThat(a.authType()).isEqualTo(1);
            assertThat(a.authData()).isEqualTo(c.authData());
            assertThat(a.addresses()).containsExactly(IpAddress.parse("198.51.100.50"));
        }
    }

    @Test
    void shutdownFromBackupNotifiesStop() {
        VrrpMachine m = started(v3(100).build(), 0);
        assertThat(m.shutdown(SEC)).containsExactly(new Action.NotifyStateChange(RouterState.BACKUP, RouterState.STOP,
                TransitionReason.SHUTDOWN, 100));
        assertThat(m.state()).isEqualTo(RouterState.STOP);
    }

    @Test
    void v2SkewIsIndependentOfInterval() {
        VrrpMachine m = started(v2(200).advertInterval(Duration.ofSeconds(5)).build(), 0);
        assertThat(m.skewTime()).isEqualTo(Duration.ofNanos(56 * SEC / 256));
        assertThat(m.masterDownInterval()).isEqualTo(Duration.ofNanos(15 * SEC + 56 * SEC / 256));
        VrrpMachine v3 = started(v3(200).advertInterval(Duration.ofSeconds(5)).build(), 0);
        assertThat(v3.skewTime()).isEqualTo(Duration.ofNanos(56 * 5 * SEC / 256));
    }
}
