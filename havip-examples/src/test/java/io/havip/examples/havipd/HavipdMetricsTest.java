package io.havip.examples.havipd;

import static org.assertj.core.api.Assertions.assertThat;

import io.havip.core.RouterState;
import io.havip.core.memory.InMemoryNetwork;
import io.havip.core.memory.Node;
import io.havip.core.net.IpAddress;
import io.havip.core.net.MacAddress;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** havipd's --metrics-address in-process on the in-memory network (no root), and its bad input. */
class HavipdMetricsTest {

    private static String instance(String name, int vrid, int priority) {
        return "vrrp_instance " + name + " {\n  interface eth0\n  virtual_router_id " + vrid + "\n  priority " + priority
                + "\n  version 3\n  advert_int 0.1\n  virtual_ipaddress {\n    198.51.100." + vrid + "/24\n  }\n}\n";
    }

    @Test
    void servesOneSeriesPerRunningInstanceAcrossAReloadAndNothingButGetOfMetrics(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("keepalived.conf");
        Files.writeString(conf, instance("A", 1, 100) + instance("B", 2, 100));
        InMemoryNetwork network = new InMemoryNetwork();
        Node host = network.attach("h1", MacAddress.parse("02:00:c6:33:64:0b"), IpAddress.parse("198.51.100.11"));
        Daemon.RouterStarter inMemory = (name, b) -> b.transport(host.openTransport("eth0")).binder(host.binder()).start();
        int port = freePort();
        Havipd.Control control = new Havipd.Control();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        AtomicInteger status = new AtomicInteger(-1);
        Thread daemon = new Thread(() -> status.set(Havipd.run(new String[] {"-f", conf.toString(),
                "--metrics-address", "127.0.0.1:" + port}, new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), inMemory, control)));
        daemon.start();
        String url = "http://127.0.0.1:" + port;
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (control.daemon() == null && daemon.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(control.daemon()).as("daemon started; stderr: %s", err).isNotNull();
            assertThat(control.daemon().routers().get("A").awaitState(RouterState.MASTER, Duration.ofSeconds(10))).isTrue();
            String text = get(url + "/metrics", "GET").body();
            assertThat(value(text, "havip_vrrp_state", "A")).isEqualTo(2.0);
            assertThat(value(text, "havip_vrrp_priority", "B")).isEqualTo(100.0);
            assertThat(text).contains("# TYPE havip_vrrp_adverts_sent_total counter")
                    .contains("havip_vrrp_adverts_dropped_total{family=\"IPV4\",interface=\"eth0\",reason=\"checksum\","
                            + "router=\"A\",vrid=\"1\"} 0");

            Files.writeString(conf, instance("A", 1, 100) + instance("B", 2, 120));
            control.requestReload();
            assertThat(control.awaitReload(Duration.ofSeconds(10)).start()).containsExactly("B");
            control.daemon().routers().get("B").awaitState(RouterState.MASTER, Duration.ofSeconds(10));
            awaitScrape(url, t -> series(t, "havip_vrrp_state", "B").size() == 1
                    && value(t, "havip_vrrp_priority", "B") == 120.0);

            Files.writeString(conf, instance("A", 1, 100));
            control.requestReload();
            assertThat(control.awaitReload(Duration.ofSeconds(10)).stop()).containsExactly("B");
            awaitScrape(url, t -> series(t, "havip_vrrp_state", "B").isEmpty());

            assertThat(get(url + "/metrics", "POST").status()).isEqualTo(405);
            assertThat(get(url + "/", "GET").status()).isEqualTo(404);
            assertThat(get(url + "/metrics/../admin", "GET").status()).isEqualTo(404);
            assertThat(get(url + "/metrics", "HEAD").status()).isEqualTo(200);
        } finally {
            control.requestStop();
            daemon.join(30_000);
        }
        assertThat(status).hasValue(Havipd.OK);
        try (ServerSocket again = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            assertThat(again.getLocalPort()).as("the endpoint closed with havipd").isEqualTo(port);
        }
    }

    @Test
    void aBadOrBusyMetricsAddressIsRefusedNamingTheOptionAndTheValue(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("keepalived.conf");
        Files.writeString(conf, instance("A", 1, 100));
        assertThat(run(conf, "--metrics-address")).contains("--metrics-address needs a value");
        assertThat(run(conf, "--metrics-address", "9650")).contains("--metrics-address '9650' has no port");
        assertThat(run(conf, "--metrics-address", "127.0.0.1:http")).contains("the port is not a number");
        assertThat(run(conf, "--metrics-address", "127.0.0.1:70000")).contains("port 70000 is outside 1-65535");
        assertThat(run(conf, "--metrics-address", "::1:9650")).contains("write an IPv6 address in brackets");
        assertThat(run(conf, "--metrics-address", "no-such-host.invalid:9650")).contains("does not resolve");
        assertThat(run(conf, "--metrics-address", "127.0.0.1:1", "--metrics-address", "127.0.0.1:2"))
                .contains("given twice");
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = Havipd.run(new String[] {"-f", conf.toString(), "--metrics-address", "127.0.0.1:"
                    + busy.getLocalPort()}, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true,
                    StandardCharsets.UTF_8), (n, b) -> {
                        throw new AssertionError("no router may start when the endpoint cannot");
                    }, new Havipd.Control());
            assertThat(code).isEqualTo(Havipd.START_FAILED);
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("cannot serve metrics on 127.0.0.1:"
                    + busy.getLocalPort()).contains("give --metrics-address another address or port")
                    .doesNotContain("Exception");
        }
    }

    /** Runs havipd with {@code args}, expecting a usage error; returns standard error. */
    private static String run(Path conf, String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] all = new String[args.length + 2];
        all[0] = "-f";
        all[1] = conf.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        int code = Havipd.run(all, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true,
                StandardCharsets.UTF_8), (n, b) -> {
                    throw new AssertionError("not started");
                }, new Havipd.Control());
        assertThat(code).isEqualTo(Havipd.USAGE);
        return err.toString(StandardCharsets.UTF_8);
    }

    record Response(int status, String body) { }

    static Response get(String url, String method) throws Exception {
        HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
        c.setRequestMethod(method);
        c.setConnectTimeout(5_000);
        c.setReadTimeout(5_000);
        int status = c.getResponseCode();
        byte[] body = status < 400 ? c.getInputStream().readAllBytes() : c.getErrorStream().readAllBytes();
        c.disconnect();
        return new Response(status, new String(body, StandardCharsets.UTF_8));
    }

    private static void awaitScrape(String url, java.util.function.Predicate<String> condition) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        String text;
        while (!condition.test(text = get(url + "/metrics", "GET").body())) {
            assertThat(System.nanoTime()).as("scrape never matched; last:\n%s", text).isLessThan(end);
            Thread.sleep(20);
        }
    }

    /** The lines of {@code metric} for {@code router}. */
    static List<String> series(String text, String metric, String router) {
        return text.lines().filter(l -> l.startsWith(metric + "{") && l.contains("router=\"" + router + "\""))
                .toList();
    }

    /** The value of the one series of {@code metric} for {@code router} (effective priority for havip_vrrp_priority). */
    static double value(String text, String metric, String router) {
        List<String> lines = series(text, metric, router).stream()
                .filter(l -> !metric.equals("havip_vrrp_priority") || l.contains("kind=\"effective\"")).toList();
        assertThat(lines).as("%s of %s in:\n%s", metric, router, text).hasSize(1);
        Matcher m = Pattern.compile("} (\\S+)$").matcher(lines.get(0));
        assertThat(m.find()).isTrue();
        return Double.parseDouble(m.group(1));
    }

    private static int freePort() throws Exception {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }
}
