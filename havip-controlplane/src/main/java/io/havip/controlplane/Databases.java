package io.havip.controlplane;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * Opens the control plane's database: a HikariCP pool over a JDBC URL, migrated by Flyway.
 * PostgreSQL is the production database; without one the embedded default is an H2 file in
 * PostgreSQL compatibility mode, so the same SQL runs on both.
 */
public final class Databases {

    /** H2's settings that make it read and order as PostgreSQL does (H2's own "PostgreSQL Compatibility Mode" advice). */
    public static final String H2_POSTGRESQL_MODE = ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;LOCK_TIMEOUT=10000";

    private Databases() {
    }

    /** The embedded default: an H2 database in the file {@code path}.mv.db. */
    public static String h2File(String path) {
        return "jdbc:h2:file:" + path + H2_POSTGRESQL_MODE;
    }

    /** An H2 database in memory, alive until the JVM exits, shared by everyone in this JVM who opens {@code name}. */
    public static String h2Memory(String name) {
        return "jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1" + H2_POSTGRESQL_MODE;
    }

    /**
     * A pool of at most {@code poolSize} connections to {@code jdbcUrl}, the schema migrated to
     * the current version (Flyway holds a lock while it migrates, so instances that start
     * together migrate once).
     */
    public static HikariDataSource open(String jdbcUrl, String user, String password, int poolSize) {
        if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:")) {
            throw new IllegalArgumentException("the database URL must be a JDBC URL such as "
                    + "jdbc:postgresql://127.0.0.1:5432/havip or " + h2File("./havip") + ", got \"" + jdbcUrl + "\"");
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        if (user != null) {
            config.setUsername(user);
        }
        if (password != null) {
            config.setPassword(password);
        }
        config.setMaximumPoolSize(poolSize);
        // JdbcHavipStore's writes run at READ COMMITTED with row locks; as the pool's default it
        // costs no SET per transaction (the pool puts back what a read changes)
        config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        config.setPoolName("havip-controlplane");
        config.setInitializationFailTimeout(10_000);
        HikariDataSource ds = new HikariDataSource(config);
        try {
            migrate(ds);
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
        return ds;
    }

    /** Brings the schema of {@code dataSource} to the current version ({@code db/migration}). */
    public static void migrate(DataSource dataSource) {
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
    }

    /** {@code jdbcUrl} without a password parameter, for messages and logs. */
    public static String describe(String jdbcUrl) {
        return jdbcUrl.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }
}
