package io.havip.vrrp;

import io.havip.core.net.IpAddress;
import io.havip.core.net.IpFamily;
import io.havip.core.net.MacAddress;
import java.time.Duration;
import java.util.Optional;

/**
 * Stand-in for {@link io.havip.vrrp.machine.ConflictAnswers}, which moved to the sans-IO core, so
 * that {@code Engine} compiles unchanged until it is rewired (ENGINE_WIRING.md): delete this
 * class then and import the machine's.
 */
final class ConflictAnswers {

    private final io.havip.vrrp.machine.ConflictAnswers answers;

    ConflictAnswers(int vrid, IpFamily family, Duration advertInterval) {
        this.answers = new io.havip.vrrp.machine.ConflictAnswers(vrid, family, advertInterval);
    }

    boolean isVirtualMac(MacAddress mac) {
        return answers.isVirtualMac(mac);
    }

    long onClaim(long now, IpAddress address, MacAddress mac) {
        return answers.onClaim(now, address, mac);
    }

    long nextDeadlineNanos() {
        return answers.nextDeadlineNanos();
    }

    Optional<io.havip.vrrp.machine.ConflictAnswers.Answer> poll(long now) {
        return answers.poll(now);
    }

    Optional<MacAddress> onLeftMaster(long now, long newMasterIntervalNanos) {
        return answers.onLeftMaster(now, newMasterIntervalNanos);
    }
}
