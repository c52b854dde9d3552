package io.havip.examples.fabric;

import io.havip.core.cloud.ArpAnnouncement;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Posts the announcements the fabric captures to a control plane's HTTP API
 * ({@code ReportArpAnnouncements}, see havip-controlplane), so that every control-plane
 * instance learns the holder from the database instead of one demo's memory.
 *
 * <p>Threading: {@link #accept} only queues (it runs on the capture thread, which must not
 * wait for HTTP); one thread of its own, {@code havip-fabric-report}, started by the
 * constructor, posts what is queued, several announcements per request when they pile up, in
 * capture order. That thread is created by the caller of the constructor, so its sockets live
 * in the caller's network namespace even when capture runs in another. A failed post is
 * printed and counted ({@link #failures()}), not retried: the next announcement of the same
 * holder (a GARP schedule sends several) reports it again, and the control plane ignores what
 * is older than what it already knows.
 */
public final class AnnouncementReporter implements Consumer<ArpAnnouncement>, AutoCloseable {

    private static final Pattern FIELD = Pattern.compile("\"(\\w+)\"\\s*:\\s*(?:\"((?:[^\"\\\\]|\\\\.)*)\"|(\\w+))");

    private final URI endpoint;
    private final PrintStream out;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final BlockingQueue<ArpAnnouncement> queue = new LinkedBlockingQueue<>(10_000);
    private final AtomicLong posted = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final Thread thread;
    private volatile boolean closed;

    /** Reports to the API at {@code api} (e.g. {@code http://127.0.0.1:8787/}); prints each outcome to {@code out}. */
    public AnnouncementReporter(URI api, PrintStream out) {
        this.endpoint = api.resolve("/ReportArpAnnouncements");
        this.out = out;
        this.thread = new Thread(this::run, "havip-fabric-report");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void accept(ArpAnnouncement a) {
        if (!queue.offer(a)) {
            failures.incrementAndGet();
            out.println("dropped the announcement of " + a.senderAddress() + " by " + a.senderMac() + ": 10000 are waiting for "
                    + endpoint + ", which does not keep up");
        }
    }

    /** Announcements the API answered. */
    public long posted() {
        return posted.get();
    }

    /** Announcements dropped or not posted. */
    public long failures() {
        return failures.get();
    }

    private void run() {
        while (!closed) {
            List<ArpAnnouncement> batch = new ArrayList<>();
            try {
                ArpAnnouncement first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
            } catch (InterruptedException e) {
                return;
            }
            queue.drainTo(batch, 99);
            post(batch);
        }
    }

    private void post(List<ArpAnnouncement> batch) {
        StringBuilder body = new StringBuilder("{\"Announcements\": [");
        for (int i = 0; i < batch.size(); i++) {
            ArpAnnouncement a = batch.get(i);
            body.append(i == 0 ? "" : ", ").append("{\"Ip\": ").append(json(a.senderAddress().toString()))
                    .append(", \"Mac\": ").append(json(a.senderMac().toString()))
                    .append(", \"SubnetId\": ").append(json(a.subnetId()))
                    .append(", \"Time\": ").append(json(a.at().toString())).append('}');
        }
        body.append("]}");
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8)).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            if (r.statusCode() != 200) {
                failures.addAndGet(batch.size());
                out.println("the control plane at " + endpoint + " refused " + batch.size() + " announcement(s): HTTP "
                        + r.statusCode() + " " + r.body().strip());
                return;
            }
            posted.addAndGet(batch.size());
            // the answer lists one result per announcement, each starting with its "Ip"
            List<String> results = new ArrayList<>();
            Matcher m = FIELD.matcher(r.body());
            StringBuilder current = null;
            while (m.find()) {
                String value = m.group(2) != null ? m.group(2) : m.group(3);
                switch (m.group(1)) {
                    case "Ip" -> {
                        if (current != null) {
                            results.add(current.toString());
                        }
                        current = new StringBuilder("reported " + value);
                    }
                    case "Mac" -> append(current, " by " + value + ":");
                    case "Outcome", "Reason" -> append(current, " " + value);
                    case "HaVipId" -> append(current, " (" + value);
                    case "InstanceId" -> append(current, " held by " + value + ")");
                    case "Detail" -> append(current, ": " + value);
                    default -> { }
                }
            }
            if (current != null) {
                results.add(current.toString());
            }
            results.forEach(out::println);
        } catch (IOException e) {
            failures.addAndGet(batch.size());
            out.println("cannot post " + batch.size() + " announcement(s) to " + endpoint + ": " + e.getMessage()
                    + "; is the control plane running there?");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void append(StringBuilder sb, String text) {
        if (sb != null) {
            sb.append(text);
        }
    }

    private static String json(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    /** Posts what is still queued (for up to 2 seconds), then stops. Idempotent. */
    @Override
    public void close() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (!queue.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        closed = true;
        thread.interrupt();
    }
}
