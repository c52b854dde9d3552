package io.havip.controlplane;

import io.havip.core.cloud.HavipResource;
import io.havip.core.cloud.HavipPage;
import io.havip.core.cloud.HavipQuery;
import io.havip.core.cloud.HavipStatus;
import io.havip.core.cloud.HavipStore;
import io.havip.core.cloud.HavipType;
import io.havip.core.net.IpAddress;
import io.havip.core.net.IpFamily;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link HavipStore} in a relational database: PostgreSQL in production, H2 in its
 * PostgreSQL mode as the embedded default (see {@link Databases}). The schema is Flyway's
 * ({@code db/migration}); {@link Databases#migrate} brings a database up to date.
 *
 * <p>What holds across control-plane instances, and how: each transaction runs at READ
 * COMMITTED and takes row locks ({@code SELECT ... FOR UPDATE}) on what its rule depends on
 * before it reads the rows the rule counts: the HAVIP's row; a row of {@code havip_lock}
 * per subnet and family for an allocation; one per instance for a binding. Whoever holds the
 * lock reads the committed state of everyone before it, so the lowest free address, the
 * per-instance binding count and the EIP check are exact. The unique constraints (subnet,
 * address) and (eip) stay as the last line: a transaction that runs into one, into a
 * deadlock or a serialization failure is rolled back and run again (up to
 * {@value #MAX_ATTEMPTS} times, with a short random pause), and then sees the other's row
 * and refuses with the usual reason.
 *
 * <p>Times are kept to the microsecond (PostgreSQL's precision); a clock with finer times
 * reads back truncated.
 */
public final class JdbcHavipStore implements HavipStore {

    private static final Logger LOG = LoggerFactory.getLogger(JdbcHavipStore.class);
    static final int MAX_ATTEMPTS = 10;
    private static final String COLUMNS =
            "id, name, remark, vpc_id, subnet_id, type, address, status, holder, holder_since, eip, created_at";

    private final DataSource dataSource;
    private final String description;

    /**
     * A store over {@code dataSource}, whose schema {@link Databases#migrate} has made current.
     *
     * @param description where the data lives, for messages (a JDBC URL without credentials)
     */
    public JdbcHavipStore(DataSource dataSource, String description) {
        if (dataSource == null) {
            throw new IllegalArgumentException("a JDBC HAVIP store needs a data source");
        }
        this.dataSource = dataSource;
        this.description = description == null ? "the database" : description;
    }

    @Override
    public <T> T inTransaction(Work<T> work) {
        for (int attempt = 1; ; attempt++) {
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(false);
                if (c.getTransactionIsolation() != Connection.TRANSACTION_READ_COMMITTED) {
                    c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
                }
                try {
                    T result = work.run(new Tx(c));
                    c.commit();
                    return result;
                } catch (RuntimeException | Error | SQLException e) {
                    rollback(c, e);
                    throw e;
                }
            } catch (Sql e) {
                if (!retry(e.getCause(), attempt)) {
                    throw failure("a HAVIP transaction", e.getCause());
                }
            } catch (SQLException e) {
                if (!retry(e, attempt)) {
                    throw failure("a HAVIP transaction", e);
                }
            }
        }
    }

    private static void rollback(Connection c, Throwable cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    /** Whether {@code e} is a conflict with another transaction that running again resolves; if so, pauses first. */
    private boolean retry(SQLException e, int attempt) {
        String state = e.getSQLState();
        boolean conflict = "40001".equals(state) // serialization failure (H2: also a deadlock)
                || "40P01".equals(state) // PostgreSQL: deadlock detected
                || "23505".equals(state) // unique key taken by a transaction that committed meanwhile
                || "HYT00".equals(state); // H2: lock wait timed out
        if (!conflict || attempt >= MAX_ATTEMPTS) {
            return false;
        }
        LOG.debug("HAVIP transaction conflict in {} (SQL state {}, attempt {}): {}; running it again", description, state,
                attempt, e.getMessage());
        LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(1_000_000L << Math.min(attempt, 5)));
        return true;
    }

    private HavipStoreException failure(String what, SQLException e) {
        return new HavipStoreException(what + " failed in " + description + ": " + e.getMessage() + " (SQL state "
                + e.getSQLState() + "); check that the database is reachable and migrated", e.getSQLState(), e);
    }

    @Override
    public Optional<HavipResource> get(String id) {
        if (id == null) {
            return Optional.empty();
        }
        return read("reading HAVIP " + id, c -> {
            List<HavipResource> found = select(c, "SELECT " + COLUMNS + " FROM havip WHERE id = ?", List.of(id));
            return found.stream().findFirst();
        });
    }

    @Override
    public List<HavipResource> all() {
        return read("listing every HAVIP", c -> select(c, "SELECT " + COLUMNS + " FROM havip", List.of()));
    }

    @Override
    public HavipPage find(HavipQuery q) {
        StringBuilder where = new StringBuilder(" WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        if (!q.ids().isEmpty()) {
            where.append(" AND id IN (").append(placeholders(q.ids().size())).append(')');
            args.addAll(q.ids());
        }
        q.nameContains().ifPresent(n -> {
            where.append(" AND LOWER(name) LIKE ? ESCAPE '\\'");
            args.add("%" + likeEscaped(n.toLowerCase(Locale.ROOT)) + "%");
        });
        q.vpcId().ifPresent(v -> equal(where, args, "vpc_id", v));
        q.subnetId().ifPresent(v -> equal(where, args, "subnet_id", v));
        q.address().ifPresent(v -> equal(where, args, "address", v.toString()));
        q.eip().ifPresent(v -> equal(where, args, "eip", v.toString()));
        q.status().ifPresent(v -> equal(where, args, "status", v.name()));
        q.instanceId().ifPresent(v -> {
            where.append(" AND EXISTS (SELECT 1 FROM havip_binding b WHERE b.havip_id = havip.id AND b.instance_id = ?)");
            args.add(v);
        });
        return read("describing HAVIPs", c -> {
            int total;
            try (PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM havip" + where)) {
                bind(s, args);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    total = rs.getInt(1);
                }
            }
            List<Object> pageArgs = new ArrayList<>(args);
            pageArgs.add(q.limit());
            pageArgs.add(q.offset());
            List<HavipResource> page = select(c, "SELECT " + COLUMNS + " FROM havip" + where
                    + " ORDER BY created_at, id LIMIT ? OFFSET ?", pageArgs);
            return new HavipPage(total, page);
        });
    }

    private static void equal(StringBuilder where, List<Object> args, String column, String value) {
        where.append(" AND ").append(column).append(" = ?");
        args.add(value);
    }

    private static String likeEscaped(String s) {
        return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    private static String placeholders(int n) {
        return String.join(", ", Collections.nCopies(n, "?"));
    }

    /** Runs {@code body} in a read-only REPEATABLE READ transaction, so a count and its page agree. */
    private <T> T read(String what, SqlFunction<T> body) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            try {
                T result = body.apply(c);
                c.commit();
                return result;
            } finally {
                if (!c.getAutoCommit()) {
                    c.rollback();
                }
                c.setReadOnly(false);
            }
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    @FunctionalInterface
    private interface SqlFunction<T> {
        T apply(Connection c) throws SQLException;
    }

    /** The HAVIPs {@code sql} selects (its columns {@link #COLUMNS}), each with its bindings, in the order of the query. */
    private static List<HavipResource> select(Connection c, String sql, List<Object> args) throws SQLException {
        Map<String, Row> rows = new LinkedHashMap<>();
        try (PreparedStatement s = c.prepareStatement(sql)) {
            bind(s, args);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    Row r = new Row(rs);
                    rows.put(r.id, r);
                }
            }
        }
        if (rows.isEmpty()) {
            return List.of();
        }
        Map<String, List<String>> bindings = new HashMap<>();
        String bindingSql = rows.size() <= 100
                ? "SELECT havip_id, instance_id FROM havip_binding WHERE havip_id IN (" + placeholders(rows.size())
                        + ") ORDER BY havip_id, position"
                : "SELECT havip_id, instance_id FROM havip_binding ORDER BY havip_id, position";
        try (PreparedStatement s = c.prepareStatement(bindingSql)) {
            if (rows.size() <= 100) {
                bind(s, new ArrayList<>(rows.keySet()));
            }
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    bindings.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
                }
            }
        }
        return rows.values().stream().map(r -> r.havip(bindings.getOrDefault(r.id, List.of()))).collect(Collectors.toList());
    }

    private static void bind(PreparedStatement s, List<Object> args) throws SQLException {
        for (int i = 0; i < args.size(); i++) {
            s.setObject(i + 1, args.get(i));
        }
    }

    private static OffsetDateTime timestamp(Instant at) {
        return OffsetDateTime.ofInstant(at.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
    }

    private static List<String> typesOf(IpFamily family) {
        List<String> out = new ArrayList<>();
        for (HavipType t : HavipType.values()) {
            if (t.family() == family) {
                out.add(t.name());
            }
        }
        return out;
    }

    /** One row of {@code havip}, before its bindings are known. */
    private static final class Row {
        final String id;
        final String name;
        final String remark;
        final String vpcId;
        final String subnetId;
        final HavipType type;
        final IpAddress address;
        final HavipStatus status;
        final Optional<String> holder;
        final Optional<Instant> holderSince;
        final Optional<IpAddress> eip;
        final Instant createdAt;

        Row(ResultSet rs) throws SQLException {
            id = rs.getString(1);
            name = rs.getString(2);
            remark = rs.getString(3);
            vpcId = rs.getString(4);
            subnetId = rs.getString(5);
            type = HavipType.valueOf(rs.getString(6));
            address = IpAddress.parse(rs.getString(7));
            status = HavipStatus.valueOf(rs.getString(8));
            holder = Optional.ofNullable(rs.getString(9));
            holderSince = Optional.ofNullable(rs.getObject(10, OffsetDateTime.class)).map(OffsetDateTime::toInstant);
            eip = Optional.ofNullable(rs.getString(11)).map(IpAddress::parse);
            createdAt = rs.getObject(12, OffsetDateTime.class).toInstant();
        }

        HavipResource havip(List<String> bound) {
            return new HavipResource(id, name, remark, vpcId, subnetId, type, address, status, bound, holder, holderSince, eip, createdAt);
        }
    }

    /** An SQLException carried out of {@link Work#run}, which cannot throw checked exceptions. */
    private static final class Sql extends RuntimeException {
        Sql(SQLException cause) {
            super(cause);
        }

        @Override
        public synchronized SQLException getCause() {
            return (SQLException) super.getCause();
        }
    }

    private static final class Tx implements Transaction {
        private final Connection c;
        /** What this transaction read under a lock or wrote, to skip rewriting unchanged bindings. */
        private final Map<String, HavipResource> known = new HashMap<>();

        Tx(Connection c) {
            this.c = c;
        }

        @Override
        public Optional<HavipResource> lock(String id) {
            if (id == null) {
                return Optional.empty();
            }
            HavipResource mine = known.get(id);
            if (mine != null) {
                return Optional.of(mine);
            }
            Optional<HavipResource> h = sql(() -> select(c, "SELECT " + COLUMNS + " FROM havip WHERE id = ? FOR UPDATE", List.of(id)))
                    .stream().findFirst();
            h.ifPresent(v -> known.put(id, v));
            return h;
        }

        @Override
        public boolean exists(String id) {
            return known.containsKey(id) || sql(() -> {
                try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM havip WHERE id = ?")) {
                    s.setString(1, id);
                    try (ResultSet rs = s.executeQuery()) {
                        return rs.next();
                    }
                }
            });
        }

        @Override
        public void lockAllocations(String subnetId, IpFamily family) {
            lockRow("allocations/" + subnetId + "/" + family);
        }

        @Override
        public void lockInstance(String instanceId) {
            lockRow("instance/" + instanceId);
        }

        /** Locks the row {@code name} of havip_lock, creating it the first time. */
        private void lockRow(String name) {
            sql(() -> {
                if (selectForUpdate(name)) {
                    return null;
                }
                try (PreparedStatement s = c.prepareStatement("INSERT INTO havip_lock (name) VALUES (?) ON CONFLICT DO NOTHING")) {
                    s.setString(1, name);
                    s.executeUpdate();
                }
                if (!selectForUpdate(name)) {
                    throw new SQLException("lock row " + name + " vanished after it was inserted", "40001");
                }
                return null;
            });
        }

        private boolean selectForUpdate(String name) throws SQLException {
            try (PreparedStatement s = c.prepareStatement("SELECT name FROM havip_lock WHERE name = ? FOR UPDATE")) {
                s.setString(1, name);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next();
                }
            }
        }

        @Override
        public List<Allocation> allocations(String subnetId, IpFamily family) {
            List<String> types = typesOf(family);
            return sql(() -> {
                List<Allocation> out = new ArrayList<>();
                try (PreparedStatement s = c.prepareStatement("SELECT address, id FROM havip WHERE subnet_id = ? AND type IN ("
                        + placeholders(types.size()) + ")")) {
                    s.setString(1, subnetId);
                    for (int i = 0; i < types.size(); i++) {
                        s.setString(i + 2, types.get(i));
                    }
                    try (ResultSet rs = s.executeQuery()) {
                        while (rs.next()) {
                            out.add(new Allocation(IpAddress.parse(rs.getString(1)), rs.getString(2)));
                        }
                    }
                }
                return out;
            });
        }

        @Override
        public List<String> boundTo(String instanceId) {
            return sql(() -> strings("SELECT havip_id FROM havip_binding WHERE instance_id = ? ORDER BY havip_id", instanceId));
        }

        @Override
        public Optional<String> withEip(IpAddress eip) {
            return sql(() -> strings("SELECT id FROM havip WHERE eip = ?", eip.toString())).stream().findFirst();
        }

        private List<String> strings(String query, String arg) throws SQLException {
            List<String> out = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement(query)) {
                s.setString(1, arg);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
            }
            return out;
        }

        @Override
        public List<HavipResource> withAddress(String vpcId, IpAddress address) {
            return sql(() -> select(c, "SELECT " + COLUMNS + " FROM havip WHERE vpc_id = ? AND address = ?",
                    List.of(vpcId, address.toString())));
        }

        @Override
        public void insert(HavipResource h) {
            sql(() -> {
                try (PreparedStatement s = c.prepareStatement("INSERT INTO havip (" + COLUMNS
                        + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                    s.setString(1, h.id());
                    s.setString(2, h.name());
                    s.setString(3, h.remark());
                    s.setString(4, h.vpcId());
                    s.setString(5, h.subnetId());
                    s.setString(6, h.type().name());
                    s.setString(7, h.address().toString());
                    s.setString(8, h.status().name());
                    s.setString(9, h.holder().orElse(null));
                    s.setObject(10, h.holderSince().map(JdbcHavipStore::timestamp).orElse(null));
                    s.setString(11, h.eip().map(Object::toString).orElse(null));
                    s.setObject(12, timestamp(h.createdAt()));
                    s.executeUpdate();
                }
                insertBindings(h);
                return null;
            });
            known.put(h.id(), h);
        }

        @Override
        public void update(HavipResource h) {
            HavipResource before = known.get(h.id());
            if (before == null) {
                throw new IllegalStateException("HAVIP " + h.id() + " is updated without being locked first (call lock)");
            }
            sql(() -> {
                try (PreparedStatement s = c.prepareStatement("UPDATE havip SET name = ?, remark = ?, status = ?, holder = ?,"
                        + " holder_since = ?, eip = ? WHERE id = ?")) {
                    s.setString(1, h.name());
                    s.setString(2, h.remark());
                    s.setString(3, h.status().name());
                    s.setString(4, h.holder().orElse(null));
                    s.setObject(5, h.holderSince().map(JdbcHavipStore::timestamp).orElse(null));
                    s.setString(6, h.eip().map(Object::toString).orElse(null));
                    s.setString(7, h.id());
                    s.executeUpdate();
                }
                if (!before.boundInstanceIds().equals(h.boundInstanceIds())) {
                    try (PreparedStatement s = c.prepareStatement("DELETE FROM havip_binding WHERE havip_id = ?")) {
                        s.setString(1, h.id());
                        s.executeUpdate();
                    }
                    insertBindings(h);
                }
                return null;
            });
            known.put(h.id(), h);
        }

        private void insertBindings(HavipResource h) throws SQLException {
            if (h.boundInstanceIds().isEmpty()) {
                return;
            }
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO havip_binding (havip_id, instance_id, position) VALUES (?, ?, ?)")) {
                int position = 0;
                for (String instanceId : h.boundInstanceIds()) {
                    s.setString(1, h.id());
                    s.setString(2, instanceId);
                    s.setInt(3, position++);
                    s.addBatch();
                }
                s.executeBatch();
            }
        }

        @Override
        public void delete(String id) {
            sql(() -> {
                try (PreparedStatement s = c.prepareStatement("DELETE FROM havip WHERE id = ?")) {
                    s.setString(1, id);
                    s.executeUpdate();
                }
                return null;
            });
            known.remove(id);
        }

        private static <T> T sql(SqlCall<T> call) {
            try {
                return call.call();
            } catch (SQLException e) {
                throw new Sql(e);
            }
        }
    }

    @FunctionalInterface
    private interface SqlCall<T> {
        T call() throws SQLException;
    }

    @Override
    public String toString() {
        return "JdbcHavipStore[" + description + "]";
    }
}
