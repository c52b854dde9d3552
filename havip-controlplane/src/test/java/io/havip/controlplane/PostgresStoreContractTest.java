package io.havip.controlplane;

import com.zaxxer.hikari.HikariDataSource;
import io.havip.core.cloud.HavipStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;

/** The contract on a real PostgreSQL the test starts ({@link PostgresServer}); one database, emptied before each test. */
class PostgresStoreContractTest extends HavipStoreContract {

    private static HikariDataSource dataSource;
    private static String url;

    @Override
    HavipStore newStore() {
        if (dataSource == null) {
            url = PostgresServer.get().newDatabase();
            dataSource = Databases.open(url, null, null, 4);
        }
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("TRUNCATE havip_binding, havip, havip_lock");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return new JdbcHavipStore(dataSource, url);
    }

    @AfterAll
    static void close() {
        if (dataSource != null) {
            dataSource.close();
            dataSource = null;
        }
    }
}
