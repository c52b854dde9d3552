package io.havip.vrrp.liveness;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The log of connections the listener refused or closed before they authenticated, written so
 * that a stranger cannot flood it: the first one of each source and reason is logged at once,
 * later ones are counted and summarised at most once per interval ("closed 31 unauthenticated
 * liveness connections from 203.0.113.9 in the last 10 s: it sent no complete hello within
 * 1000 ms"). At most {@value #MAX_KEYS} source-and-reason pairs are remembered; past that, new
 * sources are summed up under "other addresses". Thread-safe; every call carries {@code now}.
 */
final class RefusalLog {

    static final int MAX_KEYS = 256;

    private record Key(InetAddress source, HandshakeAdmission.Reason reason) { }

    private final String name;
    private final Function<HandshakeAdmission.Reason, String> why;
    private final Consumer<String> warn;
    private final long intervalNanos;
    /** Each pair seen so far, and how many closed since the last summary. */
    private final Map<Key, Long> counts = new LinkedHashMap<>();
    private long lastSummary;

    /**
     * @param name          the router's name, starting each line
     * @param why           the explanation of each reason, as an operator should read it
     * @param warn          where lines go (a WARN logger)
     * @param intervalNanos the shortest time between two summaries
     * @param now           the time of creation: the first summary comes one interval later
     */
    RefusalLog(String name, Function<HandshakeAdmission.Reason, String> why, Consumer<String> warn, long intervalNanos,
               long now) {
        this.name = name;
        this.why = why;
        this.warn = warn;
        this.intervalNanos = intervalNanos;
        this.lastSummary = now;
    }

    /** A connection from {@code source} was refused or closed for {@code reason}. */
    synchronized void closed(InetAddress source, HandshakeAdmission.Reason reason) {
        Key key = new Key(source, reason);
        Long before = counts.get(key);
        if (before != null) {
            counts.put(key, before + 1);
            return;
        }
        if (counts.size() >= MAX_KEYS) {
            Key other = new Key(null, reason);
            counts.merge(other, 1L, Long::sum);
            return;
        }
        counts.put(key, 0L);
        warn.accept(name + ": closed an unauthenticated liveness connection from " + source.getHostAddress() + ": "
                + why.apply(reason) + "; more of these are counted and summarised every "
                + intervalNanos / 1_000_000_000L + " s");
    }

    /** Writes the summaries due at {@code now} (call it often; it writes at most once per interval). */
    synchronized void summarise(long now) {
        if (now - lastSummary < intervalNanos) {
            return;
        }
        double seconds = (now - lastSummary) / 1e9;
        lastSummary = now;
        for (Map.Entry<Key, Long> e : counts.entrySet()) {
            long n = e.getValue();
            if (n > 0) {
                Key k = e.getKey();
                warn.accept(String.format("%s: closed %d unauthenticated liveness connection%s from %s in the last "
                        + "%.0f s: %s", name, n, n == 1 ? "" : "s", k.source() == null ? "other addresses"
                        : k.source().getHostAddress(), seconds, why.apply(k.reason())));
                e.setValue(0L);
            }
        }
    }
}
