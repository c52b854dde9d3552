package io.havip.arp.testbed;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A tshark capture on a node's {@code eth0} into a pcap file, then dissection of that file by
 * tshark: the test checks what really went on the wire as Wireshark understands it.
 * {@link #start} returns once tshark says it is capturing.
 */
public final class Capture implements AutoCloseable {

    private final Process process;
    private final Path dir;
    private final Path file;
    private final StringBuilder stderr = new StringBuilder();

    private Capture(Process process, Path dir, Path file) {
        this.process = process;
        this.dir = dir;
        this.file = file;
    }

    /** Starts {@code tshark -i eth0 -f captureFilter -c count} in {@code node}'s namespace. */
    public static Capture start(Node node, String captureFilter, int count) throws IOException, InterruptedException {
        return start(node, node.ifname(), captureFilter, count);
    }

    /** Starts {@code tshark -i ifname -f captureFilter -c count} in {@code node}'s namespace. */
    public static Capture start(Node node, String ifname, String captureFilter, int count)
            throws IOException, InterruptedException {
        LinuxTestRequirements.require("tshark");
        Path dir = Files.createTempDirectory("havip-capture-");
        Path file = dir.resolve("capture.pcap");
        Process p = new ProcessBuilder("ip", "netns", "exec", node.namespace(), "tshark", "-n", "-i", ifname,
                "-f", captureFilter, "-c", Integer.toString(count), "-F", "pcap", "-w", file.toString()).start();
        Capture c = new Capture(p, dir, file);
        CountDownLatch capturing = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    synchronized (c.stderr) {
                        c.stderr.append(line).append('\n');
                    }
                    if (line.contains("Capture started")) { // dumpcap is live; "Capturing on" comes earlier
                        capturing.countDown();
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
            capturing.countDown();
        }, "tshark-stderr");
        reader.setDaemon(true);
        reader.start();
        p.getInputStream().close();
        if (!capturing.await(20, TimeUnit.SECONDS) || !p.isAlive()) {
            c.close();
            throw new IllegalStateException("tshark did not start capturing in " + node.namespace() + ": " + c.stderr());
        }
        return c;
    }

    private String stderr() {
        synchronized (stderr) {
            return stderr.toString();
        }
    }

    /** Waits until the capture has its packets (or {@code seconds} pass, then stops it) and returns the file. */
    public Path finish(int seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroy(); // SIGTERM to tshark, which we started: it closes the file cleanly
            process.waitFor(10, TimeUnit.SECONDS);
        }
        return file;
    }

    /**
     * Dissects the capture: one row per packet matching {@code displayFilter} (may be empty),
     * with the values of {@code fields}; {@code options} are extra tshark arguments such as
     * {@code -o pref:value}.
     */
    public List<List<String>> fields(String displayFilter, List<String> options, String... fields) {
        List<String> cmd = new ArrayList<>(List.of("tshark", "-n", "-r", file.toString()));
        cmd.addAll(options);
        if (!displayFilter.isEmpty()) {
            cmd.addAll(List.of("-Y", displayFilter));
        }
        cmd.addAll(List.of("-T", "fields", "-E", "separator=|", "-E", "occurrence=f"));
        for (String f : fields) {
            cmd.addAll(List.of("-e", f));
        }
        String out = Cmd.run(cmd).check().stdout();
        List<List<String>> rows = new ArrayList<>();
        out.lines().filter(l -> !l.isEmpty()).forEach(l -> rows.add(Arrays.asList(l.split("\\|", -1))));
        return rows;
    }

    /** tshark's full text dissection ({@code -V}) of every packet, for failure messages. */
    public String verbose() {
        return Cmd.run("tshark", "-n", "-V", "-r", file.toString()).stdout();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        try {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
