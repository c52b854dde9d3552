package io.havip.vrrp.faults;

/** Measured times and counts of the fault scenarios, printed on stdout with the prefix FaultsIT's readers grep for. */
final class Measured {

    private Measured() {
    }

    static void report(String format, Object... args) {
        System.out.println("MEASURED faults: " + String.format(format, args));
        System.out.flush();
    }
}
