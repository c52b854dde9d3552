package io.havip.core.cloud;

import io.havip.core.Clock;
import io.havip.core.cloud.AnnouncementOutcome.Accepted;
import io.havip.core.cloud.AnnouncementOutcome.IgnoreReason;
import io.havip.core.cloud.AnnouncementOutcome.Ignored;
import io.havip.core.cloud.HavipRefusedException.Reason;
import io.havip.core.net.Cidr;
import io.havip.core.net.IpAddress;
import io.havip.core.net.IpFamily;
import io.havip.core.net.MacAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HAVIP control plane: apply for a HAVIP in a subnet, bind the instances allowed to
 * hold it, associate an EIP, learn the holder from ARP announcements, delete, export.
 *
 * <p>Every change emits a {@link HavipEvent} to the {@link HavipListener}s (see there for
 * thread and ordering). Every refusal is a {@link HavipRefusedException} whose reason
 * names the rule and whose message names the values and what to do.
 *
 * <p>Consistency is the store's job: each change is one {@link HavipStore#inTransaction
 * transaction} that locks what its rule depends on (the HAVIP; the subnet's allocations for
 * an address; the instance's bindings for the per-instance limit) and checks the rule
 * against what it reads there. Several services, in this JVM or in other processes, may
 * share one store that isolates its transactions (a database): no address is handed out
 * twice and no limit is exceeded, whichever instance serves the request.
 *
 * <p>Thread-safe; listeners never run inside a transaction.
 */
public final class HavipService {

    private static final Logger LOG = LoggerFactory.getLogger(HavipService.class);
    private final Inventory inventory;
    private final HavipStore store;
    private final ReservedAddressPolicy policy;
    private final Clock clock;
    private final HavipLimits limits;
    private final Supplier<String> ids;
    private final List<HavipListener> listeners = new CopyOnWriteArrayList<>();
    private final Queue<HavipEvent> pending = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean delivering = new AtomicBoolean();
    /** Orders events by commit: see {@link #write}. */
    private final Object tickets = new Object();
    private long nextTicket;
    private long nextToQueue;
    private final Map<Long, List<HavipEvent>> committed = new HashMap<>();

    private HavipService(Builder b) {
        this.inventory = b.inventory;
        this.store = b.store;
        this.policy = b.policy;
        this.clock = b.clock;
        this.limits = b.limits;
        this.ids = b.ids;
        Map<String, AddressAllocator> allocators = new HashMap<>();
        for (HavipResource h : store.all()) {
            Cidr cidr = cidrOf(h);
            allocate(allocators.computeIfAbsent(h.subnetId() + "/" + h.type().family(), k -> new AddressAllocator(cidr, policy)),
                    h.address(), h.id());
        }
    }

    private static void allocate(AddressAllocator allocator, IpAddress address, String havipId) {
        try {
            allocator.allocate(address, havipId);
        } catch (AllocationRefusedException e) {
            throw new IllegalStateException("the store holds HAVIP " + havipId + " at an address it cannot have: "
                    + e.getMessage(), e);
        }
    }

    /** A service over {@code inventory}; everything else has a default (see {@link Builder}). */
    public static Builder builder(Inventory inventory) {
        return new Builder(inventory);
    }

    /** Adds a listener; closing the returned handle removes it. */
    public AutoCloseable subscribe(HavipListener listener) {
        if (listener == null) {
            throw new IllegalArgumentException("listener is null");
        }
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    // ---------------------------------------------------------------- apply, read

    /**
     * Creates an AVAILABLE HAVIP: the name is required; the subnet must belong to the VPC and
     * have a CIDR of the type's family; the address, if given, must be of that family, in
     * the subnet, not reserved by the policy and not in use; otherwise the lowest free one.
     */
    public HavipResource apply(ApplyRequest request) {
        return write((tx, events) -> {
            if (request == null) {
                throw refused(Reason.INVALID_REQUEST, "the apply request is null");
            }
            if (request.name() == null || request.name().isBlank()) {
                throw refused(Reason.INVALID_REQUEST, "a HAVIP needs a name; give one such as \"web-vip\"");
            }
            String what = "cannot apply for HAVIP \"" + request.name() + "\": ";
            if (request.type() == null) {
                throw refused(Reason.INVALID_REQUEST, what + "the type is missing (INTRANET_IPV4, EXTRANET_IPV4 or EXTRANET_IPV6)");
            }
            Vpc vpc = inventory.vpc(request.vpcId())
                    .orElseThrow(() -> refused(Reason.NOT_FOUND, what + "VPC " + request.vpcId() + " does not exist"));
            Subnet subnet = inventory.subnet(request.subnetId())
                    .orElseThrow(() -> refused(Reason.NOT_FOUND, what + "subnet " + request.subnetId() + " does not exist"));
            if (!subnet.vpcId().equals(vpc.id())) {
                throw refused(Reason.WRONG_NETWORK, what + "subnet " + subnet.id() + " belongs to " + subnet.vpcId() + ", not "
                        + vpc.id());
            }
            IpFamily family = request.type().family();
            Cidr cidr = subnet.cidr(family).orElseThrow(() -> refused(Reason.INVALID_REQUEST,
                    what + "subnet " + subnet.id() + " has no " + family + " CIDR, which an " + request.type() + " HAVIP needs"));
            Optional<IpAddress> requested = request.address();
            if (requested.isPresent() && requested.get().family() != family) {
                throw refused(Reason.INVALID_REQUEST, what + requested.get() + " is " + requested.get().family() + " but an "
                        + request.type() + " HAVIP needs an " + family + " address");
            }
            String id = newId(tx);
            tx.lockAllocations(subnet.id(), family);
            AddressAllocator allocator = new AddressAllocator(cidr, policy);
            for (HavipStore.Allocation a : tx.allocations(subnet.id(), family)) {
                allocate(allocator, a.address(), a.havipId());
            }
            IpAddress address;
            try {
                address = requested.isPresent() ? allocator.allocate(requested.get(), id) : allocator.allocate(id);
            } catch (AllocationRefusedException e) {
                throw new HavipRefusedException(Reason.ADDRESS_REFUSED, what + e.getMessage(), e);
            }
            HavipResource created = HavipResource.create(id, request.name(), request.remark(), vpc.id(), subnet.id(), request.type(), address,
                    now());
            tx.insert(created);
            events.add(new HavipEvent.Applied(created, created.createdAt()));
            return created;
        });
    }

    public Optional<HavipResource> get(String havipId) {
        return store.get(havipId);
    }

    /** Every HAVIP, oldest first. */
    public List<HavipResource> list() {
        return list("");
    }

    /**
     * The HAVIPs matching {@code query}, oldest first. Fuzzy in the way a console search box
     * is: case-insensitive, each whitespace-separated word must occur somewhere in the name,
     * remark, id or address; a blank query matches all.
     */
    public List<HavipResource> list(String query) {
        List<String> words = query == null || query.isBlank() ? List.of()
                : List.of(query.trim().toLowerCase(Locale.ROOT).split("\\s+"));
        List<HavipResource> out = new ArrayList<>();
        for (HavipResource h : store.all()) {
            String haystack = (h.name() + "\n" + h.remark() + "\n" + h.id() + "\n" + h.address()).toLowerCase(Locale.ROOT);
            if (words.stream().allMatch(haystack::contains)) {
                out.add(h);
            }
        }
        out.sort(HavipQuery.ORDER);
        return out;
    }

    /** One page of the HAVIPs matching {@code query} (DescribeHaVips), oldest first, and how many match in all. */
    public HavipPage describe(HavipQuery query) {
        if (query == null) {
            throw refused(Reason.INVALID_REQUEST, "the query is null; use HavipQuery.ALL for every HAVIP");
        }
        return store.find(query);
    }

    /** The matching HAVIPs ({@link #list(String)}) as CSV for Excel: see {@link HavipCsv}. */
    public byte[] exportCsv(String query) {
        return HavipCsv.export(list(query));
    }

    // ---------------------------------------------------------------- update

    /** Renames and re-describes a HAVIP, in any status; the name stays required, a null remark clears it. */
    public HavipResource update(String havipId, String name, String remark) {
        return write((tx, events) -> {
            HavipResource h = require(tx, havipId);
            if (name == null || name.isBlank()) {
                throw refused(Reason.INVALID_REQUEST, "cannot rename " + havipId + ": a HAVIP needs a name; keep \"" + h.name()
                        + "\" or give another");
            }
            String newRemark = remark == null ? "" : remark;
            if (h.name().equals(name) && h.remark().equals(newRemark)) {
                return h;
            }
            HavipResource updated = h.withNameAndRemark(name, newRemark);
            tx.update(updated);
            events.add(new HavipEvent.Updated(havipId, h.name(), name, h.remark(), newRemark, now()));
            return updated;
        });
    }

    /** Marks an AVAILABLE HAVIP FAILED: the fabric cannot serve it. Idempotent for FAILED. */
    public HavipResource markFailed(String havipId) {
        return changeStatus(havipId, HavipStatus.AVAILABLE, HavipStatus.FAILED);
    }

    /** Returns a FAILED HAVIP to AVAILABLE. Idempotent for AVAILABLE. */
    public HavipResource markAvailable(String havipId) {
        return changeStatus(havipId, HavipStatus.FAILED, HavipStatus.AVAILABLE);
    }

    private HavipResource changeStatus(String havipId, HavipStatus from, HavipStatus to) {
        return write((tx, events) -> {
            HavipResource h = require(tx, havipId);
            if (h.status() == to) {
                return h;
            }
            if (h.status() != from) {
                throw refused(Reason.WRONG_STATUS, "cannot mark " + havipId + " " + to + ": it is " + h.status()
                        + ", and only a " + from + " HAVIP can become " + to);
            }
            HavipResource changed = h.withStatus(to);
            tx.update(changed);
            events.add(new HavipEvent.StatusChanged(havipId, from, to, now()));
            return changed;
        });
    }

    // ---------------------------------------------------------------- bind, unbind

    /**
     * Allows {@code instanceId} to hold the HAVIP. The instance must be in the HAVIP's VPC and
     * subnet, the HAVIP AVAILABLE, and neither binding limit reached. Binding an instance that
     * is already bound changes nothing.
     */
    public HavipResource bind(String havipId, String instanceId) {
        return write((tx, events) -> {
            HavipResource h = require(tx, havipId);
            String what = "cannot bind " + instanceId + " to " + havipId + ": ";
            Instance instance = inventory.instance(instanceId)
                    .orElseThrow(() -> refused(Reason.NOT_FOUND, what + "instance " + instanceId + " does not exist"));
            if (h.boundInstanceIds().contains(instanceId)) {
                return h;
            }
            if (h.status() != HavipStatus.AVAILABLE) {
                throw refused(Reason.WRONG_STATUS, what + havipId + " is " + h.status() + "; only an AVAILABLE HAVIP takes new instances");
            }
            if (!instance.vpcId().equals(h.vpcId())) {
                throw refused(Reason.WRONG_NETWORK, what + instanceId + " is in " + instance.vpcId() + " but " + havipId + " is in "
                        + h.vpcId() + "; bind an instance of the same VPC and subnet");
            }
            if (!instance.subnetId().equals(h.subnetId())) {
                throw refused(Reason.WRONG_NETWORK, what + instanceId + " is in subnet " + instance.subnetId() + " but " + havipId
                        + " is in subnet " + h.subnetId() + "; bind an instance of the same subnet");
            }
            if (h.boundInstanceIds().size() >= limits.maxInstancesPerHavip()) {
                throw refused(Reason.INSTANCES_PER_HAVIP_LIMIT, what + havipId + " already has " + h.boundInstanceIds().size()
                        + " bound instances " + h.boundInstanceIds() + ", the limit per HAVIP (maxInstancesPerHavip = "
                        + limits.maxInstancesPerHavip() + "); unbind one first");
            }
            tx.lockInstance(instanceId);
            List<String> others = tx.boundTo(instanceId);
            if (others.size() >= limits.maxHavipsPerInstance()) {
                throw refused(Reason.HAVIPS_PER_INSTANCE_LIMIT, what + instanceId + " is already bound to " + others.size()
                        + " HAVIPs " + others + ", the limit per instance (maxHavipsPerInstance = "
                        + limits.maxHavipsPerInstance() + "); unbind it from one first");
            }
            HavipResource bound = h.withBound(instanceId);
            tx.update(bound);
            events.add(new HavipEvent.InstanceBound(havipId, instanceId, now()));
            return bound;
        });
    }

    /** Removes {@code instanceId} from the HAVIP; when it was the holder, the HAVIP has no holder until the next announcement. */
    public HavipResource unbind(String havipId, String instanceId) {
        return write((tx, events) -> {
            HavipResource h = require(tx, havipId);
            if (!h.boundInstanceIds().contains(instanceId)) {
                throw refused(Reason.NOT_BOUND, "cannot unbind " + instanceId + " from " + havipId + ": it is not bound (bound: "
                        + h.boundInstanceIds() + ")");
            }
            HavipResource unbound = unbound(h, instanceId, now(), events);
            tx.update(unbound);
            return unbound;
        });
    }

    private static HavipResource unbound(HavipResource h, String instanceId, Instant at, List<HavipEvent> events) {
        HavipResource unbound = h.withUnbound(instanceId);
        events.add(new HavipEvent.InstanceUnbound(h.id(), instanceId, at));
        if (!h.holder().equals(unbound.holder())) {
            events.add(new HavipEvent.HolderChanged(h.id(), h.holder(), unbound.holder(), at));
        }
        return unbound;
    }

    // ---------------------------------------------------------------- EIP

    /** Puts {@code eip} in front of the HAVIP; the EIP may front one HAVIP only, and a HAVIP has at most one EIP. */
    public HavipResource associateEip(String havipId, IpAddress eip) {
        return write((tx, events) -> {
            HavipResource h = require(tx, havipId);
            String what = "cannot associate EIP " + eip + " with " + havipId + ": ";
            if (eip == null) {
                throw refused(Reason.INVALID_REQUEST, "cannot associate an EIP with " + havipId + ": the EIP is missing");
            }
            if (h.eip().filter(eip::equals).isPresent()) {
                return h;
            }
            if (h.status() != HavipStatus.AVAILABLE) {
                throw refused(Reason.WRONG_STATUS, what + havipId + " is " + h.status() + "; only an AVAILABLE HAVIP takes an EIP");
            }
            if (h.eip().isPresent()) {
                throw refused(Reason.EIP_CONFLICT, what + havipId + " already has EIP " + h.eip().get() + "; disassociate it first");
            }
            Optional<String> other = tx.withEip(eip);
            if (other.isPresent()) {
                throw refused(Reason.EIP_CONFLICT, what + "it is associated with " + other.get() + "; disassociate it there first");
            }
            HavipResource associated = h.withEip(Optional.of(eip));
            tx.update(associated);
            events.add(new HavipEvent.EipAssociated(havipId, eip, now()));
            return associated;
        });
    }

    /** Removes the HAVIP's EIP. */
    public HavipResource disassociateEip(String havipId) {
        return write((tx, events) -> {
            HavipResource h = require(tx, havipId);
            IpAddress eip = h.eip().orElseThrow(() -> refused(Reason.EIP_CONFLICT,
                    "cannot disassociate the EIP of " + havipId + ": it has none"));
            HavipResource h2 = h.withEip(Optional.empty());
            tx.update(h2);
            events.add(new HavipEvent.EipDisassociated(havipId, eip, now()));
            return h2;
        });
    }

    // ---------------------------------------------------------------- delete

    /**
     * Deletes an AVAILABLE or FAILED HAVIP: it goes DELETING, its instances are unbound and
     * its EIP disassociated (each with its event), its address is freed, and it is removed,
     * all in one transaction: a crash half-way leaves the HAVIP as it was.
     */
    public void delete(String havipId) {
        write((tx, events) -> {
            HavipResource h = require(tx, havipId);
            if (h.status() == HavipStatus.DELETING) {
                throw refused(Reason.WRONG_STATUS, "cannot delete " + havipId + ": it is already DELETING; "
                        + "only an AVAILABLE or FAILED HAVIP can be deleted");
            }
            Instant at = now();
            HavipResource current = h.withStatus(HavipStatus.DELETING);
            events.add(new HavipEvent.StatusChanged(havipId, h.status(), HavipStatus.DELETING, at));
            for (String instanceId : h.boundInstanceIds()) {
                current = unbound(current, instanceId, at, events);
            }
            if (current.eip().isPresent()) {
                events.add(new HavipEvent.EipDisassociated(havipId, current.eip().get(), at));
            }
            tx.delete(havipId);
            events.add(new HavipEvent.Deleted(havipId, h.address(), at));
            return null;
        });
    }

    /** Deletes each HAVIP in turn, each in its own transaction; one refusal does not stop the others. */
    public List<DeleteResult> deleteAll(List<String> havipIds) {
        List<DeleteResult> results = new ArrayList<>();
        for (String id : havipIds) {
            try {
                delete(id);
                results.add(new DeleteResult(id, Optional.empty()));
            } catch (HavipRefusedException e) {
                results.add(new DeleteResult(id, Optional.of(e)));
            }
        }
        return results;
    }

    // ---------------------------------------------------------------- announcements

    /**
     * Learns the holder from an ARP announcement the fabric saw: when {@code a.senderAddress()}
     * is a HAVIP of {@code a.subnetId()} and {@code a.senderMac()} belongs to an instance of that
     * subnet bound to it, that instance becomes the holder and a {@link HavipEvent.HolderChanged}
     * fires (stamped with the announcement's time). Anything else changes nothing and says why.
     */
    public AnnouncementOutcome onAnnouncement(ArpAnnouncement a) {
        if (a == null) {
            throw refused(Reason.INVALID_REQUEST, "the announcement is null");
        }
        return write((tx, events) -> announce(tx, a, events));
    }

    /**
     * Idempotent: the HAVIP row is locked, and the holder and its time only move forward, so the
     * same announcement applied twice (a retry, two fabric instances reporting one packet)
     * changes the HAVIP once.
     */
    private AnnouncementOutcome announce(HavipStore.Transaction tx, ArpAnnouncement a, List<HavipEvent> events) {
        IpAddress address = a.senderAddress();
        Optional<Subnet> subnet = inventory.subnet(a.subnetId());
        if (subnet.isEmpty()) {
            return new Ignored(IgnoreReason.UNKNOWN_SUBNET, "subnet " + a.subnetId() + " is unknown (announcement of " + address
                    + " by " + a.senderMac() + ")");
        }
        String vpcId = subnet.get().vpcId();
        List<HavipResource> sameAddress = tx.withAddress(vpcId, address);
        Optional<HavipResource> here = sameAddress.stream().filter(h -> h.subnetId().equals(a.subnetId())).findFirst();
        if (here.isPresent()) {
            // read again under the row lock: the unlocked look-up only found it
            here = tx.lock(here.get().id());
            sameAddress = here.map(List::of).orElse(List.of());
        }
        if (here.isEmpty()) {
            if (!sameAddress.isEmpty()) {
                HavipResource elsewhere = sameAddress.get(0);
                return new Ignored(IgnoreReason.WRONG_SUBNET, address + " is " + elsewhere.id() + " in subnet "
                        + elsewhere.subnetId() + ", but the announcement was seen in subnet " + a.subnetId());
            }
            return new Ignored(IgnoreReason.UNKNOWN_ADDRESS, address + " is not a HAVIP in subnet " + a.subnetId() + " of " + vpcId);
        }
        HavipResource h = here.get();
        if (h.status() != HavipStatus.AVAILABLE) {
            return new Ignored(IgnoreReason.HAVIP_NOT_AVAILABLE, h.id() + " (" + address + ") is " + h.status());
        }
        Optional<Instance> instance = inventory.instanceByMac(a.senderMac());
        if (instance.isEmpty()) {
            return new Ignored(IgnoreReason.UNKNOWN_MAC, a.senderMac() + " announcing " + address + " belongs to no known instance"
                    + (isVrrpVirtualMac(a.senderMac())
                            ? "; it is a VRRP virtual MAC, and the fabric knows instances by their own MACs (turn off use_vmac)"
                            : ""));
        }
        Instance i = instance.get();
        if (!i.subnetId().equals(a.subnetId())) {
            return new Ignored(IgnoreReason.WRONG_SUBNET, i.id() + " (" + a.senderMac() + ") is in subnet " + i.subnetId()
                    + ", but its announcement of " + address + " was seen in subnet " + a.subnetId());
        }
        if (!h.boundInstanceIds().contains(i.id())) {
            return new Ignored(IgnoreReason.INSTANCE_NOT_BOUND, i.id() + " announced " + address + " but is not bound to " + h.id()
                    + " (bound: " + h.boundInstanceIds() + "); bind it first");
        }
        if (h.holderSince().isPresent() && a.at().isBefore(h.holderSince().get())) {
            return new Ignored(IgnoreReason.STALE, "the announcement by " + i.id() + " at " + a.at() + " is older than the one by "
                    + h.holder().orElse("?") + " at " + h.holderSince().get() + " that made the current holder");
        }
        boolean changed = !h.holder().equals(Optional.of(i.id()));
        if (changed || !h.holderSince().equals(Optional.of(a.at()))) {
            tx.update(h.withHolder(i.id(), a.at()));
        }
        if (changed) {
            events.add(new HavipEvent.HolderChanged(h.id(), h.holder(), Optional.of(i.id()), a.at()));
        }
        return new Accepted(h.id(), i.id(), changed);
    }

    /** 00-00-5E-00-01-xx and 00-00-5E-00-02-xx, RFC 5798 section 7.3. */
    private static boolean isVrrpVirtualMac(MacAddress mac) {
        long prefix = mac.bits() >>> 8;
        return prefix == 0x00005e0001L || prefix == 0x00005e0002L;
    }

    // ---------------------------------------------------------------- internals

    private static HavipResource require(HavipStore.Transaction tx, String havipId) {
        return tx.lock(havipId).orElseThrow(() -> refused(Reason.NOT_FOUND, "HAVIP " + havipId + " does not exist"));
    }

    private Cidr cidrOf(HavipResource h) {
        Subnet subnet = inventory.subnet(h.subnetId()).orElseThrow(() -> new IllegalStateException(
                "HAVIP " + h.id() + " lives in subnet " + h.subnetId() + ", which the inventory does not know"));
        return subnet.cidr(h.type().family()).orElseThrow(() -> new IllegalStateException(
                "HAVIP " + h.id() + " is " + h.type() + " but subnet " + h.subnetId() + " has no " + h.type().family() + " CIDR"));
    }

    private String newId(HavipStore.Transaction tx) {
        for (int attempt = 0; attempt < 100; attempt++) {
            String id = ids.get();
            if (!tx.exists(id)) {
                return id;
            }
        }
        throw new IllegalStateException("the id generator gave 100 ids in a row that are already in use");
    }

    private Instant now() {
        return clock.instant();
    }

    private static HavipRefusedException refused(Reason reason, String message) {
        return new HavipRefusedException(reason, message);
    }

    /** A change made in one transaction; it adds its events to {@code events}, which are kept only if it commits. */
    @FunctionalInterface
    private interface Change<T> {
        T apply(HavipStore.Transaction tx, List<HavipEvent> events);
    }

    /**
     * Runs {@code change} in a store transaction, then delivers its events. Events are queued in
     * commit order: each transaction takes a ticket as its last step, while it still holds its
     * locks, so of two changes to the same HAVIP (or subnet, or instance) the one that commits
     * first has the lower ticket; a ticket whose transaction did not commit is queued empty.
     */
    private <T> T write(Change<T> change) {
        long[] ticket = {-1};
        List<List<HavipEvent>> made = new ArrayList<>(1);
        T result;
        try {
            result = store.inTransaction(tx -> {
                if (ticket[0] >= 0) {
                    queue(ticket[0], List.of());
                    ticket[0] = -1;
                }
                made.clear();
                List<HavipEvent> events = new ArrayList<>();
                T r = change.apply(tx, events);
                made.add(events);
                ticket[0] = takeTicket();
                return r;
            });
        } catch (RuntimeException | Error e) {
            if (ticket[0] >= 0) {
                queue(ticket[0], List.of());
            }
            throw e;
        }
        queue(ticket[0], made.get(0));
        deliver();
        return result;
    }

    private long takeTicket() {
        synchronized (tickets) {
            return nextTicket++;
        }
    }

    private void queue(long ticket, List<HavipEvent> events) {
        synchronized (tickets) {
            committed.put(ticket, events);
            List<HavipEvent> next;
            while ((next = committed.remove(nextToQueue)) != null) {
                pending.addAll(next);
                nextToQueue++;
            }
        }
    }

    /** Delivers queued events in order, on this thread unless another one is already delivering. */
    private void deliver() {
        while (!pending.isEmpty() && delivering.compareAndSet(false, true)) {
            try {
                HavipEvent event;
                while ((event = pending.poll()) != null) {
                    for (HavipListener listener : listeners) {
                        try {
                            listener.onEvent(event);
                        } catch (RuntimeException e) {
                            LOG.warn("HAVIP listener {} failed on {}; the other listeners still get it", listener, event, e);
                        }
                    }
                }
            } finally {
                delivering.set(false);
            }
        }
    }

    /** Configures a {@link HavipService}. */
    public static final class Builder {
        private final Inventory inventory;
        private HavipStore store = new InMemoryHavipStore();
        private ReservedAddressPolicy policy = CloudPolicies.tencent();
        private Clock clock = Clock.system();
        private HavipLimits limits = HavipLimits.DEFAULT;
        private Supplier<String> ids = Builder::randomId;

        private Builder(Inventory inventory) {
            if (inventory == null) {
                throw new IllegalArgumentException("a HAVIP service needs an inventory of VPCs, subnets and instances");
            }
            this.inventory = inventory;
        }

        /** Default: a new {@link InMemoryHavipStore}. HAVIPs already in the store keep their addresses. */
        public Builder store(HavipStore value) {
            this.store = require("store", value);
            return this;
        }

        /** Default: {@link CloudPolicies#tencent()}. */
        public Builder policy(ReservedAddressPolicy value) {
            this.policy = require("policy", value);
            return this;
        }

        /** Default: {@link Clock#system()}. */
        public Builder clock(Clock value) {
            this.clock = require("clock", value);
            return this;
        }

        /** Default: {@link HavipLimits#DEFAULT}. */
        public Builder limits(HavipLimits value) {
            this.limits = require("limits", value);
            return this;
        }

        /** Default: {@code havip-} and 8 random lower-case letters and digits. */
        public Builder ids(Supplier<String> value) {
            this.ids = require("id generator", value);
            return this;
        }

        public HavipService build() {
            return new HavipService(this);
        }

        private static <T> T require(String what, T value) {
            if (value == null) {
                throw new IllegalArgumentException(what + " is null");
            }
            return value;
        }

        private static String randomId() {
            String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
            StringBuilder sb = new StringBuilder("havip-");
            for (int i = 0; i < 8; i++) {
                sb.append(alphabet.charAt(ThreadLocalRandom.current().nextInt(alphabet.length())));
            }
            return sb.toString();
        }
    }
}
