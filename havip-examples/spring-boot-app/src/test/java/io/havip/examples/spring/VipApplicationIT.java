package io.havip.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.JsonPath;
import io.havip.arp.testbed.Cmd;
import io.havip.arp.testbed.LinuxTestRequirements;
import io.havip.arp.testbed.Node;
import io.havip.arp.testbed.Testbed;
import io.havip.arp.testbed.TestbedExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The sample application on real network namespaces (root): two instances, node1 with priority
 * 150 and node2 with the default 100, each with nothing but its application.properties (the
 * three havip lines) and its node name; a client in a third namespace reaches the virtual address
 * over the bridge, reads /actuator/health and /actuator/metrics through it, and after SIGTERM to
 * node1 (a graceful shutdown: handed over while node1's web server still serves) reaches node2.
 */
@ExtendWith(TestbedExtension.class)
class VipApplicationIT {

    private static final String VIP = "198.51.100.50";
    private static final Duration CONVERGE = Duration.ofSeconds(30);
    /** A Spring Boot start: 3-5 s on a quiet host, 20 s and more with two starting on a busy 2-core one. */
    private static final Duration START = Duration.ofSeconds(120);

    @Test
    void twoInstancesHoldTheAddressAndHandItOverOnSigterm(Testbed net) throws Exception {
        LinuxTestRequirements.require("ip", "curl");
        Node n1 = net.addNode("node1");
        Node n2 = net.addNode("node2");
        Node client = net.addNode("client");
        List<App> apps = new ArrayList<>();
        try {
            App a1 = App.start(n1, "--havip.routers.web.priority=150");
            apps.add(a1);
            App a2 = App.start(n2);
            apps.add(a2);
            a1.awaitLog("Started VipApplication");
            a2.awaitLog("Started VipApplication");

            String served = await(client, "/", body -> body.startsWith("served by node1 (MASTER)"));
            assertThat(served).isEqualTo("served by node1 (MASTER)\n");
            String health = await(client, "/actuator/health", b -> b.contains("\"state\":\"MASTER\""));
            assertThat(JsonPath.<String>read(health, "$.components.havip.status")).isEqualTo("UP");
            assertThat(JsonPath.<Integer>read(health, "$.components.havip.details.web.vrid")).isEqualTo(51);
            assertThat(JsonPath.<String>read(health, "$.components.havip.details.web.interface")).isEqualTo("eth0");
            assertThat(JsonPath.<List<Double>>read(get(client, "/actuator/metrics/havip.vrrp.state"),
                    "$.measurements[?(@.statistic=='VALUE')].value")).containsExactly(2.0);
            assertThat(JsonPath.<Number>read(get(client, "/actuator/havip"), "$.web.stats.vrrp.advertisementsSent")
                    .longValue()).isPositive();

            long sigterm = System.nanoTime();
            a1.process.destroy(); // SIGTERM: Spring's shutdown, the router phase first
            String after = await(client, "/", body -> body.startsWith("served by node2 (MASTER)"));
            long movedMs = (System.nanoTime() - sigterm) / 1_000_000;
            System.out.printf("VipApplicationIT: clients reach node2 %d ms after SIGTERM to node1%n", movedMs);
            assertThat(after).isEqualTo("served by node2 (MASTER)\n");
            assertThat(a1.process.waitFor(30, TimeUnit.SECONDS)).as("node1 exited; log:\n" + a1.log()).isTrue();
            assertThat(a1.log()).contains("BACKUP")
                    .containsPattern("MASTER -> STOP \\(SHUTDOWN");
            assertThat(a2.log()).contains("BACKUP -> MASTER (MASTER_RELEASED");
        } finally {
            for (App a : apps) {
                a.close();
                System.out.printf("--- %s:%n%s%n", a.node.name(), tail(a.log(), 4000));
            }
        }
    }

    /** One instance of the sample application in {@code node}'s namespace. */
    private static final class App implements AutoCloseable {
        final Node node;
        final Process process;
        final Path log;

        private App(Node node, Process process, Path log) {
            this.node = node;
            this.process = process;
            this.log = log;
        }

        static App start(Node node, String... more) throws IOException {
            Path log = Files.createTempFile("havip-sample-" + node.name() + "-", ".log");
            List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", node.namespace(),
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1", "-cp",
                    System.getProperty("java.class.path"), VipApplication.class.getName(), "--server.port=8080",
                    "--sample.node-name=" + node.name(), "--havip.routers.web.advert-interval=100ms"));
            cmd.addAll(List.of(more));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            return new App(node, p, log);
        }

        String log() {
            try {
                return Files.readString(log);
            } catch (IOException e) {
                return "(no log: " + e + ")";
            }
        }

        void awaitLog(String text) throws InterruptedException {
            long end = System.nanoTime() + START.toNanos();
            while (!log().contains(text)) {
                if (!process.isAlive() || System.nanoTime() > end) {
                    throw new AssertionError(node.name() + " never logged '" + text + "'; log:\n" + log());
                }
                Thread.sleep(100);
            }
        }

        @Override
        public void close() throws InterruptedException {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
    }

    private static String get(Node client, String path) {
        Cmd.Result r = client.exec("curl", "-s", "--connect-timeout", "0.3", "--max-time", "1", "http://" + VIP + ":8080" + path);
        return r.exit() == 0 ? r.stdout() : "";
    }

    private static String await(Node client, String path, Predicate<String> condition) throws InterruptedException {
        long end = System.nanoTime() + CONVERGE.toNanos();
        String body;
        while (!condition.test(body = get(client, path))) {
            if (System.nanoTime() > end) {
                throw new AssertionError("GET " + path + " at " + VIP + " never matched; last: " + body);
            }
            Thread.sleep(50);
        }
        return body;
    }

    private static String tail(String text, int max) {
        return text.length() <= max ? text : "..." + text.substring(text.length() - max);
    }
}
