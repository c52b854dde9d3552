package io.havip.vrrp;

import io.havip.core.RouterState;
import io.havip.vrrp.internal.engine.Engine;
import io.havip.vrrp.internal.engine.SyncGroupDriver;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A sync group: virtual routers of this node that move together, as keepalived's
 * {@code vrrp_sync_group} does. Typical users are an LVS-NAT director (the outside VIP and the
 * inside gateway VIP must sit on one node) and a proxy with a client-side and a
 * replication-side address.
 *
 * <pre>{@code
 * RouterGroup group = Havip.syncGroup("director")
 *         .router(Havip.builder().name("outside").interfaceName("eth0").vrid(51)...)
 *         .router(Havip.builder().name("inside").interfaceName("eth1").vrid(52)...)
 *         .listener(change -> log.info("group {} is now {}", change.group(), change.to()))
 *         .start();
 * }</pre>
 *
 * The rules (keepalived 2.2's): a member whose Master_Down_Timer runs out becomes MASTER only
 * when every other member wants MASTER too, or the group already is (otherwise it waits
 * another Master_Down_Interval rather than thrash); when one member becomes MASTER the others
 * follow; when one leaves MASTER for BACKUP (it heard a better master) the others do too; when
 * one goes FAULT (its interface went down, a weight-0 check failed) the others go FAULT, and they
 * all leave FAULT together once no member has a fault of its own. The members' own listeners,
 * hooks and addresses work as for a lone router; the group's {@link GroupListener}s hear the
 * group's state: FAULT if any member is, MASTER when every member is, BACKUP otherwise.
 *
 * <p>All members run on one {@link HavipRuntime} (their state machines are kept in step on its
 * loop thread, between any two inputs). {@link #close()} closes every member, each handing over
 * as {@link VirtualRouter#close()} does.
 */
public final class RouterGroup implements AutoCloseable {

    /** Hears the group's state changes, in order, on the runtime's listener pool. */
    @FunctionalInterface
    public interface GroupListener {
        void onGroupStateChange(GroupChange change);
    }

    /** The group went from {@code from} to {@code to} at {@code at} (the runtime's clock). */
    public record GroupChange(String group, RouterState from, RouterState to, Instant at) {
        public GroupChange {
            Objects.requireNonNull(group, "group");
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
            Objects.requireNonNull(at, "at");
        }
    }

    /** Collects the members; see {@link Havip#syncGroup(String)}. */
    public static final class Builder {
        private final String name;
        private final List<Havip.Builder> members = new ArrayList<>();
        private final List<GroupListener> listeners = new ArrayList<>();
        private HavipRuntime runtime;

        Builder(String name) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("sync group name is empty");
            }
            this.name = name;
        }

        /** Adds a member, configured as for a lone router. */
        public Builder router(Havip.Builder member) {
            members.add(Objects.requireNonNull(member, "member"));
            return this;
        }

        /** The runtime of every member; default the members' own choice, which must then agree. */
        public Builder runtime(HavipRuntime runtime) {
            this.runtime = Objects.requireNonNull(runtime, "runtime");
            return this;
        }

        public Builder listener(GroupListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * Opens every member, joins them and starts them.
         *
         * @throws IllegalArgumentException with no members, a member listed twice, or members
         *                                  that name different runtimes or clocks
         */
        public RouterGroup start() {
            if (members.isEmpty()) {
                throw new IllegalArgumentException("sync group " + name + " has no routers");
            }
            HavipRuntime rt = runtime;
            io.havip.core.Clock clock = null;
            for (Havip.Builder b : members) {
                HavipRuntime theirs = b.explicitRuntime();
                if (theirs != null) {
                    if (rt != null && rt != theirs) {
                        throw new IllegalArgumentException("sync group " + name + ": its routers name different runtimes;"
                                + " a group runs on one runtime");
                    }
                    rt = theirs;
                }
                if (b.explicitClock() != null) {
                    if (clock != null && clock != b.explicitClock()) {
                        throw new IllegalArgumentException("sync group " + name + ": its routers name different clocks");
                    }
                    clock = b.explicitClock();
                }
            }
            if (rt == null) {
                rt = clock == null ? HavipRuntime.shared() : HavipRuntime.privateFor(name, clock);
            }
            List<Engine> engines = new ArrayList<>();
            try {
                for (Havip.Builder b : members) {
                    engines.add(b.create(rt));
                }
                RouterGroup group = new RouterGroup(name, rt, engines, listeners);
                engines.forEach(Engine::start);
                return group;
            } catch (RuntimeException e) {
                engines.forEach(Engine::close);
                throw e;
            }
        }
    }

    private final String name;
    private final List<Engine> members;
    private final SyncGroupDriver driver;

    private RouterGroup(String name, HavipRuntime runtime, List<Engine> members, List<GroupListener> listeners) {
        this.name = name;
        this.members = List.copyOf(members);
        this.driver = new SyncGroupDriver(name, runtime.services(), this.members, listeners);
    }

    public String name() {
        return name;
    }

    /** The members, in the order given. */
    public List<VirtualRouter> routers() {
        return List.copyOf(members);
    }

    /** FAULT if any member is, MASTER when every running member is, BACKUP otherwise (as the loop last saw it). */
    public RouterState state() {
        return driver.state();
    }

    /** Waits until the group is in {@code state}; true if it got there within {@code timeout}. */
    public boolean awaitState(RouterState state, Duration timeout) throws InterruptedException {
        return driver.awaitState(state, timeout);
    }

    /** Closes every member (in parallel, each handing over as a lone router does). Idempotent. */
    @Override
    public void close() {
        HavipRuntime.closeAll(members);
        driver.closed();
    }

    @Override
    public String toString() {
        return "RouterGroup[" + name + " " + state() + " " + members + "]";
    }
}
