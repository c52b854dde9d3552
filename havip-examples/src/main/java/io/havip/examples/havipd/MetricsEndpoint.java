package io.havip.examples.havipd;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.havip.core.RouterState;
import io.havip.micrometer.HavipRouterSetMeters;
import io.havip.vrrp.VirtualRouter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * havipd's Prometheus endpoint ({@code --metrics-address HOST:PORT}, off by default): the
 * meters of havip-micrometer for every running router, at {@code http://HOST:PORT/metrics} in
 * the Prometheus text format, served by the JDK's HTTP server on one thread of its own. A
 * router joins the meters when it starts and leaves them when it stops, so a reload that
 * restarts an instance shows one series per instance, never a stale one.
 *
 * <p>Only GET and HEAD of {@code /metrics} are answered (405 for another method, 404 for another
 * path); nothing can be changed through it. It has no authentication: bind it to an address
 * only the scraper reaches (a management network or 127.0.0.1), as keepalived_exporter.
 */
final class MetricsEndpoint implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MetricsEndpoint.class);
    static final String PATH = "/metrics";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final HavipRouterSetMeters meters = new HavipRouterSetMeters();
    private final HttpServer server;
    private final ExecutorService executor;

    private MetricsEndpoint(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
        meters.bindTo(registry);
    }


    /**
     * Listens on {@code address}.
     *
     * @throws IllegalStateException with what was attempted and what to do, when it cannot listen
     */
    static MetricsEndpoint start(InetSocketAddress address) {
        HttpServer server;
        try {
            server = HttpServer.create(address, 16);
        } catch (BindException e) {
            throw new IllegalStateException("cannot serve metrics on " + describe(address) + ": " + e.getMessage()
                    + " (another process listens there, or the address is not on this host); give --metrics-address "
                    + "another address or port");
        } catch (IOException e) {
            throw new IllegalStateException("cannot serve metrics on " + describe(address) + ": " + e.getMessage());
        }
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "havipd-metrics");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        MetricsEndpoint endpoint = new MetricsEndpoint(server, executor);
        server.createContext("/", endpoint::handle);
        server.start();
        log.info("metrics on http://{}{}", describe(endpoint.address()), PATH);
        return endpoint;
    }

    /** Where it listens (the real port when 0 was asked for). */
    InetSocketAddress address() {
        return server.getAddress();
    }

    /**
     * {@code starter} with every router it starts added to the meters, and removed once it has
     * stopped (its STOP reached the listeners).
     */
    Daemon.RouterStarter meter(Daemon.RouterStarter starter) {
        return (instance, builder) -> {
            AtomicReference<VirtualRouter> started = new AtomicReference<>();
            builder.listener(change -> {
                VirtualRouter r = started.get();
                if (change.to() == RouterState.STOP && r != null) {
                    meters.remove(r);
                }
            });
            VirtualRouter router = starter.start(instance, builder);
            started.set(router);
            // a reload closes the old router of this name before it starts the new one, but the
            // old one's STOP may not have reached its listener yet
            meters.remove(instance);
            meters.add(router);
            return router;
        };
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!PATH.equals(exchange.getRequestURI().getPath())) {
                reply(exchange, 404, "not found: metrics are at " + PATH + "\n");
                return;
            }
            String method = exchange.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                reply(exchange, 405, "method " + method + " not allowed: GET or HEAD\n");
                return;
            }
            byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            if (method.equals("HEAD")) {
                exchange.sendResponseHeaders(200, -1);
                return;
            }
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }


    private static void reply(HttpExchange exchange, int status, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static String describe(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        meters.close();
        registry.close();
    }
}
