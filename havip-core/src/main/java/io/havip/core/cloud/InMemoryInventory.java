package io.havip.core.cloud;

import io.havip.core.net.Cidr;
import io.havip.core.net.MacAddress;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** An {@link Inventory} filled by hand, for tests and the demo; checks that what is added fits together. */
public final class InMemoryInventory implements Inventory {

    private final Map<String, Vpc> vpcs = new ConcurrentHashMap<>();
    private final Map<String, Subnet> subnets = new ConcurrentHashMap<>();
    private final Map<String, Instance> instances = new ConcurrentHashMap<>();
    private final Map<MacAddress, Instance> byMac = new ConcurrentHashMap<>();

    public synchronized InMemoryInventory add(Vpc vpc) {
        if (vpcs.putIfAbsent(vpc.id(), vpc) != null) {
            throw new IllegalArgumentException("VPC " + vpc.id() + " already exists");
        }
        return this;
    }

    /** Adds a subnet of a known VPC whose IPv4 CIDR lies in the VPC's and overlaps no other subnet of it. */
    public synchronized InMemoryInventory add(Subnet subnet) {
        Vpc vpc = vpcs.get(subnet.vpcId());
        if (vpc == null) {
            throw new IllegalArgumentException("subnet " + subnet.id() + ": VPC " + subnet.vpcId() + " does not exist; add it first");
        }
        if (!vpc.cidr().contains(subnet.ipv4Cidr())) {
            throw new IllegalArgumentException("subnet " + subnet.id() + ": " + subnet.ipv4Cidr() + " is not inside VPC "
                    + vpc.id() + " (" + vpc.cidr() + ")");
        }
        for (Subnet other : subnets.values()) {
            if (other.vpcId().equals(subnet.vpcId()) && overlaps(other, subnet)) {
                throw new IllegalArgumentException("subnet " + subnet.id() + " overlaps subnet " + other.id() + " of VPC " + vpc.id());
            }
        }
        if (subnets.putIfAbsent(subnet.id(), subnet) != null) {
            throw new IllegalArgumentException("subnet " + subnet.id() + " already exists");
        }
        return this;
    }

    private static boolean overlaps(Subnet a, Subnet b) {
        if (a.ipv4Cidr().overlaps(b.ipv4Cidr())) {
            return true;
        }
        Optional<Cidr> a6 = a.ipv6Cidr();
        Optional<Cidr> b6 = b.ipv6Cidr();
        return a6.isPresent() && b6.isPresent() && a6.get().overlaps(b6.get());
    }

    /** Adds an instance in a known subnet of its VPC; each MAC may belong to one instance only. */
    public synchronized InMemoryInventory add(Instance instance) {
        Subnet subnet = subnets.get(instance.subnetId());
        if (subnet == null || !subnet.vpcId().equals(instance.vpcId())) {
            throw new IllegalArgumentException("instance " + instance.id() + ": subnet " + instance.subnetId()
                    + " does not exist in VPC " + instance.vpcId());
        }
        for (MacAddress mac : instance.macs()) {
            Instance other = byMac.get(mac);
            if (other != null) {
                throw new IllegalArgumentException("instance " + instance.id() + ": MAC " + mac + " already belongs to " + other.id());
            }
        }
        if (instances.putIfAbsent(instance.id(), instance) != null) {
            throw new IllegalArgumentException("instance " + instance.id() + " already exists");
        }
        instance.macs().forEach(mac -> byMac.put(mac, instance));
        return this;
    }

    @Override
    public Optional<Vpc> vpc(String id) {
        return id == null ? Optional.empty() : Optional.ofNullable(vpcs.get(id));
    }

    @Override
    public Optional<Subnet> subnet(String id) {
        return id == null ? Optional.empty() : Optional.ofNullable(subnets.get(id));
    }

    @Override
    public Optional<Instance> instance(String id) {
        return id == null ? Optional.empty() : Optional.ofNullable(instances.get(id));
    }

    @Override
    public Optional<Instance> instanceByMac(MacAddress mac) {
        return mac == null ? Optional.empty() : Optional.ofNullable(byMac.get(mac));
    }
}
