/**
 * The test kit for applications' own failover tests: {@link io.havip.test.HavipCluster} (an
 * N-node cluster on the in-memory network under a virtual clock), its JUnit 5 extension and
 * AssertJ assertions on who holds the address. JUnit Jupiter's API and AssertJ are the ones the
 * application's tests use.
 */
module io.havip.test {
    requires transitive io.havip.vrrp;
    requires transitive org.junit.jupiter.api;
    requires transitive org.assertj.core;

    exports io.havip.test;
}
