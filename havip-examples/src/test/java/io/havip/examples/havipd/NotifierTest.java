package io.havip.examples.havipd;

import static org.assertj.core.api.Assertions.assertThat;

import io.havip.core.RouterId;
import io.havip.core.RouterState;
import io.havip.core.StateChange;
import io.havip.core.TransitionReason;
import io.havip.core.net.IpFamily;
import io.havip.vrrp.config.NotifyScript;
import io.havip.vrrp.config.NotifyScripts;
import io.havip.vrrp.config.SourceLocation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The notifier alone, with real scripts that log their start and end to a file. */
class NotifierTest {

    private static final SourceLocation AT = new SourceLocation("test.conf", 1);

    private static StateChange change(String name, RouterState from, RouterState to, int priority) {
        return new StateChange(new RouterId(name, "eth0", 51, IpFamily.IPV4), from, to, TransitionReason.STARTUP, priority,
                Instant.EPOCH);
    }

    private static Optional<NotifyScript> script(String command) {
        return Optional.of(new NotifyScript(command, Optional.empty(), Optional.empty(), AT));
    }

    private static NotifyScripts scripts(Path log, Path sh) {
        String base = sh + " " + log + " ";
        return new NotifyScripts(script(base + "master"), script(base + "backup"), script(base + "fault"),
                script(base + "stop"), script(base + "notify"), Optional.empty());
    }

    /** A script that logs "start ARGS", lingers so that overlapping runs would interleave, and logs "end ARGS". */
    private static Path loggingScript(Path dir) throws IOException {
        Path sh = dir.resolve("log.sh");
        Files.writeString(sh, "#!/bin/sh\nlog=$1; shift\necho \"start $*\" >> \"$log\"\nsleep 0.05\necho \"end $*\" >> \"$log\"\n");
        sh.toFile().setExecutable(true);
        return sh;
    }

    @Test
    void scriptsRunOneAtATimeInTheOrderOfTheChanges(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("notify.log");
        Path sh = loggingScript(dir);
        List<String> expected = new ArrayList<>();
        try (Notifier n = new Notifier(Duration.ofSeconds(10))) {
            NotifyScripts a = scripts(log, sh);
            NotifyScripts b = scripts(log, sh);
            // a quick flap, as a jittery network gives: keepalived could run these out of order
            n.submit("A", a, change("A", RouterState.INITIALIZE, RouterState.BACKUP, 100));
            n.submit("B", b, change("B", RouterState.INITIALIZE, RouterState.BACKUP, 90));
            n.submit("A", a, change("A", RouterState.BACKUP, RouterState.MASTER, 100));
            n.submit("A", a, change("A", RouterState.MASTER, RouterState.FAULT, 100));
            n.submit("A", a, change("A", RouterState.FAULT, RouterState.BACKUP, 100));
            n.submit("B", b, change("B", RouterState.BACKUP, RouterState.STOP, 90));
        }
        for (String[] c : new String[][] {{"A", "BACKUP", "100"}, {"B", "BACKUP", "90"}, {"A", "MASTER", "100"},
                {"A", "FAULT", "100"}, {"A", "BACKUP", "100"}, {"B", "STOP", "90"}}) {
            String specific = c[1].toLowerCase(java.util.Locale.ROOT);
            String generic = "notify INSTANCE " + c[0] + " " + c[1] + " " + c[2];
            expected.addAll(List.of("start " + specific, "end " + specific, "start " + generic, "end " + generic));
        }
        assertThat(Files.readAllLines(log)).containsExactlyElementsOf(expected);
    }

