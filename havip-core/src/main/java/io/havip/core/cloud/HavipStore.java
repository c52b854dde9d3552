package io.havip.core.cloud;

import io.havip.core.net.IpAddress;
import io.havip.core.net.IpFamily;
import java.util.List;
import java.util.Optional;

/**
 * Where {@link HavipService} keeps HAVIPs, and what keeps them consistent. The service makes
 * every change inside {@link #inTransaction}: it locks what a rule depends on (the HAVIP, the
 * subnet's allocations, the instance's bindings), checks the rule against what the
 * transaction reads, and writes. The store decides how a transaction is isolated from the
 * others, in this JVM and in other processes sharing the same data: one lock for
 * {@link InMemoryHavipStore}, database row locks for a JDBC store.
 *
 * <p>Reads outside a transaction ({@link #get}, {@link #all}, {@link #find}) see committed
 * state only.
 */
public interface HavipStore {

    /**
     * Runs {@code work} as one transaction and commits it; when {@code work} throws, nothing it
     * wrote is kept and the exception propagates. A store may run {@code work} again after a
     * conflict with another writer (a deadlock, a serialization failure, a unique key taken
     * meanwhile), so {@code work} must have no effect outside {@code tx} until it returns.
     */
    <T> T inTransaction(Work<T> work);

    Optional<HavipResource> get(String id);

    /** Every HAVIP, in no particular order. */
    List<HavipResource> all();

    /**
     * The HAVIPs matching {@code query}, oldest first (creation time, then id), one page of
     * them and the total. The default filters {@link #all()}; a database store runs it as a query.
     */
    default HavipPage find(HavipQuery query) {
        List<HavipResource> matching = all().stream().filter(query::matches).sorted(HavipQuery.ORDER).toList();
        int from = Math.min(query.offset(), matching.size());
        int to = Math.min(from + query.limit(), matching.size());
        return new HavipPage(matching.size(), matching.subList(from, to));
    }

    /** What {@link #inTransaction} runs. */
    @FunctionalInterface
    interface Work<T> {
        T run(Transaction tx);
    }

    /** Reads and writes inside one transaction; valid only while {@link Work#run} runs. */
    interface Transaction {

        /** The HAVIP, locked against other writers until the transaction ends. */
        Optional<HavipResource> lock(String id);

        /** Whether a HAVIP with this id exists (committed or written by this transaction). */
        boolean exists(String id);

        /**
         * Locks the allocations of {@code family} in subnet {@code subnetId} until the
         * transaction ends: two transactions that allocate in the same subnet run one after the other.
         */
        void lockAllocations(String subnetId, IpFamily family);

        /** The HAVIPs of {@code family} in the subnet, as address and HAVIP id. */
        List<Allocation> allocations(String subnetId, IpFamily family);

        /** Locks the bindings of {@code instanceId} until the transaction ends. */
        void lockInstance(String instanceId);

        /** The ids of the HAVIPs {@code instanceId} is bound to, sorted. */
        List<String> boundTo(String instanceId);

        /** The id of the HAVIP that has {@code eip}, if any. */
        Optional<String> withEip(IpAddress eip);

        /** The HAVIPs of {@code vpcId} with {@code address} (one per subnet at most), not locked. */
        List<HavipResource> withAddress(String vpcId, IpAddress address);

        void insert(HavipResource havip);

        /** Replaces the HAVIP with {@code havip.id()}, which this transaction has locked. */
        void update(HavipResource havip);

        void delete(String id);
    }

    /** An allocated address of a subnet and the HAVIP that has it. */
    record Allocation(IpAddress address, String havipId) {
    }
}
