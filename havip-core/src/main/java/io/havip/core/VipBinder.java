package io.havip.core;

import io.havip.core.net.InterfaceAddress;
import io.havip.core.net.MacAddress;
import java.util.List;
import java.util.Set;

/**
 * The seam between "this node won" and "the address is here". The Linux binder adds
 * the addresses with rtnetlink and runs the gratuitous ARP / NA schedule; the
 * in-memory binder serves tests and the no-root demo; a cloud binder (an API that
 * reassigns the address) can be added without touching the protocol.
 *
 * <p>Both operations are idempotent and report, per address, what they did. They are
 * called from one engine thread per router; implementations shared by several routers
 * must be thread-safe.
 */
public interface VipBinder extends AutoCloseable {

    /** Adds {@code addresses} to {@code interfaceName} and announces them; present ones are adopted. */
    List<AddressOutcome> bind(String interfaceName, List<InterfaceAddress> addresses) throws BindException;

    /** Stops announcing and removes {@code addresses} from {@code interfaceName}; absent ones are fine. */
    List<AddressOutcome> unbind(String interfaceName, List<InterfaceAddress> addresses) throws BindException;

    /** Which of {@code candidates} are present on {@code interfaceName} now (start-up reconciliation). */
    Set<InterfaceAddress> present(String interfaceName, List<InterfaceAddress> candidates) throws BindException;

    /**
     * Sends a fresh announcement burst for addresses this node holds (e.g. after another
     * MAC claimed one, or a lower-priority advert showed a stale master). Default: nothing.
     */
    default void reannounce(String interfaceName, List<InterfaceAddress> addresses) throws BindException { }

    /**
     * Announces {@code addresses}, which this node no longer holds, at {@code mac}: one burst
     * (gratuitous ARP / unsolicited NA) whose link-layer address is {@code mac}, sent from the
     * interface's own MAC so switches keep learning {@code mac} where it really is. Used by a
     * master that yields right after one of its answers overrode the new master's announcement
     * from the VRRP virtual MAC (RFC 5798 section 7.3), so clients follow the new master.
     * Default: nothing.
     */
    default void announceAt(String interfaceName, List<InterfaceAddress> addresses, MacAddress mac)
            throws BindException { }

    /**
     * How many announcement frames (gratuitous ARP, unsolicited NA) this binder has sent for
     * {@code addresses} on {@code interfaceName}, for the router's counters; 0 when it does not
     * announce or cannot tell (the default). Any thread.
     */
    default long announcementsSent(String interfaceName, List<InterfaceAddress> addresses) {
        return 0;
    }

    /**
     * True when {@link #bind} returns within a millisecond or so and blocks on nothing but the
     * local kernel (the Linux binder: netlink round trips and a packet send). The engine then
     * binds on its own thread right after the takeover advert, as keepalived does, instead of
     * handing the work to its address thread; clients move that much sooner. A binder that
     * calls a remote API or may wait on a lock held elsewhere must keep the default, false.
     */
    default boolean isLowLatency() {
        return false;
    }

    /**
     * Announcements this binder sends on its own schedule (repeats, refreshes) go out only while
     * {@code allowed} answers true; those due meanwhile are dropped, not delayed. A router whose
     * right to the address ends at a deadline (a quorum lease) sets it: a process resumed after
     * a SIGSTOP past that deadline must not announce an address it no longer holds, in the
     * moment before its engine runs and releases it. {@code allowed} is called on the binder's
     * announcing thread and must be cheap and thread-safe. Default: ignored (a binder without
     * its own schedule).
     */
    default void announceOnlyWhile(java.util.function.BooleanSupplier allowed) { }

    /**
     * Gives the addresses this binder adds from now on ({@link #bind}, including a restore) a
     * finite lifetime that the operating system enforces by itself: on Linux the kernel removes
     * an address whose {@code valid_lft} runs out (visible as {@code valid_lft 5sec} in {@code ip
     * addr}), so a frozen (SIGSTOP, GC, paused VM) or killed process does not keep answering for
     * an address whose quorum lease has ended. {@code validSeconds} is asked right before each
     * add and each {@link #refreshLifetime}, on the calling thread: seconds from that moment, 1
     * or more, or 0 for a permanent address; it must be cheap and thread-safe. Before the first
     * bind.
     *
     * @return true when this binder enforces the lifetime; false (the default) when its addresses
     *         stay until removed (the in-memory binder, a cloud API without lifetimes)
     */
    default boolean limitLifetime(java.util.function.IntSupplier validSeconds) {
        return false;
    }

    /**
     * Restarts the lifetime of {@code addresses}, held on {@code interfaceName}, at {@code
     * validSeconds} of {@link #limitLifetime} from now (one kernel round trip per address on
     * Linux). Linux adds an address that vanished meanwhile back, unannounced. Called on the
     * router's address thread. Default: nothing.
     */
    default void refreshLifetime(String interfaceName, List<InterfaceAddress> addresses) throws BindException { }

    /** Stops any announcement schedule; does not remove addresses. */
    @Override
    default void close() { }

    /** What {@link #bind} or {@link #unbind} did for one address. */
    record AddressOutcome(InterfaceAddress address, Outcome outcome) {
        public enum Outcome {
            /** The address was added by this call. */
            ADDED,
            /** The address was already present and is now held (adopted). */
            ALREADY_PRESENT,
            /** The address was removed by this call. */
            REMOVED,
            /** The address was not present; nothing to remove. */
            ALREADY_ABSENT
        }

        /** {@code 198.51.100.50/24 ADDED}. */
        @Override
        public String toString() {
            return address + " " + outcome;
        }
    }

    /** A bind or unbind that failed; the message names the address, the interface and the cause. */
    final class BindException extends Exception {
        public BindException(String message, Throwable cause) {
            super(message, cause);
        }

        public BindException(String message) {
            super(message);
        }
    }
}
