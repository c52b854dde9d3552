package io.havip.examples.havipd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.havip.arp.testbed.LinuxTestRequirements;
import io.havip.arp.testbed.Node;
import io.havip.arp.testbed.Testbed;
import io.havip.arp.testbed.TestbedExtension;
import io.havip.core.net.IpAddress;
import io.havip.examples.havipd.VrrpDaemon.Kind;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code havipd --status} and the SIGUSR1 dump while a failover happens: two havipd nodes in
 * namespaces (node1 priority 150 master, node2 100, unicast, advert_int 1), both asked for their
 * state every 20 ms by {@code havipd --status} (the control socket) from before node1 is killed
 * (SIGKILL) until node2 holds the address. Every answer must parse as JSON and say a state the
 * node really had, in order; node2's must turn BACKUP to MASTER with the reason, counters and
 * effective priority; SIGUSR1 must write the same report to the run directory.
 */
@ExtendWith(TestbedExtension.class)
class HavipdStatusIT {

    private static final IpAddress VIP = IpAddress.parse("198.51.100.50");
    private static final Duration CONVERGE = Duration.ofSeconds(12);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One answer of --status: when it was asked, how long it took, what it said (null: it failed, see error). */
    record Answer(long askedNanos, long tookMicros, JsonNode report, String error) { }

