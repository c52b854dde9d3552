package io.havip.vrrp.it;

/** Measured failover times, printed on stdout (failsafe shows them) with a fixed prefix to grep for. */
final class Measured {

    private Measured() {
    }

    static void report(String format, Object... args) {
        System.out.println("MEASURED " + String.format(format, args));
        System.out.flush();
    }
}
