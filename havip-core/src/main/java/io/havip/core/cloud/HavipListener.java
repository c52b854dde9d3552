package io.havip.core.cloud;

/**
 * Hears every {@link HavipEvent}.
 *
 * <p>Thread and ordering: events arrive one at a time, in the order the changes were made,
 * never while the service holds its lock, on the thread of a caller that changed something
 * (the one that finds the queue idle drains it, including other callers' events). A
 * listener may call the service; the events that causes are delivered after the current
 * one returns, not nested in it. A listener that throws is logged and the others still
 * hear the event. The race: by the time a listener runs, later changes may already be
 * made; {@link HavipService#get} shows the current state.
 */
@FunctionalInterface
public interface HavipListener {

    void onEvent(HavipEvent event);
}