    @Test
    void aHungScriptIsKilledAtItsTimeoutAndTheNextOneRuns(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("notify.log");
        Path sh = dir.resolve("hang.sh");
        Files.writeString(sh, "#!/bin/sh\necho \"start $2\" >> \"$1\"\n[ \"$2\" = hang ] && sleep 30\necho \"end $2\" >> \"$1\"\n");
        sh.toFile().setExecutable(true);
        NotifyScripts s = new NotifyScripts(script(sh + " " + log + " hang"), script(sh + " " + log + " ok"),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
        try (Notifier n = new Notifier(Duration.ofMillis(300))) {
            n.submit("A", s, change("A", RouterState.BACKUP, RouterState.MASTER, 100));
            n.submit("A", s, change("A", RouterState.MASTER, RouterState.BACKUP, 100));
        }
        assertThat(Files.readAllLines(log)).containsExactly("start hang", "start ok", "end ok");
    }

    @Test
    void commandsFollowKeepalived() {
        NotifyScripts s = new NotifyScripts(script("/x/m.sh 'a b'"), Optional.empty(), Optional.empty(), Optional.empty(),
                script("/x/any.sh"), Optional.empty());
        assertThat(Notifier.commands("VI_1", s, change("VI_1", RouterState.BACKUP, RouterState.MASTER, 120)))
                .containsExactly(List.of("/x/m.sh", "a b"), List.of("/x/any.sh", "INSTANCE", "VI_1", "MASTER", "120"));
        assertThat(Notifier.commands("VI_1", s, change("VI_1", RouterState.INITIALIZE, RouterState.BACKUP, 120)))
                .containsExactly(List.of("/x/any.sh", "INSTANCE", "VI_1", "BACKUP", "120"));
        assertThat(Notifier.commands("VI_1", NotifyScripts.NONE, change("VI_1", RouterState.BACKUP, RouterState.STOP, 1)))
                .isEmpty();
    }

    @Test
    void groupCommandsFollowKeepalivedsSendGroupNotifies() {
        NotifyScripts s = new NotifyScripts(script("/x/g.sh master"), Optional.empty(), script("/x/g.sh fault"),
                script("/x/g.sh stop"), script("/x/any.sh"), Optional.empty());
        // keepalived 2.2.7 vrrp_notify.c: the state's own script, then notify with GROUP NAME STATE 0
        assertThat(Notifier.commands("GROUP", "VG_1", s, RouterState.MASTER, 0))
                .containsExactly(List.of("/x/g.sh", "master"), List.of("/x/any.sh", "GROUP", "VG_1", "MASTER", "0"));
        assertThat(Notifier.commands("GROUP", "VG_1", s, RouterState.BACKUP, 0))
                .containsExactly(List.of("/x/any.sh", "GROUP", "VG_1", "BACKUP", "0"));
        assertThat(Notifier.commands("GROUP", "VG_1", s, RouterState.STOP, 0))
                .containsExactly(List.of("/x/g.sh", "stop"), List.of("/x/any.sh", "GROUP", "VG_1", "STOP", "0"));
        assertThat(Notifier.commands("GROUP", "VG_1", s, RouterState.INITIALIZE, 0)).isEmpty();
    }

    @Test
    void groupAndInstanceScriptsShareTheOneQueue(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("notify.log");
        Path sh = loggingScript(dir);
        NotifyScripts s = scripts(log, sh);
        try (Notifier n = new Notifier(Duration.ofSeconds(10))) {
            n.submit("A", s, change("A", RouterState.BACKUP, RouterState.MASTER, 100));
            n.submitGroup("G", s, RouterState.MASTER);
            n.submitGroup("G", s, RouterState.FAULT);
        }
        assertThat(Files.readAllLines(log)).containsExactly("start master", "end master",
                "start notify INSTANCE A MASTER 100", "end notify INSTANCE A MASTER 100", "start master", "end master",
                "start notify GROUP G MASTER 0", "end notify GROUP G MASTER 0", "start fault", "end fault",
                "start notify GROUP G FAULT 0", "end notify GROUP G FAULT 0");
    }

    @Test
    void aMissingScriptIsLoggedAndTheQueueGoesOn(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("notify.log");
        Path sh = loggingScript(dir);
        NotifyScripts s = new NotifyScripts(script("/nonexistent/havip-notify"), Optional.empty(), Optional.empty(),
                Optional.empty(), script(sh + " " + log + " notify"), Optional.empty());
        try (Notifier n = new Notifier(Duration.ofSeconds(10))) {
            n.submit("A", s, change("A", RouterState.BACKUP, RouterState.MASTER, 100));
        }
        assertThat(Files.readAllLines(log)).containsExactly("start notify INSTANCE A MASTER 100",
                "end notify INSTANCE A MASTER 100");
    }
}
