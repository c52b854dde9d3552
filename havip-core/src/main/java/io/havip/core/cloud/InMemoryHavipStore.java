package io.havip.core.cloud;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** A {@link HavipStore} in a concurrent map; nothing survives the process. */
public final class InMemoryHavipStore implements HavipStore {

    private final Map<String, Havip> havips = new ConcurrentHashMap<>();

    @Override
    public Optional<Havip> get(String id) {
        return id == null ? Optional.empty() : Optional.ofNullable(havips.get(id));
    }

    @Override
    public List<Havip> all() {
        return List.copyOf(havips.values());
    }

    @Override
    public void put(Havip havip) {
        havips.put(havip.id(), havip);
    }

    @Override
    public boolean remove(String id) {
        return havips.remove(id) != null;
    }
}
