package io.havip.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.havip.core.Clock;
import io.havip.core.ManualClock;
import io.havip.core.cloud.AnnouncementOutcome.Accepted;
import io.havip.core.cloud.AnnouncementOutcome.IgnoreReason;
import io.havip.core.cloud.AnnouncementOutcome.Ignored;
import io.havip.core.cloud.ApplyRequest;
import io.havip.core.cloud.ArpAnnouncement;
import io.havip.core.cloud.DeleteResult;
import io.havip.core.cloud.HavipResource;
import io.havip.core.cloud.HavipEvent;
import io.havip.core.cloud.HavipLimits;
import io.havip.core.cloud.HavipPage;
import io.havip.core.cloud.HavipQuery;
import io.havip.core.cloud.HavipRefusedException;
import io.havip.core.cloud.HavipRefusedException.Reason;
import io.havip.core.cloud.HavipService;
import io.havip.core.cloud.HavipStatus;
import io.havip.core.cloud.HavipStore;
import io.havip.core.cloud.HavipType;
import io.havip.core.cloud.InMemoryInventory;
import io.havip.core.cloud.Instance;
import io.havip.core.cloud.Subnet;
import io.havip.core.cloud.Vpc;
import io.havip.core.net.Cidr;
import io.havip.core.net.IpAddress;
import io.havip.core.net.MacAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link HavipStore} must do under {@link HavipService}: the same answers, refusals
 * and events on each store, and the state kept across a second service over the same store
 * (a restart, another instance). Subclasses give a fresh, empty store per test.
 */
abstract class HavipStoreContract {

    static final Instant T0 = Instant.parse("2024-05-01T08:00:00Z");

    final ManualClock clock = Clock.manual(T0);
    final InMemoryInventory inventory = new InMemoryInventory();
    final List<HavipEvent> events = new CopyOnWriteArrayList<>();
    final AtomicInteger nextId = new AtomicInteger(1);
    HavipStore store;
    HavipService service;

    /** A new, empty store for one test. */
    abstract HavipStore newStore();

    @BeforeEach
    void setUp() {
        inventory.add(new Vpc("vpc-a", Cidr.parse("10.0.0.0/16")))
                .add(new Subnet("subnet-a", "vpc-a", Cidr.parse("10.0.0.0/24"), Optional.of(Cidr.parse("2001:db8:a::/64"))))
                .add(new Subnet("subnet-b", "vpc-a", Cidr.parse("10.0.1.0/24")))
                .add(new Subnet("subnet-s", "vpc-a", Cidr.parse("10.0.2.0/30")));
        for (int i = 1; i <= 6; i++) {
            inventory.add(new Instance("ins-" + i, "vpc-a", "subnet-a", Set.of(mac(i))));
        }
        store = newStore();
        service = newService();
        service.subscribe(events::add);
    }

    HavipService newService() {
        return HavipService.builder(inventory).store(store).clock(clock).limits(new HavipLimits(2, 2))
                .ids(() -> "havip-" + nextId.getAndIncrement()).build();
    }

    static MacAddress mac(int i) {
        return MacAddress.parse(String.format("02:00:00:00:00:%02x", i));
    }

    static IpAddress ip(String s) {
        return IpAddress.parse(s);
    }

    HavipResource apply(String name) {
        return service.apply(ApplyRequest.intranet(name, "vpc-a", "subnet-a"));
    }

    static void assertRefused(ThrowingCallable call, Reason reason, String message) {
        assertThatThrownBy(call).isInstanceOfSatisfying(HavipRefusedException.class, e -> assertThat(e.reason()).isEqualTo(reason))
                .hasMessage(message);
    }

