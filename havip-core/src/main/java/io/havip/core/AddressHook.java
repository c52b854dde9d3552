package io.havip.core;

/**
 * Work that must finish before the virtual address moves, such as binding a
 * listening socket before the address is taken, or flushing state before it is released.
 *
 * <p>Each method runs on a hook thread of the router's runtime (never its event loop) and
 * the transition waits for it up to the hook timeout configured on the router; after
 * the timeout, or if the hook throws, the failure is logged and the transition
 * proceeds anyway: a hook can delay a failover by at most its timeout, never
 * prevent it. Adverts continue while a hook runs. Hooks for one router run strictly one at
 * a time, in transition order: a hook still running at its timeout is interrupted and
 * abandoned for that transition, and the router's next hook waits for it to return (within
 * its own timeout) or, if it has not returned by then, is not run at all (logged, counted in
 * {@code hookTimeouts}). A hook that ignores interruption and never returns therefore
 * silences the router's later hooks; the address still moves.
 *
 * <p>On {@code close()} of a master, {@link #beforeRelease} runs first, while this node
 * still holds the address and keeps advertising (so no backup takes over yet); only after
 * it returns (or times out) does the priority-0 advert go out and the address move. It is
 * the moment to finish work that needs this node to still be master, but not the moment to
 * stop accepting: clients keep arriving here until the new master has announced the address,
 * so a server that closes its listener in {@code beforeRelease} refuses them. Stop accepting
 * and drain when a {@link FailoverListener} reports the release (BACKUP, FAULT or STOP), as
 * the {@code VipProxy} example does.
 */
public interface AddressHook {

    /**
     * Runs before the address is bound on this node.
     *
     * @param pending the change about to happen (to MASTER)
     */
    default void beforeAcquire(StateChange pending) throws Exception { }

    /**
     * Runs before the address is released by this node (to BACKUP, FAULT or STOP).
     *
     * @param pending the change about to happen
     */
    default void beforeRelease(StateChange pending) throws Exception { }
}
