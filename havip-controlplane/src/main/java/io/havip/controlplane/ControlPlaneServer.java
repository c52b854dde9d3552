package io.havip.controlplane;

import com.sun.net.httpserver.HttpServer;
import com.zaxxer.hikari.HikariDataSource;
import io.havip.core.Clock;
import io.havip.core.cloud.CloudPolicies;
import io.havip.core.cloud.HavipLimits;
import io.havip.core.cloud.HavipService;
import io.havip.core.cloud.ReservedAddressPolicy;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One control-plane instance: a connection pool to the database (migrated at start), the
 * store, the inventory and the service over it, and the HTTP API on a JDK HTTP server.
 * Several instances may share one PostgreSQL; the database keeps them consistent.
 *
 * <p>{@code java -jar havip-controlplane.jar [--listen 127.0.0.1:8787] [--jdbc-url URL]
 * [--db-user U] [--policy tencent] [--max-instances-per-havip 3] [--max-havips-per-instance 5]};
 * the database password comes from the environment variable {@code HAVIP_DB_PASSWORD}, never
 * from the command line (where {@code ps} shows it).
 */
public final class ControlPlaneServer implements AutoCloseable {

    /** The embedded default database, relative to the working directory. */
    public static final String DEFAULT_DATABASE = "./havip-controlplane";
    public static final String DEFAULT_LISTEN = "127.0.0.1:8787";
    /** Requests served at once. */
    public static final int DEFAULT_THREADS = 8;
    /**
     * The longest a client may take to send a request, and to take its answer, before its
     * connection is closed: a body trickled a byte at a time holds a request thread, and
     * {@value #DEFAULT_THREADS} such clients held every one for ever (slowloris). 1 MiB at
     * 60 KB/s fits. {@code -Dsun.net.httpserver.maxReqTime=SECONDS} overrides it.
     */
    public static final int MAX_REQUEST_SECONDS = 20;

    private final HikariDataSource dataSource;
    private final HavipService service;
    private final HavipApi api;
    private final HttpServer http;
    private final ExecutorService executor;

