package io.havip.vrrp.keepalived;

import io.havip.vrrp.HealthCheck;
import io.havip.vrrp.VirtualRouter;
import io.havip.vrrp.config.TrackProcessConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * keepalived's {@code track_file} and {@code vrrp_track_process} as havip runs them, through
 * the public API only: each is a {@link HealthCheck} (its FAULT or fixed-weight side), and a
 * {@code track_file} with a weight also moves the base priority through
 * {@link VirtualRouter#setPriority} once {@link PriorityFollower#follow} is given the router.
 * They read files and {@code /proc}; nothing is run.
 */
public final class KeepalivedTrackers {

    private static final Logger log = LoggerFactory.getLogger(KeepalivedTrackers.class);
    /** keepalived: "if the result is less than -253 anything monitoring [the file] will transition to the fault state". */
    static final int FAULT_BELOW = -253;

    private KeepalivedTrackers() {
    }

    /**
     * A {@code track_file} as one router tracks it.
     *
     * @param name   the track_file block's name
     * @param file   the file, holding a decimal integer (leading and trailing blanks ignored)
     * @param weight the weight in effect, already negated for {@code reverse}; 0: non-zero means FAULT
     */
    public record FileTrack(String name, Path file, int weight) {
        public FileTrack {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(file, "file");
        }

        /**
         * The file's value: a missing, unreadable or non-numeric file reads 0 (logged when it
         * changes), so a deleted file does not count as a failure by itself.
         */
        public long read() {
            String text;
            try {
                text = Files.readString(file, StandardCharsets.UTF_8).strip();
            } catch (NoSuchFileException e) {
                return 0;
            } catch (IOException e) {
                log.warn("track_file {}: cannot read {} ({}); counted as 0", name, file, e.getMessage());
                return 0;
            }
            if (text.isEmpty()) {
                return 0;
            }
            // keepalived reads the leading number of the first line (strtol): "12 abc" is 12
            String first = text.lines().findFirst().orElse("").strip();
            int end = 0;
            if (end < first.length() && (first.charAt(end) == '-' || first.charAt(end) == '+')) {
                end++;
            }
            while (end < first.length() && Character.isDigit(first.charAt(end)) && first.charAt(end) < 128) {
                end++;
            }
            try {
                return Long.parseLong(first.substring(0, end));
            } catch (NumberFormatException e) {
                log.warn("track_file {}: {} holds \"{}\", not a number; counted as 0", name, file,
                        first.length() > 40 ? first.substring(0, 40) + "..." : first);
                return 0;
            }
        }

        /** The priority change for {@code value}: value times weight, bounded to what an int can hold. */
        public long delta(long value) {
            long product;
            try {
                product = Math.multiplyExact(value, (long) weight);
            } catch (ArithmeticException e) {
                product = (value < 0) == (weight < 0) ? Long.MAX_VALUE : Long.MIN_VALUE;
            }
            return Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, product));
        }

        /** Whether {@code value} leaves the router out of FAULT. */
        public boolean ok(long value) {
            return weight == 0 ? value == 0 : delta(value) >= FAULT_BELOW;
        }
    }

    /**
     * A {@code vrrp_track_process}: counts the running processes that match, by reading
     * {@code /proc} (zombies do not count, as in keepalived). Without parameters and without
     * {@code full_command} a process matches by its name ({@code /proc/PID/comm}, at most 15
     * characters); otherwise by its command line ({@code /proc/PID/cmdline}): the first word
     * equal to the process as given, then the parameters by {@code param_match}.
     */
    public record ProcessTrack(TrackProcessConfig config, Path proc) {
        public ProcessTrack {
            Objects.requireNonNull(config, "config");
            Objects.requireNonNull(proc, "proc");
        }

        public ProcessTrack(TrackProcessConfig config) {
            this(config, Path.of("/proc"));
        }

        /** How many matching processes run now. */
        public int count() throws IOException {
            int n = 0;
            try (DirectoryStream<Path> pids = Files.newDirectoryStream(proc, p -> isPid(p.getFileName().toString()))) {
                for (Path pid : pids) {
                    try {
                        if (matches(pid)) {
                            n++;
                        }
                    } catch (IOException e) {
                        // the process ended while it was read: not running
                    }
                }
            }
            return n;
        }

        /** Whether the count is within quorum..quorum_max. */
        public boolean ok(int count) {
            return count >= config.quorum() && count <= config.quorumMax();
        }

        private boolean matches(Path pid) throws IOException {
            List<String> want = config.command();
            boolean byName = want.size() == 1 && !config.fullCommand() && !config.paramMatchSet();
            if (byName) {
                String comm = Files.readString(pid.resolve("comm"), StandardCharsets.UTF_8).strip();
                String name = want.get(0);
                return comm.equals(name.length() > 15 ? name.substring(0, 15) : name) && !zombie(pid);
            }
            byte[] raw = Files.readAllBytes(pid.resolve("cmdline"));
            if (raw.length == 0) {
                return false; // kernel threads and zombies have no command line
            }
            List<String> args = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < raw.length; i++) {
                if (raw[i] == 0) {
                    args.add(new String(raw, start, i - start, StandardCharsets.UTF_8));
                    start = i + 1;
                }
            }
            if (start < raw.length) {
                args.add(new String(raw, start, raw.length - start, StandardCharsets.UTF_8));
            }
            if (!args.get(0).equals(want.get(0))) {
                return false;
            }
            int given = want.size() - 1;
            int actual = args.size() - 1;
            boolean params = switch (config.paramMatch()) {
                case EXACT -> given == actual && args.subList(1, args.size()).equals(want.subList(1, want.size()));
                case PARTIAL -> actual >= given && args.subList(1, 1 + given).equals(want.subList(1, want.size()));
                case INITIAL -> actual >= given && (given == 0 || (args.subList(1, given).equals(want.subList(1, given))
                        && args.get(given).startsWith(want.get(given))));
            };
            return params && !zombie(pid);
        }

        private static boolean zombie(Path pid) throws IOException {
            for (String line : Files.readAllLines(pid.resolve("status"), StandardCharsets.UTF_8)) {
                if (line.startsWith("State:")) {
                    return line.substring(6).strip().startsWith("Z");
                }
            }
            return false;
        }

        private static boolean isPid(String name) {
            if (name.isEmpty() || name.charAt(0) == '0') {
                return false;
            }
            for (int i = 0; i < name.length(); i++) {
                if (name.charAt(i) < '0' || name.charAt(i) > '9') {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * The base priority of one router as its weighted {@code track_file}s make it: the configured
     * priority plus the sum of their deltas, limited to 1-254 as keepalived limits it. Fed by the
     * health checks that read the files (their threads); the first {@link #follow} applies what
     * was read so far. Thread-safe.
     */
    public static final class PriorityFollower {
        private final String router;
        private final int base;
        private final Map<String, Long> deltas = new ConcurrentHashMap<>();
        private final AtomicReference<VirtualRouter> target = new AtomicReference<>();
        private int applied;

        public PriorityFollower(String router, int base) {
            this.router = Objects.requireNonNull(router, "router");
            this.base = base;
            this.applied = base;
        }

        /** From now on, changes go to {@code r}; the current value is applied at once. */
        public void follow(VirtualRouter r) {
            target.set(Objects.requireNonNull(r, "r"));
            apply();
        }

        /** Records the delta of tracker {@code name} and applies the sum if it changed. */
        void update(String name, long delta) {
            Long old = deltas.put(name, delta);
            if (old == null || old != delta) {
                apply();
            }
        }

        /** The base priority the trackers ask for now. */
        public int wanted() {
            long sum = base;
            for (long d : deltas.values()) {
                sum += d;
            }
            return (int) Math.max(1, Math.min(254, sum));
        }

        private synchronized void apply() {
            VirtualRouter r = target.get();
            int p = wanted();
            if (r != null && p != applied) {
                log.info("{}: track_file values {} make the priority {} (configured {})", router, deltas, p, base);
                r.setPriority(p);
                applied = p;
            }
        }
    }
}
