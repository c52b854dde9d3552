package io.havip.vrrp.internal.engine;

import io.havip.core.RouterState;
import io.havip.vrrp.RouterGroup;
import io.havip.vrrp.machine.Action;
import io.havip.vrrp.machine.SyncGroup;
import io.havip.vrrp.machine.VrrpMachine;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@link RouterGroup}'s members in step: after every input any member handles (on the
 * runtime's loop thread, which drives them all), {@link SyncGroup#reconcile} decides what the
 * others must do, and their engines carry it out at once, before the loop moves on. So the
 * members never rest in different states (one loop turn is the only moment they may differ).
 */
public final class SyncGroupDriver {

    private static final Logger log = LoggerFactory.getLogger(SyncGroupDriver.class);

    private final String name;
    private final RuntimeServices runtime;
    private final SyncGroup group;
    private final Map<VrrpMachine, Engine> engines = new IdentityHashMap<>();
    private final List<RouterGroup.GroupListener> listeners;
    private final SerialExecutor notify;
    /** Loop thread: reconciling now (member actions applied from here must not reconcile again). */
    private boolean reconciling;
    private final Object stateLock = new Object();
    private RouterState state = RouterState.INITIALIZE;

    public SyncGroupDriver(String name, RuntimeServices runtime, List<Engine> members, List<RouterGroup.GroupListener> listeners) {
        this.name = name;
        this.runtime = runtime;
        for (Engine e : members) {
            if (engines.put(e.machine(), e) != null) {
                throw new IllegalArgumentException("sync group " + name + ": router " + e.id().name()
                        + " is listed twice");
            }
        }
        this.group = new SyncGroup(name, members.stream().map(Engine::machine).toList());
        this.listeners = List.copyOf(listeners);
        this.notify = runtime.listenerExecutor("sync group " + name);
        members.forEach(e -> e.joinGroup(this));
    }

    /** Loop thread, after a member handled an input. */
    void reconcile(long now) {
        if (reconciling) {
            return;
        }
        reconciling = true;
        try {
            for (SyncGroup.MemberActions m : group.reconcile(now)) {
                engines.get(m.member()).applyForGroup(m.actions());
            }
        } finally {
            reconciling = false;
        }
        publish(group.state());
    }

    /** The group closed: its listeners hear STOP, and {@link #state()} says it. */
    public void closed() {
        publish(RouterState.STOP);
    }

    private void publish(RouterState to) {
        RouterState was;
        synchronized (stateLock) {
            was = state;
            if (was == to || was == RouterState.STOP) {
                return;
            }
            state = to;
            stateLock.notifyAll();
        }
        log.info("sync group {}: {} -> {} ({})", name, was, to, engines.values().stream()
                .map(e -> e.id().name() + " " + e.machine().state()).toList());
        RouterGroup.GroupChange change = new RouterGroup.GroupChange(name, was, to, runtime.clock().instant());
        for (RouterGroup.GroupListener l : listeners) {
            try {
                notify.execute(() -> {
                    try {
                        l.onGroupStateChange(change);
                    } catch (RuntimeException | Error e) {
                        log.warn("sync group {}: listener {} threw on {}; the group goes on", name, l, change, e);
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                log.debug("sync group {}: {} not delivered, closing", name, change);
            }
        }
    }

    public RouterState state() {
        synchronized (stateLock) {
            return state;
        }
    }

    public boolean awaitState(RouterState wanted, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (stateLock) {
            while (state != wanted) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(stateLock, left);
            }
            return true;
        }
    }
}
