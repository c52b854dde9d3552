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
        // one attempt per pool; retried here only while the server may still be starting
        config.setInitializationFailTimeout(1);
        HikariDataSource ds = connect(config);
        try {
            migrate(ds);
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
        return ds;
    }

    /** How long a database that refuses connections (still starting?) is retried. */
    private static final long CONNECT_RETRY_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(10);

    /**
     * The pool, once its first connection is made. A server that is not (yet) reachable is
     * tried again for {@link #CONNECT_RETRY_NANOS}; a refusal that waiting cannot change (a
     * wrong password, a database that does not exist: SQL states other than class 08 and
     * 57P03) fails at once instead of after the whole wait.
     */
    private static HikariDataSource connect(HikariConfig config) {
        long deadline = System.nanoTime() + CONNECT_RETRY_NANOS;
        while (true) {
            try {
                return new HikariDataSource(config);
            } catch (com.zaxxer.hikari.pool.HikariPool.PoolInitializationException e) {
                String state = null;
                for (Throwable t = e.getCause(); t != null && state == null; t = t.getCause()) {
                    if (t instanceof java.sql.SQLException sql) {
                        state = sql.getSQLState();
                    }
                }
                boolean mayPass = state == null || state.startsWith("08") || state.equals("57P03");
                if (!mayPass || System.nanoTime() - deadline > 0) {
                    throw e;
                }
                try {
                    Thread.sleep(500);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
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
