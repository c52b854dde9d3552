package io.havip.bench;

import io.havip.controlplane.ControlPlaneServer;
import io.havip.controlplane.Databases;
import io.havip.core.cloud.ApplyRequest;
import io.havip.core.cloud.HavipService;
import io.havip.core.cloud.HavipType;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The control plane under load, through its real parts: a {@link ControlPlaneServer} (pool,
 * JdbcHavipStore, JdbcInventory, HTTP API) on the database given. It creates {@code --havips}
 * HAVIPs (default 100 000) in IPv6 subnets of 250 each (one VPC per subnet, all in
 * 2001:db8::/32), reporting allocations per second at 1 and 8 threads; then, with them all in
 * place, 2 000 more allocations at 8 threads in fresh subnets; then DescribeHaVips latency
 * through java.net.http for four queries (one id; the first page unfiltered, with its total;
 * a fuzzy name; one subnet), 500 samples each, p50 / p99 / max.
 *
 * <p>{@code java -cp benchmarks.jar io.havip.bench.ControlPlaneBench [--jdbc-url URL] [--havips N]};
 * without --jdbc-url an H2 file in a temporary directory. benchmarks/controlplane.sh runs it on
 * both databases. Not a JMH benchmark: each step is long and touches a database; the numbers are
 * rates and percentiles over the whole step.
 */
public final class ControlPlaneBench {

    private static final int PER_SUBNET = 250;

    public static void main(String[] args) throws Exception {
        String url = null;
        int havips = 100_000;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--jdbc-url" -> url = args[i + 1];
                case "--havips" -> havips = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Path tmp = null;
        if (url == null) {
            tmp = Files.createTempDirectory("havip-bench-h2-");
            url = Databases.h2File(tmp.resolve("db").toString());
        }
        System.out.printf(Locale.ROOT, "database %s, %d HAVIPs%n", Databases.describe(url), havips);
        try (ControlPlaneServer server = ControlPlaneServer.start(ControlPlaneServer.Options.defaults()
                .withListen(new InetSocketAddress("127.0.0.1", 0)).withJdbcUrl(url))) {
            URI api = URI.create("http://127.0.0.1:" + server.address().getPort() + "/");
            HttpClient http = HttpClient.newHttpClient();
            int subnets = (havips + PER_SUBNET - 1) / PER_SUBNET + 8;
            for (int s = 0; s < subnets; s++) {
                post(http, api, "CreateVpc", "{\"VpcId\": \"vpc-" + s + "\", \"CidrBlock\": \"198.51.100.0/24\"}");
                post(http, api, "CreateSubnet", "{\"SubnetId\": \"subnet-" + s + "\", \"VpcId\": \"vpc-" + s
                        + "\", \"CidrBlock\": \"198.51.100.0/24\", \"Ipv6CidrBlock\": \"2001:db8:" + Integer.toHexString(s)
                        + "::/64\"}");
            }
            HavipService service = server.service();
            int single = Math.min(havips, 5_000);
            fill(service, 0, single, 1, "allocations, 1 thread (first " + single + ")");
            fill(service, single, havips, 8, "allocations, 8 threads (up to " + havips + ")");
            int base = (havips + PER_SUBNET - 1) / PER_SUBNET * PER_SUBNET;
            fill(service, base, base + 2_000, 8, "allocations, 8 threads, with " + havips + " in place (2000 in fresh subnets)");

            String someId = service.describe(io.havip.core.cloud.HavipQuery.ALL.withPage(havips / 2, 1)).havips().get(0).id();
            latency(http, api, "DescribeHaVips one id", "{\"HaVipIds\": [\"" + someId + "\"]}");
            latency(http, api, "DescribeHaVips first page of all (Limit 20, TotalCount)", "{}");
            latency(http, api, "DescribeHaVips havip-name fuzzy", "{\"Filters\": [{\"Name\": \"havip-name\", \"Values\": "
                    + "[\"h-77\"]}], \"Limit\": 100}");
            latency(http, api, "DescribeHaVips subnet-id", "{\"Filters\": [{\"Name\": \"subnet-id\", \"Values\": "
                    + "[\"subnet-7\"]}], \"Limit\": 100}");
        } finally {
            if (tmp != null) {
                try (var files = Files.walk(tmp)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    /** Applies HAVIPs number {@code from} to {@code to} (250 per subnet, subnet = n / 250) on {@code threads} threads. */
    private static void fill(HavipService service, int from, int to, int threads, String what) throws Exception {
        if (to <= from) {
            return;
        }
        AtomicInteger next = new AtomicInteger(from);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long start = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                int n;
                while ((n = next.getAndIncrement()) < to) {
                    int s = n / PER_SUBNET;
                    service.apply(ApplyRequest.intranet("h-" + n, "vpc-" + s, "subnet-" + s).withType(HavipType.EXTRANET_IPV6));
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "%-75s %8.0f /s  (%d in %.1f s)%n", what, (to - from) / seconds, to - from, seconds);
    }

    private static void latency(HttpClient http, URI api, String what, String body) throws Exception {
        for (int i = 0; i < 50; i++) {
            post(http, api, "DescribeHaVips", body);
        }
        long[] samples = new long[500];
        for (int i = 0; i < samples.length; i++) {
            long start = System.nanoTime();
            post(http, api, "DescribeHaVips", body);
            samples[i] = System.nanoTime() - start;
        }
        Arrays.sort(samples);
        System.out.printf(Locale.ROOT, "%-75s p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms%n", what, samples[249] / 1e6,
                samples[494] / 1e6, samples[499] / 1e6);
    }

    private static String post(HttpClient http, URI api, String action, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(api.resolve("/" + action))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(action + " " + body + " answered " + r.body());
        }
        return r.body();
    }
}
