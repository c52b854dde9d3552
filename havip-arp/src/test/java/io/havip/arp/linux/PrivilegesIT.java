package io.havip.arp.linux;

import static org.assertj.core.api.Assertions.assertThat;

import io.havip.arp.testbed.Cmd;
import io.havip.arp.testbed.Node;
import io.havip.arp.testbed.Testbed;
import io.havip.arp.testbed.TestbedExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The layer as a non-root user (uid 65534) in a namespace, with and without ambient capabilities. */
@ExtendWith(TestbedExtension.class)
class PrivilegesIT {

    @Test
    void withoutCapabilitiesTheErrorNamesTheMissingCapability(Testbed net) throws Exception {
        Node a = net.addNode("a");
        Cmd.Result r = a.java(PrivilegeProbe.class, "198.51.100.70/24", "raw").asUser(65534).start().await(60);
        assertThat(r.exit()).as(r.stderr()).isZero();
        assertThat(r.stdout()).contains("CAPS []")
                .contains("AVAILABILITY the process lacks CAP_NET_ADMIN (needed to add and delete addresses);"
                        + " the process lacks CAP_NET_RAW")
                .contains("ADD-ERROR cannot add 198.51.100.70/24 on eth0: Operation not permitted (EPERM, errno 1,"
                        + " RTM_NEWADDR) — the process needs CAP_NET_ADMIN")
                .contains("RAW-ERROR cannot open a VRRP raw socket: Operation not permitted (EPERM, errno 1,"
                        + " socket(AF_INET, SOCK_RAW, 112)) — the process needs CAP_NET_RAW");
        assertThat(a.addressesJson()).doesNotContain("198.51.100.70");
    }

    @Test
    void ambientNetAdminAndNetRawAreEnough(Testbed net) throws Exception {
        Node a = net.addNode("a");
        Cmd.Result r = a.java(PrivilegeProbe.class, "198.51.100.71/24", "raw").asUser(65534, "net_admin", "net_raw")
                .start().await(60);
        assertThat(r.exit()).as(r.stderr()).isZero();
        assertThat(r.stdout()).contains("CAPS [CAP_NET_ADMIN, CAP_NET_RAW]").contains("AVAILABILITY available")
                .contains("ADD ADDED").contains("RAW ok");
        assertThat(a.addressesJson()).contains("\"local\":\"198.51.100.71\",\"prefixlen\":24");
    }
}
