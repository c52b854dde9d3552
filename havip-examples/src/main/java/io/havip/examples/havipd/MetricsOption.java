package io.havip.examples.havipd;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * havipd's {@code --metrics-address} option, read apart from Micrometer: havipd loads
 * {@link MetricsEndpoint} (and with it Micrometer) only when the option is given, so
 * {@code --check}, {@code --status} and a havipd without metrics need none of it.
 */
final class MetricsOption {

    private MetricsOption() {
    }

    /**
     * {@code args} without {@code --metrics-address VALUE}, and that value parsed (null when the
     * option is absent): havipd reads this option here, before its other options.
     *
     * @throws IllegalArgumentException for a missing or bad value, or the option given twice
     */
    static Requested requested(String[] args) {
        java.util.List<String> rest = new java.util.ArrayList<>();
        InetSocketAddress address = null;
        for (int i = 0; i < args.length; i++) {
            if (!args[i].equals("--metrics-address")) {
                rest.add(args[i]);
                continue;
            }
            if (address != null) {
                throw new IllegalArgumentException("--metrics-address is given twice");
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("--metrics-address needs a value: HOST:PORT such as 127.0.0.1:9650");
            }
            address = parseAddress(args[++i]);
        }
        return new Requested(rest.toArray(String[]::new), address);
    }

    /** The other options, and where to serve metrics (null: not at all). */
    record Requested(String[] otherArgs, InetSocketAddress address) { }

    /**
     * Parses {@code HOST:PORT} ({@code [v6]:PORT} for IPv6); the host must be an IP address or
     * a name that resolves, the port 1-65535 (0: any free port, for tests).
     *
     * @throws IllegalArgumentException naming the option and the value
     */
    static InetSocketAddress parseAddress(String text) {
        String hint = " (expected HOST:PORT such as 127.0.0.1:9650 or [::1]:9650)";
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("--metrics-address '" + text + "' has no port" + hint);
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new IllegalArgumentException("--metrics-address '" + text + "': write an IPv6 address in brackets"
                    + hint);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--metrics-address '" + text + "': the port is not a number" + hint);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--metrics-address '" + text + "': port " + port
                    + " is outside 1-65535" + hint);
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("--metrics-address '" + text + "': host '" + host
                    + "' does not resolve" + hint);
        }
    }
}