    /** {@code havipd --status --run-dir DIR} as a person runs it (same code path), parsed. */
    static Answer status(Path runDir) {
        long t0 = System.nanoTime();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = Havipd.run(new String[] {"--status", "--run-dir", runDir.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                (n, b) -> {
                    throw new AssertionError("--status must not start routers");
                }, new Havipd.Control());
        long took = (System.nanoTime() - t0) / 1000;
        if (rc != 0) {
            return new Answer(t0, took, null, "exit " + rc + ": " + err.toString(StandardCharsets.UTF_8));
        }
        try {
            return new Answer(t0, took, JSON.readTree(out.toString(StandardCharsets.UTF_8)), null);
        } catch (Exception e) {
            return new Answer(t0, took, null, "not JSON: " + e.getMessage() + "\n" + out);
        }
    }

    static String state(JsonNode report) {
        return report.get("vrrp_instances").get(0).get("state").asText();
    }

    @Test
    void statusAnswersInJsonThroughAFailoverAndSigusr1WritesTheSame(Testbed net) throws Exception {
        LinuxTestRequirements.require("ip");
        Node n1 = net.addNode("node1");
        Node n2 = net.addNode("node2");
        List<VrrpDaemon> daemons = new ArrayList<>();
        try (NodeDir d1 = NodeDir.create("node1"); NodeDir d2 = NodeDir.create("node2")) {
            Path conf1 = d1.writeConf(conf(n1, n2, 150));
            Path conf2 = d2.writeConf(conf(n2, n1, 100));
            Answer none = status(d1.dir().resolve("run"));
            assertThat(none.error()).as("no havipd yet").startsWith("exit " + Havipd.NOT_RUNNING + ": havipd: no havipd"
                    + " answers on " + d1.dir().resolve("run").resolve("havipd.sock"));
            try {
                VrrpDaemon h1 = VrrpDaemon.start(Kind.HAVIPD, n1, conf1);
                daemons.add(h1);
                VrrpDaemon h2 = VrrpDaemon.start(Kind.HAVIPD, n2, conf2);
                daemons.add(h2);
                awaitState(h1, "MASTER");
                awaitState(h2, "BACKUP");
                VipView.awaitHolders(List.of(n1, n2), VIP, List.of("node1"), CONVERGE);

                JsonNode before = status(h2.runDir()).report();
                JsonNode vi = before.get("vrrp_instances").get(0);
                assertThat(vi.get("vrrp_instance").asText()).isEqualTo("VI_1");
                assertThat(vi.get("virtual_router_id").asInt()).isEqualTo(51);
                assertThat(vi.get("interface").asText()).isEqualTo("eth0");
                assertThat(vi.get("priority").asInt()).isEqualTo(100);
                assertThat(vi.get("effective_priority").asInt()).isEqualTo(100);
                assertThat(vi.get("unicast_peer").get(0).asText()).isEqualTo(n1.ipv4().toString());
                assertThat(vi.get("virtual_ipaddress").get(0).asText()).isEqualTo("198.51.100.50/24");
                assertThat(vi.get("stats").get("vrrp").get("advertisements_received").asLong()).isPositive();
                assertThat(before.get("havipd").get("config").asText()).isEqualTo(conf2.toString());
                assertThat(before.toString()).doesNotContain("s3cret");

                List<Answer> answers1 = Collections.synchronizedList(new ArrayList<>());
                List<Answer> answers2 = Collections.synchronizedList(new ArrayList<>());
                AtomicBoolean run = new AtomicBoolean(true);
                Thread poller = new Thread(() -> {
                    while (run.get()) {
                        answers2.add(status(h2.runDir()));
                        if (h1.isAlive()) {
                            answers1.add(status(h1.runDir()));
                        }
                        VrrpDaemon.sleep(20);
                    }
                }, "status-poller");
                poller.start();
                VrrpDaemon.sleep(300);
                long killedAt = System.nanoTime();
                h1.kill();
                awaitState(h2, "MASTER");
                long masterSeenMs = (System.nanoTime() - killedAt) / 1_000_000;
                // SIGKILL releases nothing: node1's kernel keeps the address; node2 must have it too
                assertThat(VipView.holders(List.of(n2), VIP)).containsExactly("node2");
                VrrpDaemon.sleep(300);
                run.set(false);
                poller.join(5000);

                List<Answer> all2 = List.copyOf(answers2);
                assertThat(all2).as("node2's answers").hasSizeGreaterThan(20)
                        .allSatisfy(a -> assertThat(a.error()).as("every answer is JSON").isNull());
                List<String> states = new ArrayList<>();
                for (Answer a : all2) {
                    String s = state(a.report());
                    if (states.isEmpty() || !states.get(states.size() - 1).equals(s)) {
                        states.add(s);
                    }
                }
                assertThat(states).as("node2's states as --status saw them, in order").containsExactly("BACKUP", "MASTER");
                // answered before the kill (one asked just before it may meet the dying process: no report)
                List<Answer> beforeKill = answers1.stream()
                        .filter(a -> a.askedNanos() + a.tookMicros() * 1000 < killedAt).toList();
                assertThat(beforeKill).as("node1 answered until killed").isNotEmpty()
                        .allSatisfy(a -> assertThat(a.error()).isNull())
                        .allSatisfy(a -> assertThat(state(a.report())).isEqualTo("MASTER"));
                JsonNode after = all2.get(all2.size() - 1).report().get("vrrp_instances").get(0);
                assertThat(after.get("last_transition").get("from").asText()).isEqualTo("BACKUP");
                assertThat(after.get("last_transition").get("to").asText()).isEqualTo("MASTER");
                assertThat(after.get("last_transition").get("reason").asText()).isEqualTo("master down timer");
                assertThat(after.get("transitions").asLong()).isEqualTo(vi.get("transitions").asLong() + 1);
                assertThat(after.get("stats").get("vrrp").get("became_master").asLong()).isEqualTo(1);
                long maxMicros = all2.stream().mapToLong(Answer::tookMicros).max().orElseThrow();
                long[] sorted = all2.stream().mapToLong(Answer::tookMicros).sorted().toArray();
                System.out.printf("HavipdStatusIT: %d answers from node2 (%d from node1 before its kill), all JSON;"
                                + " --status took median %d us, max %d us; node2 MASTER by --status %d ms after SIGKILL%n",
                        all2.size(), beforeKill.size(), sorted[sorted.length / 2], maxMicros, masterSeenMs);

                // SIGUSR1: the same report, written atomically to RUN_DIR/havipd.json
                Path dump = h2.runDir().resolve("havipd.json");
                assertThat(dump).doesNotExist();
                h2.userSignal1();
                h2.awaitLog("SIGUSR1: state written to " + dump, CONVERGE);
                JsonNode dumped = JSON.readTree(Files.readString(dump));
                assertThat(state(dumped)).isEqualTo("MASTER");
                assertThat(dumped.get("havipd").get("pid").asLong()).isEqualTo(before.get("havipd").get("pid").asLong());
                assertThat(Files.getPosixFilePermissions(dump)).extracting(Object::toString)
                        .containsExactlyInAnyOrder("OWNER_READ", "OWNER_WRITE", "GROUP_READ", "OTHERS_READ");
                assertThat(Files.list(h2.runDir()).map(p -> p.getFileName().toString()))
                        .as("no temporary file left").containsExactlyInAnyOrder("havipd.sock", "havipd.json");

                assertThat(h2.terminate()).isZero();
                assertThat(h2.runDir().resolve("havipd.sock")).as("socket removed at exit").doesNotExist();
            } finally {
                daemons.forEach(VrrpDaemon::close);
                for (VrrpDaemon d : daemons) {
                    System.out.printf("--- %s%n%s", d, HavipdDropInIT.tail(d.log(), 4000));
                }
            }
        }
    }

    static void awaitState(VrrpDaemon d, String state) {
        long end = System.nanoTime() + CONVERGE.toNanos();
        Answer a;
        while ((a = status(d.runDir())).report() == null || !state(a.report()).equals(state)) {
            if (System.nanoTime() > end) {
                throw new AssertionError(d + ": --status never said " + state + "; last: " + (a.report() == null
                        ? a.error() : a.report()) + "\n--- log:\n" + d.log());
            }
            VrrpDaemon.sleep(20);
        }
    }

    private static String conf(Node self, Node peer, int priority) {
        return "vrrp_instance VI_1 {\n  state BACKUP\n  interface eth0\n  virtual_router_id 51\n  priority " + priority
                + "\n  advert_int 1\n  unicast_src_ip " + self.ipv4() + "\n  unicast_peer {\n    " + peer.ipv4()
                + "\n  }\n  authentication {\n    auth_type PASS\n    auth_pass s3cret\n  }\n"
                + "  virtual_ipaddress {\n    198.51.100.50/24 dev eth0\n  }\n}\n";
    }
}
