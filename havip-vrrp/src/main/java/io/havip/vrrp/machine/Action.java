package io.havip.vrrp.machine;

import io.havip.core.RouterState;
import io.havip.core.TransitionReason;
import io.havip.core.net.InterfaceAddress;
import io.havip.core.net.IpAddress;
import io.havip.vrrp.codec.VrrpAdvertisement;
import java.util.List;

/**
 * What a {@link VrrpMachine} asks its driver to do, in the order returned. The machine
 * performs no I/O itself (compare quinn-proto's {@code poll_*} outputs); the engine carries
 * these out (transport, binder, listener executor) and the simulation records them.
 */
public sealed interface Action permits Action.SendAdvert, Action.BindAddresses, Action.UnbindAddresses,
        Action.Reannounce, Action.NotifyStateChange, Action.RestoreAddresses, Action.RemoveStrayAddresses,
        Action.ReportStrayAddresses {

    /**
     * Encode {@code advertisement} (with this node's source address and each destination,
     * which the v3 checksum covers) and send it to every destination.
     */
    record SendAdvert(VrrpAdvertisement advertisement, List<IpAddress> destinations) implements Action {
        public SendAdvert {
            destinations = List.copyOf(destinations);
        }

        @Override
        public String toString() {
            return "SendAdvert[priority " + advertisement.priority() + " to " + destinations + "]";
        }
    }

    /** Add the addresses to the router's interface and announce them (gratuitous ARP / unsolicited NA). */
    record BindAddresses(List<InterfaceAddress> addresses) implements Action {
        public BindAddresses {
            addresses = List.copyOf(addresses);
        }
    }

    /** Remove the addresses from the router's interface and stop announcing them. */
    record UnbindAddresses(List<InterfaceAddress> addresses) implements Action {
        public UnbindAddresses {
            addresses = List.copyOf(addresses);
        }
    }

    /**
     * Send a fresh announcement burst for addresses already held, e.g. after a lower-priority
     * advert showed that some hosts may have followed a stale master (keepalived
     * {@code garp_lower_prio_repeat}).
     */
    record Reannounce(List<InterfaceAddress> addresses) implements Action {
        public Reannounce {
            addresses = List.copyOf(addresses);
        }
    }

    /**
     * Tell listeners about a state change. Comes after the bind (to MASTER) or the unbind
     * (from MASTER) it relates to, so "when a listener hears MASTER the address is bound" holds.
     *
     * @param priority the effective priority at the time of the change
     */
    record NotifyStateChange(RouterState from, RouterState to, TransitionReason reason, int priority) implements Action {
    }

    /**
     * As master: addresses the machine holds were removed from the interface by someone else. Add
     * back those still missing (the event may be stale: the driver checks) and announce them.
     */
    record RestoreAddresses(List<InterfaceAddress> addresses) implements Action {
        public RestoreAddresses {
            addresses = List.copyOf(addresses);
        }
    }

    /**
     * Not master, {@link StrayAddressPolicy#REMOVE}: virtual addresses appeared on the interface
     * without the machine's doing. Remove those still present (the driver checks).
     */
    record RemoveStrayAddresses(List<InterfaceAddress> addresses) implements Action {
        public RemoveStrayAddresses {
            addresses = List.copyOf(addresses);
        }
    }

    /**
     * Not master, {@link StrayAddressPolicy#REPORT}: as {@link RemoveStrayAddresses}, but only
     * report those still present and leave them.
     */
    record ReportStrayAddresses(List<InterfaceAddress> addresses) implements Action {
        public ReportStrayAddresses {
            addresses = List.copyOf(addresses);
        }
    }
}
