package io.havip.examples.proxy;

import io.havip.core.FailoverListener;
import io.havip.core.net.InterfaceAddress;
import io.havip.vrrp.Havip;
import io.havip.vrrp.VirtualRouter;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The command line of {@link VipProxy#main}: parses the options, starts the router with the
 * proxy as its hook and listener, prints every state change on stdout, and on shutdown
 * (SIGTERM) closes the router first (graceful handover: the proxy drains in its release hook)
 * and then the proxy.
 */
final class ProxyCommand {

    static final String USAGE = """
            usage: VipProxy --interface IF --vrid N --vip ADDR/PREFIX --backend HOST:PORT [options]
              --priority N            1-255, default 100; the higher node becomes MASTER
              --port N                the port to serve on the virtual address, default 3306
              --advert-interval-ms N  VRRP advertisement interval, default 1000
              --drain-timeout-ms N    how long a release waits for open connections, default 5000
              --unicast-peer ADDR     send adverts to this peer instead of multicast (repeatable)
              --nopreempt             do not take over from a live lower-priority master
            Needs CAP_NET_ADMIN and CAP_NET_RAW. To listen before the address arrives, set
            net.ipv4.ip_nonlocal_bind=1 in the node's network namespace (otherwise the proxy binds
            just after becoming MASTER). SIGTERM hands the address over and drains connections.""";

    private ProxyCommand() { }

    /** The parsed options. */
    record Options(String interfaceName, int vrid, int priority, InterfaceAddress vip, int port, InetSocketAddress backend,
                   Duration advertInterval, Duration drainTimeout, List<String> unicastPeers, boolean preempt) {
    }

    /** Runs until shutdown; returns a non-zero status (after printing why) only when the arguments are wrong. */
    static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            err.println("VipProxy: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        VipProxy proxy = new VipProxy(new InetSocketAddress(o.vip().address().toInetAddress(), o.port()), o.backend(),
                o.drainTimeout());
        FailoverListener print = change -> {
            out.println("STATE " + change.from() + " -> " + change.to() + " (" + change.reason() + ")");
            out.flush();
        };
        Havip.Builder builder = Havip.builder().interfaceName(o.interfaceName()).vrid(o.vrid()).priority(o.priority())
                .virtualAddress(o.vip()).advertInterval(o.advertInterval()).preempt(o.preempt())
                .hook(proxy, proxy.hookTimeout()).listener(proxy).listener(print);
        o.unicastPeers().forEach(builder::unicastPeers);
        VirtualRouter router;
        try {
            router = builder.start();
        } catch (RuntimeException e) {
            err.println("VipProxy: cannot start the router: " + e.getMessage());
            return 1;
        }
        out.println("STARTED " + o.vip() + " port " + o.port() + " -> " + o.backend());
        out.flush();
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            router.close();
            proxy.close();
            out.println("CLOSED accepted=" + proxy.acceptedConnections() + " forcedCloses=" + proxy.forcedCloses()
                    + " boundBeforeAddress=" + proxy.boundBeforeAddress());
            out.flush();
            done.countDown();
        }, "vip-proxy-shutdown"));
        done.await();
        return 0;
    }

    static Options parse(String[] args) {
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
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--nopreempt")) {
                preempt = false;
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
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        if (ifname == null || vrid == null || vip == null || backend == null) {
            throw new IllegalArgumentException("--interface, --vrid, --vip and --backend are required");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("--port " + port + " is outside 1-65535");
        }
        return new Options(ifname, vrid, priority, vip, port, backend, Duration.ofMillis(advertMillis),
                Duration.ofMillis(drainMillis), List.copyOf(peers), preempt);
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
