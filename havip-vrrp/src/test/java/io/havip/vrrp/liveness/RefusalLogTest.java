package io.havip.vrrp.liveness;

import static org.assertj.core.api.Assertions.assertThat;

import io.havip.vrrp.liveness.HandshakeAdmission.Reason;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RefusalLogTest {

    private static final long SECOND = 1_000_000_000L;
    private final List<String> lines = new ArrayList<>();
    private final RefusalLog log = new RefusalLog("VI_1", r -> "because " + r, lines::add, 10 * SECOND, 0);

    @Test
    void theFirstOfEachSourceAndReasonIsLoggedAtOnceTheRestSummarisedPerInterval() {
        for (int i = 0; i < 31; i++) {
            log.closed(LoopbackEndpoints.stranger(8), Reason.TIMED_OUT);
        }
        log.closed(LoopbackEndpoints.stranger(8), Reason.SOURCE_OVER_LIMIT);
        log.closed(LoopbackEndpoints.stranger(9), Reason.TIMED_OUT);
        assertThat(lines).containsExactly(
                "VI_1: closed an unauthenticated liveness connection from 127.0.0.9: because TIMED_OUT; more of these "
                        + "are counted and summarised every 10 s",
                "VI_1: closed an unauthenticated liveness connection from 127.0.0.9: because SOURCE_OVER_LIMIT; more "
                        + "of these are counted and summarised every 10 s",
                "VI_1: closed an unauthenticated liveness connection from 127.0.0.10: because TIMED_OUT; more of "
                        + "these are counted and summarised every 10 s");
        lines.clear();

        log.summarise(9 * SECOND);
        assertThat(lines).as("not before the interval").isEmpty();
        log.summarise(10 * SECOND);
        assertThat(lines).containsExactly(
                "VI_1: closed 30 unauthenticated liveness connections from 127.0.0.9 in the last 10 s: because "
                        + "TIMED_OUT");
        lines.clear();

        log.closed(LoopbackEndpoints.stranger(9), Reason.TIMED_OUT);
        log.summarise(25 * SECOND);
        assertThat(lines).containsExactly(
                "VI_1: closed 1 unauthenticated liveness connection from 127.0.0.10 in the last 15 s: because "
                        + "TIMED_OUT");
        lines.clear();
        log.summarise(40 * SECOND);
        assertThat(lines).as("nothing new, nothing said").isEmpty();
    }

    @Test
    void pastItsBoundNewSourcesAreCountedTogether() throws Exception {
        for (int i = 0; i < RefusalLog.MAX_KEYS + 10; i++) {
            log.closed(java.net.InetAddress.getByName("2001:db8::" + Integer.toHexString(i + 1)), Reason.NOT_A_PEER);
        }
        assertThat(lines).hasSize(RefusalLog.MAX_KEYS);
        lines.clear();
        log.summarise(10 * SECOND);
        assertThat(lines).containsExactly(
                "VI_1: closed 10 unauthenticated liveness connections from other addresses in the last 10 s: because "
                        + "NOT_A_PEER");
    }
}
