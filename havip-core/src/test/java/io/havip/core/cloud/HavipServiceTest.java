package io.havip.core.cloud;

import static io.havip.core.cloud.Fixture.T0;
import static io.havip.core.cloud.Fixture.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.havip.core.cloud.HavipEvent.Applied;
import io.havip.core.cloud.HavipEvent.Deleted;
import io.havip.core.cloud.HavipEvent.EipAssociated;
import io.havip.core.cloud.HavipEvent.EipDisassociated;
import io.havip.core.cloud.HavipEvent.HolderChanged;
import io.havip.core.cloud.HavipEvent.InstanceBound;
import io.havip.core.cloud.HavipEvent.InstanceUnbound;
import io.havip.core.cloud.HavipEvent.StatusChanged;
import io.havip.core.cloud.HavipEvent.Updated;
import io.havip.core.cloud.HavipRefusedException.Reason;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class HavipServiceTest {

    private final Fixture f = new Fixture();
    private final HavipService service = f.service;

    private static void assertRefused(ThrowingCallable call, Reason reason, String message) {
        assertThatThrownBy(call).isInstanceOfSatisfying(HavipRefusedException.class, e -> assertThat(e.reason()).isEqualTo(reason))
                .hasMessage(message);
    }

    @Test
    void appliesWithTheLowestFreeAddressOrARequestedOne() {
        HavipResource web = service.apply(ApplyRequest.intranet("web", "vpc-a", "subnet-a").withRemark("nginx pair"));
        assertThat(web.id()).isEqualTo("havip-1");
        assertThat(web.address()).hasToString("10.0.0.2");
        assertThat(web.status()).isEqualTo(HavipStatus.AVAILABLE);
        assertThat(web.type()).isEqualTo(HavipType.INTRANET_IPV4);
        assertThat(web.remark()).isEqualTo("nginx pair");
        assertThat(web.createdAt()).isEqualTo(T0);
        assertThat(web.boundInstanceIds()).isEmpty();
        assertThat(web.holder()).isEmpty();
        assertThat(web.eip()).isEmpty();

        f.clock.advance(Duration.ofMinutes(1));
        HavipResource db = service.apply(ApplyRequest.intranet("db", "vpc-a", "subnet-a").withAddress(ip("10.0.0.50")));
        assertThat(db.address()).hasToString("10.0.0.50");
        assertThat(db.createdAt()).isEqualTo(T0.plusSeconds(60));
        HavipResource v6 = service.apply(ApplyRequest.intranet("v6", "vpc-a", "subnet-a").withType(HavipType.EXTRANET_IPV6));
        assertThat(v6.address()).as("tencent: network and first host reserved").hasToString("2001:db8:a::2");
        HavipResource ext = service.apply(ApplyRequest.intranet("ext", "vpc-a", "subnet-a").withType(HavipType.EXTRANET_IPV4));
        assertThat(ext.address()).hasToString("10.0.0.3");
        // the same address in another VPC is a different HAVIP
        assertThat(service.apply(ApplyRequest.intranet("c", "vpc-b", "subnet-c")).address()).hasToString("10.0.0.2");

        assertThat(service.get("havip-2")).contains(db);
        assertThat(service.get("havip-99")).isEmpty();
        assertThat(f.events).hasSize(5).first().isEqualTo(new Applied(web, T0));
    }

    @Test
    void refusesBadApplications() {
        service.apply(ApplyRequest.intranet("taken", "vpc-a", "subnet-a").withAddress(ip("10.0.0.9")));
        assertRefused(() -> service.apply(ApplyRequest.intranet(" ", "vpc-a", "subnet-a")), Reason.INVALID_REQUEST,
                "a HAVIP needs a name; give one such as \"web-vip\"");
        assertRefused(() -> service.apply(null), Reason.INVALID_REQUEST, "the apply request is null");
        assertRefused(() -> service.apply(ApplyRequest.intranet("x", "vpc-a", "subnet-a").withType(null)), Reason.INVALID_REQUEST,
                "cannot apply for HAVIP \"x\": the type is missing (INTRANET_IPV4, EXTRANET_IPV4 or EXTRANET_IPV6)");
        assertRefused(() -> service.apply(ApplyRequest.intranet("x", "vpc-z", "subnet-a")), Reason.NOT_FOUND,
                "cannot apply for HAVIP \"x\": VPC vpc-z does not exist");
        assertRefused(() -> service.apply(ApplyRequest.intranet("x", "vpc-a", "subnet-z")), Reason.NOT_FOUND,
                "cannot apply for HAVIP \"x\": subnet subnet-z does not exist");
        assertRefused(() -> service.apply(ApplyRequest.intranet("x", "vpc-b", "subnet-a")), Reason.WRONG_NETWORK,
                "cannot apply for HAVIP \"x\": subnet subnet-a belongs to vpc-a, not vpc-b");
        assertRefused(() -> service.apply(ApplyRequest.intranet("x", "vpc-a", "subnet-b").withType(HavipType.EXTRANET_IPV6)),
                Reason.INVALID_REQUEST, "cannot apply for HAVIP \"x\": subnet subnet-b has no IPv6 CIDR, which an EXTRANET_IPV6 HAVIP needs");
        assertRefused(() -> service.apply(ApplyRequest.intranet("x", "vpc-a", "subnet-a").withAddress(ip("2001:db8:a::9"))),
                Reason.INVALID_REQUEST, "cannot apply for HAVIP \"x\": 2001:db8:a::9 is IPv6 but an INTRANET_IPV4 HAVIP needs an IPv4 address");
        assertThatThrownBy(() -> service.apply(ApplyRequest.intranet("x", "vpc-a", "subnet-a").withAddress(ip("10.0.0.1"))))
                .isInstanceOfSatisfying(HavipRefusedException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.ADDRESS_REFUSED);
                    assertThat(e.getCause()).isInstanceOf(AllocationRefusedException.Reserved.class);
                })
                .hasMessage("cannot apply for HAVIP \"x\": 10.0.0.1 is the gateway address reserved by tencent; "
                        + "choose another address in 10.0.0.0/24");
        assertRefused(() -> service.apply(ApplyRequest.intranet("x", "vpc-a", "subnet-a").withAddress(ip("10.0.1.9"))),
                Reason.ADDRESS_REFUSED, "cannot apply for HAVIP \"x\": 10.0.1.9 is outside subnet 10.0.0.0/24; "
                        + "request an address inside 10.0.0.0/24 or none to get the lowest free one");
        assertRefused(() -> service.apply(ApplyRequest.intranet("x", "vpc-a", "subnet-a").withAddress(ip("10.0.0.9"))),
                Reason.ADDRESS_REFUSED, "cannot apply for HAVIP \"x\": 10.0.0.9 is in use by havip-1; "
                        + "release it first or choose another address");
        assertThat(service.list()).hasSize(1);
        assertThat(f.events).hasSize(1);
    }

    @Test
    void saysWhenTheSubnetIsExhausted() {
        Fixture small = new Fixture();
        small.inventory.add(new Vpc("vpc-s", io.havip.core.net.Cidr.parse("198.51.100.0/24")))
                .add(new Subnet("subnet-s", "vpc-s", io.havip.core.net.Cidr.parse("198.51.100.0/30")));
        small.service.apply(ApplyRequest.intranet("only", "vpc-s", "subnet-s"));
        assertRefused(() -> small.service.apply(ApplyRequest.intranet("more", "vpc-s", "subnet-s")), Reason.ADDRESS_REFUSED,
                "cannot apply for HAVIP \"more\": subnet 198.51.100.0/30 is exhausted: all 1 assignable addresses are in use "
                        + "(4 minus 3 reserved by tencent); release one or use a larger subnet");
    }

    @Test
    void listsWithFuzzySearchOldestFirst() {
        service.apply(ApplyRequest.intranet("Web-Frontend", "vpc-a", "subnet-a").withRemark("nginx pair"));
        f.clock.advance(Duration.ofSeconds(1));
        service.apply(ApplyRequest.intranet("mysql", "vpc-a", "subnet-a").withRemark("primary/replica").withAddress(ip("10.0.0.77")));
        f.clock.advance(Duration.ofSeconds(1));
        service.apply(ApplyRequest.intranet("redis", "vpc-a", "subnet-a").withType(HavipType.EXTRANET_IPV6));

        assertThat(service.list()).extracting(HavipResource::name).containsExactly("Web-Frontend", "mysql", "redis");
        assertThat(service.list("")).hasSize(3);
        assertThat(service.list(null)).hasSize(3);
        assertThat(service.list("web")).extracting(HavipResource::name).containsExactly("Web-Frontend");
        assertThat(service.list("NGINX")).extracting(HavipResource::name).as("remark, any case").containsExactly("Web-Frontend");
        assertThat(service.list("havip-2")).extracting(HavipResource::name).as("id").containsExactly("mysql");
        assertThat(service.list("10.0.0.77")).extracting(HavipResource::name).as("address").containsExactly("mysql");
        assertThat(service.list("2001:db8")).extracting(HavipResource::name).containsExactly("redis");
        assertThat(service.list("10.0.0.")).extracting(HavipResource::name).containsExactly("Web-Frontend", "mysql");
        assertThat(service.list("  replica   mysql ")).extracting(HavipResource::name).as("every word, any order").containsExactly("mysql");
        assertThat(service.list("replica redis")).isEmpty();
    }

    @Test
    void updatesNameAndRemarkInAnyStatus() {
        HavipResource h = f.apply("web");
        f.clock.advance(Duration.ofSeconds(5));
        HavipResource renamed = service.update(h.id(), "web-vip", "front");
        assertThat(renamed.name()).isEqualTo("web-vip");
        assertThat(renamed.remark()).isEqualTo("front");
        assertThat(f.events).last().isEqualTo(new Updated(h.id(), "web", "web-vip", "", "front", T0.plusSeconds(5)));
        int before = f.events.size();
        assertThat(service.update(h.id(), "web-vip", "front")).as("no change, no event").isEqualTo(renamed);
        assertThat(f.events).hasSize(before);

        service.markFailed(h.id());
        assertThat(service.update(h.id(), "failed-web", null).remark()).isEmpty();
        f.store.put(service.get(h.id()).orElseThrow().withStatus(HavipStatus.DELETING));
        assertThat(service.update(h.id(), "going", "away").name()).isEqualTo("going");

        assertRefused(() -> service.update(h.id(), "", "x"), Reason.INVALID_REQUEST,
                "cannot rename havip-1: a HAVIP needs a name; keep \"going\" or give another");
        assertRefused(() -> service.update("havip-9", "n", "r"), Reason.NOT_FOUND, "HAVIP havip-9 does not exist");
    }

    @Test
    void movesBetweenAvailableAndFailed() {
        HavipResource h = f.apply("web");
        assertThat(service.markFailed(h.id()).status()).isEqualTo(HavipStatus.FAILED);
        assertThat(service.markFailed(h.id()).status()).as("idempotent").isEqualTo(HavipStatus.FAILED);
        assertThat(service.markAvailable(h.id()).status()).isEqualTo(HavipStatus.AVAILABLE);
        assertThat(f.events).filteredOn(StatusChanged.class::isInstance).containsExactly(
                new StatusChanged(h.id(), HavipStatus.AVAILABLE, HavipStatus.FAILED, T0),
                new StatusChanged(h.id(), HavipStatus.FAILED, HavipStatus.AVAILABLE, T0));
        f.store.put(service.get(h.id()).orElseThrow().withStatus(HavipStatus.DELETING));
        assertRefused(() -> service.markFailed(h.id()), Reason.WRONG_STATUS,
                "cannot mark havip-1 FAILED: it is DELETING, and only a AVAILABLE HAVIP can become FAILED");
    }

    @Test
    void bindsAndUnbindsInstancesOfTheSameSubnet() {
        HavipResource h = f.apply("web");
        service.bind(h.id(), "ins-1");
        f.clock.advance(Duration.ofSeconds(1));
        HavipResource two = service.bind(h.id(), "ins-2");
        assertThat(two.boundInstanceIds()).containsExactly("ins-1", "ins-2");
        assertThat(service.bind(h.id(), "ins-2")).as("already bound: nothing changes").isEqualTo(two);
        HavipResource one = service.unbind(h.id(), "ins-1");
        assertThat(one.boundInstanceIds()).containsExactly("ins-2");
        assertThat(f.events).filteredOn(e -> !(e instanceof Applied)).containsExactly(
                new InstanceBound(h.id(), "ins-1", T0),
                new InstanceBound(h.id(), "ins-2", T0.plusSeconds(1)),
                new InstanceUnbound(h.id(), "ins-1", T0.plusSeconds(1)));

        assertRefused(() -> service.bind(h.id(), "ins-b1"), Reason.WRONG_NETWORK,
                "cannot bind ins-b1 to havip-1: ins-b1 is in subnet subnet-b but havip-1 is in subnet subnet-a; "
                        + "bind an instance of the same subnet");
        assertRefused(() -> service.bind(h.id(), "ins-c1"), Reason.WRONG_NETWORK,
                "cannot bind ins-c1 to havip-1: ins-c1 is in vpc-b but havip-1 is in vpc-a; bind an instance of the same VPC and subnet");
        assertRefused(() -> service.bind(h.id(), "ins-9"), Reason.NOT_FOUND,
                "cannot bind ins-9 to havip-1: instance ins-9 does not exist");
        assertRefused(() -> service.bind("havip-9", "ins-1"), Reason.NOT_FOUND, "HAVIP havip-9 does not exist");
        assertRefused(() -> service.unbind(h.id(), "ins-3"), Reason.NOT_BOUND,
                "cannot unbind ins-3 from havip-1: it is not bound (bound: [ins-2])");
        service.markFailed(h.id());
        assertRefused(() -> service.bind(h.id(), "ins-3"), Reason.WRONG_STATUS,
                "cannot bind ins-3 to havip-1: havip-1 is FAILED; only an AVAILABLE HAVIP takes new instances");
    }

    @Test
    void enforcesThreeInstancesPerHavipByDefault() {
        HavipResource h = f.apply("web");
        service.bind(h.id(), "ins-1");
        service.bind(h.id(), "ins-2");
        service.bind(h.id(), "ins-3");
        assertRefused(() -> service.bind(h.id(), "ins-4"), Reason.INSTANCES_PER_HAVIP_LIMIT,
                "cannot bind ins-4 to havip-1: havip-1 already has 3 bound instances [ins-1, ins-2, ins-3], "
                        + "the limit per HAVIP (maxInstancesPerHavip = 3); unbind one first");
        service.unbind(h.id(), "ins-2");
        assertThat(service.bind(h.id(), "ins-4").boundInstanceIds()).containsExactly("ins-1", "ins-3", "ins-4");
    }

    @Test
    void enforcesFiveHavipsPerInstanceByDefault() {
        for (int i = 1; i <= 5; i++) {
            service.bind(f.apply("h" + i).id(), "ins-1");
        }
        HavipResource sixth = f.apply("h6");
        assertRefused(() -> service.bind(sixth.id(), "ins-1"), Reason.HAVIPS_PER_INSTANCE_LIMIT,
                "cannot bind ins-1 to havip-6: ins-1 is already bound to 5 HAVIPs [havip-1, havip-2, havip-3, havip-4, havip-5], "
                        + "the limit per instance (maxHavipsPerInstance = 5); unbind it from one first");
        assertThat(service.bind(sixth.id(), "ins-2").boundInstanceIds()).containsExactly("ins-2");
    }

    @Test
    void limitsAreConfigurable() {
        Fixture custom = new Fixture(new HavipLimits(1, 2));
        HavipResource a = custom.apply("a");
        HavipResource b = custom.apply("b");
        HavipResource c = custom.apply("c");
        custom.service.bind(a.id(), "ins-1");
        assertThatThrownBy(() -> custom.service.bind(a.id(), "ins-2"))
                .hasMessageContaining("the limit per HAVIP (maxInstancesPerHavip = 1)");
        custom.service.bind(b.id(), "ins-1");
        assertThatThrownBy(() -> custom.service.bind(c.id(), "ins-1"))
                .hasMessageContaining("the limit per instance (maxHavipsPerInstance = 2)");
        assertThatThrownBy(() -> new HavipLimits(0, 5))
                .hasMessage("binding limits must be at least 1, got maxInstancesPerHavip=0, maxHavipsPerInstance=5");
    }

    @Test
    void associatesOneEipAtATime() {
        HavipResource h = f.apply("web");
        HavipResource other = f.apply("db");
        HavipResource withEip = service.associateEip(h.id(), ip("203.0.113.10"));
        assertThat(withEip.eip()).contains(ip("203.0.113.10"));
        assertThat(service.associateEip(h.id(), ip("203.0.113.10"))).as("same EIP again").isEqualTo(withEip);
        assertRefused(() -> service.associateEip(h.id(), ip("203.0.113.11")), Reason.EIP_CONFLICT,
                "cannot associate EIP 203.0.113.11 with havip-1: havip-1 already has EIP 203.0.113.10; disassociate it first");
        assertRefused(() -> service.associateEip(other.id(), ip("203.0.113.10")), Reason.EIP_CONFLICT,
                "cannot associate EIP 203.0.113.10 with havip-2: it is associated with havip-1; disassociate it there first");
        assertRefused(() -> service.associateEip(other.id(), null), Reason.INVALID_REQUEST,
                "cannot associate an EIP with havip-2: the EIP is missing");
        assertThat(service.disassociateEip(h.id()).eip()).isEmpty();
        assertRefused(() -> service.disassociateEip(h.id()), Reason.EIP_CONFLICT,
                "cannot disassociate the EIP of havip-1: it has none");
        assertThat(service.associateEip(other.id(), ip("203.0.113.10")).eip()).contains(ip("203.0.113.10"));
        service.markFailed(h.id());
        assertRefused(() -> service.associateEip(h.id(), ip("203.0.113.12")), Reason.WRONG_STATUS,
                "cannot associate EIP 203.0.113.12 with havip-1: havip-1 is FAILED; only an AVAILABLE HAVIP takes an EIP");
        assertThat(f.events).filteredOn(e -> e instanceof EipAssociated || e instanceof EipDisassociated).containsExactly(
                new EipAssociated(h.id(), ip("203.0.113.10"), T0),
                new EipDisassociated(h.id(), ip("203.0.113.10"), T0),
                new EipAssociated(other.id(), ip("203.0.113.10"), T0));
    }

    @Test
    void deletesAfterUnbindingAndFreesTheAddress() {
        HavipResource h = f.apply("web");
        service.bind(h.id(), "ins-1");
        service.bind(h.id(), "ins-2");
        service.associateEip(h.id(), ip("203.0.113.10"));
        service.onAnnouncement(new ArpAnnouncement(h.address(), Fixture.mac(2), "subnet-a", T0));
        f.events.clear();
        f.clock.advance(Duration.ofSeconds(30));
        Instant at = T0.plusSeconds(30);

        service.delete(h.id());

        assertThat(service.get(h.id())).isEmpty();
        assertThat(f.events).containsExactly(
                new StatusChanged(h.id(), HavipStatus.AVAILABLE, HavipStatus.DELETING, at),
                new InstanceUnbound(h.id(), "ins-1", at),
                new InstanceUnbound(h.id(), "ins-2", at),
                new HolderChanged(h.id(), Optional.of("ins-2"), Optional.empty(), at),
                new EipDisassociated(h.id(), ip("203.0.113.10"), at),
                new Deleted(h.id(), ip("10.0.0.2"), at));
        assertThat(f.apply("again").address()).as("address freed").hasToString("10.0.0.2");
        assertThat(service.associateEip("havip-2", ip("203.0.113.10")).eip()).as("EIP freed").isPresent();
        // the instances may be bound elsewhere again
        assertThat(service.bind("havip-2", "ins-1").boundInstanceIds()).containsExactly("ins-1");
    }

    @Test
    void deletesOnlyAvailableOrFailed() {
        HavipResource failed = f.apply("failed");
        service.markFailed(failed.id());
        service.delete(failed.id());
        assertThat(service.get(failed.id())).isEmpty();

        HavipResource stuck = f.apply("stuck");
        f.store.put(stuck.withStatus(HavipStatus.DELETING));
        assertRefused(() -> service.delete(stuck.id()), Reason.WRONG_STATUS,
                "cannot delete havip-2: it is already DELETING; only an AVAILABLE or FAILED HAVIP can be deleted");
        assertRefused(() -> service.delete("havip-9"), Reason.NOT_FOUND, "HAVIP havip-9 does not exist");
    }

    @Test
    void batchDeleteReportsEachItem() {
        HavipResource a = f.apply("a");
        HavipResource b = f.apply("b");
        f.store.put(b.withStatus(HavipStatus.DELETING));
        HavipResource c = f.apply("c");

        List<DeleteResult> results = service.deleteAll(List.of(a.id(), b.id(), "havip-9", c.id(), a.id()));

        assertThat(results).extracting(DeleteResult::havipId).containsExactly("havip-1", "havip-2", "havip-9", "havip-3", "havip-1");
        assertThat(results).extracting(DeleteResult::deleted).containsExactly(true, false, false, true, false);
        assertThat(results.get(1).refusal().orElseThrow().reason()).isEqualTo(Reason.WRONG_STATUS);
        assertThat(results.get(2).refusal().orElseThrow()).hasMessage("HAVIP havip-9 does not exist");
        assertThat(results.get(4).refusal().orElseThrow().reason()).as("already deleted in this batch").isEqualTo(Reason.NOT_FOUND);
        assertThat(service.list()).extracting(HavipResource::id).containsExactly("havip-2");
    }

    @Test
    void recoversAllocationsFromAnExistingStore() {
        HavipResource h = f.apply("web");
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger(100);
        HavipService restarted = HavipService.builder(f.inventory).store(f.store).clock(f.clock)
                .ids(() -> "havip-" + n.getAndIncrement()).build();
        assertThat(restarted.apply(ApplyRequest.intranet("next", "vpc-a", "subnet-a")).address()).hasToString("10.0.0.3");
        HavipService stuckIds = HavipService.builder(f.inventory).store(f.store).ids(() -> "havip-1").build();
        assertThatThrownBy(() -> stuckIds.apply(ApplyRequest.intranet("x", "vpc-a", "subnet-a")))
                .hasMessage("the id generator gave 100 ids in a row that are already in use");
        assertThatThrownBy(() -> restarted.apply(ApplyRequest.intranet("dup", "vpc-a", "subnet-a").withAddress(h.address())))
                .hasMessageContaining("10.0.0.2 is in use by havip-1");

        InMemoryHavipStore broken = new InMemoryHavipStore();
        broken.put(HavipResource.create("havip-x", "x", "", "vpc-a", "subnet-a", HavipType.INTRANET_IPV4, ip("10.0.0.1"), T0));
        assertThatThrownBy(() -> HavipService.builder(f.inventory).store(broken).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the store holds HAVIP havip-x at an address it cannot have: "
                        + "10.0.0.1 is the gateway address reserved by tencent; choose another address in 10.0.0.0/24");
    }

    @Test
    void listenersHearEventsInOrderOutsideTheLockAndSurviveFailures() throws Exception {
        List<String> seen = new ArrayList<>();
        service.subscribe(e -> {
            throw new IllegalStateException("a broken listener");
        });
        AutoCloseable sub = service.subscribe(e -> {
            seen.add(e.getClass().getSimpleName());
            // a listener may call back; its events come after this one, not nested
            if (e instanceof Applied a) {
                service.update(a.havipId(), "renamed", "by listener");
                seen.add("update returned");
            }
        });
        f.apply("web");
        assertThat(seen).containsExactly("Applied", "update returned", "Updated");
        sub.close();
        service.markFailed("havip-1");
        assertThat(seen).hasSize(3);
        assertThat(f.events).hasSize(3);
        assertThatThrownBy(() -> service.subscribe(null)).hasMessage("listener is null");
    }

    @Test
    void concurrentAppliesGetDistinctAddressesAndOneEventEach() throws Exception {
        Set<String> ids = java.util.concurrent.ConcurrentHashMap.newKeySet();
        HavipService s = HavipService.builder(f.inventory).clock(f.clock).build();
        List<HavipEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        s.subscribe(events::add);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<HavipResource>> futures = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                String name = "h" + i;
                futures.add(pool.submit(() -> {
                    start.await();
                    return s.apply(ApplyRequest.intranet(name, "vpc-a", "subnet-a").withType(HavipType.EXTRANET_IPV6));
                }));
            }
            start.countDown();
            Set<String> addresses = new HashSet<>();
            for (Future<HavipResource> fut : futures) {
                HavipResource h = fut.get(60, TimeUnit.SECONDS);
                assertThat(addresses.add(h.address().toString())).isTrue();
                assertThat(ids.add(h.id())).isTrue();
                assertThat(h.id()).matches("havip-[a-z0-9]{8}");
            }
            assertThat(events).hasSize(200).allMatch(Applied.class::isInstance);
        } finally {
            pool.shutdownNow();
        }
    }
}
