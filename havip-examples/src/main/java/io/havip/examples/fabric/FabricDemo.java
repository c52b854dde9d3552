package io.havip.examples.fabric;

import io.havip.capture.ArpAnnouncementListener;
import io.havip.core.Clock;
import io.havip.core.cloud.AnnouncementOutcome;
import io.havip.core.cloud.ApplyRequest;
import io.havip.core.cloud.CloudPolicies;
import io.havip.core.cloud.HavipResource;
import io.havip.core.cloud.HavipEvent;
import io.havip.core.cloud.HavipService;
import io.havip.core.cloud.InMemoryHavipStore;
import io.havip.core.cloud.InMemoryInventory;
import io.havip.core.cloud.Instance;
import io.havip.core.cloud.Subnet;
import io.havip.core.cloud.Vpc;
import io.havip.core.net.Cidr;
import io.havip.core.net.IpAddress;
import io.havip.core.net.MacAddress;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/**
 * The cloud fabric's view of a HAVIP, on a real network segment: an in-memory
 * {@link HavipService} (VPC {@code vpc-demo} {@value #VPC_CIDR}, subnet {@code subnet-demo}
 * {@value #SUBNET_CIDR} under Tencent's reserved-address rule) with one instance
 * per havip node, identified by the MAC of its interface. It applies for a HAVIP (the lowest
 * address Tencent's rule allows, 198.51.100.2, unless one is requested), binds every instance,
 * and feeds the gratuitous ARP that the nodes send when they take the address
 * ({@link ArpAnnouncementListener}, libpcap) into {@link HavipService#onAnnouncement}. Each time
 * the holder changes it prints the HAVIP table, as a cloud console shows it, and rewrites the
 * CSV export if one was asked for.
 *
 * <p>With {@code --api URL} it keeps no service of its own: it posts what it captures to a
 * control plane's HTTP API ({@link AnnouncementReporter}, havip-controlplane's
 * {@code ReportArpAnnouncements}), where the HAVIPs, their bindings and the instances' MACs
 * live; see {@link #reportTo}.
 *
 * <p>Run it where the fabric can see the nodes' broadcasts (in the IT: a namespace on the
 * nodes' bridge); it needs CAP_NET_RAW and pcap4j-core with libpcap on the class path.
 */
public final class FabricDemo implements AutoCloseable {

    /** The VPC's CIDR; the subnet is the /24 the testbed's nodes live in. */
    public static final String VPC_CIDR = "198.51.0.0/16";
    public static final String SUBNET_CIDR = "198.51.100.0/24";
    public static final String VPC_ID = "vpc-demo";
    public static final String SUBNET_ID = "subnet-demo";

    private final HavipService service;
    private final HavipResource applied;
    private final ArpAnnouncementListener capture;
    private final PrintStream out;
    private final Optional<Path> csv;

    private FabricDemo(HavipService service, HavipResource applied, ArpAnnouncementListener capture, PrintStream out,
            Optional<Path> csv) {
        this.service = service;
        this.applied = applied;
        this.capture = capture;
        this.out = out;
        this.csv = csv;
    }

