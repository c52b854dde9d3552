package io.havip.core.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MacAddressTest {

    @ParameterizedTest
    @ValueSource(strings = {"02:00:c6:33:64:0b", "02-00-C6-33-64-0B", "0200.c633.640b", "02:00:C6:33:64:0b"})
    void acceptsTheCommonForms(String text) {
        MacAddress mac = MacAddress.parse(text);
        assertThat(mac.bits()).isEqualTo(0x0200c633640bL);
        assertThat(mac).hasToString("02:00:c6:33:64:0b");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "02:00:c6:33:64     | \"02:00:c6:33:64\": expected six hex pairs like 02:00:c6:33:64:0b (or with '-', or 0200.c633.640b)",
        "02:00-c6:33:64:0b  | \"02:00-c6:33:64:0b\": expected six hex pairs like 02:00:c6:33:64:0b (or with '-', or 0200.c633.640b)",
        "0200c633640b       | \"0200c633640b\": expected six hex pairs like 02:00:c6:33:64:0b (or with '-', or 0200.c633.640b)",
        "02:00:c6:33:64:0g  | \"02:00:c6:33:64:0g\": 'g' is not a hex digit",
        "0200.c633.640x     | \"0200.c633.640x\": 'x' is not a hex digit",
        "02:00:c6:33:64:0１ | \"02:00:c6:33:64:0１\": '１' is not a hex digit",
    })
    void refusesMalformedText(String text, String message) {
        assertThatThrownBy(() -> MacAddress.parse(text)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @Test
    void bytesRoundTrip() {
        MacAddress mac = MacAddress.parse("00:00:5e:00:01:2a");
        assertThat(mac.toBytes()).containsExactly(0x00, 0x00, 0x5e, 0x00, 0x01, 0x2a);
        assertThat(MacAddress.ofBytes(mac.toBytes())).isEqualTo(mac);
        assertThat(mac.matches(new byte[] {0, 0, 0x5e, 0, 1, 0x2a})).isTrue();
        assertThat(mac.matches(new byte[] {0, 0, 0x5e, 0, 1, 0x2b})).isFalse();
        assertThatThrownBy(() -> MacAddress.ofBytes(new byte[] {1, 2, 3}))
                .hasMessage("a MAC address has 6 bytes, not 3: 010203");
        assertThatThrownBy(() -> MacAddress.ofBytes(null)).hasMessage("MAC address bytes are null");
        assertThatThrownBy(() -> MacAddress.parse(null)).hasMessage("MAC address is null");
        assertThatThrownBy(() -> new MacAddress(1L << 48)).hasMessage("a MAC address has 48 bits, got 0x1000000000000");
    }

    @Test
    void buildsVrrpVirtualRouterMacs() {
        // RFC 5798 section 7.3: 00-00-5E-00-01-{VRID} for IPv4, 00-00-5E-00-02-{VRID} for IPv6
        assertThat(MacAddress.vrrp(IpFamily.IPV4, 1)).hasToString("00:00:5e:00:01:01");
        assertThat(MacAddress.vrrp(IpFamily.IPV4, 255)).hasToString("00:00:5e:00:01:ff");
        assertThat(MacAddress.vrrp(IpFamily.IPV6, 51)).hasToString("00:00:5e:00:02:33");
        assertThatThrownBy(() -> MacAddress.vrrp(IpFamily.IPV4, 0)).hasMessage("VRID 0 is outside 1-255");
        assertThatThrownBy(() -> MacAddress.vrrp(IpFamily.IPV4, 256)).hasMessage("VRID 256 is outside 1-255");
    }

    @Test
    void knowsGroupAddresses() {
        assertThat(MacAddress.BROADCAST.isMulticast()).isTrue();
        assertThat(MacAddress.BROADCAST).hasToString("ff:ff:ff:ff:ff:ff");
        assertThat(MacAddress.parse("01:00:5e:00:00:12").isMulticast()).isTrue();
        assertThat(MacAddress.parse("33:33:00:00:00:12").isMulticast()).isTrue();
        assertThat(MacAddress.parse("02:00:c6:33:64:0b").isMulticast()).isFalse();
        assertThat(MacAddress.ZERO).hasToString("00:00:00:00:00:00");
    }
}
