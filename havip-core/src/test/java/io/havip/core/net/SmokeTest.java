package io.havip.core.net;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void parses() {
        assertThat(Cidr.parse("10.0.0.0/24").size()).hasToString("256");
        assertThat(IpAddress.parse("2001:db8:0:0:0:0:0:1")).hasToString("2001:db8::1");
    }
}
