package io.havip.core;

/**
 * The states of a virtual router: RFC 5798 section 6.4 (INITIALIZE, BACKUP, MASTER) plus
 * keepalived's FAULT (a tracked interface or health check failed: the router neither
 * holds the address nor takes part in the election) and STOP (closed for good).
 */
public enum RouterState {
    /** Created, not yet started; waits for the startup event (RFC 5798 section 6.4.1). */
    INITIALIZE,
    /** Monitoring the master; does not hold the address (RFC 5798 section 6.4.2). */
    BACKUP,
    /** Holds the virtual addresses and sends advertisements (RFC 5798 section 6.4.3). */
    MASTER,
    /** A tracker reports the node unfit: no address, no adverts, until it recovers (keepalived FAULT). */
    FAULT,
    /** Closed: the address was released and, if master, a priority-0 advert was sent. Terminal. */
    STOP;

    /** True in the one state where the node holds the virtual addresses. */
    public boolean holdsAddress() {
        return this == MASTER;
    }
}
