package io.havip.examples.spring;

import static io.havip.test.HavipAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.JsonPath;
import io.havip.core.AddressHook;
import io.havip.core.StateChange;
import io.havip.spring.boot.HavipRouterCustomizer;
import io.havip.spring.boot.HavipRouters;
import io.havip.test.HavipCluster;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureRestTestClient;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.web.servlet.client.RestTestClient;

/**
 * The sample application, twice (n1 is this test's {@code @SpringBootTest}, n2 a second
 * application started beside it), on havip-test's in-memory network under its virtual clock: the
 * address goes to n1, {@code /actuator/health} and {@code /actuator/metrics} show it, the address
 * is taken only once the web server listens and given back while it still does, and a crash of
 * n1 moves it to n2.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "sample.node-name=n1", "havip.routers.web.priority=150", "havip.routers.web.advert-interval=100ms",
        "havip.routers.web.handover-timeout=0s"})
@AutoConfigureRestTestClient
@Import(VipApplicationFailoverTest.OnTheTestCluster.class)
class VipApplicationFailoverTest {

    static final HavipCluster CLUSTER = HavipCluster.builder().nodes("n1", "n2").build();
    /** "node: phase: web server accepting?" for each hook call. */
    static final List<String> HOOKS = new CopyOnWriteArrayList<>();

    /** Puts each application's router on the test cluster's node named by {@code sample.node-name}. */
    @TestConfiguration
    static class OnTheTestCluster {
        @Bean
        HavipRouterCustomizer onTheTestCluster(@Value("${sample.node-name}") String node) {
            return (name, builder) -> CLUSTER.prepare(node, builder);
        }

        /** Records whether the web server accepts connections when the address is about to move. */
        @Bean
        AddressHook webServerProbe(@Value("${sample.node-name}") String node, ApplicationContext context) {
            return new AddressHook() {
                @Override
                public void beforeAcquire(StateChange pending) {
                    HOOKS.add(node + ": acquire: web server accepting " + accepting(context));
                }

                @Override
                public void beforeRelease(StateChange pending) {
                    HOOKS.add(node + ": release to " + pending.to() + ": web server accepting " + accepting(context));
                }
            };
        }

        private static boolean accepting(ApplicationContext context) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(),
                    ((WebServerApplicationContext) context).getWebServer().getPort())) {
                return s.isConnected();
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }
    }

    @Autowired
    RestTestClient rest;
    @Autowired
    HavipRouters routers;

    @AfterAll
    static void closeCluster() throws InterruptedException {
        CLUSTER.close();
    }

    @Test
    void holdsTheAddressShowsItInHealthAndMetricsAndFailsOver() throws Exception {
        CLUSTER.adopt("n1", routers.router("web").orElseThrow());
        ConfigurableApplicationContext n2 = new SpringApplicationBuilder(VipApplication.class, OnTheTestCluster.class)
                .properties("server.port=0", "sample.node-name=n2", "havip.routers.web.advert-interval=100ms",
                        "havip.routers.web.handover-timeout=0s").run();
        try {
            CLUSTER.adopt("n2", n2.getBean(HavipRouters.class).router("web").orElseThrow());
            CLUSTER.advance(Duration.ofMillis(500));
            assertThat(CLUSTER).hasMaster("n1");
            assertThat(get(rest, "/")).isEqualTo("served by n1 (MASTER)\n");
            String health = get(rest, "/actuator/health");
            assertThat(json(health, "$.status")).isEqualTo("UP");
            assertThat(json(health, "$.components.havip.status")).isEqualTo("UP");
            assertThat(json(health, "$.components.havip.details.web.state")).isEqualTo("MASTER");
            assertThat(json(health, "$.components.havip.details.web.priority")).isEqualTo(150);
            assertThat(json(get(rest, "/actuator/metrics/havip.vrrp.state"),
                    "$.measurements[?(@.statistic=='VALUE')].value")).isEqualTo(List.of(2.0));
            assertThat(json(get(rest, "/actuator/metrics/havip.vrrp.adverts.sent"), "$.name"))
                    .isEqualTo("havip.vrrp.adverts.sent");
            String endpoint = get(rest, "/actuator/havip");
            assertThat(json(endpoint, "$.web.state")).isEqualTo("MASTER");
            assertThat(((Number) json(endpoint, "$.web.stats.vrrp.advertisementsSent")).longValue()).isPositive();
            assertThat(HOOKS).contains("n1: acquire: web server accepting true");

            CLUSTER.crash("n1");
            CLUSTER.advance(Duration.ofMillis(500));
            assertThat(CLUSTER).hasMaster("n2");
            RestTestClient n2Rest = RestTestClient.bindToServer()
                    .baseUrl("http://127.0.0.1:" + ((WebServerApplicationContext) n2).getWebServer().getPort()).build();
            assertThat(get(n2Rest, "/")).isEqualTo("served by n2 (MASTER)\n");
            String n2Health = get(n2Rest, "/actuator/health");
            assertThat(json(n2Health, "$.components.havip.details.web.state")).isEqualTo("MASTER");
            assertThat(json(n2Health, "$.components.havip.details.web.priority")).isEqualTo(100);
        } finally {
            n2.close(); // n2 is MASTER: its release hook runs while its web server still accepts
        }
        assertThat(HOOKS).contains("n2: acquire: web server accepting true",
                "n2: release to STOP: web server accepting true");
    }

    /** What the JSON path finds in the body (by name: the order of an object's members is the JSON library's). */
    private static Object json(String body, String path) {
        return JsonPath.read(body, path);
    }

    /** The body of a GET that answered 200. */
    private static String get(RestTestClient client, String path) {
        return client.get().uri(path).exchange().expectStatus().isOk().expectBody(String.class).returnResult()
                .getResponseBody();
    }
}
