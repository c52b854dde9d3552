package io.havip.controlplane;

import io.havip.core.cloud.Instance;
import io.havip.core.cloud.Inventory;
import io.havip.core.cloud.Subnet;
import io.havip.core.cloud.Vpc;
import io.havip.core.net.Cidr;
import io.havip.core.net.MacAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;

/**
 * The VPCs, subnets and instances the control plane knows, in the same database as the
 * HAVIPs, so that every control-plane instance sees the same network. The {@code add} methods
 * check what {@link io.havip.core.cloud.InMemoryInventory} checks (the subnet inside its VPC,
 * overlapping no other subnet of it; one instance per MAC), each in one transaction that
 * locks the VPC's row, and refuse with an {@link IllegalArgumentException} naming the values.
 */
public final class JdbcInventory implements Inventory {

    private final DataSource dataSource;

    public JdbcInventory(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public JdbcInventory add(Vpc vpc) {
        write(c -> {
            if (exists(c, "SELECT 1 FROM vpc WHERE id = ?", vpc.id())) {
                throw new IllegalArgumentException("VPC " + vpc.id() + " already exists");
            }
            update(c, "INSERT INTO vpc (id, cidr) VALUES (?, ?)", vpc.id(), vpc.cidr().toString());
        });
        return this;
    }

    public JdbcInventory add(Subnet subnet) {
        write(c -> {
            Vpc vpc = lockVpc(c, subnet.vpcId()).orElseThrow(() -> new IllegalArgumentException("subnet " + subnet.id()
                    + ": VPC " + subnet.vpcId() + " does not exist; add it first"));
            if (!vpc.cidr().contains(subnet.ipv4Cidr())) {
                throw new IllegalArgumentException("subnet " + subnet.id() + ": " + subnet.ipv4Cidr() + " is not inside VPC "
                        + vpc.id() + " (" + vpc.cidr() + ")");
            }
            for (Subnet other : subnets(c, "SELECT id, vpc_id, ipv4_cidr, ipv6_cidr FROM subnet WHERE vpc_id = ?", vpc.id())) {
                boolean v6 = other.ipv6Cidr().isPresent() && subnet.ipv6Cidr().isPresent()
                        && other.ipv6Cidr().get().overlaps(subnet.ipv6Cidr().get());
                if (other.ipv4Cidr().overlaps(subnet.ipv4Cidr()) || v6) {
                    throw new IllegalArgumentException("subnet " + subnet.id() + " overlaps subnet " + other.id() + " of VPC "
                            + vpc.id());
                }
            }
            if (exists(c, "SELECT 1 FROM subnet WHERE id = ?", subnet.id())) {
                throw new IllegalArgumentException("subnet " + subnet.id() + " already exists");
            }
            update(c, "INSERT INTO subnet (id, vpc_id, ipv4_cidr, ipv6_cidr) VALUES (?, ?, ?, ?)", subnet.id(), vpc.id(),
                    subnet.ipv4Cidr().toString(), subnet.ipv6Cidr().map(Cidr::toString).orElse(null));
        });
        return this;
    }

    public JdbcInventory add(Instance instance) {
        write(c -> {
            lockVpc(c, instance.vpcId());
            Optional<Subnet> subnet = subnets(c, "SELECT id, vpc_id, ipv4_cidr, ipv6_cidr FROM subnet WHERE id = ?",
                    instance.subnetId()).stream().findFirst();
            if (subnet.isEmpty() || !subnet.get().vpcId().equals(instance.vpcId())) {
                throw new IllegalArgumentException("instance " + instance.id() + ": subnet " + instance.subnetId()
                        + " does not exist in VPC " + instance.vpcId());
            }
            for (MacAddress mac : instance.macs()) {
                List<String> other = strings(c, "SELECT instance_id FROM instance_mac WHERE mac = ?", mac.toString());
                if (!other.isEmpty()) {
                    throw new IllegalArgumentException("instance " + instance.id() + ": MAC " + mac + " already belongs to "
                            + other.get(0));
                }
            }
            if (exists(c, "SELECT 1 FROM instance WHERE id = ?", instance.id())) {
                throw new IllegalArgumentException("instance " + instance.id() + " already exists");
            }
            update(c, "INSERT INTO instance (id, vpc_id, subnet_id) VALUES (?, ?, ?)", instance.id(), instance.vpcId(),
                    instance.subnetId());
            for (MacAddress mac : instance.macs()) {
                update(c, "INSERT INTO instance_mac (mac, instance_id) VALUES (?, ?)", mac.toString(), instance.id());
            }
        });
        return this;
    }

    @Override
    public Optional<Vpc> vpc(String id) {
        return id == null ? Optional.empty() : read(c -> vpcs(c, "SELECT id, cidr FROM vpc WHERE id = ?", id));
    }

    @Override
    public Optional<Subnet> subnet(String id) {
        return id == null ? Optional.empty()
                : read(c -> subnets(c, "SELECT id, vpc_id, ipv4_cidr, ipv6_cidr FROM subnet WHERE id = ?", id).stream().findFirst());
    }

    @Override
    public Optional<Instance> instance(String id) {
        return id == null ? Optional.empty() : read(c -> instance(c, id));
    }

    @Override
    public Optional<Instance> instanceByMac(MacAddress mac) {
        return mac == null ? Optional.empty() : read(c -> {
            List<String> ids = strings(c, "SELECT instance_id FROM instance_mac WHERE mac = ?", mac.toString());
            return ids.isEmpty() ? Optional.empty() : instance(c, ids.get(0));
        });
    }

    private static Optional<Instance> instance(Connection c, String id) throws SQLException {
        List<String[]> rows = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT id, vpc_id, subnet_id FROM instance WHERE id = ?")) {
            s.setString(1, id);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    rows.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
                }
            }
        }
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        Set<MacAddress> macs = new HashSet<>();
        for (String mac : strings(c, "SELECT mac FROM instance_mac WHERE instance_id = ?", id)) {
            macs.add(MacAddress.parse(mac));
        }
        String[] r = rows.get(0);
        return Optional.of(new Instance(r[0], r[1], r[2], macs));
    }

    private static Optional<Vpc> lockVpc(Connection c, String id) throws SQLException {
        return vpcs(c, "SELECT id, cidr FROM vpc WHERE id = ? FOR UPDATE", id);
    }

    private static Optional<Vpc> vpcs(Connection c, String sql, String id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, id);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(new Vpc(rs.getString(1), Cidr.parse(rs.getString(2)))) : Optional.empty();
            }
        }
    }

    private static List<Subnet> subnets(Connection c, String sql, String arg) throws SQLException {
        List<Subnet> out = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, arg);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(new Subnet(rs.getString(1), rs.getString(2), Cidr.parse(rs.getString(3)),
                            Optional.ofNullable(rs.getString(4)).map(Cidr::parse)));
                }
            }
        }
        return out;
    }

    private static boolean exists(Connection c, String sql, String arg) throws SQLException {
        return !strings(c, sql, arg).isEmpty();
    }

    private static List<String> strings(Connection c, String sql, String arg) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, arg);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    private static void update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                s.setObject(i + 1, args[i]);
            }
            s.executeUpdate();
        }
    }

    @FunctionalInterface
    private interface SqlBody {
        void run(Connection c) throws SQLException;
    }

    @FunctionalInterface
    private interface SqlRead<T> {
        T apply(Connection c) throws SQLException;
    }

    private void write(SqlBody body) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                body.run(c);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new HavipStoreException("changing the inventory failed: " + e.getMessage() + " (SQL state " + e.getSQLState()
                    + ")", e.getSQLState(), e);
        }
    }

    private <T> T read(SqlRead<T> body) {
        try (Connection c = dataSource.getConnection()) {
            return body.apply(c);
        } catch (SQLException e) {
            throw new HavipStoreException("reading the inventory failed: " + e.getMessage() + " (SQL state " + e.getSQLState()
                    + ")", e.getSQLState(), e);
        }
    }
}
