package io.havip.controlplane;

import com.zaxxer.hikari.HikariDataSource;
import io.havip.core.cloud.HavipResource;
import io.havip.core.cloud.HavipLimits;
import io.havip.core.cloud.HavipPage;
import io.havip.core.cloud.HavipQuery;
import io.havip.core.cloud.HavipService;
import io.havip.core.cloud.HavipStore;
import io.havip.core.cloud.InMemoryInventory;
import io.havip.core.cloud.Instance;
import io.havip.core.cloud.Subnet;
import io.havip.core.cloud.Vpc;
import io.havip.core.net.Cidr;
import io.havip.core.net.IpAddress;
import io.havip.core.net.IpFamily;
import io.havip.core.net.MacAddress;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A control-plane instance in its own JVM, for {@link PostgresCrashTest} to kill with SIGKILL:
 * 8 threads delete the HAVIPs named "del-*" in batches and bind ins-3 then ins-4 to those
 * named "bind-*", printing {@code done ...} after each committed change. Each transaction
 * holds its row lock for 30 ms more than it needs (a pause after {@code lock}), so that a
 * kill lands inside transactions, not only between them.
 *
 * <p>{@code CrashWorker JDBC_URL}
 */
final class CrashWorker {

    static final HavipLimits LIMITS = new HavipLimits(3, 1000);

    private CrashWorker() {
    }

    /** The network both the test and the worker know: one /24, instances ins-1..ins-4. */
    static InMemoryInventory inventory() {
        InMemoryInventory inventory = new InMemoryInventory();
        inventory.add(new Vpc("vpc-a", Cidr.parse("198.51.0.0/16")))
                .add(new Subnet("subnet-a", "vpc-a", Cidr.parse("198.51.100.0/24")));
        for (int i = 1; i <= 4; i++) {
            inventory.add(new Instance("ins-" + i, "vpc-a", "subnet-a", Set.of(MacAddress.parse("02:00:00:00:02:0" + i))));
        }
        return inventory;
    }

    public static void main(String[] args) throws Exception {
        HikariDataSource ds = Databases.open(args[0], null, null, 10);
        HavipService service = HavipService.builder(inventory()).store(new Slow(new JdbcHavipStore(ds, "crash worker")))
                .limits(LIMITS).build();
        List<HavipResource> all = service.list();
        List<String> deletes = all.stream().filter(h -> h.name().startsWith("del-")).map(HavipResource::id).toList();
        List<String> binds = all.stream().filter(h -> h.name().startsWith("bind-")).map(HavipResource::id).toList();
        ExecutorService threads = Executors.newFixedThreadPool(8);
        // deletes in batches of 3 and binds alternate, so both are in flight when the kill comes
        for (int i = 0; i < Math.max(deletes.size(), binds.size() * 3); i += 3) {
            if (i < deletes.size()) {
                List<String> batch = deletes.subList(i, Math.min(i + 3, deletes.size()));
                threads.submit(() -> service.deleteAll(batch)
                        .forEach(r -> System.out.println("done delete " + r.havipId() + " " + r.deleted())));
            }
            for (int j = i; j < i + 3 && j < binds.size(); j++) {
                String id = binds.get(j);
                threads.submit(() -> {
                    service.bind(id, "ins-3");
                    System.out.println("done bind " + id + " ins-3");
                    service.bind(id, "ins-4");
                    System.out.println("done bind " + id + " ins-4");
                });
            }
        }
        threads.shutdown();
        threads.awaitTermination(5, TimeUnit.MINUTES);
        System.out.println("finished");
        ds.close();
    }

    /** A store whose transactions pause 30 ms after each {@code lock}. */
    private record Slow(HavipStore store) implements HavipStore {
        @Override
        public <T> T inTransaction(Work<T> work) {
            return store.inTransaction(tx -> work.run(new SlowTx(tx)));
        }

        @Override
        public Optional<HavipResource> get(String id) {
            return store.get(id);
        }

        @Override
        public List<HavipResource> all() {
            return store.all();
        }

        @Override
        public HavipPage find(HavipQuery query) {
            return store.find(query);
        }
    }

    private record SlowTx(HavipStore.Transaction tx) implements HavipStore.Transaction {
        @Override
        public Optional<HavipResource> lock(String id) {
            Optional<HavipResource> h = tx.lock(id);
            LockSupport.parkNanos(30_000_000L);
            return h;
        }

        @Override
        public boolean exists(String id) {
            return tx.exists(id);
        }

        @Override
        public void lockAllocations(String subnetId, IpFamily family) {
            tx.lockAllocations(subnetId, family);
        }

        @Override
        public List<HavipStore.Allocation> allocations(String subnetId, IpFamily family) {
            return tx.allocations(subnetId, family);
        }

        @Override
        public void lockInstance(String instanceId) {
            tx.lockInstance(instanceId);
        }

        @Override
        public List<String> boundTo(String instanceId) {
            return tx.boundTo(instanceId);
        }

        @Override
        public Optional<String> withEip(IpAddress eip) {
            return tx.withEip(eip);
        }

        @Override
        public List<HavipResource> withAddress(String vpcId, IpAddress address) {
            return tx.withAddress(vpcId, address);
        }

        @Override
        public void insert(HavipResource havip) {
            tx.insert(havip);
        }

        @Override
        public void update(HavipResource havip) {
            tx.update(havip);
        }

        @Override
        public void delete(String id) {
            tx.delete(id);
        }
    }
}
