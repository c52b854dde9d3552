package io.havip.vrrp;

import static org.assertj.core.api.Assertions.assertThat;

import io.havip.arp.testbed.Node;
import io.havip.arp.testbed.Testbed;
import io.havip.arp.testbed.TestbedExtension;
import io.havip.core.RouterState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A runtime's threads and sockets do not grow with its routers: 100 routers on two nodes'
 * interfaces (real raw sockets, rtnetlink, GARP) run on the same threads and the same VRRP
 * sockets as 2 routers, elect correctly, and closing the runtime stops them all and its threads.
 */
@ExtendWith(TestbedExtension.class)
class RuntimeScaleIT {

    private static final int ROUTERS = 100;

    private static long havipThreads(String runtime) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("havip-")
                && t.getName().contains(runtime)).count();
    }

    private static long openFiles() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    private static VirtualRouter router(HavipRuntime rt, int vrid, int priority) {
        return Havip.builder().runtime(rt).name("r" + vrid).interfaceName("eth0").vrid(vrid).priority(priority)
                .advertInterval(Duration.ofMillis(200)).virtualAddress("203.0.113." + vrid + "/24").start();
    }

    @Test
    void threadsAndSocketsStayFlatFromTwoToAHundredRouters(Testbed net) throws Exception {
        Node a = net.addNode("a");
        Node b = net.addNode("b");
        HavipRuntime ra = HavipRuntime.builder().name("scale-a").build();
        HavipRuntime rb = HavipRuntime.builder().name("scale-b").build();
        List<VirtualRouter> onA = new ArrayList<>();
        List<VirtualRouter> onB = new ArrayList<>();
        try {
            for (int vrid = 1; vrid <= 2; vrid++) {
                int v = vrid;
                onA.add(a.call(() -> router(ra, v, 200)));
                onB.add(b.call(() -> router(rb, v, 100)));
            }
            for (VirtualRouter r : onA) {
                assertThat(r.awaitState(RouterState.MASTER, Duration.ofSeconds(10))).as("%s", r).isTrue();
            }
            long threadsAtTwo = havipThreads("scale-a");
            long filesAtTwo = openFiles();

            for (int vrid = 3; vrid <= ROUTERS; vrid++) {
                int v = vrid;
                onA.add(a.call(() -> router(ra, v, 200)));
                onB.add(b.call(() -> router(rb, v, 100)));
            }
            for (VirtualRouter r : onA) {
                assertThat(r.awaitState(RouterState.MASTER, Duration.ofSeconds(20))).as("%s", r).isTrue();
            }
            for (VirtualRouter r : onB) {
                assertThat(r.awaitState(RouterState.BACKUP, Duration.ofSeconds(20))).as("%s", r).isTrue();
            }
            // the elected state holds: the backups hear all 100 masters through one socket
            Thread.sleep(1_500);
            assertThat(onB).allSatisfy(r -> assertThat(r.state()).isEqualTo(RouterState.BACKUP));
            assertThat(onA).allSatisfy(r -> assertThat(r.stats().vrrp().becameMaster()).isEqualTo(1));

            long threadsAtHundred = havipThreads("scale-a");
            System.out.printf("MEASURED runtime: havip threads of a runtime %d at 2 routers, %d at %d; open files of "
                    + "the JVM (two runtimes) %d -> %d%n", threadsAtTwo, threadsAtHundred, ROUTERS, filesAtTwo,
                    openFiles());
            assertThat(threadsAtHundred).as("the runtime's threads, at most loop + receive + address and listener"
                    + " pools").isLessThanOrEqualTo(threadsAtTwo + HavipRuntime.ADDRESS_THREADS
                    + HavipRuntime.LISTENER_THREADS).isLessThanOrEqualTo(10);
            assertThat(openFiles() - filesAtTwo).as("no socket per router (98 more routers on each of two runtimes)")
                    .isLessThan(20);
        } finally {
            ra.close();
            rb.close();
        }
        assertThat(onA).allSatisfy(r -> assertThat(r.state()).isEqualTo(RouterState.STOP));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while ((havipThreads("scale-a") > 0 || havipThreads("scale-b") > 0) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(havipThreads("scale-a") + havipThreads("scale-b")).as("closing the runtimes stops their threads")
                .isZero();
    }
}
