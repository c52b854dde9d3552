package io.havip.controlplane;

/**
 * The database behind a {@link JdbcHavipStore} failed in a way a retry does not cure (the
 * server is unreachable, the schema is not the expected one): the message says what was
 * attempted, the database's own error and SQL state, and what to check.
 */
public final class HavipStoreException extends RuntimeException {

    private final String sqlState;

    HavipStoreException(String message, String sqlState, Throwable cause) {
        super(message, cause);
        this.sqlState = sqlState;
    }

    /** The SQL state of the database error (e.g. {@code 08001}: cannot connect), or null. */
    public String sqlState() {
        return sqlState;
    }
}
