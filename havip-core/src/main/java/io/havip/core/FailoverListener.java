package io.havip.core;

/**
 * Hears every state change of a virtual router.
 *
 * <h2>Thread and ordering</h2>
 * Callbacks run one at a time, in the order the changes happened, on the listener
 * executor: a single thread per router by default, or the executor given when the
 * listener was added (give a single-thread one to keep the ordering). They are never
 * called under an internal lock and never on the engine thread, so a slow listener
 * delays neither adverts nor the election.
 *
 * <h2>What is already true when a callback runs</h2>
 * For {@code MASTER} the virtual addresses are bound and announced; for {@code BACKUP},
 * {@code FAULT} and {@code STOP} they are released. Work that must happen before the
 * address moves (bind a listening socket, drain connections) belongs in an
 * {@link AddressHook}, which the engine waits for (with a timeout).
 *
 * <h2>Races</h2>
 * Like Curator's {@code LeaderLatchListener#isLeader}: by the time {@link PerState#onMaster} runs
 * the node may already have lost mastership again; if so, the next callback
 * ({@code onBackup}, {@code onFault} or {@code onStop}) is queued behind this one and
 * will follow. Never assume the state is still current; read {@code state()} if needed.
 *
 * <h2>Exceptions</h2>
 * A callback that throws is logged with the change it was handling and the next change
 * is delivered as usual: a listener cannot stop the protocol.
 */
@FunctionalInterface
public interface FailoverListener {

    /**
     * Called for every change; the default implementation dispatches to the per-state
     * methods below. Override either this or the per-state methods, not both.
     */
    void onStateChange(StateChange change);

    /** A listener built from per-state callbacks: override only those you need. */
    interface PerState extends FailoverListener {
        @Override
        default void onStateChange(StateChange change) {
            switch (change.to()) {
                case MASTER -> onMaster(change);
                case BACKUP -> onBackup(change);
                case FAULT -> onFault(change);
                case STOP -> onStop(change);
                case INITIALIZE -> { }
            }
        }

        /** This node holds the address (bound and announced). */
        default void onMaster(StateChange change) { }

        /** This node does not hold the address; another node is (or will be) master. */
        default void onBackup(StateChange change) { }

        /** A tracker failed: the address is released and this node stays out of the election. */
        default void onFault(StateChange change) { }

        /** The router was closed; the last callback it will make. */
        default void onStop(StateChange change) { }
    }
}
