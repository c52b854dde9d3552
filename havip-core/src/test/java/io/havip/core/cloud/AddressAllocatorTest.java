package io.havip.core.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.havip.core.net.Cidr;
import io.havip.core.net.IpAddress;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AddressAllocatorTest {

    private static IpAddress ip(String text) {
        return IpAddress.parse(text);
    }

    @Test
    void handsOutTheLowestFreeAssignableAddress() {
        AddressAllocator a = new AddressAllocator(Cidr.parse("10.0.0.0/24"), CloudPolicies.tencent());
        assertThat(a.allocate("havip-1")).hasToString("10.0.0.2");
        assertThat(a.allocate("havip-2")).hasToString("10.0.0.3");
        assertThat(a.allocate(ip("10.0.0.5"), "havip-5")).hasToString("10.0.0.5");
        assertThat(a.allocate("havip-3")).hasToString("10.0.0.4");
        assertThat(a.allocate("havip-4")).as("skips the requested one").hasToString("10.0.0.6");
        assertThat(a.release(ip("10.0.0.3"))).isTrue();
        assertThat(a.release(ip("10.0.0.3"))).as("already free").isFalse();
        assertThat(a.release(ip("10.0.9.3"))).as("outside").isFalse();
        assertThat(a.allocate("havip-6")).as("reuses the released one").hasToString("10.0.0.3");
        assertThat(a.holderOf(ip("10.0.0.5"))).contains("havip-5");
        assertThat(a.holderOf(ip("10.0.0.9"))).isEmpty();
        assertThat(a.allocations()).hasSize(5).containsEntry(ip("10.0.0.2"), "havip-1");
        assertThat(a.allocations().keySet()).extracting(Object::toString)
                .containsExactly("10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6");
        assertThat(a.assignableCount()).isEqualTo(BigInteger.valueOf(253));
        assertThat(a.freeCount()).isEqualTo(BigInteger.valueOf(248));
    }

    @Test
    void refusesAnAddressOutsideTheSubnetNamingBoth() {
        AddressAllocator a = new AddressAllocator(Cidr.parse("10.0.0.0/24"), CloudPolicies.tencent());
        assertThatThrownBy(() -> a.allocate(ip("10.0.1.5"), "havip-1"))
                .isInstanceOfSatisfying(AllocationRefusedException.OutsideSubnet.class, e -> {
                    assertThat(e.requested()).isEqualTo(ip("10.0.1.5"));
                    assertThat(e.subnet()).isEqualTo(Cidr.parse("10.0.0.0/24"));
                })
                .hasMessage("10.0.1.5 is outside subnet 10.0.0.0/24; request an address inside 10.0.0.0/24 or none to get the lowest free one");
        assertThatThrownBy(() -> a.allocate(ip("2001:db8::5"), "havip-1"))
                .isInstanceOf(AllocationRefusedException.OutsideSubnet.class)
                .hasMessageStartingWith("2001:db8::5 is outside subnet 10.0.0.0/24");
    }

    @Test
    void refusesAReservedAddressNamingTheRule() {
        AddressAllocator a = new AddressAllocator(Cidr.parse("10.0.0.0/24"), CloudPolicies.tencent());
        assertThatThrownBy(() -> a.allocate(ip("10.0.0.1"), "havip-1"))
                .isInstanceOfSatisfying(AllocationRefusedException.Reserved.class,
                        e -> assertThat(e.reservation().rule()).isEqualTo("gateway address"))
                .hasMessage("10.0.0.1 is the gateway address reserved by tencent; choose another address in 10.0.0.0/24");
        assertThatThrownBy(() -> a.allocate(ip("10.0.0.255"), "havip-1"))
                .hasMessage("10.0.0.255 is the broadcast address reserved by tencent; choose another address in 10.0.0.0/24");
        assertThatThrownBy(() -> a.checkAvailable(ip("10.0.0.0")))
                .hasMessage("10.0.0.0 is the network address reserved by tencent; choose another address in 10.0.0.0/24");
    }

    @Test
    void refusesAnAddressInUseNamingTheHolder() {
        AddressAllocator a = new AddressAllocator(Cidr.parse("10.0.0.0/24"), CloudPolicies.aws());
        a.allocate(ip("10.0.0.9"), "havip-web");
        assertThatThrownBy(() -> a.allocate(ip("10.0.0.9"), "havip-db"))
                .isInstanceOfSatisfying(AllocationRefusedException.InUse.class, e -> {
                    assertThat(e.holder()).isEqualTo("havip-web");
                    assertThat(e.address()).isEqualTo(ip("10.0.0.9"));
                })
                .hasMessage("10.0.0.9 is in use by havip-web; release it first or choose another address");
        assertThat(a.holderOf(ip("10.0.0.9"))).contains("havip-web");
    }

    @Test
    void saysWhenTheSubnetIsExhausted() {
        AddressAllocator a = new AddressAllocator(Cidr.parse("10.0.0.0/29"), CloudPolicies.azure());
        List<String> got = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            got.add(a.allocate("h" + i).toString());
        }
        assertThat(got).containsExactly("10.0.0.4", "10.0.0.5", "10.0.0.6");
        assertThatThrownBy(() -> a.allocate("h4"))
                .isInstanceOfSatisfying(AllocationRefusedException.Exhausted.class,
                        e -> assertThat(e.subnet()).isEqualTo(Cidr.parse("10.0.0.0/29")))
                .hasMessage("subnet 10.0.0.0/29 is exhausted: all 3 assignable addresses are in use "
                        + "(8 minus 5 reserved by azure); release one or use a larger subnet");
        a.release(ip("10.0.0.5"));
        assertThat(a.allocate("h5")).hasToString("10.0.0.5");
        assertThatThrownBy(() -> new AddressAllocator(Cidr.parse("10.0.0.0/30"), CloudPolicies.aws()).allocate("x"))
                .isInstanceOf(AllocationRefusedException.Exhausted.class)
                .hasMessageContaining("all 0 assignable addresses");
    }

    @Test
    void refusesMissingArguments() {
        AddressAllocator a = new AddressAllocator(Cidr.parse("10.0.0.0/24"), CloudPolicies.tencent());
        assertThatThrownBy(() -> a.allocate(" ")).hasMessage("an allocation needs a holder (who uses the address), got \" \"");
        assertThatThrownBy(() -> a.allocate(null, "h"))
                .hasMessage("requested address is null; call allocate(holder) for the lowest free one");
        assertThatThrownBy(() -> new AddressAllocator(null, CloudPolicies.aws()))
                .hasMessage("an allocator needs a subnet and a reserved-address policy, got null and aws");
    }

    @Test
    void staysCheapInAnIpv6Slash64() {
        // a walk of the /64 would never finish; the allocator only looks at what is taken
        AddressAllocator a = new AddressAllocator(Cidr.parse("2001:db8::/64"), CloudPolicies.aws());
        assertThat(a.assignableCount()).isEqualTo(BigInteger.ONE.shiftLeft(64).subtract(BigInteger.valueOf(5)));
        assertThat(a.allocate("h")).hasToString("2001:db8::4");
        assertThat(a.allocate(ip("2001:db8::ffff:ffff:ffff:fffe"), "top")).hasToString("2001:db8::ffff:ffff:ffff:fffe");
        assertThatThrownBy(() -> a.allocate(ip("2001:db8::ffff:ffff:ffff:ffff"), "x"))
                .hasMessage("2001:db8::ffff:ffff:ffff:ffff is the last address reserved by aws; choose another address in 2001:db8::/64");
        for (int i = 0; i < 20_000; i++) {
            a.allocate("bulk");
        }
        assertThat(a.allocate("next")).hasToString("2001:db8::4e25");
        a.release(ip("2001:db8::10"));
        assertThat(a.allocate("again")).hasToString("2001:db8::10");
        assertThat(a.freeCount()).isEqualTo(a.assignableCount().subtract(BigInteger.valueOf(20_003)));
    }

    @Test
    void neverHandsOutAnAddressTwiceUnderConcurrentCallers() throws Exception {
        AddressAllocator a = new AddressAllocator(Cidr.parse("10.0.0.0/16"), CloudPolicies.tencent());
        int threads = 16;
        int each = 500;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<IpAddress>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String holder = "t" + t;
                results.add(pool.submit(() -> {
                    start.await();
                    List<IpAddress> mine = new ArrayList<>();
                    for (int i = 0; i < each; i++) {
                        IpAddress got = a.allocate(holder);
                        mine.add(got);
                        if (i % 7 == 0) {
                            a.release(got);
                            mine.remove(mine.size() - 1);
                        }
                    }
                    return mine;
                }));
            }
            start.countDown();
            Set<IpAddress> all = new HashSet<>();
            int count = 0;
            for (Future<List<IpAddress>> f : results) {
                for (IpAddress ip : f.get(60, TimeUnit.SECONDS)) {
                    assertThat(all.add(ip)).as("handed out twice: %s", ip).isTrue();
                    count++;
                }
            }
            assertThat(a.allocations()).hasSize(count);
            assertThat(all).doesNotContain(ip("10.0.0.0"), ip("10.0.0.1"), ip("10.0.255.255"));
            // with everything compacted to the bottom, the lowest free is right after them
            assertThat(a.allocations().keySet().iterator().next()).hasToString("10.0.0.2");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void exactlyOneCallerWinsARequestedAddress() throws Exception {
        AddressAllocator a = new AddressAllocator(Cidr.parse("198.51.100.0/24"), CloudPolicies.openStack());
        int threads = 12;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<String>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String holder = "node-" + t;
                Callable<String> task = () -> {
                    start.await();
                    try {
                        a.allocate(ip("198.51.100.50"), holder);
                        return "won";
                    } catch (AllocationRefusedException.InUse e) {
                        return "lost";
                    }
                };
                results.add(pool.submit(task));
            }
            start.countDown();
            List<String> outcomes = new ArrayList<>();
            for (Future<String> f : results) {
                outcomes.add(f.get(60, TimeUnit.SECONDS));
            }
            assertThat(outcomes).containsOnlyOnce("won").hasSize(threads);
        } finally {
            pool.shutdownNow();
        }
    }
}
