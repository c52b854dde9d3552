package io.havip.core.cloud;

/**
 * Hears every {@link HavipEvent}.
 *
 * <p>Thread and ordering: events arrive one at a time, after the change's transaction
 * committed and never inside one, on the thread of a caller that changed something (the one
 * that finds the queue idle drains it, including other callers' events). They come in commit
 * order wherever order can matter: of two changes to the same HAVIP, the same subnet's
 * addresses or the same instance's bindings, the one committed first is heard first;
 * unrelated changes made at the same moment may be heard in either order. A listener hears
 * the changes made through its own service only: with several services on one database,
 * another instance's changes are not delivered here. A listener may call the service; the
 * events that causes are delivered after the current one returns, not nested in it. A
 * listener that throws is logged and the others still hear the event. The race: by the time
 * a listener runs, later changes may already be made; {@link HavipService#get} shows the
 * current state.
 */
@FunctionalInterface
public interface HavipListener {

    void onEvent(HavipEvent event);
}
