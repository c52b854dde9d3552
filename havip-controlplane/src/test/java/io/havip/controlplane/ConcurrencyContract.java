package io.havip.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.havip.core.cloud.AllocationRefusedException;
import io.havip.core.cloud.AnnouncementOutcome;
import io.havip.core.cloud.ArpAnnouncement;
import io.havip.core.cloud.HavipEvent;
import io.havip.core.cloud.ApplyRequest;
import io.havip.core.cloud.HavipResource;
import io.havip.core.cloud.HavipLimits;
import io.havip.core.cloud.HavipRefusedException;
import io.havip.core.cloud.HavipRefusedException.Reason;
import io.havip.core.cloud.HavipService;
import io.havip.core.cloud.InMemoryInventory;
import io.havip.core.cloud.Instance;
import io.havip.core.cloud.Subnet;
import io.havip.core.cloud.Vpc;
import io.havip.core.net.Cidr;
import io.havip.core.net.IpAddress;
import io.havip.core.net.MacAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two control-plane instances (two services, each with its own connection pool) on one
 * database, racing: what the database must hold whichever instance serves a request. Run on a
 * real PostgreSQL ({@link PostgresConcurrencyTest}) and on the embedded H2 ({@link H2ConcurrencyTest}).
 */
abstract class ConcurrencyContract {

    private final InMemoryInventory inventory = new InMemoryInventory();
    private final List<HikariDataSource> pools = new ArrayList<>();
    private HavipService one;
    private HavipService two;
    private ExecutorService threads;

    @BeforeEach
    void setUp() {
        inventory.add(new Vpc("vpc-a", Cidr.parse("198.51.0.0/16")))
                .add(new Subnet("subnet-a", "vpc-a", Cidr.parse("198.51.100.0/24")));
        for (int i = 1; i <= 8; i++) {
            inventory.add(new Instance("ins-" + i, "vpc-a", "subnet-a",
                    Set.of(MacAddress.parse(String.format("02:00:00:00:01:%02x", i)))));
        }
        String url = newDatabase();
        one = service(url);
        two = service(url);
        threads = Executors.newFixedThreadPool(16);
    }

    /** The JDBC URL of a new, empty database. */
    abstract String newDatabase();

    private HavipService service(String url) {
        HikariDataSource ds = Databases.open(url, null, null, 8);
        pools.add(ds);
        return HavipService.builder(inventory).store(new JdbcHavipStore(ds, url)).limits(new HavipLimits(3, 5)).build();
    }

    @AfterEach
    void tearDown() {
        threads.shutdownNow();
        pools.forEach(HikariDataSource::close);
    }

    @Test
    void sixteenThreadsOnTwoInstancesGetExactly253DistinctAddressesThenTheSubnetIsExhausted() throws Exception {
        Map<String, String> addressToId = new ConcurrentHashMap<>();
        List<HavipRefusedException> refusals = new ArrayList<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Future<List<Object>>> results = new ArrayList<>();
        for (int t = 0; t < 16; t++) {
            HavipService service = t % 2 == 0 ? one : two;
            int thread = t;
            results.add(threads.submit(() -> {
                start.await();
                List<Object> mine = new ArrayList<>();
                for (int i = 0; ; i++) {
                    try {
                        mine.add(service.apply(ApplyRequest.intranet("t" + thread + "-" + i, "vpc-a", "subnet-a")));
                    } catch (HavipRefusedException e) {
                        mine.add(e);
                        return mine;
                    }
                }
            }));
        }
        start.countDown();
        int created = 0;
        for (Future<List<Object>> f : results) {
            for (Object o : f.get(120, TimeUnit.SECONDS)) {
                if (o instanceof HavipResource h) {
                    created++;
                    assertThat(addressToId.put(h.address().toString(), h.id())).as("address %s handed out twice", h.address())
                            .isNull();
                } else {
                    refusals.add((HavipRefusedException) o);
                }
            }
        }
        assertThat(created).isEqualTo(253);
        assertThat(addressToId.keySet()).hasSize(253).doesNotContain("198.51.100.0", "198.51.100.1", "198.51.100.255");
        assertThat(refusals).hasSize(16).allSatisfy(e -> {
            assertThat(e.reason()).isEqualTo(Reason.ADDRESS_REFUSED);
            assertThat(e.getCause()).isInstanceOf(AllocationRefusedException.Exhausted.class);
            assertThat(e.getMessage()).contains("subnet 198.51.100.0/24 is exhausted: all 253 assignable addresses are in use");
        });
        assertThat(one.list()).hasSize(253);
        assertThat(two.list()).hasSize(253);
    }

