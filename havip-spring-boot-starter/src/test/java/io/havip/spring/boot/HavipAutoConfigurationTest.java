package io.havip.spring.boot;

import static io.havip.test.HavipAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.havip.core.AddressHook;
import io.havip.core.RouterState;
import io.havip.core.StateChange;
import io.havip.core.TransitionReason;
import io.havip.micrometer.HavipRouterSetMeters;
import io.havip.test.HavipCluster;
import io.havip.vrrp.HealthCheck;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The starter with Spring Boot's test support: properties refused by name, and two application
 * contexts (two nodes) failing over on the in-memory network under havip-test's virtual clock,
 * seen through events, health, the endpoint and meters.
 */
class HavipAutoConfigurationTest {

    private static final String[] WEB = {"havip.routers.web.interface-name=eth0", "havip.routers.web.vrid=51",
            "havip.routers.web.virtual-addresses=198.51.100.50/24"};

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(HavipAutoConfiguration.class, MetricsAutoConfiguration.class,
                    SimpleMetricsExportAutoConfiguration.class, HealthContributorAutoConfiguration.class,
                    EndpointAutoConfiguration.class));

    @Test
    void aWrongPropertyStopsTheApplicationNamingTheProperty() {
        refused("havip.routers.web.vrid: 300 is outside 1-255", "havip.routers.web.interface-name=eth0",
                "havip.routers.web.vrid=300", "havip.routers.web.virtual-addresses=198.51.100.50/24");
        refused("havip.routers.web.interface-name: is required", "havip.routers.web.vrid=51",
                "havip.routers.web.virtual-addresses=198.51.100.50/24");
        refused("havip.routers.web.virtual-addresses: is required", "havip.routers.web.interface-name=eth0",
                "havip.routers.web.vrid=51");
        refused("havip.routers.web.virtual-addresses: virtualAddress:", "havip.routers.web.interface-name=eth0",
                "havip.routers.web.vrid=51", "havip.routers.web.virtual-addresses=198.51.100.500/24");
        refused("havip.routers.web.priority: 0 is outside 1-255", with("havip.routers.web.priority=0"));
        refused("havip.routers.web.liveness-port: needs havip.routers.web.liveness-secret",
                with("havip.routers.web.liveness-port=12000"));
        refused("havip.routers.web.stray-address-policy: 'ignore' is not one of REMOVE, REPORT",
                with("havip.routers.web.stray-address-policy=ignore"));
        refused("havip.routers.web.hook-timeout: PT0S must be positive", with("havip.routers.web.hook-timeout=0s"));
        refused("havip.routers.web.auth-password: router web: password is set but VRRPv3 has no authentication",
                with("havip.routers.web.auth-password=secret"));
        refused("havip.routers.web.advert-interval:", with("havip.routers.web.advert-interval=5ms"));
        runner.withPropertyValues(with("havip.routers.web.enabled=false"))
                .run(c -> assertThat(c.getBean(HavipRouters.class).routers()).isEmpty());
    }

    /**
     * Boot 4 ships health, the endpoint support and Micrometer as separate modules: the starter
     * takes each part only when its module is there, and runs without any of them (a web
     * application without the Actuator starter).
     */
    @Test
    void eachActuatorPartOnlyWithItsModule() {
        String[] off = with("havip.routers.web.enabled=false");
        ApplicationContextRunner starterOnly = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(HavipAutoConfiguration.class)).withPropertyValues(off);
        starterOnly.withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate",
                        "org.springframework.boot.health", "io.micrometer"))
                .run(c -> assertThat(c).hasNotFailed().hasSingleBean(HavipRouters.class)
                        .doesNotHaveBean(HavipHealthIndicator.class).doesNotHaveBean(HavipEndpoint.class)
                        .doesNotHaveBean(HavipRouterSetMeters.class));
        starterOnly.withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate"))
                .run(c -> assertThat(c).hasNotFailed().hasSingleBean(HavipHealthIndicator.class)
                        .doesNotHaveBean(HavipEndpoint.class).hasSingleBean(HavipRouterSetMeters.class));
        runner.withPropertyValues(off).withPropertyValues("management.health.havip.enabled=false",
                        "management.endpoints.web.exposure.include=health,havip")
                .run(c -> assertThat(c).hasNotFailed().doesNotHaveBean(HavipHealthIndicator.class)
                        .hasSingleBean(HavipEndpoint.class));
    }

    /**
     * The whole start-up path of a real SpringApplication: the refusal reaches Boot's failure
     * report through {@link HavipFailureAnalyzer} (spring.factories), naming the property and
     * what to do, instead of a stack trace.
     */
    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void aRefusedPropertyIsReportedByTheFailureAnalyzer(CapturedOutput output) {
        SpringApplicationBuilder app = new SpringApplicationBuilder(HavipOnly.class).web(WebApplicationType.NONE)
                .properties("havip.routers.web.interface-name=eth0", "havip.routers.web.vrid=300",
                        "havip.routers.web.virtual-addresses=198.51.100.50/24");
        assertThatThrownBy(app::run).hasRootCauseInstanceOf(HavipPropertyException.class);
        assertThat(output.toString()).contains("APPLICATION FAILED TO START")
                .contains("Invalid havip configuration: havip.routers.web.vrid: 300 is outside 1-255")
                .contains("Correct havip.routers.web.vrid in the application's configuration");
        // a value Spring itself cannot convert: the report names the property, not NumberFormatException
        // (and where it is written: the file, line and column)
        SpringApplicationBuilder fifty = new SpringApplicationBuilder(HavipOnly.class).web(WebApplicationType.NONE)
                .properties("spring.config.location=classpath:wrong-kind.properties");
        assertThatThrownBy(fifty::run).hasRootCauseInstanceOf(HavipPropertyException.class);
        assertThat(output.toString()).contains("Invalid havip configuration: havip.routers.web.vrid: 'fifty' is not a whole"
                + " number (class path resource [wrong-kind.properties] - 3:24)").doesNotContain("NumberFormatException");
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(HavipAutoConfiguration.class)
    static class HavipOnly {
        @Bean
        HavipRouterCustomizer neverStarts() {
            return NEVER_STARTS;
        }
    }

    /**
     * A tired operator's properties: a misspelt key is refused by name (it used to be ignored, so
     * {@code priorty=150} ran the preferred node at 100); text pasted from a web page or chat is
     * read as it looks (a no-break space after a value is a blank), but an invisible character
     * inside a value or a key, and any in a secret, is refused naming the property and the
     * character, never echoing the secret.
     */
    @Test
    void aMisspeltOrPastedPropertyIsRefusedByNameOrReadAsItLooks() throws Exception {
        failsNaming("havip.routers.web.priorty", with("havip.routers.web.priorty=150"));
        failsNaming("havip.router.web", "havip.router.web.vrid=51");
        refused("havip.routers.web.priority<U+00A0>: the property's name holds U+00A0 (no-break space)",
                with("havip.routers.web.priority\u00A0=150"));
        refused("havip.routers.web.virtual-addresses: '198.51.100.50<U+202E>/24' holds U+202E (right-to-left override)",
                "havip.routers.web.interface-name=eth0", "havip.routers.web.vrid=51",
                "havip.routers.web.virtual-addresses=198.51.100.50\u202E/24");
        refused("havip.routers.web.interface-name: 'et<U+200B>h0' holds U+200B (zero width space)",
                "havip.routers.web.interface-name=et\u200Bh0", "havip.routers.web.vrid=51",
                "havip.routers.web.virtual-addresses=198.51.100.50/24");
        // a value of the wrong kind: refused naming the property and what it should hold, not a Java exception
        refused("havip.routers.web.vrid: 'fifty' is not a whole number", "havip.routers.web.interface-name=eth0",
                "havip.routers.web.vrid=fifty", "havip.routers.web.virtual-addresses=198.51.100.50/24");
        refused("havip.routers.web.advert-interval: '1 sec' is not a duration such as 1s or 100ms",
                with("havip.routers.web.advert-interval=1 sec"));
        refused("havip.routers.web.preempt: 'yes please' is not true or false", with("havip.routers.web.preempt=yes please"));
        refused("havip.routers.web.track-interfaces.eth1: 'ten' is not a whole number",
                with("havip.routers.web.track-interfaces.eth1=ten"));
        refused("havip.routers.web.priority: '1<U+200B>50' holds U+200B (zero width space) at position 2",
                with("havip.routers.web.priority=1\u200B50"));
        String[] withSecret = {"havip.routers.web.interface-name=eth0", "havip.routers.web.vrid=51",
                "havip.routers.web.virtual-addresses=198.51.100.50/24", "havip.routers.web.version=2",
                "havip.routers.web.auth-password=pa\u00A0ss"};
        refused("havip.routers.web.auth-password: holds U+00A0 (no-break space) at position 3;", withSecret);
        runner.withPropertyValues(withSecret).run(c -> assertThat(c.getStartupFailure()).rootCause()
                .message().doesNotContain("pa\u00A0ss").doesNotContain("pa ss"));

        try (HavipCluster cluster = HavipCluster.builder().nodes("n1").build()) {
            node(cluster, "n1", 150, new CopyOnWriteArrayList<>(), null).withPropertyValues(
                            "havip.routers.web.interface-name=\u00A0eth0\u00C2\u00A0", // the last: UTF-8 read as Latin-1
                            "havip.routers.web.virtual-addresses=198.51.100.50/24\u00A0,\u2007198.51.100.51/24\u3000",
                            // numbers, durations and switches too (Spring alone fails on them with a NumberFormatException)
                            "havip.routers.web.vrid=51\u00A0", "havip.routers.web.priority=\u2007150\u00C2\u00A0",
                            "havip.routers.web.advert-interval=100ms\u200B", "havip.routers.web.preempt=true\u3000")
                    .run(c -> {
                        adopt(cluster, "n1", c);
                        io.havip.vrrp.VirtualRouter web = c.getBean(HavipRouters.class).router("web").orElseThrow();
                        assertThat(web.id().interfaceName()).isEqualTo("eth0");
                        assertThat(web.id().vrid()).isEqualTo(51);
                        assertThat(web.priority()).isEqualTo(150);
                        cluster.advance(Duration.ofMillis(500));
                        assertThat(cluster).hasMaster("n1");
                    });
        }
    }

    private void failsNaming(String property, String... properties) {
        runner.withPropertyValues(properties).withBean(HavipRouterCustomizer.class, () -> NEVER_STARTS).run(c -> {
            assertThat(c).hasFailed();
            StringBuilder messages = new StringBuilder();
            for (Throwable t = c.getStartupFailure(); t != null; t = t.getCause()) {
                messages.append(t.getMessage()).append('\n');
            }
            assertThat(messages.toString()).contains(property);
        });
    }

    private static String[] with(String extra) {
        String[] all = java.util.Arrays.copyOf(WEB, WEB.length + 1);
        all[WEB.length] = extra;
        return all;
    }

    /** Keeps a context that was expected to fail off the host's real interfaces if it does start. */
    private static final HavipRouterCustomizer NEVER_STARTS = (name, b) -> {
        throw new IllegalStateException("this test's router must not start on a real interface");
    };

    private void refused(String message, String... properties) {
        runner.withPropertyValues(properties).withBean(HavipRouterCustomizer.class, () -> NEVER_STARTS).run(c -> {
            assertThat(c).hasFailed();
            Throwable t = c.getStartupFailure();
            while (!(t instanceof HavipPropertyException) && t.getCause() != null) {
                t = t.getCause();
            }
            assertThat(t).isInstanceOf(HavipPropertyException.class).message().startsWith(message);
        });
    }

    @Test
    void twoApplicationsFailOverOnTheInMemoryNetwork() throws Exception {
        try (HavipCluster cluster = HavipCluster.builder().nodes("n1", "n2").build()) {
            List<HavipStateChangeEvent> n1Events = new CopyOnWriteArrayList<>();
            List<HavipStateChangeEvent> n2Events = new CopyOnWriteArrayList<>();
            AtomicBoolean n2Healthy = new AtomicBoolean(true);
            node(cluster, "n1", 150, n1Events, null).run(c1 -> {
                adopt(cluster, "n1", c1);
                node(cluster, "n2", 100, n2Events, n2Healthy).run(c2 -> {
                    adopt(cluster, "n2", c2);
                    cluster.advance(Duration.ofMillis(500));
                    assertThat(cluster).hasMaster("n1");
                    assertThat(health(c1).getStatus()).isEqualTo(Status.UP);
                    assertThat(detail(c1).get("state")).isEqualTo("MASTER");
                    assertThat(health(c2).getStatus()).as("a backup is healthy").isEqualTo(Status.UP);
                    assertThat(detail(c2).get("state")).isEqualTo("BACKUP");
                    assertThat(c1.getBean(HavipEndpoint.class).routers().get("web").state()).isEqualTo("MASTER");
                    assertThat(c1.getBean(HavipEndpoint.class).router("web").stats().vrrp().advertisementsSent())
                            .isPositive();
                    assertThat(c1.getBean(HavipEndpoint.class).router("nope")).isNull();
                    MeterRegistry m1 = c1.getBean(MeterRegistry.class);
                    assertThat(m1.get("havip.vrrp.state").tag("router", "web").gauge().value()).isEqualTo(2.0);
                    assertThat(m1.get("havip.vrrp.priority").tags("router", "web", "kind", "base").gauge().value())
                            .isEqualTo(150.0);

                    cluster.crash("n1");
                    cluster.advance(Duration.ofMillis(500));
                    assertThat(cluster).hasMaster("n2");
                    assertThat(n1Events).as("a crashed node's application hears nothing").extracting(e -> e.change().to())
                            .containsExactly(RouterState.BACKUP, RouterState.MASTER);
                    awaitEvent(n2Events, RouterState.MASTER, TransitionReason.MASTER_DOWN_TIMER);
                    assertThat(detail(c2).get("state")).isEqualTo("MASTER");
                    assertThat(c2.getBean(MeterRegistry.class).get("havip.vrrp.transitions")
                            .tags("router", "web", "to", "MASTER", "reason", "master_down_timer").counter().count())
                            .isEqualTo(1.0);

                    n2Healthy.set(false); // its application health check fails: FAULT, address released
                    cluster.advance(Duration.ofMillis(50)); // checks run on the router's (virtual) clock
                    assertThat(cluster).node("n2").isInState(RouterState.FAULT).doesNotHoldTheAddress();
                    awaitHealth(c2, Status.DOWN);
                });
                assertThat(n2Events).extracting(e -> e.change().to()).last().isEqualTo(RouterState.STOP);
            });
            assertThat(n1Events).as("STOP when its context closed").extracting(e -> e.change().to()).last()
                    .isEqualTo(RouterState.STOP);
        }
    }

    /**
     * While the context closes, the master's router hands the address over with the lifecycle's
     * monitor held; health, the endpoint and the application's own requests must still answer
     * (they waited for the whole handover, so a request in flight on the VIP lost its reply).
     */
    @Test
    void theRoutersAnswerWhileTheMasterHandsOver() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        try (HavipCluster cluster = HavipCluster.builder().nodes("n1").build()) {
            node(cluster, "n1", 150, new CopyOnWriteArrayList<>(), null)
                    .withBean(AddressHook.class, () -> new AddressHook() {
                        @Override
                        public void beforeRelease(StateChange pending) {
                            seen.add(askFromAnotherThread(() -> HOLDER.get().router("web").map(r -> r.state().name())
                                    .orElse("none")));
                            seen.add(askFromAnotherThread(() -> HOLDER.get().routers().keySet().toString()));
                        }
                    })
                    .run(c -> {
                        adopt(cluster, "n1", c);
                        HOLDER.set(c.getBean(HavipRouters.class));
                        cluster.advance(Duration.ofMillis(500));
                        assertThat(cluster).hasMaster("n1");
                    });
        } finally {
            HOLDER.set(null);
        }
        assertThat(seen).as("answers from another thread during the release hook of the closing master")
                .containsExactly("MASTER", "[web]");
    }

    private static final java.util.concurrent.atomic.AtomicReference<HavipRouters> HOLDER =
            new java.util.concurrent.atomic.AtomicReference<>();

    private static String askFromAnotherThread(java.util.concurrent.Callable<String> question) {
        java.util.concurrent.FutureTask<String> task = new java.util.concurrent.FutureTask<>(question);
        Thread t = new Thread(task, "asks-during-handover");
        t.setDaemon(true);
        t.start();
        try {
            return task.get(2, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            return "no answer in 2 s";
        } catch (Exception e) {
            return "failed: " + e;
        }
    }

    private ApplicationContextRunner node(HavipCluster cluster, String node, int priority,
                                          List<HavipStateChangeEvent> events, AtomicBoolean healthy) {
        return runner.withPropertyValues(WEB).withPropertyValues("havip.routers.web.priority=" + priority,
                        "havip.routers.web.advert-interval=100ms", "havip.routers.web.handover-timeout=0s",
                        "management.endpoints.web.exposure.include=health,havip")
                .withBean(HavipRouterCustomizer.class, () -> (name, b) -> {
                    cluster.prepare(node, b);
                    if (healthy != null) {
                        b.healthCheck(new HealthCheck("app", healthy::get, Duration.ofMillis(5), Duration.ofSeconds(1), 1, 1, 0));
                    }
                })
                .withBean("events", ApplicationListener.class,
                        () -> (ApplicationListener<HavipStateChangeEvent>) events::add);
    }

    private static void adopt(HavipCluster cluster, String node, AssertableApplicationContext c) {
        assertThat(c).hasNotFailed();
        cluster.adopt(node, c.getBean(HavipRouters.class).router("web").orElseThrow());
    }

    private static Health health(AssertableApplicationContext c) {
        return c.getBean(HavipHealthIndicator.class).health();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> detail(AssertableApplicationContext c) {
        return (Map<String, Object>) health(c).getDetails().get("web");
    }

    private static void awaitHealth(AssertableApplicationContext c, Status status) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!health(c).getStatus().equals(status) && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        assertThat(health(c).getStatus()).isEqualTo(status);
    }

    private static void awaitEvent(List<HavipStateChangeEvent> events, RouterState to, TransitionReason reason)
            throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (events.stream().noneMatch(e -> e.change().to() == to && e.change().reason() == reason)
                && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        assertThat(events).anyMatch(e -> e.change().to() == to && e.change().reason() == reason);
    }
}
