package io.havip.spring.boot;

import io.havip.core.StateChange;
import org.springframework.context.ApplicationEvent;

/**
 * A state change of one of the application's routers, as a Spring application event
 * ({@code @EventListener void on(HavipStateChangeEvent e)}).
 *
 * <p>Published on the router's listener thread, one at a time, in the order of the changes; what
 * is true when it arrives is what {@link io.havip.core.FailoverListener} says (for MASTER the
 * address is bound, for the others released), and the same race applies: by the time a MASTER
 * event is handled the router may have left MASTER again, and the event of that follows. A slow
 * {@code @EventListener} delays later events of that router (never the protocol); make it
 * {@code @Async} if it must take long, at the price of the ordering.
 */
public class HavipStateChangeEvent extends ApplicationEvent {

    private static final long serialVersionUID = 1L;

    private final transient StateChange change;

    public HavipStateChangeEvent(Object source, StateChange change) {
        super(source);
        this.change = change;
    }

    /** The router's name ({@code havip.routers.<name>}). */
    public String routerName() {
        return change.router().name();
    }

    public StateChange change() {
        return change;
    }

    @Override
    public String toString() {
        return "HavipStateChangeEvent[" + change + "]";
    }
}