    @Test
    void concurrentBindsOnTwoInstancesNeverExceedTheLimits() throws Exception {
        List<HavipResource> havips = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            havips.add(one.apply(ApplyRequest.intranet("h" + i, "vpc-a", "subnet-a")));
        }
        // 8 instances x 6 HAVIPs = 48 binds, in random order on both instances: at most 3 per HAVIP, 5 per instance
        List<Callable<Object>> binds = new ArrayList<>();
        for (int i = 1; i <= 8; i++) {
            for (HavipResource h : havips) {
                String instance = "ins-" + i;
                HavipService service = (i + h.id().hashCode()) % 2 == 0 ? one : two;
                binds.add(() -> {
                    try {
                        return service.bind(h.id(), instance);
                    } catch (HavipRefusedException e) {
                        return e.reason();
                    }
                });
            }
        }
        java.util.Collections.shuffle(binds);
        int accepted = 0;
        Map<Reason, Integer> refused = new HashMap<>();
        for (Future<Object> f : threads.invokeAll(binds, 120, TimeUnit.SECONDS)) {
            Object o = f.get();
            if (o instanceof HavipResource) {
                accepted++;
            } else {
                refused.merge((Reason) o, 1, Integer::sum);
            }
        }
        List<HavipResource> stored = two.list();
        Map<String, Integer> perInstance = new HashMap<>();
        Set<String> seen = new HashSet<>();
        for (HavipResource h : stored) {
            assertThat(h.boundInstanceIds()).hasSizeLessThanOrEqualTo(3).doesNotHaveDuplicates();
            h.boundInstanceIds().forEach(i -> perInstance.merge(i, 1, Integer::sum));
            seen.add(h.id());
        }
        assertThat(perInstance.values()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(5));
        int bound = stored.stream().mapToInt(h -> h.boundInstanceIds().size()).sum();
        assertThat(bound).as("every accepted bind is in the database").isEqualTo(accepted);
        assertThat(bound).as("6 HAVIPs x 3 fill up before 8 instances x 5 do").isEqualTo(18);
        assertThat(refused.keySet()).isSubsetOf(Reason.INSTANCES_PER_HAVIP_LIMIT, Reason.HAVIPS_PER_INSTANCE_LIMIT);
        assertThat(seen).hasSize(6);
    }

    @Test
    void eachLimitHoldsExactlyWhenEveryoneRacesForTheLastPlace() throws Exception {
        List<HavipResource> havips = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            havips.add(one.apply(ApplyRequest.intranet("h" + i, "vpc-a", "subnet-a")));
        }
        // one instance onto 6 HAVIPs at once: 5 get it (maxHavipsPerInstance), 1 is refused
        List<Callable<Object>> sameInstance = new ArrayList<>();
        for (int i = 0; i < havips.size(); i++) {
            HavipService service = i % 2 == 0 ? one : two;
            String id = havips.get(i).id();
            sameInstance.add(() -> bindOrReason(service, id, "ins-1"));
        }
        assertThat(outcomes(sameInstance)).containsOnly(
                Map.entry("bound", 5), Map.entry(Reason.HAVIPS_PER_INSTANCE_LIMIT.name(), 1));
        // 7 other instances onto one HAVIP that has none yet: 3 get it (maxInstancesPerHavip), 4 are refused
        String target = havips.stream().filter(h -> !two.get(h.id()).orElseThrow().boundInstanceIds().contains("ins-1"))
                .findFirst().orElseThrow().id();
        List<Callable<Object>> sameHavip = new ArrayList<>();
        for (int i = 2; i <= 8; i++) {
            HavipService service = i % 2 == 0 ? one : two;
            String instance = "ins-" + i;
            sameHavip.add(() -> bindOrReason(service, target, instance));
        }
        assertThat(outcomes(sameHavip)).containsOnly(
                Map.entry("bound", 3), Map.entry(Reason.INSTANCES_PER_HAVIP_LIMIT.name(), 4));
        assertThat(two.get(target).orElseThrow().boundInstanceIds()).hasSize(3);
    }

    @Test
    void theSameAnnouncementReportedSixteenTimesOnTwoInstancesChangesTheHolderOnce() throws Exception {
        HavipResource h = one.apply(ApplyRequest.intranet("web", "vpc-a", "subnet-a"));
        one.bind(h.id(), "ins-1");
        one.bind(h.id(), "ins-2");
        List<HavipEvent> heard = new CopyOnWriteArrayList<>();
        one.subscribe(heard::add);
        two.subscribe(heard::add);
        // two fabric instances report each packet, and a GARP schedule repeats it
        ArpAnnouncement a = new ArpAnnouncement(h.address(), MacAddress.parse("02:00:00:00:01:02"), "subnet-a",
                Instant.parse("2026-12-07T14:00:00Z"));
        List<Callable<Object>> reports = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            HavipService service = i % 2 == 0 ? one : two;
            reports.add(() -> service.onAnnouncement(a));
        }
        int changed = 0;
        for (Future<Object> f : threads.invokeAll(reports, 60, TimeUnit.SECONDS)) {
            AnnouncementOutcome.Accepted accepted = (AnnouncementOutcome.Accepted) f.get();
            assertThat(accepted.instanceId()).isEqualTo("ins-2");
            changed += accepted.holderChanged() ? 1 : 0;
        }
        assertThat(changed).isEqualTo(1);
        assertThat(heard).containsExactly(new HavipEvent.HolderChanged(h.id(), Optional.empty(), Optional.of("ins-2"), a.at()));
        assertThat(two.get(h.id()).orElseThrow().holderSince()).contains(a.at());
    }

    @Test
    void oneEipFrontsOneHavipWhenTwoInstancesRaceForIt() throws Exception {
        List<Callable<Object>> calls = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            HavipResource h = one.apply(ApplyRequest.intranet("e" + i, "vpc-a", "subnet-a"));
            HavipService service = i % 2 == 0 ? one : two;
            calls.add(() -> {
                try {
                    service.associateEip(h.id(), IpAddress.parse("203.0.113.9"));
                    return "associated";
                } catch (HavipRefusedException e) {
                    return e.reason().name();
                }
            });
        }
        assertThat(outcomes(calls)).containsOnly(Map.entry("associated", 1), Map.entry(Reason.EIP_CONFLICT.name(), 7));
        assertThat(two.list().stream().filter(h -> h.eip().isPresent()).count()).isEqualTo(1);
    }

    private static Object bindOrReason(HavipService service, String havipId, String instanceId) {
        try {
            service.bind(havipId, instanceId);
            return "bound";
        } catch (HavipRefusedException e) {
            return e.reason().name();
        }
    }

    private Map<String, Integer> outcomes(List<Callable<Object>> calls) throws Exception {
        Map<String, Integer> out = new HashMap<>();
        for (Future<Object> f : threads.invokeAll(calls, 60, TimeUnit.SECONDS)) {
            out.merge((String) f.get(), 1, Integer::sum);
        }
        return out;
    }
}
