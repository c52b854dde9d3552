package io.havip.arp.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.havip.arp.garp.GarpConfig;
import io.havip.arp.packet.GratuitousArp;
import io.havip.arp.testbed.Node;
import io.havip.arp.testbed.Testbed;
import io.havip.arp.testbed.TestbedExtension;
import io.havip.core.Clock;
import io.havip.core.VipBinder;
import io.havip.core.VipBinder.AddressOutcome;
import io.havip.core.VipBinder.AddressOutcome.Outcome;
import io.havip.core.net.InterfaceAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Kernel address lifetimes through the Linux binder, in a network namespace: a router view
 * with {@link VipBinder#limitLifetime} binds with IFA_CACHEINFO (what {@code ip -j addr} shows as
 * {@code valid_life_time}), a refresh restarts the countdown, an adopted address gets the
 * lifetime too, and without a refresh the kernel removes the address by itself within the bound
 * documented at {@link RtNetlink#replaceLifetime}: no earlier than 20 ms before {@code refresh +
 * valid}, no later than 1 s after it (plus the workqueue's delay). IPv4 and IPv6. The measured
 * lateness is printed for the record.
 */
@ExtendWith(TestbedExtension.class)
class AddressLifetimeIT {

    static final InterfaceAddress VIP4 = InterfaceAddress.parse("198.51.100.50/24");
    static final InterfaceAddress VIP6 = InterfaceAddress.parse("2001:db8::50/64");
    static final GarpConfig ONE = GarpConfig.keepalivedDefaults().withMasterRepeat(1);

    /** The {@code valid_life_time} and {@code preferred_life_time} {@code ip -j addr} shows for {@code a}, or null. */
    static long[] lifetimes(Node node, InterfaceAddress a) {
        String json = node.addressesJson();
        Matcher m = Pattern.compile("\"local\":\"" + Pattern.quote(a.address().toString()) + "\",\"prefixlen\":"
                + a.prefixLength() + "[^}]*?\"valid_life_time\":(\\d+),\"preferred_life_time\":(\\d+)").matcher(json);
        return m.find() ? new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))} : null;
    }

    @Test
    void bindGivesTheLifetimeIpShowsARefreshRestartsItAndAnAdoptedAddressGetsItToo(Testbed net) throws Exception {
        Node a = net.addNode("a");
        a.ip("addr", "add", "2001:db8::50/64", "dev", "eth0", "nodad"); // left by a previous run: permanent
        assertThat(lifetimes(a, VIP6)).as("forever: " + a.addressesJson()).containsExactly(4294967295L, 4294967295L);
        assertThat(a.ip("addr", "show", "dev", "eth0")).contains("valid_lft forever");
        AtomicInteger seconds = new AtomicInteger(30);
        try (LinuxVipBinder shared = a.call(() -> LinuxVipBinder.open(ONE, GratuitousArp.Form.REQUEST, Clock.system()))) {
            VipBinder view = shared.forRouter();
            assertThat(view.limitLifetime(seconds::get)).as("the Linux binder enforces lifetimes").isTrue();
            List<AddressOutcome> bound = a.call(() -> view.bind("eth0", List.of(VIP4, VIP6)));
            assertThat(bound).containsExactly(new AddressOutcome(VIP4, Outcome.ADDED),
                    new AddressOutcome(VIP6, Outcome.ALREADY_PRESENT));
            for (InterfaceAddress v : List.of(VIP4, VIP6)) {
                long[] l = lifetimes(a, v);
                assertThat(l).as(v + " in " + a.addressesJson()).isNotNull();
                assertThat(l[0]).as("valid_lft of " + v).isBetween(29L, 30L);
                assertThat(l[1]).as("preferred_lft equals valid_lft").isEqualTo(l[0]);
            }
            String shown = a.ip("addr", "show", "dev", "eth0");
            assertThat(shown).as("what an operator sees").containsPattern("198\\.51\\.100\\.50/24[^\\n]*\\n\\s+valid_lft "
                    + "(29|30)sec preferred_lft (29|30)sec").containsPattern("2001:db8::50/64 scope global nodad "
                    + "dynamic[^\\n]*\\n\\s+valid_lft (29|30)sec");

            seconds.set(300);
            a.run(() -> view.refreshLifetime("eth0", List.of(VIP4, VIP6)));
            for (InterfaceAddress v : List.of(VIP4, VIP6)) {
                assertThat(lifetimes(a, v)[0]).as("refreshed " + v).isBetween(299L, 300L);
            }
            assertThat(a.ip("addr", "show", "dev", "eth0")).as("IPv6 keeps nodad across the replace")
                    .contains("2001:db8::50/64 scope global nodad dynamic");

            // the kernel adds back an address that vanished (no NLM_F_CREATE needed)
            a.ip("addr", "del", "198.51.100.50/24", "dev", "eth0");
            a.run(() -> view.refreshLifetime("eth0", List.of(VIP4)));
            assertThat(lifetimes(a, VIP4)).as("re-created by the refresh").isNotNull();

            // seconds 0: permanent, as without an authority
            seconds.set(0);
            a.ip("addr", "del", "198.51.100.50/24", "dev", "eth0");
            a.call(() -> view.bind("eth0", List.of(VIP4)));
            assertThat(a.ip("addr", "show", "dev", "eth0")).containsPattern("198\\.51\\.100\\.50/24[^\\n]*\\n\\s+valid_lft "
                    + "forever");
        }
    }

    @Test
    void aRefreshOnAVanishedInterfaceFailsNamingTheAttempt(Testbed net) throws Exception {
        Node a = net.addNode("a");
        a.ip("link", "add", "vip0", "type", "veth", "peer", "name", "vip1");
        a.ip("link", "set", "vip0", "up");
        try (LinuxVipBinder shared = a.call(() -> LinuxVipBinder.open(ONE, GratuitousArp.Form.REQUEST, Clock.system()))) {
            VipBinder view = shared.forRouter();
            view.limitLifetime(() -> 10);
            a.call(() -> view.bind("vip0", List.of(VIP4)));
            a.ip("link", "del", "vip0");
            assertThatThrownBy(() -> a.run(() -> view.refreshLifetime("vip0", List.of(VIP4))))
                    .hasMessageContaining("198.51.100.50/24").hasMessageContaining("vip0")
                    .hasMessageContaining("does not exist");
        }
    }

    /**
     * A freeze between computing the lifetime and the kernel taking it (simulated: the lifetime
     * supplier returns 300 ms after it was asked): the binder sets the lifetime again, computed
     * after the freeze, so the kernel does not keep the address for the freeze's length longer.
     */
    @Test
    void aLifetimeRequestAnsweredLateIsSentAgainWithAFreshLifetime(Testbed net) throws Exception {
        Node a = net.addNode("a");
        AtomicInteger asked = new AtomicInteger();
        try (LinuxVipBinder shared = a.call(() -> LinuxVipBinder.open(ONE, GratuitousArp.Form.REQUEST, Clock.system()))) {
            VipBinder view = shared.forRouter();
            view.limitLifetime(() -> {
                if (asked.incrementAndGet() % 2 == 1) {
                    try {
                        Thread.sleep(300); // frozen after the lifetime was computed, before it is sent
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return 60;
                }
                return 10;
            });
            a.call(() -> view.bind("eth0", List.of(VIP4, VIP6)));
            assertThat(lifetimes(a, VIP4)[0]).as("bound, then set again after the stall").isBetween(9L, 10L);
            assertThat(lifetimes(a, VIP6)[0]).as("bound, then set again after the stall").isBetween(9L, 10L);
            assertThat(asked.get()).isEqualTo(4);
            a.run(() -> view.refreshLifetime("eth0", List.of(VIP4, VIP6)));
            assertThat(lifetimes(a, VIP4)[0]).as("refreshed, then set again after the stall").isBetween(9L, 10L);
            assertThat(lifetimes(a, VIP6)[0]).as("refreshed, then set again after the stall").isBetween(9L, 10L);
            assertThat(asked.get()).isEqualTo(8);
        }
    }

    /**
     * Binds with a 2 s lifetime, never refreshes, and polls the kernel's addresses every 5 ms:
     * the removal comes no earlier than 20 ms before the lifetime's end and no later than 1 s
     * after it (the kernel's documented lateness) plus 200 ms for the workqueue and this polling
     * on a loaded machine.
     */
    @Test
    void withoutARefreshTheKernelRemovesTheAddressWithinTheDocumentedBound(Testbed net) throws Exception {
        Node a = net.addNode("a");
        List<String> measured = new ArrayList<>();
        try (LinuxVipBinder shared = a.call(() -> LinuxVipBinder.open(ONE, GratuitousArp.Form.REQUEST, Clock.system()))) {
            VipBinder view = shared.forRouter();
            view.limitLifetime(() -> 2);
            for (int round = 0; round < 3; round++) {
                for (InterfaceAddress v : List.of(VIP4, VIP6)) {
                    long[] gone = a.call(() -> {
                        try (RtNetlink nl = RtNetlink.open()) {
                            int index = nl.ifindex("eth0");
                            long t0 = System.nanoTime();
                            view.bind("eth0", List.of(v));
                            long t1 = System.nanoTime();
                            long deadline = t1 + 5_000_000_000L;
                            while (System.nanoTime() < deadline) {
                                long before = System.nanoTime();
                                if (nl.addresses(index).stream().noneMatch(e -> e.address().equals(v))) {
                                    return new long[] {t0, t1, before, System.nanoTime()};
                                }
                                Thread.sleep(5);
                            }
                            return new long[] {t0, t1, -1, -1};
                        }
                    });
                    assertThat(gone[2]).as(v + " still present 5 s after a 2 s lifetime").isNotEqualTo(-1);
                    // earliest possible: the lifetime counted from the request's send (t0); latest: from its ack (t1)
                    long earlyMs = (gone[3] - gone[0]) / 1_000_000 - 2000;
                    long lateMs = (gone[2] - gone[1]) / 1_000_000 - 2000;
                    measured.add(v.family() + " removed " + lateMs + ".." + earlyMs + " ms after the lifetime's end");
                    assertThat(earlyMs).as(v + ": not before the lifetime's end less 20 ms").isGreaterThanOrEqualTo(-20);
                    assertThat(lateMs).as(v + ": within 1 s of the lifetime's end (+200 ms workqueue and polling)")
                            .isLessThanOrEqualTo(1200);
                }
            }
        }
        System.out.println("kernel address expiry (2 s lifetimes): " + measured);
    }
}
