package io.havip.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.havip.controlplane.ControlPlaneServer.Options;
import org.junit.jupiter.api.Test;

class ControlPlaneServerOptionsTest {

    @Test
    void defaultsAndOptions() {
        Options d = Options.parse(new String[0]);
        assertThat(d.listen().getPort()).isEqualTo(8787);
        assertThat(d.jdbcUrl()).startsWith("jdbc:h2:file:./havip-controlplane;MODE=PostgreSQL");
        assertThat(d.poolSize()).isEqualTo(17);
        Options o = Options.parse(new String[] {"--listen", "[::1]:9000", "--jdbc-url", "jdbc:postgresql://db/havip",
                "--threads", "20", "--policy", "AWS", "--max-instances-per-havip", "4"});
        assertThat(o.listen().getPort()).isEqualTo(9000);
        assertThat(o.threads()).isEqualTo(20);
        assertThat(o.poolSize()).as("grown to fit the threads").isEqualTo(41);
        assertThat(o.policy().name()).isEqualTo("aws");
        assertThat(o.limits().maxInstancesPerHavip()).isEqualTo(4);
        assertThat(o.limits().maxHavipsPerInstance()).isEqualTo(5);
    }

    @Test
    void mistakesNameTheOptionAndTheValue() {
        assertThatThrownBy(() -> Options.parse(new String[] {"--threads", "8", "--pool-size", "10"}))
                .hasMessage("--pool-size 10 is less than twice --threads 8: each request may hold two connections at once; "
                        + "give --pool-size 17 or fewer --threads");
        assertThatThrownBy(() -> Options.parse(new String[] {"--listen", "8787"}))
                .hasMessage("--listen must be HOST:PORT such as 127.0.0.1:8787, got \"8787\"");
        assertThatThrownBy(() -> Options.parse(new String[] {"--listen", "127.0.0.1:99999"}))
                .hasMessage("--listen: the port of \"127.0.0.1:99999\" must be 0-65535");
        assertThatThrownBy(() -> Options.parse(new String[] {"--threads", "zero"}))
                .hasMessage("--threads must be a whole number of at least 1, got \"zero\"");
        assertThatThrownBy(() -> Options.parse(new String[] {"--jdbc-url"})).hasMessage("--jdbc-url needs a value");
        assertThatThrownBy(() -> Options.parse(new String[] {"--colour", "red"})).hasMessage("unknown option --colour");
        assertThatThrownBy(() -> Options.parse(new String[] {"--policy", "ibm"})).hasMessageStartingWith(
                "unknown reserved-address policy \"ibm\"");
    }
}
