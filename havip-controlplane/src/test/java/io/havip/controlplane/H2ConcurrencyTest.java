package io.havip.controlplane;

import java.util.concurrent.atomic.AtomicInteger;

/** {@link ConcurrencyContract} on the embedded H2: two pools on one in-memory database in this JVM. */
class H2ConcurrencyTest extends ConcurrencyContract {

    private static final AtomicInteger N = new AtomicInteger();

    @Override
    String newDatabase() {
        return Databases.h2Memory("concurrency" + N.incrementAndGet());
    }
}
