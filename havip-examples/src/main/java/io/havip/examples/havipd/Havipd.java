package io.havip.examples.havipd;

import io.havip.vrrp.keepalived.KeepalivedRouters;
import io.havip.vrrp.keepalived.KeepalivedRouters.Mapping;
import io.havip.vrrp.config.ConfigException;
import io.havip.vrrp.config.ConfigWarning;
import io.havip.vrrp.config.KeepalivedConfig;
import io.havip.vrrp.config.KeepalivedConfigReader;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * havipd: runs the VRRP instances of a keepalived.conf with havip, in the foreground.
 *
 * <pre>
 * java -jar havipd.jar [-f FILE] [--check [--json]] [--status] [--run-dir DIR] [--notify-timeout SECONDS]
 * </pre>
 *
 * <ul>
 *   <li>{@code -f, --use-file FILE}: the configuration (default {@code /etc/keepalived/keepalived.conf},
 *       as keepalived);</li>
 *   <li>{@code --check} (or keepalived's {@code -t, --config-test}): read the file, print the
 *       warnings and the effective settings of each instance, exit 0 when it can run, 1 when not
 *       ({@code FILE:LINE: key 'K': problem (allowed: ...)} on standard error);</li>
 *   <li>{@code --json} with {@code --check}: the same report as one JSON object on standard
 *       output, errors included;</li>
 *   <li>{@code --status}: the state of the havipd running with the same run directory, as JSON
 *       (exit 4 when none answers);</li>
 *   <li>{@code --run-dir DIR}: where the control socket ({@code havipd.sock}) and the SIGUSR1
 *       dump ({@code havipd.json}) live (default {@code /run/havipd});</li>
 *   <li>{@code --notify-timeout SECONDS}: how long one notify script may run before it is
 *       killed (default 30); scripts run one at a time, in order.</li>
 *   <li>{@code --metrics-address HOST:PORT}: serve Prometheus metrics at
 *       {@code http://HOST:PORT/metrics} (off by default; see {@link MetricsEndpoint}).</li>
 * </ul>
 *
 * Signals: SIGTERM or SIGINT close every router gracefully (a master hands over to a backup,
 * then the notify_stop scripts run) and exit 0; SIGHUP re-reads the file and restarts only
 * the instances whose settings changed (a {@code vrrp_sync_group} as a unit: any change to it or
 * to a member restarts the whole group; a file that no longer reads leaves everything running);
 * SIGUSR1 writes the state report to {@code RUN_DIR/havipd.json}. Needs CAP_NET_ADMIN and CAP_NET_RAW (or root), as
 * keepalived does. Exit status: 0 done, 1 configuration error, 2 usage error, 3 a router
 * could not start (e.g. missing capability or interface), 4 {@code --status} found no running havipd.
 */
public final class Havipd {

    public static final int OK = 0;
    public static final int CONFIG_ERROR = 1;
    public static final int USAGE = 2;
    public static final int START_FAILED = 3;
    public static final int NOT_RUNNING = 4;

    static final String DEFAULT_FILE = "/etc/keepalived/keepalived.conf";
    static final Path DEFAULT_RUN_DIR = Path.of("/run/havipd");
    static final Duration DEFAULT_NOTIFY_TIMEOUT = Duration.ofSeconds(30);
    /**
     * Every line havipd logs while it runs starts with its local time in ISO 8601 with
     * milliseconds and offset ({@code 2026-12-07T13:05:09.417+01:00}), so that two nodes' logs
     * line up after a failover; the same pattern in SimpleDateFormat (slf4j-simple) and
     * DateTimeFormatter.
     */
    static final String TIME_STAMP = "yyyy-MM-dd'T'HH:mm:ss.SSSXXX";

    static {
        // before any logger exists: slf4j-simple reads its settings once, when the first logger is made (this
        // class's own, next line), so main() is too late; -D options on the command line win
        if (System.getProperty("org.slf4j.simpleLogger.showDateTime") == null) {
            System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
            System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", TIME_STAMP);
        }
    }

    private static final Logger log = LoggerFactory.getLogger(Havipd.class);

    private Havipd() {
    }

    public static void main(String[] args) {
        List<String> memory = MemoryReturn.apply();
        log.debug("heap returned after bursts: {}", memory);
        Control control = new Control();
        control.installSignalHandlers();
        System.exit(run(args, System.out, System.err, Havipd::startLinux, control));
    }

    private static io.havip.vrrp.VirtualRouter startLinux(String instance, io.havip.vrrp.Havip.Builder b) {
        return b.start();
    }

    /**
     * Requests to a running daemon, from signals or from a test. Requests queue and are handled
     * one at a time by the thread in {@link #run}.
     */
    public static final class Control {
        private enum Request { RELOAD, STOP }

        /** Writes the state report to the run directory; set while the daemon serves. */
        private volatile Runnable dump = () -> log.warn("SIGUSR1: havipd is not serving yet; no state written");

        private final LinkedBlockingQueue<Request> requests = new LinkedBlockingQueue<>();
        private final LinkedBlockingQueue<Daemon.Plan> reloads = new LinkedBlockingQueue<>();
        private volatile Daemon daemon;

        /** Asks the daemon to re-read its file (what SIGHUP does). */
        public void requestReload() {
            requests.add(Request.RELOAD);
        }

        /** Asks the daemon to close gracefully and return (what SIGTERM does). */
        public void requestStop() {
            requests.add(Request.STOP);
        }

        /** Writes the state report to RUN_DIR/havipd.json (what SIGUSR1 does); on the calling thread. */
        public void requestDump() {
            dump.run();
        }

        /** Waits for the outcome of the next reload, for tests. */
        public Daemon.Plan awaitReload(Duration timeout) throws InterruptedException {
            return reloads.poll(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        }

        /** The running daemon once started, for tests; null before. */
        public Daemon daemon() {
            return daemon;
        }

        /**
         * SIGHUP reloads; SIGTERM and SIGINT stop (exit 0, like keepalived). A shutdown hook
         * also closes the routers on any other exit of the JVM.
         */
        @SuppressWarnings("removal")
        void installSignalHandlers() {
            try {
                sun.misc.SignalHandler reload = s -> requestReload();
                sun.misc.Signal hup = new sun.misc.Signal("HUP");
                if (sun.misc.Signal.handle(hup, reload) == sun.misc.SignalHandler.SIG_IGN) {
                    // Started with SIGHUP ignored (nohup, `cmd &` in some shells, some service
                    // managers): the JVM then declines to install a handler and SIGHUP would be
                    // dropped silently. For havipd, as for keepalived, SIGHUP means "reload", so
                    // restore the default disposition and install the handler again.
                    if (!io.havip.arp.linux.Signals.restoreDefault(hup.getNumber())
                            || sun.misc.Signal.handle(hup, reload) == sun.misc.SignalHandler.SIG_IGN) {
                        log.warn("SIGHUP is ignored in this process (started under nohup?) and could not be restored;"
                                + " reload by SIGHUP is unavailable");
                    } else {
                        log.info("SIGHUP was ignored when havipd started (nohup?); restored: SIGHUP reloads");
                    }
                }
                // The handovers begin on the signal's own thread, before anything else: the
                // priority-0 adverts must not wait for the main thread to wake and log.
                sun.misc.SignalHandler stop = s -> {
                    Daemon d = daemon;
                    if (d != null) {
                        d.beginStop();
                    }
                    requestStop();
                };
                sun.misc.Signal.handle(new sun.misc.Signal("TERM"), stop);
                preloadSignalDispatch();
                sun.misc.Signal.handle(new sun.misc.Signal("USR1"), s -> requestDump());
                sun.misc.Signal.handle(new sun.misc.Signal("INT"), stop);
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                log.warn("cannot handle SIGHUP/SIGTERM ({}); reload is unavailable, SIGTERM still closes through the"
                        + " shutdown hook", e.toString());
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                Daemon d = daemon;
                if (d != null) {
                    d.close();
                }
            }, "havipd-shutdown"));
        }
    }

    /**
     * The JDK loads the class that runs a Java signal handler when the first signal arrives, on
     * SIGTERM's path to the priority-0 advert (about a millisecond, more on a busy machine): load
     * it now. Only an optimisation: if the JDK names it differently, nothing is lost.
     */
    static void preloadSignalDispatch() {
        try {
            Class.forName("jdk.internal.misc.Signal$1", false, null);
        } catch (ClassNotFoundException | LinkageError e) {
            // another JDK: the first signal loads what it needs
        }
    }

    private record Options(Path file, boolean check, boolean json, boolean status, Path runDir, Duration notifyTimeout) { }

    /** Runs havipd as {@link #main} does with real routers, for callers that handle signals themselves. */
    public static int run(String[] args, PrintStream out, PrintStream err, Daemon.RouterStarter starter, Control control) {
        return run(args, out, err, starter, control, Clock.systemDefaultZone());
    }

    /**
     * As {@link #run(String[], PrintStream, PrintStream, Daemon.RouterStarter, Control)}; the lines
     * havipd writes itself to {@code err} while it serves carry {@code clock}'s time as its log
     * lines do. (--check output is a report, not a log: no time stamps.)
     */
    public static int run(String[] args, PrintStream out, PrintStream err, Daemon.RouterStarter starter, Control control,
                          Clock clock) {
        Options o;
        MetricsOption.Requested metrics; // --metrics-address: read apart from the other options
        try {
            metrics = MetricsOption.requested(args);
            o = parse(metrics.otherArgs());
        } catch (IllegalArgumentException e) {
            err.println("havipd: " + e.getMessage());
            err.println(usage());
            return USAGE;
        }
        if (o == null) {
            out.println(usage());
            return OK;
        }
        if (o.json() && !o.check()) {
            err.println("havipd: --json goes with --check (--status always writes JSON)");
            return USAGE;
        }
        if (o.check()) {
            return CheckReport.check(o.file(), o.json(), out, err);
        }
        if (o.status()) {
            try {
                out.print(ControlSocket.read(o.runDir()));
                return OK;
            } catch (java.io.IOException e) {
                err.println("havipd: " + e.getMessage());
                return NOT_RUNNING;
            }
        }
        // --metrics-address: the endpoint runs while havipd serves and meters every router it starts
        MetricsEndpoint endpoint = null;
        if (metrics.address() != null) {
            try {
                endpoint = MetricsEndpoint.start(metrics.address());
            } catch (IllegalStateException e) {
                stamped(err, clock).println("havipd: " + e.getMessage());
                return START_FAILED;
            }
            starter = endpoint.meter(starter);
        }
        try {
            return serve(o, stamped(err, clock), starter, control, clock);
        } finally {
            if (endpoint != null) {
                endpoint.close();
            }
        }
    }

    /** {@code err}, each line of which starts with {@code clock}'s time as {@link #TIME_STAMP} and a space. */
    static PrintStream stamped(PrintStream err, Clock clock) {
        DateTimeFormatter format = DateTimeFormatter.ofPattern(TIME_STAMP).withZone(clock.getZone());
        return new PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8) {
            @Override
            public void println(String line) {
                super.println(format.format(clock.instant()) + " " + line);
            }
        };
    }

    static String usage() {
        return "usage: java -jar havipd.jar [-f|--use-file FILE] [--check|-t [--json]] [--status] [--run-dir DIR]"
                + " [--notify-timeout SECONDS] [--metrics-address HOST:PORT]\n"
                + "  runs the vrrp_instances of a keepalived.conf (default " + DEFAULT_FILE + ") in the foreground;\n"
                + "  --check prints the effective configuration, --status the state of the running havipd\n"
                + "  (control socket and SIGUSR1 dump in --run-dir, default " + DEFAULT_RUN_DIR + ")";
    }

    /** Null for --help. */
    private static Options parse(String[] args) {
        Path file = Path.of(DEFAULT_FILE);
        boolean check = false;
        boolean json = false;
        boolean status = false;
        Path runDir = DEFAULT_RUN_DIR;
        Duration timeout = DEFAULT_NOTIFY_TIMEOUT;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "-f", "--use-file" -> file = Path.of(value(args, ++i, a));
                case "--check", "-t", "--config-test" -> check = true;
                case "--json" -> json = true;
                case "--status" -> status = true;
                case "--run-dir" -> runDir = Path.of(value(args, ++i, a));
                case "--notify-timeout" -> {
                    String v = value(args, ++i, a);
                    try {
                        timeout = Duration.ofMillis(Math.round(Double.parseDouble(v) * 1000));
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--notify-timeout " + v + " is not a number of seconds");
                    }
                    if (timeout.isNegative() || timeout.isZero()) {
                        throw new IllegalArgumentException("--notify-timeout " + v + " must be positive");
                    }
                }
                case "-h", "--help" -> {
                    return null;
                }
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        if (check && status) {
            throw new IllegalArgumentException("--check and --status do not go together");
        }
        return new Options(file, check, json, status, runDir, timeout);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static int serve(Options o, PrintStream err, Daemon.RouterStarter starter, Control control, Clock clock) {
        java.time.Instant started = clock.instant();
        Daemon daemon = new Daemon(o.file(), starter, new Notifier(o.notifyTimeout()), clock);
        try {
            daemon.start();
        } catch (ConfigException e) {
            err.println(e.getMessage());
            daemon.close();
            return CONFIG_ERROR;
        } catch (RuntimeException e) {
            err.println("havipd: cannot start the routers of " + o.file() + ": " + e.getMessage());
            daemon.close();
            return START_FAILED;
        }
        control.daemon = daemon;
        java.util.function.Supplier<String> report = () -> Json.write(StatusReport.of(daemon, started, clock));
        ControlSocket socket = null;
        try {
            socket = ControlSocket.open(o.runDir(), report);
            ControlSocket s = socket;
            control.dump = () -> {
                try {
                    log.info("SIGUSR1: state written to {}", s.dump(report.get()));
                } catch (java.io.IOException | RuntimeException e) {
                    log.warn("SIGUSR1: cannot write the state to {}: {}", s.dir(), e.toString());
                }
            };
        } catch (java.io.IOException e) {
            log.warn("no --status and no SIGUSR1 dump: {}", e.getMessage());
        }
        log.info("havipd running {}{} from {}; SIGHUP reloads, SIGTERM stops, SIGUSR1 writes the state{}",
                daemon.routers().keySet(), daemon.groups().isEmpty() ? "" : " (sync groups " + daemon.groups().keySet()
                        + ")", o.file(), socket == null ? " (unavailable)" : " to " + socket.dir().resolve(
                        ControlSocket.DUMP) + ", havipd --status" + (o.runDir().equals(DEFAULT_RUN_DIR) ? ""
                        : " --run-dir " + o.runDir()) + " reads it");
        try {
            while (true) {
                Control.Request r = control.requests.take();
                if (r == Control.Request.STOP) {
                    break;
                }
                log.info("reloading {}", o.file());
                try {
                    control.reloads.add(daemon.reload());
                } catch (RuntimeException e) {
                    log.error("reload failed: {}", e.toString(), e);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info("stopping");
        if (socket != null) {
            socket.close();
        }
        daemon.close();
        return OK;
    }
}
