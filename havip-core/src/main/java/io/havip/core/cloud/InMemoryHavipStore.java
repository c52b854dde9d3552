package io.havip.core.cloud;

import io.havip.core.net.IpAddress;
import io.havip.core.net.IpFamily;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * A {@link HavipStore} in a concurrent map; nothing survives the process. Transactions run one
 * at a time on this store's monitor and keep their writes aside until {@link Work#run}
 * returns, so a refusal or a failure half-way writes nothing.
 */
public final class InMemoryHavipStore implements HavipStore {

    private final Map<String, HavipResource> havips = new ConcurrentHashMap<>();

    @Override
    public synchronized <T> T inTransaction(Work<T> work) {
        Tx tx = new Tx();
        T result = work.run(tx);
        tx.writes.forEach((id, h) -> {
            if (h.isPresent()) {
                havips.put(id, h.get());
            } else {
                havips.remove(id);
            }
        });
        return result;
    }

    @Override
    public Optional<HavipResource> get(String id) {
        return id == null ? Optional.empty() : Optional.ofNullable(havips.get(id));
    }

    @Override
    public List<HavipResource> all() {
        return List.copyOf(havips.values());
    }

    /** Inserts or replaces the HAVIP with {@code havip.id()} outside any transaction: for tests and tools. */
    public synchronized void put(HavipResource havip) {
        havips.put(havip.id(), havip);
    }

    /** Removes the HAVIP with {@code id} outside any transaction; true when there was one. */
    public synchronized boolean remove(String id) {
        return havips.remove(id) != null;
    }

    /** Reads see this transaction's writes over the committed map. */
    private final class Tx implements Transaction {
        private final Map<String, Optional<HavipResource>> writes = new HashMap<>();

        private Stream<HavipResource> current() {
            return Stream.concat(havips.values().stream().filter(h -> !writes.containsKey(h.id())),
                    writes.values().stream().flatMap(Optional::stream));
        }

        @Override
        public Optional<HavipResource> lock(String id) {
            Optional<HavipResource> written = writes.get(id);
            return written != null ? written : get(id);
        }

        @Override
        public boolean exists(String id) {
            return lock(id).isPresent();
        }

        @Override
        public void lockAllocations(String subnetId, IpFamily family) {
            // the whole transaction holds the store's monitor
        }

        @Override
        public List<Allocation> allocations(String subnetId, IpFamily family) {
            return current().filter(h -> h.subnetId().equals(subnetId) && h.address().family() == family)
                    .map(h -> new Allocation(h.address(), h.id())).toList();
        }

        @Override
        public void lockInstance(String instanceId) {
            // the whole transaction holds the store's monitor
        }

        @Override
        public List<String> boundTo(String instanceId) {
            return current().filter(h -> h.boundInstanceIds().contains(instanceId)).map(HavipResource::id).sorted().toList();
        }

        @Override
        public Optional<String> withEip(IpAddress eip) {
            return current().filter(h -> h.eip().filter(eip::equals).isPresent()).map(HavipResource::id).findFirst();
        }

        @Override
        public List<HavipResource> withAddress(String vpcId, IpAddress address) {
            return current().filter(h -> h.vpcId().equals(vpcId) && h.address().equals(address)).toList();
        }

        @Override
        public void insert(HavipResource havip) {
            if (exists(havip.id())) {
                throw new IllegalStateException("HAVIP " + havip.id() + " already exists");
            }
            writes.put(havip.id(), Optional.of(havip));
        }

        @Override
        public void update(HavipResource havip) {
            writes.put(havip.id(), Optional.of(havip));
        }

        @Override
        public void delete(String id) {
            writes.put(id, Optional.empty());
        }
    }
}
