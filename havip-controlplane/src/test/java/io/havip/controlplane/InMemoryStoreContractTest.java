package io.havip.controlplane;

import io.havip.core.cloud.HavipStore;
import io.havip.core.cloud.InMemoryHavipStore;

class InMemoryStoreContractTest extends HavipStoreContract {

    @Override
    HavipStore newStore() {
        return new InMemoryHavipStore();
    }
}
