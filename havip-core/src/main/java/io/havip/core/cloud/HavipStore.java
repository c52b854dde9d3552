package io.havip.core.cloud;

import java.util.List;
import java.util.Optional;

/**
 * Where {@link HavipService} keeps HAVIPs. The service serialises its own calls, so an
 * implementation only needs each method to be atomic and visible to other threads.
 */
public interface HavipStore {

    Optional<Havip> get(String id);

    /** Every HAVIP, in no particular order. */
    List<Havip> all();

    /** Inserts or replaces the HAVIP with {@code havip.id()}. */
    void put(Havip havip);

    /** Removes the HAVIP with {@code id}; true when there was one. */
    boolean remove(String id);
}
