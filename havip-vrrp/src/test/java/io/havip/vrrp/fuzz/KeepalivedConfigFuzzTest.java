package io.havip.vrrp.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.havip.vrrp.config.ConfigException;
import io.havip.vrrp.config.KeepalivedConfigReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * {@link KeepalivedConfigReader#parse(String, Path)} on arbitrary text (the input's bytes as
 * UTF-8, so a corpus file is a keepalived.conf): it returns a config or throws
 * {@link ConfigException}; any other exception, a stack overflow, or an input that runs for
 * more than the timeout is a finding.
 *
 * <p>Includes resolve in a sandbox: the origin lies in an in-memory zip file system, so an
 * {@code include /etc/*} in fuzz input globs that file system, never the host's (where
 * {@code /proc} or {@code /dev} would make reads unbounded for reasons that are not the
 * reader's). The sandbox holds include targets for loops, self-inclusion, a chain deeper
 * than the reader's include depth limit, a fan-out glob and a real instance block.
 */
class KeepalivedConfigFuzzTest {

    static final FileSystem SANDBOX = sandbox();
    static final Path ORIGIN = SANDBOX.getPath("/etc/keepalived/keepalived.conf");

    @FuzzTest
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void parse(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        try {
            assertThat(KeepalivedConfigReader.parse(text, ORIGIN)).isNotNull();
        } catch (ConfigException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    private static FileSystem sandbox() {
        try {
            Path zip = Files.createTempFile("havip-fuzz-config", ".zip");
            Files.delete(zip);
            zip.toFile().deleteOnExit();
            FileSystem fs = FileSystems.newFileSystem(URI.create("jar:" + zip.toUri()), Map.of("create", "true"));
            Path dir = fs.getPath("/etc/keepalived");
            Files.createDirectories(dir.resolve("conf.d"));
            Files.writeString(dir.resolve("conf.d/10-instance.conf"), """
                    vrrp_instance VI_1 {
                        state BACKUP
                        interface eth0
                        virtual_router_id 51
                        priority 100
                        advert_int 1
                        authentication {
                            auth_type PASS
                            auth_pass secret
                        }
                        virtual_ipaddress {
                            198.51.100.50/24 dev eth0
                        }
                    }
                    """);
            Files.writeString(dir.resolve("conf.d/20-globals.conf"), "global_defs {\n    router_id fuzz\n}\n");
            Files.writeString(dir.resolve("conf.d/30-fanout.conf"), "include ../conf.d/1*.conf\n");
            Files.writeString(dir.resolve("self.conf"), "include self.conf\n");
            Files.writeString(dir.resolve("loop-a.conf"), "include loop-b.conf\n");
            Files.writeString(dir.resolve("loop-b.conf"), "include loop-a.conf\n");
            Files.writeString(dir.resolve("keepalived.conf"), "include keepalived.conf\n");
            for (int i = 0; i < 40; i++) {
                Files.writeString(dir.resolve("chain" + i + ".conf"), "include chain" + (i + 1) + ".conf\n");
            }
            Files.writeString(dir.resolve("chain40.conf"), "global_defs {\n}\n");
            return fs;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build the include sandbox", e);
        }
    }
}
