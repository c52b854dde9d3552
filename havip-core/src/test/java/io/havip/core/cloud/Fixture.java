package io.havip.core.cloud;

import io.havip.core.Clock;
import io.havip.core.ManualClock;
import io.havip.core.net.Cidr;
import io.havip.core.net.IpAddress;
import io.havip.core.net.MacAddress;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Two VPCs: vpc-a (10.0.0.0/16) with dual-stack subnet-a (10.0.0.0/24, 2001:db8:a::/64) and
 * subnet-b (10.0.1.0/24); vpc-b reusing 10.0.0.0/16 with subnet-c. Instances ins-1..ins-6 in
 * subnet-a (MAC 02:00:00:00:00:0N), ins-b1 in subnet-b, ins-c1 in vpc-b.
 */
final class Fixture {

    static final Instant T0 = Instant.parse("2024-05-01T08:00:00Z");

    final ManualClock clock = Clock.manual(T0);
    final InMemoryInventory inventory = new InMemoryInventory();
    final InMemoryHavipStore store = new InMemoryHavipStore();
    final List<HavipEvent> events = new CopyOnWriteArrayList<>();
    private final AtomicInteger next = new AtomicInteger(1);
    final HavipService service;

    Fixture() {
        this(HavipLimits.DEFAULT);
    }

    Fixture(HavipLimits limits) {
        inventory.add(new Vpc("vpc-a", Cidr.parse("10.0.0.0/16")))
                .add(new Vpc("vpc-b", Cidr.parse("10.0.0.0/16")))
                .add(new Subnet("subnet-a", "vpc-a", Cidr.parse("10.0.0.0/24"), Optional.of(Cidr.parse("2001:db8:a::/64"))))
                .add(new Subnet("subnet-b", "vpc-a", Cidr.parse("10.0.1.0/24")))
                .add(new Subnet("subnet-c", "vpc-b", Cidr.parse("10.0.0.0/24")));
        for (int i = 1; i <= 6; i++) {
            inventory.add(new Instance("ins-" + i, "vpc-a", "subnet-a", Set.of(mac(i))));
        }
        inventory.add(new Instance("ins-b1", "vpc-a", "subnet-b", Set.of(MacAddress.parse("02:00:00:00:0b:01"))));
        inventory.add(new Instance("ins-c1", "vpc-b", "subnet-c", Set.of(MacAddress.parse("02:00:00:00:0c:01"))));
        service = HavipService.builder(inventory).store(store).clock(clock).limits(limits)
                .ids(() -> "havip-" + next.getAndIncrement()).build();
        service.subscribe(events::add);
    }

    static MacAddress mac(int instance) {
        return MacAddress.parse(String.format("02:00:00:00:00:%02x", instance));
    }

    static IpAddress ip(String text) {
        return IpAddress.parse(text);
    }

    HavipResource apply(String name) {
        return service.apply(ApplyRequest.intranet(name, "vpc-a", "subnet-a"));
    }
}
