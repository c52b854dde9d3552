package io.havip.controlplane;

/** {@link ConcurrencyContract} on a real PostgreSQL the test starts ({@link PostgresServer}). */
class PostgresConcurrencyTest extends ConcurrencyContract {

    @Override
    String newDatabase() {
        return PostgresServer.get().newDatabase();
    }
}
