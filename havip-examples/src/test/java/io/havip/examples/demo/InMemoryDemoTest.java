package io.havip.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.havip.core.RouterState;
import io.havip.examples.demo.InMemoryDemo.Entry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runs the demo for real (system clock, 100 ms adverts, a few seconds) and checks the story
 * through its timeline, not through durations.
 */
class InMemoryDemoTest {

    @Test
    void theTimelineTellsElectionCrashTakeoverAndANopreemptComeback() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        InMemoryDemo.Outcome outcome = InMemoryDemo.run(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String printed = bytes.toString(StandardCharsets.UTF_8);

        assertThat(outcome.failures()).as(printed).isEmpty();
        assertThat(outcome.ok()).isTrue();
        assertThat(outcome.statesOf("n1")).containsExactly("BACKUP:STARTUP", "MASTER:MASTER_DOWN_TIMER");
        assertThat(outcome.statesOf("n2")).containsExactly("BACKUP:STARTUP", "MASTER:MASTER_DOWN_TIMER", "STOP:SHUTDOWN");
        assertThat(outcome.statesOf("n3")).containsExactly("BACKUP:STARTUP", "STOP:SHUTDOWN");
        assertThat(outcome.statesOf("n1'")).containsExactly("BACKUP:STARTUP", "STOP:SHUTDOWN");

        List<String> story = outcome.timeline().stream()
                .filter(e -> e.kind() == Entry.Kind.STEP || e.to() == RouterState.MASTER
                        || e.node().equals("n1'") && e.to() == RouterState.BACKUP)
                .map(e -> e.kind() == Entry.Kind.STEP ? "step" : e.node() + ":" + e.to()).toList();
        assertThat(story).containsExactly("step", "n1:MASTER", "step", "n2:MASTER", "step", "n1':BACKUP", "step", "step");

        Entry n1Master = master(outcome, "n1");
        Entry n2Master = master(outcome, "n2");
        assertThat(n1Master.arpAnswer()).as("n1 answers ARP once it is MASTER").isEqualTo("n1");
        assertThat(n2Master.arpAnswer()).as("n2 answers ARP once it took over").isEqualTo("n2");
        assertThat(n2Master.elapsed()).isGreaterThan(n1Master.elapsed());
        assertThat(outcome.timeline()).filteredOn(e -> e.node().equals("n1'") && e.to() == RouterState.BACKUP)
                .singleElement().extracting(Entry::arpAnswer).isEqualTo("n2");

        assertThat(printed)
                .contains("n1's host crashes")
                .containsPattern("\\+\\d+\\.\\d{3}s  n2  BACKUP -> MASTER +master down timer \\(prio 150\\) +ARP for "
                        + "198\\.51\\.100\\.50 answered by n2")
                .contains("is still BACKUP")
                .contains("OK: n1 was elected");
    }

    private static Entry master(InMemoryDemo.Outcome outcome, String node) {
        return outcome.timeline().stream().filter(e -> e.node().equals(node) && e.to() == RouterState.MASTER)
                .findFirst().orElseThrow();
    }
}