    @Test
    void allocatesTheLowestFreeOrTheRequestedAddressAndRefusesTheRest() {
        assertThat(apply("a").address()).hasToString("10.0.0.2");
        assertThat(service.apply(ApplyRequest.intranet("b", "vpc-a", "subnet-a").withAddress(ip("10.0.0.9"))).address())
                .hasToString("10.0.0.9");
        assertThat(service.apply(ApplyRequest.intranet("v6", "vpc-a", "subnet-a").withType(HavipType.EXTRANET_IPV6)).address())
                .hasToString("2001:db8:a::2");
        assertThat(apply("c").address()).hasToString("10.0.0.3");
        assertRefused(() -> service.apply(ApplyRequest.intranet("x", "vpc-a", "subnet-a").withAddress(ip("10.0.0.9"))),
                Reason.ADDRESS_REFUSED, "cannot apply for HAVIP \"x\": 10.0.0.9 is in use by havip-2; "
                        + "release it first or choose another address");
        assertRefused(() -> service.apply(ApplyRequest.intranet("x", "vpc-a", "subnet-a").withAddress(ip("10.0.0.255"))),
                Reason.ADDRESS_REFUSED, "cannot apply for HAVIP \"x\": 10.0.0.255 is the broadcast address reserved by tencent; "
                        + "choose another address in 10.0.0.0/24");
        service.apply(ApplyRequest.intranet("only", "vpc-a", "subnet-s"));
        assertRefused(() -> service.apply(ApplyRequest.intranet("more", "vpc-a", "subnet-s")), Reason.ADDRESS_REFUSED,
                "cannot apply for HAVIP \"more\": subnet 10.0.2.0/30 is exhausted: all 1 assignable addresses are in use "
                        + "(4 minus 3 reserved by tencent); release one or use a larger subnet");
        assertThat(events).hasSize(5).allMatch(HavipEvent.Applied.class::isInstance);
    }

    @Test
    void aSecondServiceOverTheSameStoreSeesEverything() {
        HavipResource a = apply("web");
        service.bind(a.id(), "ins-1");
        service.associateEip(a.id(), ip("203.0.113.10"));
        service.onAnnouncement(new ArpAnnouncement(a.address(), mac(1), "subnet-a", T0.plusSeconds(1)));
        HavipResource stored = service.get(a.id()).orElseThrow();

        HavipService other = newService();
        assertThat(other.get(a.id())).contains(stored);
        assertThat(stored.holder()).contains("ins-1");
        assertThat(stored.holderSince()).contains(T0.plusSeconds(1));
        assertThat(stored.eip()).contains(ip("203.0.113.10"));
        assertThat(other.apply(ApplyRequest.intranet("next", "vpc-a", "subnet-a")).address()).hasToString("10.0.0.3");
        assertRefused(() -> other.associateEip("havip-2", ip("203.0.113.10")), Reason.EIP_CONFLICT,
                "cannot associate EIP 203.0.113.10 with havip-2: it is associated with havip-1; disassociate it there first");
        assertThat(other.list()).extracting(HavipResource::id).containsExactly("havip-1", "havip-2");
    }

    @Test
    void bindsWithinTheLimitsAndUnbinds() {
        HavipResource a = apply("a");
        HavipResource b = apply("b");
        HavipResource c = apply("c");
        service.bind(a.id(), "ins-1");
        assertThat(service.bind(a.id(), "ins-2").boundInstanceIds()).containsExactly("ins-1", "ins-2");
        assertThat(service.bind(a.id(), "ins-2").boundInstanceIds()).as("again: no change").containsExactly("ins-1", "ins-2");
        assertRefused(() -> service.bind(a.id(), "ins-3"), Reason.INSTANCES_PER_HAVIP_LIMIT,
                "cannot bind ins-3 to havip-1: havip-1 already has 2 bound instances [ins-1, ins-2], the limit per HAVIP "
                        + "(maxInstancesPerHavip = 2); unbind one first");
        service.bind(b.id(), "ins-1");
        assertRefused(() -> service.bind(c.id(), "ins-1"), Reason.HAVIPS_PER_INSTANCE_LIMIT,
                "cannot bind ins-1 to havip-3: ins-1 is already bound to 2 HAVIPs [havip-1, havip-2], the limit per instance "
                        + "(maxHavipsPerInstance = 2); unbind it from one first");
        assertThat(service.unbind(a.id(), "ins-1").boundInstanceIds()).containsExactly("ins-2");
        assertThat(service.bind(c.id(), "ins-1").boundInstanceIds()).containsExactly("ins-1");
        assertRefused(() -> service.unbind(a.id(), "ins-5"), Reason.NOT_BOUND,
                "cannot unbind ins-5 from havip-1: it is not bound (bound: [ins-2])");
        assertRefused(() -> service.bind("havip-9", "ins-1"), Reason.NOT_FOUND, "HAVIP havip-9 does not exist");
        assertThat(service.get(a.id()).orElseThrow().boundInstanceIds()).containsExactly("ins-2");
    }