    /**
     * Sets up the service, applies for and binds the HAVIP, and starts capturing on {@code ifname}
     * in the calling thread's network namespace.
     *
     * @param instances instance id to the MAC of its interface, in binding order
     * @param address   the HAVIP address to request; empty: the lowest the Tencent rule allows
     * @param events    hears every {@link HavipEvent} (after the table is printed for a holder change)
     */
    public static FabricDemo start(String ifname, Map<String, MacAddress> instances, Optional<IpAddress> address,
            PrintStream out, Optional<Path> csv, Consumer<HavipEvent> events) throws Exception {
        if (instances.isEmpty()) {
            throw new IllegalArgumentException("give at least one instance (id=MAC) that may hold the HAVIP");
        }
        InMemoryInventory inventory = new InMemoryInventory()
                .add(new Vpc(VPC_ID, Cidr.parse(VPC_CIDR)))
                .add(new Subnet(SUBNET_ID, VPC_ID, Cidr.parse(SUBNET_CIDR)));
        instances.forEach((id, mac) -> inventory.add(new Instance(id, VPC_ID, SUBNET_ID, Set.of(mac))));
        HavipService service = HavipService.builder(inventory).store(new InMemoryHavipStore())
                .policy(CloudPolicies.tencent()).build();
        ApplyRequest request = ApplyRequest.intranet("demo-vip", VPC_ID, SUBNET_ID);
        HavipResource havip = service.apply(address.map(request::withAddress).orElse(request));
        for (String id : instances.keySet()) {
            havip = service.bind(havip.id(), id);
        }
        ArpAnnouncementListener capture = ArpAnnouncementListener.start(ifname, SUBNET_ID, a -> {
            AnnouncementOutcome o = service.onAnnouncement(a);
            if (o instanceof AnnouncementOutcome.Ignored ignored
                    && ignored.reason() != AnnouncementOutcome.IgnoreReason.UNKNOWN_ADDRESS) {
                out.println("ignored announcement " + a + ": " + ignored.reason() + " (" + ignored.detail() + ")");
            }
        }, Clock.system());
        FabricDemo demo = new FabricDemo(service, havip, capture, out, csv);
        service.subscribe(e -> {
            if (e instanceof HavipEvent.HolderChanged h) {
                out.println("holder of " + h.havipId() + ": " + h.oldHolder().orElse("(none)") + " -> "
                        + h.newHolder().orElse("(none)") + " at " + h.at());
                demo.print();
            }
            events.accept(e);
        });
        out.println("applied " + havip.id() + " at " + havip.address() + " in " + SUBNET_ID + " (" + SUBNET_CIDR
                + ", Tencent rule), bound to " + String.join(", ", havip.boundInstanceIds()));
        demo.print();
        return demo;
    }

    /** The HAVIP as applied and bound (not updated: see {@link #service()} for the current one). */
    public HavipResource applied() {
        return applied;
    }

    public HavipService service() {
        return service;
    }

    /** The HAVIP table as a console lists it. */
    public String table() {
        String format = "%-16s %-10s %-15s %-10s %-14s %-8s%n";
        StringBuilder sb = new StringBuilder(String.format(format, "ID", "Name", "Address", "Status", "Bound", "Holder"));
        for (HavipResource h : service.list()) {
            sb.append(String.format(format, h.id(), h.name(), h.address(), h.status(), String.join(",", h.boundInstanceIds()),
                    h.holder().orElse("-")));
        }
        return sb.toString();
    }

    private void print() {
        out.print(table());
        out.flush();
        csv.ifPresent(file -> {
            try {
                Files.write(file, service.exportCsv(""));
            } catch (IOException e) {
                out.println("cannot write the CSV export to " + file + ": " + e.getMessage());
            }
        });
    }

    /**
     * Captures announcements on {@code ifname} (in the calling thread's network namespace) and
     * hands each, as seen in subnet {@code subnetId}, to {@code reporter}; closing the result
     * stops capturing. The reporter's own thread does the HTTP, in the namespace it was created in.
     */
    public static AutoCloseable reportTo(String ifname, String subnetId, AnnouncementReporter reporter) throws Exception {
        ArpAnnouncementListener capture = ArpAnnouncementListener.start(ifname, subnetId, reporter, Clock.system());
        return capture::close;
    }

    /** Stops capturing. */
    @Override
    public void close() {
        capture.close();
    }

