package io.havip.core.cloud;

import java.util.Optional;

/** The outcome of one item of {@link HavipService#deleteAll}: deleted, or the refusal saying why not. */
public record DeleteResult(String havipId, Optional<HavipRefusedException> refusal) {

    public DeleteResult {
        if (refusal == null) {
            throw new IllegalArgumentException("refusal is null (use Optional.empty() for a deleted item)");
        }
    }

    public boolean deleted() {
        return refusal.isEmpty();
    }
}
