package io.havip.core.cloud;

import java.util.List;

/** One page of a {@link HavipQuery}'s result and how many HAVIPs match in all. */
public record HavipPage(int totalCount, List<HavipResource> havips) {

    public HavipPage {
        havips = List.copyOf(havips);
    }
}