    /**
     * {@code FabricDemo --interface IF --instance ID=MAC [--instance ID=MAC ...] [--address A] [--csv FILE]}, or
     * {@code FabricDemo --interface IF --api URL [--subnet-id ID]} to post to a control plane: runs until SIGTERM / Ctrl-C.
     * {@code --netns NAME} captures in that network namespace while the HTTP to the API leaves from this one.
     */
    public static void main(String[] args) throws Exception {
        String ifname = null;
        Map<String, MacAddress> instances = new LinkedHashMap<>();
        Optional<IpAddress> address = Optional.empty();
        Optional<Path> csv = Optional.empty();
        Optional<java.net.URI> api = Optional.empty();
        String subnetId = SUBNET_ID;
        Optional<String> netns = Optional.empty();
        try {
            for (int i = 0; i < args.length; i += 2) {
                if (i + 1 >= args.length) {
                    fail(args[i] + " needs a value");
                }
                String v = args[i + 1];
                switch (args[i]) {
                    case "--interface" -> ifname = v;
                    case "--address" -> address = Optional.of(IpAddress.parse(v));
                    case "--csv" -> csv = Optional.of(Path.of(v));
                    case "--api" -> api = Optional.of(java.net.URI.create(v.endsWith("/") ? v : v + "/"));
                    case "--subnet-id" -> subnetId = v;
                    case "--netns" -> {
                        if (v.isEmpty() || v.contains("/") || v.equals("..")) {
                            fail("--netns takes a name that `ip netns list` shows, got \"" + v + "\"");
                        }
                        netns = Optional.of(v);
                    }
                    case "--instance" -> {
                        String[] kv = v.split("=", 2);
                        if (kv.length != 2) {
                            fail("--instance " + v + " must be ID=MAC, e.g. node1=02:00:00:00:00:01");
                        }
                        instances.put(kv[0], MacAddress.parse(kv[1]));
                    }
                    default -> fail("unknown option " + args[i]);
                }
            }
            if (ifname == null || (instances.isEmpty() && api.isEmpty())) {
                fail("--interface and at least one --instance (or --api) are required");
            }
            if (api.isPresent() && (!instances.isEmpty() || address.isPresent() || csv.isPresent())) {
                fail("--api posts to a control plane, which has the HAVIPs and instances: drop --instance, --address and --csv");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("FabricDemo: " + e.getMessage());
            System.err.println(String.join(System.lineSeparator(), List.of(
                    "usage: FabricDemo [--netns NAME] --interface IF --instance ID=MAC [--instance ID=MAC ...] [--address A] "
                            + "[--csv FILE]",
                    "       FabricDemo [--netns NAME] --interface IF --api http://HOST:PORT/ [--subnet-id ID]",
                    "--netns: capture on IF in the network namespace NAME (ip netns add NAME) while posting to the API",
                    "from this one. Needs CAP_NET_RAW (and CAP_SYS_ADMIN for --netns) and libpcap.")));
            System.exit(2);
        }
        AutoCloseable running;
        String where = ifname + netns.map(n -> " in network namespace " + n).orElse("");
        String capturedIf = ifname;
        try {
            if (api.isPresent()) {
                // created here, so that its HTTP goes out from this namespace whichever one capture is in
                AnnouncementReporter reporter = new AnnouncementReporter(api.get(), System.out);
                String subnet = subnetId;
                AutoCloseable capture = inNamespace(netns, () -> reportTo(capturedIf, subnet, reporter));
                System.out.println("reporting the announcements seen on " + where + " (subnet " + subnetId + ") to " + api.get());
                running = () -> {
                    capture.close();
                    reporter.close();
                };
            } else {
                Optional<IpAddress> a = address;
                Optional<Path> c = csv;
                running = inNamespace(netns, () -> start(capturedIf, instances, a, System.out, c, e -> { }));
            }
        } catch (io.havip.arp.linux.NativeException e) {
            System.err.println("FabricDemo: cannot capture on " + where + ": " + e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                running.close();
            } catch (Exception e) {
                System.err.println("FabricDemo: stopping failed: " + e.getMessage());
            }
            done.countDown();
        }, "fabric-demo-shutdown"));
        done.await();
    }

    /**
     * Runs {@code task} on a thread of its own in the network namespace {@code netns}
     * ({@code /run/netns/NAME}), or here when there is none: the sockets it opens (the capture)
     * stay in that namespace; the thread ends with the task.
     */
    private static <T> T inNamespace(Optional<String> netns, java.util.concurrent.Callable<T> task) throws Exception {
        if (netns.isEmpty()) {
            return task.call();
        }
        java.util.concurrent.FutureTask<T> f = new java.util.concurrent.FutureTask<>(() -> {
            io.havip.arp.linux.LinuxNetworking.enterNetworkNamespace(Path.of("/run/netns", netns.get()));
            return task.call();
        });
        Thread t = new Thread(f, "fabric-netns-" + netns.get());
        t.start();
        try {
            return f.get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }

    private static void fail(String message) {
        throw new IllegalArgumentException(message);
    }
}
