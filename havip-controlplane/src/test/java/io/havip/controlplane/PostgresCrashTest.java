package io.havip.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.havip.core.cloud.ApplyRequest;
import io.havip.core.cloud.ArpAnnouncement;
import io.havip.core.cloud.HavipResource;
import io.havip.core.cloud.HavipService;
import io.havip.core.cloud.HavipStatus;
import io.havip.core.net.IpAddress;
import io.havip.core.net.MacAddress;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * kill -9 of a control-plane instance (a child JVM, {@link CrashWorker}) in the middle of
 * batch deletes and binds: PostgreSQL rolls back what the dead instance had open, so every
 * HAVIP is as it was before its change or as it is after it, never half-deleted or half-bound;
 * and another instance then finishes the work.
 */
class PostgresCrashTest {

    @Test
    void killMinus9MidBatchLeavesEveryHavipBeforeOrAfterItsChange() throws Exception {
        String url = PostgresServer.get().newDatabase();
        HikariDataSource ds = Databases.open(url, null, null, 4);
        try {
            HavipService service = HavipService.builder(CrashWorker.inventory()).store(new JdbcHavipStore(ds, url))
                    .limits(CrashWorker.LIMITS).build();
            Map<String, HavipResource> before = new HashMap<>();
            for (int i = 0; i < 30; i++) {
                HavipResource h = service.apply(ApplyRequest.intranet("del-" + i, "vpc-a", "subnet-a"));
                service.bind(h.id(), "ins-1");
                service.bind(h.id(), "ins-2");
                service.associateEip(h.id(), IpAddress.parse("203.0.113." + (i + 1)));
                service.onAnnouncement(new ArpAnnouncement(h.address(), MacAddress.parse("02:00:00:00:02:02"), "subnet-a",
                        Instant.parse("2026-12-07T14:00:00Z")));
                before.put(h.id(), service.get(h.id()).orElseThrow());
            }
            for (int i = 0; i < 30; i++) {
                HavipResource h = service.apply(ApplyRequest.intranet("bind-" + i, "vpc-a", "subnet-a"));
                before.put(h.id(), h);
            }

            Process worker = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), CrashWorker.class.getName(),
                    url + "&ApplicationName=havip-crash").redirectErrorStream(true).start();
            int done = 0;
            int openAtKill = 0;
            List<String> output = new ArrayList<>();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(worker.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    output.add(line);
                    if (line.startsWith("done ")) {
                        done++;
                    }
                    if (done >= 12) {
                        openAtKill = openTransactions(ds);
                        if (openAtKill > 0) {
                            worker.destroyForcibly(); // SIGKILL
                            break;
                        }
                    }
                }
            }
            assertThat(worker.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(output).as("the worker was killed before it finished").doesNotContain("finished");
            assertThat(openAtKill).as("transactions of the worker open when it was killed").isPositive();

            // the dead instance's transactions are rolled back once PostgreSQL sees its sockets closed
            for (int i = 0; i < 100 && openTransactions(ds) > 0; i++) {
                Thread.sleep(50);
            }
            List<HavipResource> after = service.list();
            int deleted = 0;
            int bindsMade = 0;
            for (HavipResource was : before.values()) {
                Optional<HavipResource> now = after.stream().filter(h -> h.id().equals(was.id())).findFirst();
                if (was.name().startsWith("del-")) {
                    if (now.isEmpty()) {
                        deleted++;
                    } else {
                        assertThat(now.get()).as("a HAVIP whose delete did not commit is as it was").isEqualTo(was);
                    }
                } else {
                    HavipResource h = now.orElseThrow();
                    assertThat(h.status()).isEqualTo(HavipStatus.AVAILABLE);
                    assertThat(List.of(List.of(), List.of("ins-3"), List.of("ins-3", "ins-4"))).contains(h.boundInstanceIds());
                    bindsMade += h.boundInstanceIds().size();
                }
            }
            assertThat(deleted + bindsMade).as("changes committed before the kill").isPositive();
            assertThat(deleted).as("deletes left undone by the kill").isLessThan(30);
            assertThat(after.stream().map(h -> h.address().toString()).distinct().count()).isEqualTo(after.size());
            assertThat(new HashSet<>(after.stream().map(HavipResource::status).toList())).containsOnly(HavipStatus.AVAILABLE);

            // another instance finishes the work: nothing is stuck or locked
            service.deleteAll(after.stream().filter(h -> h.name().startsWith("del-")).map(HavipResource::id).toList())
                    .forEach(r -> assertThat(r.deleted()).isTrue());
            for (HavipResource h : service.list()) {
                service.bind(h.id(), "ins-3");
                service.bind(h.id(), "ins-4");
            }
            assertThat(service.list()).hasSize(30).allSatisfy(h -> assertThat(h.boundInstanceIds())
                    .containsExactly("ins-3", "ins-4"));
            System.out.println("kill -9 after " + done + " committed changes, " + openAtKill + " transactions open; "
                    + deleted + " of 30 deletes and " + bindsMade + " of 60 binds had committed");
        } finally {
            ds.close();
        }
    }

    private static int openTransactions(HikariDataSource ds) throws Exception {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = 'havip-crash'"
                        + " AND xact_start IS NOT NULL")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
