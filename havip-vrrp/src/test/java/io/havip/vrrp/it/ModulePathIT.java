package io.havip.vrrp.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.havip.arp.testbed.Cmd;
import io.havip.arp.testbed.Node;
import io.havip.arp.testbed.Testbed;
import io.havip.arp.testbed.TestbedExtension;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The unit tests run on the class path; this one runs havip as named modules. An application
 * module that {@code requires io.havip.vrrp} is compiled against the module path only, then
 * runs in a namespace: the router becomes master and binds its address through rtnetlink (JNA
 * reaching into {@code io.havip.arp}'s structures under the module rules), then closes.
 */
@ExtendWith(TestbedExtension.class)
class ModulePathIT {

    private static final String MAIN = """
            package io.havip.smoke;

            import io.havip.core.RouterState;
            import io.havip.vrrp.Havip;
            import io.havip.vrrp.VirtualRouter;
            import java.net.InetAddress;
            import java.net.NetworkInterface;
            import java.time.Duration;
            import java.util.Collections;

            public final class Main {
                public static void main(String[] args) throws Exception {
                    String module = Havip.class.getModule().getName();
                    try (VirtualRouter r = Havip.builder().name("smoke").interfaceName(args[0]).vrid(51).priority(255)
                            .virtualAddress("198.51.100.50/24").advertInterval(Duration.ofMillis(100)).start()) {
                        long end = System.nanoTime() + 10_000_000_000L;
                        boolean bound = false;
                        while (System.nanoTime() < end && !(r.state() == RouterState.MASTER && bound)) {
                            Thread.sleep(20);
                            bound = Collections.list(NetworkInterface.getByName(args[0]).getInetAddresses())
                                    .contains(InetAddress.getByName("198.51.100.50"));
                        }
                        System.out.println("module " + module + " state " + r.state() + " bound " + bound);
                    }
                    System.out.println("closed");
                }
            }
            """;

    @Test
    void anApplicationModuleRunsARouterFromTheModulePath(Testbed net) throws Exception {
        Node a = net.addNode("a");
        Path dir = Files.createTempDirectory("havip-modulepath");
        try {
            Path src = dir.resolve("src/io.havip.smoke");
            Files.createDirectories(src.resolve("io/havip/smoke"));
            Files.writeString(src.resolve("module-info.java"), "module io.havip.smoke { requires io.havip.vrrp; }\n");
            Files.writeString(src.resolve("io/havip/smoke/Main.java"), MAIN);
            String modulePath = modulePath();
            Path out = dir.resolve("out");
            String bin = Path.of(System.getProperty("java.home"), "bin").toString();
            Cmd.Result compiled = Cmd.run(Path.of(bin, "javac").toString(), "--module-path", modulePath,
                    "-d", out.toString(), "--module-source-path", dir.resolve("src").toString(), "-m", "io.havip.smoke");
            assertThat(compiled.exit()).as("javac on the module path: " + compiled.stderr()).isZero();

            String java = Path.of(bin, "java").toString();
            Cmd.Result r = Cmd.run("ip", "netns", "exec", a.namespace(), java,
                    "--module-path", out + File.pathSeparator + modulePath,
                    "-m", "io.havip.smoke/io.havip.smoke.Main", a.ifname());
            assertThat(r.exit()).as(r.stdout() + r.stderr()).isZero();
            assertThat(r.stdout()).as(r.stderr())
                    .contains("module io.havip.vrrp state MASTER bound true").contains("closed");
            assertThat(r.stderr()).as("no illegal access, no missing module")
                    .doesNotContain("IllegalAccess").doesNotContain("InaccessibleObject")
                    .doesNotContain("NoClassDefFound");
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** havip-vrrp, -arp and -core as built (modules), JNA and slf4j (automatic / named modules). */
    private static String modulePath() {
        return Stream.of(io.havip.vrrp.Havip.class, io.havip.arp.linux.LinuxNetworking.class,
                        io.havip.core.net.IpAddress.class, com.sun.jna.Native.class, org.slf4j.LoggerFactory.class)
                .map(c -> Path.of(toUri(c)).toString()).distinct().collect(Collectors.joining(File.pathSeparator));
    }

    private static java.net.URI toUri(Class<?> c) {
        try {
            return c.getProtectionDomain().getCodeSource().getLocation().toURI();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
