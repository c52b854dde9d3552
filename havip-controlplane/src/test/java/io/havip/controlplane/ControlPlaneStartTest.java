package io.havip.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code java -jar havip-controlplane.jar --jdbc-url ...} as an operator runs it, in a child JVM,
 * against a real PostgreSQL whose role needs a password: a wrong, missing or URL-borne password
 * ends the process with status 1 and one line that says what was refused and what to do, never
 * the password, an exception's name or a stack trace; the right one serves.
 */
class ControlPlaneStartTest {

    private static final String WRONG = "wrong-secret-42";

    @Test
    void aWrongOrMissingPasswordIsOneClearLineWithoutThePassword() throws Exception {
        String url = PostgresServer.get().newPasswordDatabase();
        String user = PostgresServer.PASSWORD_USER;

        long start = System.nanoTime();
        Run wrong = run(WRONG, "--jdbc-url", url, "--db-user", user, "--listen", "127.0.0.1:0");
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertThat(wrong.exit).as(wrong.output).isEqualTo(1);
        // a refused password is not retried (the connection retry is for a server still starting)
        assertThat(ms).as("ms until a wrong password is reported").isLessThan(8_000);
        assertThat(wrong.lastLine()).isEqualTo("havip-controlplane: cannot start on 127.0.0.1:0 with " + url
                + ": FATAL: password authentication failed for user \"" + user + "\"; HAVIP_DB_PASSWORD holds a password the "
                + "database refused for " + user + ": check it (and --db-user)");
        clean(wrong);

        Run missing = run(null, "--jdbc-url", url, "--db-user", user, "--listen", "127.0.0.1:0");
        assertThat(missing.exit).as(missing.output).isEqualTo(1);
        assertThat(missing.lastLine()).endsWith("; the password is read only from the environment variable HAVIP_DB_PASSWORD, "
                + "which is not set: export HAVIP_DB_PASSWORD with the password of " + user);
        clean(missing);

        Run inUrl = run(null, "--jdbc-url", url + "?user=" + user + "&password=" + WRONG, "--listen", "127.0.0.1:0");
        assertThat(inUrl.exit).as(inUrl.output).isEqualTo(1);
        assertThat(inUrl.lastLine()).contains("?user=" + user + "&password=***: FATAL: password authentication failed");
        clean(inUrl);

        Run noDatabase = run(PostgresServer.PASSWORD, "--jdbc-url", url + "_nope", "--db-user", user, "--listen", "127.0.0.1:0");
        assertThat(noDatabase.lastLine()).endsWith("_nope\" does not exist; create it first (e.g. createdb -O " + user + " NAME)");
        clean(noDatabase);

        Process right = start(PostgresServer.PASSWORD, "--jdbc-url", url, "--db-user", user, "--listen", "127.0.0.1:0");
        try {
            java.io.BufferedReader lines = new java.io.BufferedReader(new java.io.InputStreamReader(right.getInputStream(),
                    StandardCharsets.UTF_8));
            String line;
            while ((line = lines.readLine()) != null && !line.startsWith("havip control plane: ")) {
                assertThat(line).doesNotContain(PostgresServer.PASSWORD);
            }
            assertThat(line).as("the line that says where it serves").isNotNull()
                    .startsWith("havip control plane: http://127.0.0.1:").contains("(database " + url + ", policy tencent");
        } finally {
            right.destroy();
            assertThat(right.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    /** No password, no exception's name, no stack frame anywhere in what the process printed. */
    private static void clean(Run r) {
        assertThat(r.output).doesNotContain(WRONG).doesNotContain(PostgresServer.PASSWORD).doesNotContain("Exception")
                .doesNotContain("\tat ");
    }

    private record Run(int exit, String output) {
        String lastLine() {
            String[] lines = output.strip().split("\n");
            return lines[lines.length - 1];
        }
    }

    private static Run run(String password, String... args) throws Exception {
        Process p = start(password, args);
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(output).isTrue();
        return new Run(p.exitValue(), output);
    }

    private static Process start(String password, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), ControlPlaneServer.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder b = new ProcessBuilder(cmd).redirectErrorStream(true);
        b.environment().remove("HAVIP_DB_PASSWORD");
        if (password != null) {
            b.environment().put("HAVIP_DB_PASSWORD", password);
        }
        return b.start();
    }
}
