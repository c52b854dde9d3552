package io.havip.arp.testbed;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Decides whether Linux namespace tests can run here. Without root, Linux or a tool they
 * skip with a message naming what is missing; when the environment has {@code CI=true} a
 * skip is a failure instead, so CI cannot go green by skipping them.
 */
public final class LinuxTestRequirements {

    private LinuxTestRequirements() { }

    /** What is missing for a test needing root, Linux and {@code tools}; empty when nothing is. */
    public static List<String> missing(String... tools) {
        List<String> missing = new ArrayList<>();
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
            missing.add("Linux (os.name is " + System.getProperty("os.name") + ")");
            return missing;
        }
        if (!isRoot()) {
            missing.add("root (uid 0, to create network namespaces)");
        }
        for (String tool : tools) {
            if (!Cmd.onPath(tool)) {
                missing.add("the `" + tool + "` command");
            }
        }
        return missing;
    }

    /** Skips the calling test (or fails it under CI=true) unless root, Linux and {@code tools} are present. */
    public static void require(String... tools) {
        List<String> missing = missing(tools);
        if (missing.isEmpty()) {
            return;
        }
        String message = "Linux namespace test needs " + String.join(", ", missing)
                + " (install iproute2 nftables tshark, run as root)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail("CI=true, so this is a failure, not a skip: " + message);
        }
        Assumptions.abort(message);
    }

    static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.substring(4).trim().split("\\s+")[1].equals("0");
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }
}