    @Test
    void deletesInOneStepAndFreesAddressAndEip() {
        HavipResource a = apply("a");
        service.bind(a.id(), "ins-1");
        service.bind(a.id(), "ins-2");
        service.associateEip(a.id(), ip("203.0.113.10"));
        HavipResource b = apply("b");
        service.markFailed(b.id());
        events.clear();
        clock.advance(Duration.ofSeconds(5));

        List<DeleteResult> results = service.deleteAll(List.of(a.id(), "havip-9", b.id()));

        assertThat(results).extracting(DeleteResult::deleted).containsExactly(true, false, true);
        assertThat(results.get(1).refusal().orElseThrow()).hasMessage("HAVIP havip-9 does not exist");
        assertThat(service.list()).isEmpty();
        assertThat(events).first().isEqualTo(new HavipEvent.StatusChanged(a.id(), HavipStatus.AVAILABLE, HavipStatus.DELETING,
                T0.plusSeconds(5)));
        assertThat(events).filteredOn(HavipEvent.Deleted.class::isInstance).hasSize(2);
        HavipResource again = apply("again");
        assertThat(again.address()).hasToString("10.0.0.2");
        assertThat(service.associateEip(again.id(), ip("203.0.113.10")).eip()).isPresent();
        assertThat(service.bind(again.id(), "ins-1").boundInstanceIds()).containsExactly("ins-1");
    }

    @Test
    void announcementsAreAppliedOnceAndInOrder() {
        HavipResource a = apply("a");
        service.bind(a.id(), "ins-1");
        service.bind(a.id(), "ins-2");
        events.clear();
        ArpAnnouncement first = new ArpAnnouncement(a.address(), mac(1), "subnet-a", T0.plusSeconds(1));
        assertThat(service.onAnnouncement(first)).isEqualTo(new Accepted(a.id(), "ins-1", true));
        assertThat(service.onAnnouncement(first)).as("the same report twice").isEqualTo(new Accepted(a.id(), "ins-1", false));
        assertThat(service.onAnnouncement(new ArpAnnouncement(a.address(), mac(2), "subnet-a", T0.plusSeconds(3))))
                .isEqualTo(new Accepted(a.id(), "ins-2", true));
        assertThat(service.onAnnouncement(new ArpAnnouncement(a.address(), mac(1), "subnet-a", T0.plusSeconds(2))))
                .isEqualTo(new Ignored(IgnoreReason.STALE, "the announcement by ins-1 at 2024-05-01T08:00:02Z is older than the "
                        + "one by ins-2 at 2024-05-01T08:00:03Z that made the current holder"));
        assertThat(service.onAnnouncement(new ArpAnnouncement(a.address(), mac(3), "subnet-a", T0.plusSeconds(4))))
                .isEqualTo(new Ignored(IgnoreReason.INSTANCE_NOT_BOUND,
                        "ins-3 announced 10.0.0.2 but is not bound to havip-1 (bound: [ins-1, ins-2]); bind it first"));
        assertThat(events).containsExactly(
                new HavipEvent.HolderChanged(a.id(), Optional.empty(), Optional.of("ins-1"), T0.plusSeconds(1)),
                new HavipEvent.HolderChanged(a.id(), Optional.of("ins-1"), Optional.of("ins-2"), T0.plusSeconds(3)));
        service.unbind(a.id(), "ins-2");
        assertThat(service.get(a.id()).orElseThrow().holder()).isEmpty();
    }

