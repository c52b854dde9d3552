package io.havip.zookeeper.it;

import io.havip.arp.testbed.Cmd;
import io.havip.arp.testbed.LinuxTestRequirements;
import io.havip.arp.testbed.Node;
import io.havip.arp.testbed.Testbed;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real ZooKeeper ensemble for the namespace tests: {@code size} servers, each its own JVM
 * ({@code org.apache.zookeeper.server.quorum.QuorumPeerMain zoo.cfg}, the ZooKeeper jar that
 * comes with Curator, from this test JVM's class path) in its own namespace {@code zk<i>} on the
 * testbed's bridge, so nftables in the bridge namespace can cut any node off from any server.
 * Data directories and logs are in a temporary directory.
 *
 * <p>Timing is scaled for short sessions: tickTime 200 ms (the server checks session expiry
 * once a tick), syncLimit 10 ticks (a follower that has not heard the leader for 2 s leaves the
 * quorum), initLimit 25 ticks, sessions of 400 ms to 60 s allowed.
 *
 * <p>{@link #close()} ends only the processes this fixture started (by their handles, SIGCONT
 * first so a stopped one can die), also from a JVM shutdown hook if the test JVM exits first;
 * the testbed removes the namespaces. Start failures close what was started before rethrowing.
 */
public final class ZkEnsemble implements AutoCloseable {

    /** The client port of every server (each on its own address). */
    public static final int CLIENT_PORT = 2181;
    static final int TICK_MS = 200;
    private static final Pattern MODE = Pattern.compile("Mode: (\\w+)");
    private static final Set<Process> LIVE = Collections.synchronizedSet(new LinkedHashSet<>());

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            List<Process> left;
            synchronized (LIVE) {
                left = new ArrayList<>(LIVE);
            }
            left.forEach(p -> {
                Cmd.run("kill", "-CONT", Long.toString(p.pid()));
                p.destroyForcibly();
            });
        }, "zk-ensemble-cleanup"));
    }

    /** One server: its id (1-based), namespace node, directory and process (replaced by {@link #restart}). */
    public static final class Server {
        final int id;
        final Node node;
        final Path dir;
        Process process;

        Server(int id, Node node, Path dir) {
            this.id = id;
            this.node = node;
            this.dir = dir;
        }

        public int id() {
            return id;
        }

        public Node node() {
            return node;
        }

        public long pid() {
            return process.pid();
        }

        public boolean alive() {
            return process != null && process.isAlive();
        }

        /** The server's own log (stdout and stderr), for failure messages. */
        public String log() {
            try {
                String s = Files.readString(dir.resolve("server.log"));
                return s.length() > 3000 ? s.substring(s.length() - 3000) : s;
            } catch (IOException e) {
                return "(no log: " + e.getMessage() + ")";
            }
        }

        @Override
        public String toString() {
            return "zk" + id + " (" + node.ipv4() + ")";
        }
    }

    private final Path root;
    private final List<Server> servers = new ArrayList<>();

    private ZkEnsemble(Path root) {
        this.root = root;
    }

    /** Adds {@code size} namespaces zk1..zkN to {@code net}, starts a server in each and waits until it has a leader. */
    public static ZkEnsemble start(Testbed net, int size) throws Exception {
        LinuxTestRequirements.require("ip", "nft");
        ZkEnsemble e = new ZkEnsemble(Files.createTempDirectory("havip-zk-"));
        try {
            for (int i = 1; i <= size; i++) {
                e.servers.add(new Server(i, net.addNode("zk" + i), Files.createDirectory(e.root.resolve("zk" + i))));
            }
            for (Server s : e.servers) {
                e.writeConfig(s);
                e.launch(s);
            }
            e.awaitQuorum(Duration.ofSeconds(60));
            return e;
        } catch (Exception | Error t) {
            e.close();
            throw t;
        }
    }

    private void writeConfig(Server s) throws IOException {
        Path data = Files.createDirectories(s.dir.resolve("data"));
        Files.writeString(data.resolve("myid"), s.id + "\n");
        StringBuilder cfg = new StringBuilder()
                .append("tickTime=").append(TICK_MS).append('\n')
                .append("initLimit=25\nsyncLimit=10\n")
                .append("minSessionTimeout=400\nmaxSessionTimeout=60000\n")
                .append("dataDir=").append(data).append('\n')
                .append("clientPort=").append(CLIENT_PORT).append('\n')
                .append("clientPortAddress=").append(s.node.ipv4()).append('\n')
                .append("admin.enableServer=false\n")
                .append("4lw.commands.whitelist=srvr,ruok,mntr\n")
                .append("autopurge.purgeInterval=0\n");
        for (Server o : servers) {
            cfg.append("server.").append(o.id).append('=').append(o.node.ipv4()).append(":2888:3888\n");
        }
        Files.writeString(s.dir.resolve("zoo.cfg"), cfg.toString());
    }

    private void launch(Server s) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", s.node.namespace(),
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx96m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-Dzookeeper.jmx.log4j.disable=true", "-Dzookeeper.admin.enableServer=false",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-Dorg.slf4j.simpleLogger.showDateTime=true",
                "-Djava.io.tmpdir=" + s.dir,
                "-cp", classPath(), "org.apache.zookeeper.server.quorum.QuorumPeerMain",
                s.dir.resolve("zoo.cfg").toString()));
        Path log = s.dir.resolve("server.log");
        // ip netns exec execs java: the handle's pid is the server JVM itself
        s.process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        LIVE.add(s.process);
    }

    /** This JVM's full test class path (failsafe names it in surefire.test.class.path); it holds ZooKeeper. */
    private static String classPath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
    }

    /**
     * The classes whose code sources a child JVM (ChildJvm.withClassesOf) needs to be a ZooKeeper
     * client through havip-zookeeper: ZooKeeperAuthority, Curator, ZooKeeper and their libraries.
     */
    public static Class<?>[] clientClassPath() {
        return new Class<?>[] {io.havip.zookeeper.ZooKeeperAuthority.class, org.apache.curator.framework.CuratorFramework.class,
            org.apache.curator.CuratorZookeeperClient.class, org.apache.curator.framework.recipes.locks.InterProcessMutex.class,
            org.apache.zookeeper.ZooKeeper.class, org.apache.jute.Record.class,
            com.google.common.base.Preconditions.class, // Curator's Guava
            com.google.common.util.concurrent.internal.InternalFutureFailureAccess.class,
            // ZooKeeper's client links its TLS utilities (Netty's SslContext) even when TLS is off
            io.netty.handler.ssl.SslContext.class, io.netty.util.concurrent.Future.class, io.netty.buffer.ByteBuf.class,
            io.netty.channel.Channel.class, io.netty.handler.codec.ByteToMessageDecoder.class,
            io.netty.resolver.AddressResolver.class};
    }

    /** The connect string {@code ip:2181,...} of every server. */
    public String connectString() {
        return servers.stream().map(s -> s.node.ipv4() + ":" + CLIENT_PORT).collect(Collectors.joining(","));
    }

    public List<Server> servers() {
        return List.copyOf(servers);
    }

    /** Server {@code id} (1-based). */
    public Server server(int id) {
        return servers.get(id - 1);
    }

    /** The servers' ports on the bridge (for nftables rules in the bridge namespace). */
    public List<String> bridgePorts() {
        return servers.stream().map(s -> s.node.bridgePort()).toList();
    }

    /**
     * What server {@code id} says of itself over its client port ({@code srvr}, asked from its
     * own namespace): "leader" or "follower"; empty when it is not serving (no quorum), dead or
     * does not answer within 1 s.
     */
    public Optional<String> mode(int id) {
        Server s = server(id);
        if (!s.alive()) {
            return Optional.empty();
        }
        try {
            String answer = s.node.call(() -> fourLetter(s.node, "srvr"));
            Matcher m = MODE.matcher(answer);
            return m.find() ? Optional.of(m.group(1)) : Optional.empty();
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    private static String fourLetter(Node node, String word) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(node.ipv4().toInetAddress(), CLIENT_PORT), 1_000);
            socket.setSoTimeout(1_000);
            OutputStream out = socket.getOutputStream();
            out.write(word.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The ids of the servers that serve now (leader or follower). */
    public List<Integer> serving() {
        List<Integer> ids = new ArrayList<>();
        for (Server s : servers) {
            if (mode(s.id).isPresent()) {
                ids.add(s.id);
            }
        }
        return ids;
    }

    /** The id of the server that says it is the leader, if one does. */
    public Optional<Integer> leader() {
        return servers.stream().filter(s -> mode(s.id).equals(Optional.of("leader"))).map(Server::id).findFirst();
    }

    /** Waits until one live server is the leader and every other live server a follower. */
    public void awaitQuorum(Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<String> modes = servers.stream().filter(Server::alive).map(s -> mode(s.id).orElse("none")).toList();
            if (modes.stream().filter("leader"::equals).count() == 1
                    && modes.stream().allMatch(m -> m.equals("leader") || m.equals("follower"))) {
                return;
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("no ZooKeeper quorum within " + timeout + ": modes " + modes + "; logs:\n"
                        + servers.stream().map(s -> s + ":\n" + s.log()).collect(Collectors.joining("\n")));
            }
            pause();
        }
    }

    /** Waits until no live server serves (the quorum is lost). */
    public void awaitNoQuorum(Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (!serving().isEmpty()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("servers " + serving() + " still serve " + timeout + " after the quorum was lost");
            }
            pause();
        }
    }

    /** 100 ms between polls (no havip-vrrp test classes here: havip-examples' ITs use this fixture too). */
    private static void pause() {
        try {
            TimeUnit.MILLISECONDS.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the ZooKeeper servers", e);
        }
    }

    /** SIGKILL to server {@code id} (by its handle) and waits for it to die. */
    public void kill(int id) throws InterruptedException {
        Server s = server(id);
        s.process.destroyForcibly();
        if (!s.process.waitFor(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException(s + ": pid " + s.pid() + " survived SIGKILL for 10 s");
        }
        LIVE.remove(s.process);
    }

    /** Starts server {@code id} again (after {@link #kill}) with its data directory. */
    public void restart(int id) throws IOException {
        Server s = server(id);
        if (s.alive()) {
            throw new IllegalStateException(s + " still runs (pid " + s.pid() + ")");
        }
        launch(s);
    }

    /** Sends {@code signal} (STOP, CONT) to server {@code id} by its pid. */
    public void signal(int id, String signal) {
        Cmd.check("kill", "-" + signal, Long.toString(server(id).pid()));
    }

    /** Ends every server this fixture started and deletes the directories; idempotent. */
    @Override
    public void close() {
        for (Server s : servers) {
            if (s.process == null) {
                continue;
            }
            if (s.process.isAlive()) {
                Cmd.run("kill", "-CONT", Long.toString(s.process.pid())); // a stopped JVM must run to die
                s.process.destroyForcibly();
                try {
                    s.process.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            LIVE.remove(s.process);
        }
        try (Stream<Path> all = Files.walk(root)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }
}