    static {
        // The JDK server writes the headers and the body of an answer separately; with Nagle's
        // algorithm on, the body waits for the client's delayed ACK of the headers: 40 ms per
        // request on Linux. Its own switch turns TCP_NODELAY on (read once, when the server
        // classes load); an explicit setting by the application is left alone.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        for (String limit : new String[] {"sun.net.httpserver.maxReqTime", "sun.net.httpserver.maxRspTime"}) {
            if (System.getProperty(limit) == null) {
                System.setProperty(limit, String.valueOf(MAX_REQUEST_SECONDS));
            }
        }
    }

    private ControlPlaneServer(Options o) throws IOException {
        this.dataSource = Databases.open(o.jdbcUrl, o.user, o.password, o.poolSize);
        try {
            JdbcInventory inventory = new JdbcInventory(dataSource);
            // to the microsecond, as the database keeps times: what an action answers is what a describe reads back
            Clock clock = new MicrosecondClock();
            this.service = HavipService.builder(inventory).store(new JdbcHavipStore(dataSource, Databases.describe(o.jdbcUrl)))
                    .policy(o.policy).limits(o.limits).clock(clock).build();
            this.api = new HavipApi(service, Optional.of(inventory), clock);
            this.http = HttpServer.create(o.listen, 64);
            AtomicInteger n = new AtomicInteger();
            this.executor = Executors.newFixedThreadPool(o.threads, r -> {
                Thread t = new Thread(r, "havip-api-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            http.createContext("/", api);
            http.setExecutor(executor);
            http.start();
        } catch (IOException | RuntimeException e) {
            dataSource.close();
            throw e;
        }
    }

    /** Starts an instance with {@code options}. */
    public static ControlPlaneServer start(Options options) throws IOException {
        return new ControlPlaneServer(options);
    }

    /** Where the API listens (the port is the real one when 0 was asked for). */
    public InetSocketAddress address() {
        return http.getAddress();
    }

    public HavipService service() {
        return service;
    }

    public HavipApi api() {
        return api;
    }

    /** Stops accepting, lets requests in progress finish for up to a second, closes the pool. Idempotent. */
    @Override
    public void close() {
        http.stop(1);
        executor.shutdown();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        dataSource.close();
    }

    /** The system clock to the microsecond. */
    private static final class MicrosecondClock implements Clock {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public Instant instant() {
            return Instant.now().truncatedTo(ChronoUnit.MICROS);
        }
    }

    /** What an instance needs; {@link #parse} reads them from the command line. */
    public record Options(InetSocketAddress listen, String jdbcUrl, String user, String password, int poolSize, int threads,
            ReservedAddressPolicy policy, HavipLimits limits) {

        /**
         * A request holds up to two connections at once (its transaction, and the inventory read
         * the service makes inside it), so a pool of fewer than twice the threads can run dry
         * with every thread waiting for a second connection that never comes.
         */
        public Options {
            if (poolSize < 2 * threads) {
                throw new IllegalArgumentException("--pool-size " + poolSize + " is less than twice --threads " + threads
                        + ": each request may hold two connections at once; give --pool-size " + (2 * threads + 1)
                        + " or fewer --threads");
            }
        }

        public static Options defaults() {
            return new Options(socket(DEFAULT_LISTEN), Databases.h2File(DEFAULT_DATABASE), null, System.getenv("HAVIP_DB_PASSWORD"),
                    2 * DEFAULT_THREADS + 1, DEFAULT_THREADS, CloudPolicies.tencent(), HavipLimits.DEFAULT);
        }

        public Options withListen(InetSocketAddress value) {
            return new Options(value, jdbcUrl, user, password, poolSize, threads, policy, limits);
        }

        public Options withJdbcUrl(String value) {
            return new Options(listen, value, user, password, poolSize, threads, policy, limits);
        }

        public Options withLimits(HavipLimits value) {
            return new Options(listen, jdbcUrl, user, password, poolSize, threads, policy, value);
        }

        /** The options of {@code args}; an {@link IllegalArgumentException} names the option and the value that is wrong. */
        public static Options parse(String[] args) {
            Options o = defaults();
            int maxInstances = o.limits.maxInstancesPerHavip();
            int maxHavips = o.limits.maxHavipsPerInstance();
            Integer poolSize = null;
            int threads = o.threads;
            for (int i = 0; i < args.length; i += 2) {
                String option = args[i];
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(option + " needs a value");
                }
                String v = args[i + 1];
                o = switch (option) {
                    case "--listen" -> o.withListen(socket(v));
                    case "--jdbc-url" -> o.withJdbcUrl(v);
                    case "--db-user" -> new Options(o.listen, o.jdbcUrl, v, o.password, o.poolSize, o.threads, o.policy, o.limits);
                    case "--pool-size" -> {
                        poolSize = number(option, v);
                        yield o;
                    }
                    case "--threads" -> {
                        threads = number(option, v);
                        yield o;
                    }
                    case "--policy" -> new Options(o.listen, o.jdbcUrl, o.user, o.password, o.poolSize, o.threads,
                            CloudPolicies.byName(v), o.limits);
                    case "--max-instances-per-havip" -> {
                        maxInstances = number(option, v);
                        yield o;
                    }
                    case "--max-havips-per-instance" -> {
                        maxHavips = number(option, v);
                        yield o;
                    }
                    default -> throw new IllegalArgumentException("unknown option " + option);
                };
            }
            int pool = poolSize == null ? Math.max(o.poolSize, 2 * threads + 1) : poolSize;
            return new Options(o.listen, o.jdbcUrl, o.user, o.password, pool, threads, o.policy,
                    new HavipLimits(maxInstances, maxHavips));
        }

        private static int number(String option, String v) {
            try {
                int n = Integer.parseInt(v.trim());
                if (n < 1) {
                    throw new NumberFormatException();
                }
                return n;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + " must be a whole number of at least 1, got \"" + v + "\"");
            }
        }

        static InetSocketAddress socket(String hostPort) {
            int colon = hostPort.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("--listen must be HOST:PORT such as 127.0.0.1:8787, got \"" + hostPort + "\"");
            }
            String host = hostPort.substring(0, colon).replace("[", "").replace("]", "");
            try {
                int port = Integer.parseInt(hostPort.substring(colon + 1));
                if (port < 0 || port > 65535) {
                    throw new NumberFormatException();
                }
                return new InetSocketAddress(host, port);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--listen: the port of \"" + hostPort + "\" must be 0-65535");
            }
        }
    }

    /**
     * What {@code main} prints when the instance cannot start: where, with which database (its
     * URL without a password), the driver's or the server's reason without the pool's wording,
     * and for a refused or missing password what to do. Never the password, never an exception's name.
     */
    static String startFailure(Options options, Exception e) {
        String reason = String.valueOf(e.getMessage()).replaceFirst("^Failed to initialize pool: ", "");
        if (options.password() != null && !options.password().isEmpty()) {
            reason = reason.replace(options.password(), "***");
        }
        String user = options.user() != null ? options.user() : "the user of the URL";
        String hint = "";
        if (reason.contains("password authentication failed") || reason.contains("no password was provided")) {
            hint = options.password() == null
                    ? "; the password is read only from the environment variable HAVIP_DB_PASSWORD, which is not set: "
                            + "export HAVIP_DB_PASSWORD with the password of " + user
                    : "; HAVIP_DB_PASSWORD holds a password the database refused for " + user + ": check it (and --db-user)";
        } else if (reason.matches("(?s).*database \".*\" does not exist.*")) {
            hint = "; create it first (e.g. createdb -O " + (options.user() != null ? options.user() : "USER") + " NAME)";
        }
        return "havip-controlplane: cannot start on " + options.listen().getHostString() + ":" + options.listen().getPort()
                + " with " + Databases.describe(options.jdbcUrl()) + ": " + reason + hint;
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("havip-controlplane: " + e.getMessage());
            System.err.println(String.join(System.lineSeparator(), List.of(
                    "usage: java -jar havip-controlplane.jar [--listen HOST:PORT] [--jdbc-url URL] [--db-user USER]",
                    "         [--policy tencent|aws|azure|google|alibaba|huawei|openstack]",
                    "         [--max-instances-per-havip N] [--max-havips-per-instance N] [--pool-size N] [--threads N]",
                    "Default database: " + Databases.h2File(DEFAULT_DATABASE) + " (embedded H2);",
                    "PostgreSQL: --jdbc-url jdbc:postgresql://HOST:5432/DB --db-user USER, password in HAVIP_DB_PASSWORD.")));
            System.exit(2);
            return;
        }
        ControlPlaneServer server;
        try {
            server = start(options);
        } catch (IOException | RuntimeException e) {
            System.err.println(startFailure(options, e));
            System.exit(1);
            return;
        }
        System.out.println("havip control plane: http://" + server.address().getHostString() + ":" + server.address().getPort()
                + "/ (database " + Databases.describe(options.jdbcUrl()) + ", policy " + options.policy().name() + ", limits "
                + options.limits().maxInstancesPerHavip() + " instances per HAVIP, " + options.limits().maxHavipsPerInstance()
                + " HAVIPs per instance)");
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            done.countDown();
        }, "havip-controlplane-shutdown"));
        done.await();
    }
}
