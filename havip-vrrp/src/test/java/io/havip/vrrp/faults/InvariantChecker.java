package io.havip.vrrp.faults;

import io.havip.core.net.IpAddress;
import io.havip.vrrp.it.HavipProcess;
import io.havip.vrrp.it.VipChecks;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs alongside every scenario: every 40 ms it records which live routers hold the VIP
 * ({@code ip -j addr} in their namespaces) and which say MASTER (their listener's last
 * STATE line). A dead process (SIGKILL) is left out: its stale address is the scenario's
 * subject, not a violation. The invariant, after convergence: exactly one live router holds
 * the address, and it is the one in MASTER ({@link #awaitConverged}, {@link #assertSteady}).
 */
final class InvariantChecker implements AutoCloseable {

    /** Samples in a row that must agree before the routers count as converged. */
    private static final int STABLE_SAMPLES = 3;
    private static final long PERIOD_MS = 40;

    /** One observation. */
    record Sample(long atMillis, List<FaultBed.Router> holders, List<FaultBed.Router> masters) {
        /** Exactly one holder, and it is the only master. */
        boolean converged() {
            return holders.size() == 1 && masters.equals(holders);
        }
    }

    private final List<FaultBed.Router> routers;
    private final IpAddress vip;
    private final List<Sample> samples = new ArrayList<>();
    private Thread thread;
    private volatile boolean closed;

    InvariantChecker(List<FaultBed.Router> routers, IpAddress vip) {
        this.routers = routers;
        this.vip = vip;
    }

    void start() {
        thread = new Thread(this::run, "invariant-checker");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (!closed) {
            try {
                Sample s = sample();
                synchronized (samples) {
                    samples.add(s);
                    samples.notifyAll();
                }
            } catch (RuntimeException e) {
                // a namespace going away at the end of a test; the next sample (if any) decides
            }
            try {
                Thread.sleep(PERIOD_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private Sample sample() {
        List<FaultBed.Router> holders = new ArrayList<>();
        List<FaultBed.Router> masters = new ArrayList<>();
        for (FaultBed.Router r : routers) {
            if (!r.alive()) {
                continue;
            }
            if (VipChecks.holds(r.node, vip)) {
                holders.add(r);
            }
            if (r.process().lastState().equals(Optional.of("MASTER"))) {
                masters.add(r);
            }
        }
        return new Sample(System.currentTimeMillis(), List.copyOf(holders), List.copyOf(masters));
    }

    /** The samples taken at or after {@code fromMillis}. */
    List<Sample> since(long fromMillis) {
        synchronized (samples) {
            return samples.stream().filter(s -> s.atMillis() >= fromMillis).toList();
        }
    }

    /**
     * Waits until {@value #STABLE_SAMPLES} samples in a row (taken after this call) show exactly
     * one live holder which is also the only live MASTER, and returns it.
     */
    FaultBed.Router awaitConverged(java.time.Duration timeout) {
        long from = System.currentTimeMillis();
        long end = from + timeout.toMillis();
        while (true) {
            List<Sample> recent = since(from);
            int run = 0;
            for (Sample s : recent) {
                run = s.converged() ? run + 1 : 0;
            }
            if (run >= STABLE_SAMPLES) {
                return recent.get(recent.size() - 1).holders().get(0);
            }
            if (System.currentTimeMillis() > end) {
                throw new AssertionError("invariant: no single holder that is also the only MASTER within " + timeout
                        + "; last samples " + tail(recent) + "; events " + events());
            }
            HavipProcess.sleep(PERIOD_MS);
        }
    }

    /** Watches for {@code millis}: every sample must show {@code expected} as sole holder and sole master. */
    void assertSteady(FaultBed.Router expected, long millis) {
        long from = System.currentTimeMillis();
        HavipProcess.sleep(millis);
        assertSteadySince(expected, from);
    }

    /** Every sample taken since {@code fromMillis} must show {@code expected} as sole holder and sole master. */
    void assertSteadySince(FaultBed.Router expected, long fromMillis) {
        for (Sample s : since(fromMillis)) {
            if (!s.converged() || s.holders().get(0) != expected) {
                throw new AssertionError("invariant broken while nothing was injected: expected " + expected
                        + " as the only holder and master, sampled " + s + "; events " + events());
            }
        }
    }

    /** The longest run (ms, first to last sample of the run plus one period) with two or more live holders since {@code fromMillis}. */
    long longestDualHolderMillis(long fromMillis) {
        long longest = 0;
        long runStart = -1;
        for (Sample s : since(fromMillis)) {
            if (s.holders().size() > 1) {
                if (runStart < 0) {
                    runStart = s.atMillis();
                }
                longest = Math.max(longest, s.atMillis() - runStart + PERIOD_MS);
            } else {
                runStart = -1;
            }
        }
        return longest;
    }

    private static String tail(List<Sample> recent) {
        return recent.subList(Math.max(0, recent.size() - 5), recent.size()).toString();
    }

    private String events() {
        StringBuilder b = new StringBuilder();
        for (FaultBed.Router r : routers) {
            b.append(r).append('=').append(r.process() == null ? "[]" : r.process().lines()).append(' ');
        }
        return b.toString();
    }

    @Override
    public void close() {
        closed = true;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
