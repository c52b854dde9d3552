package io.havip.vrrp.config;

/** keepalived's {@code state}: the state an instance starts in (case-sensitive, as keepalived reads it). */
public enum InitialState {
    /** Starts as master at once only with priority 255; otherwise keepalived treats it like BACKUP with preemption. */
    MASTER,
    /** The default: listen for Master_Down_Interval before taking over. */
    BACKUP
}
