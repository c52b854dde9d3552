package io.havip.core.cloud;

import static io.havip.core.cloud.Fixture.T0;
import static io.havip.core.cloud.Fixture.ip;
import static io.havip.core.cloud.Fixture.mac;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.havip.core.net.Cidr;
import io.havip.core.net.IpFamily;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ModelTest {

    @Test
    void inventoryChecksThatThingsFitTogether() {
        InMemoryInventory inv = new InMemoryInventory().add(new Vpc("vpc-a", Cidr.parse("10.0.0.0/16")));
        assertThatThrownBy(() -> inv.add(new Vpc("vpc-a", Cidr.parse("10.1.0.0/16")))).hasMessage("VPC vpc-a already exists");
        assertThatThrownBy(() -> inv.add(new Subnet("s", "vpc-z", Cidr.parse("10.0.0.0/24"))))
                .hasMessage("subnet s: VPC vpc-z does not exist; add it first");
        assertThatThrownBy(() -> inv.add(new Subnet("s", "vpc-a", Cidr.parse("10.9.0.0/24"))))
                .hasMessage("subnet s: 10.9.0.0/24 is not inside VPC vpc-a (10.0.0.0/16)");
        inv.add(new Subnet("s1", "vpc-a", Cidr.parse("10.0.0.0/24"), Optional.of(Cidr.parse("2001:db8::/64"))));
        assertThatThrownBy(() -> inv.add(new Subnet("s2", "vpc-a", Cidr.parse("10.0.0.128/25"))))
                .hasMessage("subnet s2 overlaps subnet s1 of VPC vpc-a");
        assertThatThrownBy(() -> inv.add(new Subnet("s2", "vpc-a", Cidr.parse("10.0.1.0/24"), Optional.of(Cidr.parse("2001:db8::/64")))))
                .hasMessage("subnet s2 overlaps subnet s1 of VPC vpc-a");
        assertThatThrownBy(() -> inv.add(new Subnet("s1", "vpc-a", Cidr.parse("10.0.5.0/24")))).hasMessage("subnet s1 already exists");
        inv.add(new Instance("i1", "vpc-a", "s1", Set.of(mac(1), mac(2))));
        assertThatThrownBy(() -> inv.add(new Instance("i2", "vpc-a", "s9", Set.of(mac(3)))))
                .hasMessage("instance i2: subnet s9 does not exist in VPC vpc-a");
        assertThatThrownBy(() -> inv.add(new Instance("i2", "vpc-a", "s1", Set.of(mac(2)))))
                .hasMessage("instance i2: MAC 02:00:00:00:00:02 already belongs to i1");
        assertThatThrownBy(() -> inv.add(new Instance("i1", "vpc-a", "s1", Set.of(mac(3))))).hasMessage("instance i1 already exists");
        assertThat(inv.instanceByMac(mac(2)).map(Instance::id)).contains("i1");
        assertThat(inv.instanceByMac(mac(3))).isEmpty();
        assertThat(inv.instanceByMac(null)).isEmpty();
        assertThat(inv.vpc(null)).isEmpty();
        assertThat(inv.subnet("s1").orElseThrow().cidr(IpFamily.IPV6)).contains(Cidr.parse("2001:db8::/64"));
        assertThat(inv.instance("i1")).isPresent();
    }

    @Test
    void recordsRefuseMissingOrMismatchedFields() {
        assertThatThrownBy(() -> new Vpc(" ", Cidr.parse("10.0.0.0/16"))).hasMessage("VPC id is missing (got \" \")");
        assertThatThrownBy(() -> new Vpc("v", null)).hasMessage("VPC v needs a CIDR");
        assertThatThrownBy(() -> new Subnet("s", "v", Cidr.parse("2001:db8::/64")))
                .hasMessage("subnet s needs an IPv4 CIDR, got 2001:db8::/64");
        assertThatThrownBy(() -> new Subnet("s", "v", Cidr.parse("10.0.0.0/24"), Optional.of(Cidr.parse("10.1.0.0/24"))))
                .hasMessage("subnet s: the IPv6 CIDR 10.1.0.0/24 is not IPv6");
        assertThatThrownBy(() -> new Subnet("s", "v", Cidr.parse("10.0.0.0/24"), null))
                .hasMessage("subnet s: ipv6Cidr is null (use Optional.empty())");
        assertThatThrownBy(() -> new Subnet("s", null, Cidr.parse("10.0.0.0/24"))).hasMessage("VPC id of subnet s is missing (got \"null\")");
        assertThatThrownBy(() -> new Instance("i", "v", "s", Set.of())).hasMessage("instance i needs at least one MAC address");
        assertThatThrownBy(() -> HavipResource.create("h", "n", null, "v", "s", HavipType.EXTRANET_IPV6, ip("10.0.0.5"), T0))
                .hasMessage("HAVIP h: 10.0.0.5 is not IPv6 as EXTRANET_IPV6 needs");
        assertThatThrownBy(() -> HavipResource.create("h", "n", null, "v", "s", null, ip("10.0.0.5"), T0))
                .hasMessage("HAVIP h needs a type, an address, a status and a creation time");
        HavipResource h = HavipResource.create("h", "n", null, "v", "s", HavipType.INTRANET_IPV4, ip("10.0.0.5"), T0);
        assertThat(h.remark()).isEmpty();
        assertThatThrownBy(() -> h.withHolder("i9", T0)).hasMessage("HAVIP h: holder i9 is not bound to it");
        assertThatThrownBy(() -> new HavipResource("h", "n", "", "v", "s", HavipType.INTRANET_IPV4, ip("10.0.0.5"), HavipStatus.AVAILABLE,
                List.of(), null, Optional.empty(), Optional.empty(), T0))
                .hasMessage("HAVIP h: use Optional.empty() for no holder or no EIP, not null");
        HavipResource held = h.withBound("i1").withBound("i2").withHolder("i2", T0);
        assertThat(held.withUnbound("i1").holder()).as("another instance leaves").contains("i2");
        assertThat(held.withUnbound("i2").holder()).as("the holder leaves").isEmpty();
        assertThat(held.withUnbound("i2").holderSince()).isEmpty();
        assertThatThrownBy(() -> new DeleteResult("h", null)).hasMessage("refusal is null (use Optional.empty() for a deleted item)");
    }

    @Test
    void builderRefusesNulls() {
        assertThatThrownBy(() -> HavipService.builder(null))
                .hasMessage("a HAVIP service needs an inventory of VPCs, subnets and instances");
        HavipService.Builder b = HavipService.builder(new InMemoryInventory());
        assertThatThrownBy(() -> b.store(null)).hasMessage("store is null");
        assertThatThrownBy(() -> b.policy(null)).hasMessage("policy is null");
        assertThatThrownBy(() -> b.clock(null)).hasMessage("clock is null");
        assertThatThrownBy(() -> b.limits(null)).hasMessage("limits is null");
        assertThatThrownBy(() -> b.ids(null)).hasMessage("id generator is null");
        // the policy decides what apply may hand out
        Fixture f = new Fixture();
        HavipService aws = HavipService.builder(f.inventory).policy(CloudPolicies.aws()).build();
        assertThat(aws.apply(ApplyRequest.intranet("x", "vpc-a", "subnet-a")).address()).hasToString("10.0.0.4");
    }
}
