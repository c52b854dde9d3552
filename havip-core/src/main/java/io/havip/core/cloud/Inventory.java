package io.havip.core.cloud;

import io.havip.core.net.MacAddress;
import java.util.Optional;

/** What the control plane knows about the network: VPCs, subnets and instances. Implementations are thread-safe. */
public interface Inventory {

    Optional<Vpc> vpc(String id);

    Optional<Subnet> subnet(String id);

    Optional<Instance> instance(String id);

    /** The instance one of whose interfaces has {@code mac}. */
    Optional<Instance> instanceByMac(MacAddress mac);
}
