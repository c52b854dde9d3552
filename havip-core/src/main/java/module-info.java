/**
 * The model every havip module shares: addresses, router ids and states, the clock, the
 * listener and hook contracts, the in-memory network for tests, and the cloud-side HAVIP model.
 */
module io.havip.core {
    requires org.slf4j;

    exports io.havip.core;
    exports io.havip.core.net;
    exports io.havip.core.cloud;
    exports io.havip.core.memory;
}
