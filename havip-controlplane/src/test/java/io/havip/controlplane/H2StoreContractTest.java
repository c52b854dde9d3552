package io.havip.controlplane;

import com.zaxxer.hikari.HikariDataSource;
import io.havip.core.cloud.HavipStore;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;

/** The contract on the embedded default: H2 in PostgreSQL mode, one in-memory database per test. */
class H2StoreContractTest extends HavipStoreContract {

    private static final AtomicInteger N = new AtomicInteger();
    private HikariDataSource dataSource;

    @Override
    HavipStore newStore() {
        String url = Databases.h2Memory("contract" + N.incrementAndGet());
        dataSource = Databases.open(url, null, null, 4);
        return new JdbcHavipStore(dataSource, url);
    }

    @AfterEach
    void close() {
        dataSource.close();
    }
}
