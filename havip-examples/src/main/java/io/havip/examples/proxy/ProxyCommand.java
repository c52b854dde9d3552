package io.havip.examples.proxy;

import io.havip.core.FailoverListener;
import io.havip.core.net.InterfaceAddress;
import io.havip.vrrp.Havip;
import io.havip.vrrp.VirtualRouter;
import io.havip.vrrp.liveness.LivenessConfig;
import io.havip.zookeeper.ZooKeeperAuthority;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The command line of {@link VipProxy#main}: parses the options, starts the router with the
 * proxy as its hook and listener, prints every state change on stdout, and on shutdown
 * (SIGTERM) closes the router first (graceful handover: the proxy serves until the new master
 * has the address) and then the proxy (which drains what is still open).
 */
final class ProxyCommand {

    private static final Logger LOG = LoggerFactory.getLogger(ProxyCommand.class);

    static final String USAGE = """
            usage: VipProxy --interface IF --vrid N --vip ADDR/PREFIX --backend HOST:PORT [options]
              --priority N            1-255, default 100; the higher node becomes MASTER
              --port N                the port to serve on the virtual address, default 3306
              --advert-interval-ms N  VRRP advertisement interval, default 1000
              --drain-timeout-ms N    how long connections still open when the address has moved
                                      may take to end before they are closed, default 5000
              --unicast-peer ADDR     send adverts to this peer instead of multicast (repeatable)
              --nopreempt             do not take over from a live lower-priority master
            The liveness channel (the same secret on every proxy node; a killed proxy is then
            replaced in tens of milliseconds instead of after 3 advert intervals):
              --liveness-secret-file PATH  read the secret from PATH (16-4096 bytes, a trailing
                                      line break is not part of it; chmod 600)
              --liveness-secret-env VAR    read the secret from the environment variable VAR
              --liveness-port N       TCP port of the channel, default 11200 + vrid
              --liveness-grace-ms N   0-1000, default 2: how long an advert already in flight
                                      from a master whose process died may still count
            The secret is never taken on the command line: every user can read it there (ps).
            A ZooKeeper quorum lease (havip-zookeeper), so that a partition never gives two holders:
              --zookeeper HOST:PORT,...  the ensemble; VRRP elects, the lease guards the address
              --zookeeper-path PATH   where the leases live, default /havip
              --zookeeper-session-ms N    the session timeout, default 10000
              --node-name NAME        this node's name in ZooKeeper, default the host name
              --zookeeper-auth-file PATH  ZooKeeper digest credentials: PATH holds one line
                                      user:password (chmod 600; refused if every user can read
                                      it); the lease znodes are then writable only with them
              --lease-only            no VRRP traffic at all: the lease alone decides
              --fence-mysql           open every backend session with SET @havip_fencing_token = N
                                      (the lease's fencing token; see MySqlFencing for the schema);
                                      needs --zookeeper
            Needs CAP_NET_ADMIN and CAP_NET_RAW. To listen on the VIP before it arrives, set
            net.ipv4.ip_nonlocal_bind=1 in the node's network namespace; otherwise the proxy
            listens on the wildcard address while MASTER and resets connections made to any
            address other than the VIP. The proxy serves until the address has moved, then
            drains. SIGTERM hands the address over (make-before-break) and exits.""";

    /** The liveness channel's secret is refused above this size, as havipd's liveness_secret_file. */
    static final int MAX_SECRET_BYTES = 4096;
    /** LivenessConfig's bound on the grace. */
    private static final int MAX_GRACE_MILLIS = 1000;

    private ProxyCommand() { }

    /** The parsed options. */
    record Options(String interfaceName, int vrid, int priority, InterfaceAddress vip, int port, InetSocketAddress backend,
                   Duration advertInterval, Duration drainTimeout, List<String> unicastPeers, boolean preempt,
                   Optional<LivenessConfig> liveness, Optional<ZooKeeper> zookeeper, boolean fenceMySql) {
    }

    /** The ZooKeeper options. */
    record ZooKeeper(String connect, String path, Duration sessionTimeout, Optional<String> nodeName, boolean leaseOnly,
                     Optional<io.havip.vrrp.config.ZooKeeperSettings.Auth> auth) {
        /** Without credentials. */
        ZooKeeper(String connect, String path, Duration sessionTimeout, Optional<String> nodeName, boolean leaseOnly) {
            this(connect, path, sessionTimeout, nodeName, leaseOnly, Optional.empty());
        }
    }

    /** Runs until shutdown; returns a non-zero status (after printing why) only when the arguments are wrong. */
    static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
        Options o;
        try {
            o = parse(args, System::getenv);
        } catch (IllegalArgumentException e) {
            err.println("VipProxy: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        VipProxy proxy = new VipProxy(new InetSocketAddress(o.vip().address().toInetAddress(), o.port()), o.backend(),
                o.drainTimeout(), o.fenceMySql());
        proxy.warmUp();
        FailoverListener print = change -> {
            out.println("STATE " + change.from() + " -> " + change.to() + " (" + change.reason() + ")"
                    + (change.hasFencingToken() ? " token " + change.fencingToken() : ""));
            out.flush();
        };
        Havip.Builder builder = Havip.builder().interfaceName(o.interfaceName()).vrid(o.vrid()).priority(o.priority())
                .virtualAddress(o.vip()).advertInterval(o.advertInterval()).preempt(o.preempt())
                .hook(proxy, proxy.hookTimeout()).listener(proxy).listener(print);
        o.unicastPeers().forEach(builder::unicastPeers);
        o.liveness().ifPresent(builder::liveness);
        AutoCloseable authority = null; // a ZooKeeperAuthority, typed so that no Curator class loads without it
        VirtualRouter router;
        try {
            if (o.zookeeper().isPresent()) {
                authority = ProxyZooKeeper.guard(builder, o.zookeeper().get());
            }
            router = builder.start();
        } catch (RuntimeException e) {
            closeQuietly(authority);
            err.println("VipProxy: cannot start the router: " + e.getMessage());
            return 1;
        }
        AutoCloseable zkAuthority = authority;
        out.println("STARTED " + o.vip() + " port " + o.port() + " -> " + o.backend()
                + o.liveness().map(l -> " liveness port " + l.portFor(o.vrid())).orElse(""));
        out.flush();
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            router.close(); // serving until the new master has the address, then released
            closeQuietly(zkAuthority); // after the router: it gave its lease back while closing
            proxy.close(); // drains what is still open, up to the drain timeout
            out.println("CLOSED accepted=" + proxy.acceptedConnections() + " forcedCloses=" + proxy.forcedCloses()
                    + " listening=" + proxy.lastListening());
            out.flush();
            done.countDown();
        }, "vip-proxy-shutdown"));
        done.await();
        return 0;
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            LOG.warn("closing {} failed: {}", c, e.toString());
        }
    }

    static Options parse(String[] args, Function<String, String> environment) {
        String ifname = null;
        Integer vrid = null;
        int priority = 100;
        InterfaceAddress vip = null;
        int port = 3306;
        InetSocketAddress backend = null;
        long advertMillis = 1000;
        long drainMillis = 5000;
        List<String> peers = new ArrayList<>();
        boolean preempt = true;
        byte[] secret = null;
        String secretFrom = null;
        Integer livenessPort = null;
        Integer graceMillis = null;
        String zkConnect = null;
        String zkPath = null;
        Integer zkSessionMillis = null;
        String nodeName = null;
        io.havip.vrrp.config.ZooKeeperSettings.Auth zkAuth = null;
        boolean leaseOnly = false;
        boolean fenceMySql = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--nopreempt") || a.equals("--lease-only") || a.equals("--fence-mysql")) {
                preempt &= !a.equals("--nopreempt");
                leaseOnly |= a.equals("--lease-only");
                fenceMySql |= a.equals("--fence-mysql");
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(a + " needs a value");
            }
            String v = args[++i];
            switch (a) {
                case "--interface" -> ifname = v;
                case "--vrid" -> vrid = number(a, v);
                case "--priority" -> priority = number(a, v);
                case "--vip" -> vip = InterfaceAddress.parse(v);
                case "--port" -> port = number(a, v);
                case "--backend" -> backend = hostPort(v);
                case "--advert-interval-ms" -> advertMillis = number(a, v);
                case "--drain-timeout-ms" -> drainMillis = number(a, v);
                case "--unicast-peer" -> peers.add(v);
                case "--liveness-secret-file", "--liveness-secret-env" -> {
                    if (secretFrom != null) {
                        throw new IllegalArgumentException(a + ": the secret is already given by " + secretFrom
                                + "; give one of --liveness-secret-file or --liveness-secret-env, once");
                    }
                    secretFrom = a;
                    secret = a.equals("--liveness-secret-file") ? secretFile(v) : secretEnv(v, environment);
                }
                case "--liveness-secret" -> throw new IllegalArgumentException("--liveness-secret is not accepted: a"
                        + " secret on the command line can be read by every user of the host (ps, /proc); put it in a"
                        + " file readable by this user only (--liveness-secret-file PATH) or in the environment"
                        + " (--liveness-secret-env VAR)");
                case "--liveness-port" -> livenessPort = number(a, v);
                case "--liveness-grace-ms" -> graceMillis = number(a, v);
                case "--zookeeper" -> zkConnect = v;
                case "--zookeeper-path" -> zkPath = v;
                case "--zookeeper-session-ms" -> zkSessionMillis = number(a, v);
                case "--node-name" -> nodeName = v;
                case "--zookeeper-auth-file" -> {
                    try {
                        zkAuth = io.havip.vrrp.config.ZooKeeperSettings.readAuthFile(Path.of(v),
                                w -> LOG.warn("--zookeeper-auth-file {}", w));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("--zookeeper-auth-file " + e.getMessage());
                    }
                }
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        if (ifname == null || vrid == null || vip == null || backend == null) {
            throw new IllegalArgumentException("--interface, --vrid, --vip and --backend are required");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("--port " + port + " is outside 1-65535");
        }
        if (secret == null && (livenessPort != null || graceMillis != null)) {
            throw new IllegalArgumentException((livenessPort != null ? "--liveness-port" : "--liveness-grace-ms")
                    + " needs the liveness channel on: give its secret with --liveness-secret-file or --liveness-secret-env");
        }
        Optional<LivenessConfig> liveness = Optional.empty();
        if (secret != null) {
            if (livenessPort != null && (livenessPort < 1 || livenessPort > 65535)) {
                throw new IllegalArgumentException("--liveness-port " + livenessPort + " is outside 1-65535");
            }
            if (graceMillis != null && (graceMillis < 0 || graceMillis > MAX_GRACE_MILLIS)) {
                throw new IllegalArgumentException("--liveness-grace-ms " + graceMillis + " is outside 0-" + MAX_GRACE_MILLIS
                        + " (it only waits for an advert already in flight; longer is what the VRRP timers are for)");
            }
            Duration grace = graceMillis == null ? LivenessConfig.DEFAULT_GRACE : Duration.ofMillis(graceMillis);
            liveness = Optional.of(new LivenessConfig(secret, livenessPort == null ? 0 : livenessPort, grace,
                    LivenessConfig.DEFAULT_HEARTBEAT));
            Arrays.fill(secret, (byte) 0); // LivenessConfig keeps its own copy
        }
        if (zkConnect == null && (zkPath != null || zkSessionMillis != null || nodeName != null || leaseOnly || fenceMySql
                || zkAuth != null)) {
            throw new IllegalArgumentException((fenceMySql ? "--fence-mysql needs a fencing token, which only a ZooKeeper lease"
                    + " gives" : "--zookeeper-path, --zookeeper-session-ms, --zookeeper-auth-file, --node-name and "
                    + "--lease-only")
                    + ": give the ensemble with --zookeeper HOST:PORT,...");
        }
        if (zkSessionMillis != null && zkSessionMillis <= 0) {
            throw new IllegalArgumentException("--zookeeper-session-ms " + zkSessionMillis + " must be positive, e.g. 10000");
        }
        Optional<ZooKeeper> zookeeper = zkConnect == null ? Optional.empty() : Optional.of(new ZooKeeper(zkConnect,
                zkPath == null ? ZooKeeperAuthority.DEFAULT_PATH : zkPath, zkSessionMillis == null
                        ? ZooKeeperAuthority.DEFAULT_SESSION_TIMEOUT : Duration.ofMillis(zkSessionMillis),
                Optional.ofNullable(nodeName), leaseOnly, Optional.ofNullable(zkAuth)));
        return new Options(ifname, vrid, priority, vip, port, backend, Duration.ofMillis(advertMillis),
                Duration.ofMillis(drainMillis), List.copyOf(peers), preempt, liveness, zookeeper, fenceMySql);
    }

    /**
     * The secret in {@code value}, read as havipd reads {@code liveness_secret_file}: a regular file
     * of 16-4096 bytes whose trailing line break is not part of it. Messages never show the secret.
     */
    private static byte[] secretFile(String value) {
        Path file = Path.of(value);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--liveness-secret-file " + file + (Files.exists(file)
                    ? " is not a regular file" : " does not exist") + "; give a file holding the shared secret");
        }
        byte[] b;
        try (InputStream in = Files.newInputStream(file)) {
            b = in.readNBytes(MAX_SECRET_BYTES + 1);
        } catch (AccessDeniedException | SecurityException e) {
            throw new IllegalArgumentException("--liveness-secret-file: cannot read " + file + ": permission denied; it"
                    + " must be readable by the user the proxy runs as (and by nobody else: chmod 600)");
        } catch (IOException e) {
            throw new IllegalArgumentException("--liveness-secret-file: cannot read " + file + ": " + e.getMessage());
        }
        if (b.length > MAX_SECRET_BYTES) {
            throw new IllegalArgumentException("--liveness-secret-file " + file + " is larger than " + MAX_SECRET_BYTES
                    + " bytes; it must hold only the secret");
        }
        int n = b.length;
        if (n > 0 && b[n - 1] == '\n') {
            n--;
            if (n > 0 && b[n - 1] == '\r') {
                n--;
            }
        }
        byte[] secret = Arrays.copyOf(b, n);
        Arrays.fill(b, (byte) 0);
        requireSecretLength("--liveness-secret-file " + file, secret.length);
        warnIfOthersCanRead(file);
        return secret;
    }

    private static byte[] secretEnv(String variable, Function<String, String> environment) {
        String value = environment.apply(variable);
        if (value == null) {
            throw new IllegalArgumentException("--liveness-secret-env " + variable + ": the environment has no variable "
                    + variable + "; set it to the shared secret");
        }
        byte[] secret = value.getBytes(StandardCharsets.UTF_8);
        requireSecretLength("--liveness-secret-env " + variable, secret.length);
        return secret;
    }

    private static void requireSecretLength(String from, int length) {
        if (length < LivenessConfig.MIN_SECRET_BYTES) {
            throw new IllegalArgumentException(from + " holds " + length + " bytes (not shown), fewer than "
                    + LivenessConfig.MIN_SECRET_BYTES + "; use a random string such as the output of"
                    + " `openssl rand -base64 24`, the same on every proxy node");
        }
    }

    /** As ssh does for private keys (and havipd for its secret file): warn when others can read it. */
    private static void warnIfOthersCanRead(Path file) {
        try {
            Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
            if (p.contains(PosixFilePermission.GROUP_READ) || p.contains(PosixFilePermission.OTHERS_READ)) {
                LOG.warn("--liveness-secret-file {} is readable by {}; make it readable by this user only (chmod 600 {})",
                        file, p.contains(PosixFilePermission.OTHERS_READ) ? "every user" : "its group", file);
            }
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            // permissions unknown: nothing to warn about
        }
    }

    private static int number(String option, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " " + value + " is not a whole number");
        }
    }

    private static InetSocketAddress hostPort(String value) {
        int colon = value.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("--backend " + value + " must be HOST:PORT, e.g. 198.51.100.13:3306");
        }
        String host = value.substring(0, colon).replace("[", "").replace("]", "");
        int port = number("--backend port", value.substring(colon + 1));
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("--backend host " + host + " does not resolve: " + e.getMessage());
        }
    }
}
