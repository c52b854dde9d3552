package io.havip.arp.testbed;

import io.havip.arp.linux.LinuxNetworking;
import io.havip.arp.linux.NativeException;
import io.havip.core.net.IpAddress;
import io.havip.core.net.MacAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One namespace of a {@link Testbed} with interface {@code eth0} on the bridge. Java code
 * runs inside it with {@link #call}: a dedicated platform thread entered the namespace with
 * setns(2) (the network namespace is per thread on Linux), so sockets it opens live there.
 */
public final class Node {

    private final Testbed testbed;
    private final String name;
    private final String namespace;
    private final String bridgePort;
    private final String ipv4;
    private final String ipv6;
    private final ExecutorService thread;

    Node(Testbed testbed, String name, String namespace, String bridgePort, String ipv4, String ipv6) {
        this.testbed = testbed;
        this.name = name;
        this.namespace = namespace;
        this.bridgePort = bridgePort;
        this.ipv4 = ipv4;
        this.ipv6 = ipv6;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(() -> {
                try {
                    LinuxNetworking.enterNetworkNamespace(Path.of("/run/netns", namespace));
                } catch (NativeException e) {
                    throw new IllegalStateException(e.getMessage(), e);
                }
                r.run();
            }, "netns-" + namespace);
            t.setDaemon(true);
            return t;
        });
    }

    public String name() {
        return name;
    }

    /** The namespace name (with the testbed's random suffix). */
    public String namespace() {
        return namespace;
    }

    /** The interface of this node on the bridge. */
    public String ifname() {
        return "eth0";
    }

    /** This node's port on the bridge, in {@link Testbed#bridgeNamespace()}. */
    public String bridgePort() {
        return bridgePort;
    }

    public IpAddress ipv4() {
        return IpAddress.parse(ipv4);
    }

    public IpAddress ipv6() {
        return IpAddress.parse(ipv6);
    }

    public Testbed testbed() {
        return testbed;
    }

    /** Runs {@code task} on this node's namespace thread and returns its result (30 s limit). */
    public <T> T call(Callable<T> task) throws Exception {
        try {
            return thread.submit(task).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception ex) {
                throw ex;
            }
            throw e;
        } catch (TimeoutException e) {
            throw new IllegalStateException("task in namespace " + namespace + " did not finish in 30 s", e);
        }
    }

    /** A callable that may throw, run in the namespace. */
    public interface Task {
        void run() throws Exception;
    }

    public void run(Task task) throws Exception {
        call(() -> {
            task.run();
            return null;
        });
    }

    /** Runs {@code command} inside the namespace ({@code ip netns exec}). */
    public Cmd.Result exec(String... command) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        cmd.addAll(List.of(command));
        return Cmd.run(cmd);
    }

    /** Runs {@code ip ARGS} in the namespace and returns stdout; fails on a non-zero exit. */
    public String ip(String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "-n", namespace));
        cmd.addAll(List.of(args));
        return Cmd.run(cmd).check().stdout();
    }

    /** eth0's MAC address as {@code ip link} shows it. */
    public MacAddress mac() {
        Matcher m = Pattern.compile("link/ether ([0-9a-f:]{17})").matcher(ip("link", "show", "eth0"));
        if (!m.find()) {
            throw new IllegalStateException("no MAC on eth0 of " + namespace);
        }
        return MacAddress.parse(m.group(1));
    }

    /** The JSON of {@code ip -j addr show dev eth0}. */
    public String addressesJson() {
        return ip("-j", "addr", "show", "dev", "eth0");
    }

    /** The JSON of {@code ip -j neigh show dev eth0}. */
    public String neighboursJson() {
        return ip("-j", "neigh", "show", "dev", "eth0");
    }

    /** The MAC this node's neighbour table holds for {@code address} on eth0, if any (FAILED/INCOMPLETE count as none). */
    public java.util.Optional<MacAddress> neighbour(IpAddress address) {
        String out = ip("neigh", "show", "to", address.toString(), "dev", "eth0");
        Matcher m = Pattern.compile("lladdr ([0-9a-f:]{17})").matcher(out);
        return m.find() ? java.util.Optional.of(MacAddress.parse(m.group(1))) : java.util.Optional.empty();
    }

    /** Starts a child JVM in this namespace; see {@link ChildJvm}. */
    public ChildJvm.Builder java(Class<?> mainClass, String... args) {
        return ChildJvm.in(namespace, mainClass, args);
    }

    void shutdown() {
        thread.shutdownNow();
    }

    @Override
    public String toString() {
        return name + " (" + namespace + ", " + ipv4 + ", " + ipv6 + ")";
    }
}
