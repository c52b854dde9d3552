package io.havip.arp.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.havip.arp.testbed.Node;
import io.havip.arp.testbed.Testbed;
import io.havip.arp.testbed.TestbedExtension;
import io.havip.core.VipBinder.AddressOutcome.Outcome;
import io.havip.core.net.InterfaceAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestbedExtension.class)
class RtNetlinkIT {

    static boolean listed(String ipJson, InterfaceAddress a) {
        return ipJson.contains("\"local\":\"" + a.address() + "\",\"prefixlen\":" + a.prefixLength());
    }

    @Test
    void addsAndDeletesIpv4AndIpv6IdempotentlyAsIpSeesIt(Testbed net) throws Exception {
        Node a = net.addNode("a");
        InterfaceAddress v4 = InterfaceAddress.parse("198.51.100.50/24");
        InterfaceAddress v6 = InterfaceAddress.parse("2001:db8::50/64");
        List<Outcome> outcomes = a.call(() -> {
            try (RtNetlink nl = RtNetlink.open()) {
                int index = nl.ifindex("eth0");
                return List.of(nl.addAddress(index, v4, "eth0:vip"), nl.addAddress(index, v4), nl.addAddress(index, v6),
                        nl.addAddress(index, v6));
            }
        });
        assertThat(outcomes).containsExactly(Outcome.ADDED, Outcome.ALREADY_PRESENT, Outcome.ADDED,
                Outcome.ALREADY_PRESENT);
        String json = a.addressesJson();
        assertThat(listed(json, v4)).as(json).isTrue();
        assertThat(listed(json, v6)).as(json).isTrue();
        assertThat(json).contains("\"label\":\"eth0:vip\"").contains("\"broadcast\":\"198.51.100.255\"");
        assertThat(a.ip("addr", "show", "dev", "eth0")).contains("2001:db8::50/64 scope global nodad");

        List<AddressEntry> listedByNetlink = a.call(() -> {
            try (RtNetlink nl = RtNetlink.open()) {
                return nl.addresses(nl.ifindex("eth0"));
            }
        });
        assertThat(listedByNetlink).extracting(AddressEntry::address).contains(v4, v6,
                InterfaceAddress.parse("198.51.100.11/24"), InterfaceAddress.parse("2001:db8::11/64"));
        assertThat(listedByNetlink).filteredOn(e -> e.address().equals(v4)).singleElement()
                .satisfies(e -> assertThat(e.label()).isEqualTo("eth0:vip"));
        assertThat(listedByNetlink).filteredOn(e -> e.address().equals(v6)).singleElement()
                .satisfies(e -> assertThat(e.flags() & RtNetlink.IFA_F_NODAD).isNotZero());

        List<Outcome> removed = a.call(() -> {
            try (RtNetlink nl = RtNetlink.open()) {
                int index = nl.ifindex("eth0");
                return List.of(nl.deleteAddress(index, v4), nl.deleteAddress(index, v4), nl.deleteAddress(index, v6),
                        nl.deleteAddress(index, v6));
            }
        });
        assertThat(removed).containsExactly(Outcome.REMOVED, Outcome.ALREADY_ABSENT, Outcome.REMOVED,
                Outcome.ALREADY_ABSENT);
        json = a.addressesJson();
        assertThat(listed(json, v4)).as(json).isFalse();
        assertThat(listed(json, v6)).as(json).isFalse();
        assertThat(listed(json, InterfaceAddress.parse("198.51.100.11/24"))).as("own address kept").isTrue();
    }

    @Test
    void nonexistentInterfaceFailsWithTheKernelsTextAndAHint(Testbed net) throws Exception {
        Node a = net.addNode("a");
        NativeException v4 = a.call(() -> {
            try (RtNetlink nl = RtNetlink.open()) {
                return catchNative(() -> nl.addAddress(9999, InterfaceAddress.parse("198.51.100.50/24")));
            }
        });
        assertThat(v4.errnoName()).isEqualTo("ENODEV");
        assertThat(v4.errno()).isEqualTo(19);
        assertThat(v4.syscall()).isEqualTo("RTM_NEWADDR");
        assertThat(v4.getMessage()).startsWith("cannot add 198.51.100.50/24 on #9999: No such device (ENODEV, errno 19,"
                + " RTM_NEWADDR)").contains("does not exist in this network namespace");
        NativeException v6 = a.call(() -> {
            try (RtNetlink nl = RtNetlink.open()) {
                return catchNative(() -> nl.addAddress(9999, InterfaceAddress.parse("2001:db8::50/64")));
            }
        });
        assertThat(v6.errnoName()).isEqualTo("ENODEV");
        // The kernel's own words (extended ACK), "ipv6: Unable to find the interface" on Linux 6.x
        assertThat(v6.kernelMessage()).hasValueSatisfying(t -> assertThat(t).containsIgnoringCase("interface"));
        assertThat(v6.getMessage()).contains("[kernel: " + v6.kernelMessage().orElseThrow() + "]");
    }

    @Test
    void kernelExtendedAckTextForAnAddressTheKernelRefuses(Testbed net) throws Exception {
        Node a = net.addNode("a");
        // a multicast address as an interface address: refused with an explanation since Linux 4.x
        NativeException e = a.call(() -> {
            try (RtNetlink nl = RtNetlink.open()) {
                return catchNative(() -> nl.addAddress(nl.ifindex("eth0"), InterfaceAddress.parse("ff02::5/64")));
            }
        });
        assertThat(e.errnoName()).isEqualTo("EADDRNOTAVAIL");
        assertThat(e.kernelMessage()).hasValueSatisfying(t -> assertThat(t).contains("multicast"));
        assertThat(e.getMessage()).startsWith("cannot add ff02::5/64 on eth0: Cannot assign requested address"
                + " (EADDRNOTAVAIL, errno 99, RTM_NEWADDR) [kernel: ipv6: Cannot assign multicast address");
    }

    @Test
    void linkStateShowsCarrierAndFollowsThePeer(Testbed net) throws Exception {
        Node a = net.addNode("a");
        LinkState up = a.call(() -> {
            try (RtNetlink nl = RtNetlink.open()) {
                return nl.link("eth0").orElseThrow();
            }
        });
        assertThat(up.isAdminUp()).isTrue();
        assertThat(up.hasCarrier()).isTrue();
        assertThat(up.mac()).isEqualTo(a.mac());
        assertThat(up.mtu()).isEqualTo(1500);
        net.bridgeIp("link", "set", a.bridgePort(), "down");
        LinkState noCarrier = a.call(() -> {
            try (RtNetlink nl = RtNetlink.open()) {
                return nl.link(up.index()).orElseThrow();
            }
        });
        assertThat(noCarrier.isAdminUp()).isTrue();
        assertThat(noCarrier.hasCarrier()).isFalse();
        assertThat(noCarrier.isUp()).isFalse();
        assertThat(a.<Object>call(() -> {
            try (RtNetlink nl = RtNetlink.open()) {
                return nl.link("nosuch0");
            }
        })).isEqualTo(java.util.Optional.empty());
        assertThatThrownBy(() -> a.call(() -> {
            try (RtNetlink nl = RtNetlink.open()) {
                return nl.ifindex("nosuch0");
            }
        })).isInstanceOf(NativeException.class).hasMessageContaining("interface nosuch0 does not exist");
    }

    interface NativeCall {
        Object run() throws NativeException;
    }

    static NativeException catchNative(NativeCall call) {
        try {
            Object r = call.run();
            throw new AssertionError("expected a NativeException, got " + r);
        } catch (NativeException e) {
            return e;
        }
    }
}
