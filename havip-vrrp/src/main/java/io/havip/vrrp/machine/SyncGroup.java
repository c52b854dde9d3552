package io.havip.vrrp.machine;

import io.havip.core.RouterState;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps several virtual routers of one node in step, as keepalived's {@code vrrp_sync_group}
 * does (e.g. the outside and inside addresses of a firewall must move together):
 * <ul>
 *   <li>a member whose Master_Down_Timer runs out becomes MASTER only when every other
 *       member wants MASTER too (or the group is already MASTER); otherwise it waits another
 *       Master_Down_Interval (keepalived {@code vrrp_sync_can_goto_master}: prefer BACKUP
 *       to avoid thrashing);</li>
 *   <li>when one member becomes MASTER (timer, address owner, recovery) the others follow;</li>
 *   <li>when one member leaves MASTER for BACKUP (a higher-priority advert) the others do too;</li>
 *   <li>when one member goes FAULT the others go FAULT; when no member has a fault of its own
 *       any more, all leave FAULT together.</li>
 * </ul>
 * Pure logic, like the machines: after giving any input to any member, the driver calls
 * {@link #reconcile(long)} and carries out the follow-up actions it returns for the other
 * members. Not thread-safe: the members of one group must be driven by one thread.
 */
public final class SyncGroup {

    private final String name;
    private final List<VrrpMachine> members;
    private final Map<VrrpMachine, RouterState> lastSeen = new IdentityHashMap<>();

    /**
     * @throws IllegalArgumentException if there are no members, one is listed twice, or one
     *                                  already belongs to another group
     */
    public SyncGroup(String name, List<VrrpMachine> members) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("sync group name is empty");
        }
        if (members == null || members.isEmpty()) {
            throw new IllegalArgumentException("sync group " + name + " has no members");
        }
        this.name = name;
        this.members = List.copyOf(members);
        for (VrrpMachine m : this.members) {
            if (lastSeen.put(m, m.state()) != null) {
                throw new IllegalArgumentException("sync group " + name + ": router " + m.config().router().name()
                        + " is listed twice");
            }
        }
        for (VrrpMachine m : this.members) {
            // All checked before any joins: a refused group must leave no member half-joined.
            if (m.inGroup()) {
                throw new IllegalArgumentException("router " + m.config().router().name()
                        + " already belongs to a sync group");
            }
        }
        for (VrrpMachine m : this.members) {
            m.joinGroup(this::mayBecomeMaster);
        }
    }

    public String name() {
        return name;
    }

    public List<VrrpMachine> members() {
        return members;
    }

    /** FAULT if any member is, MASTER if every running member is, else BACKUP (or INITIALIZE / STOP). */
    public RouterState state() {
        List<VrrpMachine> running = members.stream()
                .filter(m -> m.state() != RouterState.INITIALIZE && m.state() != RouterState.STOP).toList();
        if (running.isEmpty()) {
            return members.stream().allMatch(m -> m.state() == RouterState.STOP) ? RouterState.STOP
                    : RouterState.INITIALIZE;
        }
        if (running.stream().anyMatch(m -> m.state() == RouterState.FAULT)) {
            return RouterState.FAULT;
        }
        return running.stream().allMatch(m -> m.state() == RouterState.MASTER) ? RouterState.MASTER
                : RouterState.BACKUP;
    }

    /**
     * Brings the members into line after an input to any of them.
     *
     * @return the actions for members that had to follow, in the order to carry them out
     */
    public List<MemberActions> reconcile(long nowNanos) {
        Map<VrrpMachine, List<Action>> produced = new LinkedHashMap<>();
        for (int round = 0; round <= 3 * members.size(); round++) {
            boolean changed = propagateFault(nowNanos, produced);
            boolean wentBackup = members.stream()
                    .anyMatch(m -> lastSeen.get(m) == RouterState.MASTER && m.state() == RouterState.BACKUP);
            boolean wentMaster = members.stream()
                    .anyMatch(m -> lastSeen.get(m) != RouterState.MASTER && m.state() == RouterState.MASTER);
            for (VrrpMachine m : members) {
                if (wentBackup && m.state() == RouterState.MASTER) {
                    changed |= collect(m, m.syncToBackup(nowNanos), produced);
                } else if (!wentBackup && wentMaster && m.state() == RouterState.BACKUP) {
                    changed |= collect(m, m.syncToMaster(nowNanos), produced);
                }
            }
            for (VrrpMachine m : members) {
                lastSeen.put(m, m.state());
            }
            if (!changed) {
                break;
            }
        }
        List<MemberActions> out = new ArrayList<>();
        produced.forEach((m, a) -> out.add(new MemberActions(m, List.copyOf(a))));
        return out;
    }

    private boolean propagateFault(long now, Map<VrrpMachine, List<Action>> produced) {
        boolean anyOwnFault = members.stream().anyMatch(m -> running(m) && m.ownFault());
        boolean changed = false;
        for (VrrpMachine m : members) {
            if (!running(m)) {
                continue;
            }
            if (anyOwnFault && !m.groupFault()) {
                collect(m, m.syncToFault(now), produced);
                changed = true;
            } else if (!anyOwnFault && m.groupFault()) {
                collect(m, m.syncReleaseFault(now), produced);
                changed = true;
            }
        }
        return changed;
    }

    private static boolean running(VrrpMachine m) {
        return m.state() != RouterState.INITIALIZE && m.state() != RouterState.STOP;
    }

    private static boolean collect(VrrpMachine m, List<Action> actions, Map<VrrpMachine, List<Action>> produced) {
        if (actions.isEmpty()) {
            return false;
        }
        produced.computeIfAbsent(m, k -> new ArrayList<>()).addAll(actions);
        return true;
    }

    /** keepalived vrrp_sync_can_goto_master: the group is MASTER already, or every other member wants it. */
    private boolean mayBecomeMaster(VrrpMachine candidate) {
        boolean groupMaster = members.stream().anyMatch(m -> m != candidate && m.state() == RouterState.MASTER);
        if (groupMaster) {
            return true;
        }
        return members.stream().filter(m -> m != candidate)
                .allMatch(m -> m.state() == RouterState.BACKUP && m.wantsMaster());
    }

    @Override
    public String toString() {
        return "SyncGroup[" + name + " " + state() + " " + members + "]";
    }

    /** The follow-up actions for one member. */
    public record MemberActions(VrrpMachine member, List<Action> actions) {
    }
}