    @Test
    void updatesAndChangesStatus() {
        HavipResource a = apply("a");
        assertThat(service.update(a.id(), "web", "nginx").remark()).isEqualTo("nginx");
        assertThat(service.markFailed(a.id()).status()).isEqualTo(HavipStatus.FAILED);
        assertRefused(() -> service.associateEip(a.id(), ip("203.0.113.1")), Reason.WRONG_STATUS,
                "cannot associate EIP 203.0.113.1 with havip-1: havip-1 is FAILED; only an AVAILABLE HAVIP takes an EIP");
        assertThat(service.markAvailable(a.id()).status()).isEqualTo(HavipStatus.AVAILABLE);
        store.inTransaction(tx -> {
            tx.update(tx.lock(a.id()).orElseThrow().withStatus(HavipStatus.DELETING));
            return null;
        });
        assertRefused(() -> service.delete(a.id()), Reason.WRONG_STATUS,
                "cannot delete havip-1: it is already DELETING; only an AVAILABLE or FAILED HAVIP can be deleted");
        assertThat(service.get(a.id()).orElseThrow().name()).isEqualTo("web");
    }

    @Test
    void aRefusalOrFailureInsideATransactionWritesNothing() {
        HavipResource a = apply("a");
        assertThatThrownBy(() -> store.inTransaction(tx -> {
            tx.update(tx.lock(a.id()).orElseThrow().withBound("ins-1"));
            throw new IllegalStateException("boom");
        })).hasMessage("boom");
        assertThat(service.get(a.id()).orElseThrow().boundInstanceIds()).isEmpty();
    }

    @Test
    void describesWithFiltersAndPages() {
        for (int i = 0; i < 7; i++) {
            clock.advance(Duration.ofSeconds(1));
            apply(i % 2 == 0 ? "Web_" + i : "db%" + i);
        }
        HavipResource v6 = service.apply(ApplyRequest.intranet("six", "vpc-a", "subnet-a").withType(HavipType.EXTRANET_IPV6));
        HavipResource other = service.apply(ApplyRequest.intranet("b", "vpc-a", "subnet-b"));
        service.bind("havip-3", "ins-4");
        service.associateEip("havip-5", ip("203.0.113.5"));
        service.markFailed("havip-7");

        HavipPage all = service.describe(HavipQuery.ALL.withPage(0, 4));
        assertThat(all.totalCount()).isEqualTo(9);
        assertThat(all.havips()).extracting(HavipResource::id).containsExactly("havip-1", "havip-2", "havip-3", "havip-4");
        assertThat(service.describe(HavipQuery.ALL.withPage(8, 4)).havips()).extracting(HavipResource::id).containsExactly("havip-9");
        assertThat(service.describe(HavipQuery.ALL.withPage(20, 4))).isEqualTo(new HavipPage(9, List.of()));
        assertThat(ids(HavipQuery.ALL.withNameContains("WEB"))).containsExactly("havip-1", "havip-3", "havip-5", "havip-7");
        assertThat(ids(HavipQuery.ALL.withNameContains("_"))).as("LIKE wildcards are literal")
                .containsExactly("havip-1", "havip-3", "havip-5", "havip-7");
        assertThat(ids(HavipQuery.ALL.withNameContains("%"))).containsExactly("havip-2", "havip-4", "havip-6");
        assertThat(ids(HavipQuery.ALL.withIds(List.of("havip-6", "havip-2", "havip-99")))).containsExactly("havip-2", "havip-6");
        assertThat(ids(HavipQuery.ALL.withSubnetId("subnet-b"))).containsExactly(other.id());
        assertThat(ids(HavipQuery.ALL.withVpcId("vpc-a").withAddress(v6.address()))).containsExactly(v6.id());
        assertThat(ids(HavipQuery.ALL.withEip(ip("203.0.113.5")))).containsExactly("havip-5");
        assertThat(ids(HavipQuery.ALL.withStatus(HavipStatus.FAILED))).containsExactly("havip-7");
        assertThat(ids(HavipQuery.ALL.withInstanceId("ins-4"))).containsExactly("havip-3");
        assertThat(ids(HavipQuery.ALL.withNameContains("web").withStatus(HavipStatus.AVAILABLE).withPage(1, 2)))
                .containsExactly("havip-3", "havip-5");
        assertThat(service.describe(HavipQuery.ALL.withIds(List.of("havip-3"))).havips().get(0))
                .isEqualTo(service.get("havip-3").orElseThrow());
    }

    private List<String> ids(HavipQuery q) {
        return service.describe(q).havips().stream().map(HavipResource::id).toList();
    }
}
