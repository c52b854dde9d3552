package io.havip.vrrp.liveness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.havip.core.net.IpAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class LivenessAuthTest {

    private static final byte[] SECRET = "correct horse battery staple".getBytes(StandardCharsets.UTF_8);
    private static final IpAddress C = IpAddress.parse("198.51.100.11");
    private static final IpAddress S = IpAddress.parse("198.51.100.12");
    private static final byte[] NC = HexFormat.of().parseHex("00112233445566778899aabbccddeeff");
    private static final byte[] NS = HexFormat.of().parseHex("ffeeddccbbaa99887766554433221100");

    @Test
    void proofIsHmacSha256OverTheDocumentedString() throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET, "HmacSHA256"));
        byte[] expected = mac.doFinal(HexFormat.of().parseHex(
                HexFormat.of().formatHex("havip-liveness/1".getBytes(StandardCharsets.US_ASCII)) + "53" + "33"
                        + "c633640b" + "c633640c" + HexFormat.of().formatHex(NC) + HexFormat.of().formatHex(NS)));
        assertThat(LivenessAuth.proof(SECRET, LivenessAuth.Role.SERVER, 51, C, S, NC, NS)).isEqualTo(expected);
    }

    @Test
    void everyInputChangesTheProof() {
        byte[] p = LivenessAuth.proof(SECRET, LivenessAuth.Role.CLIENT, 51, C, S, NC, NS);
        assertThat(LivenessAuth.verify(p, SECRET, LivenessAuth.Role.CLIENT, 51, C, S, NC, NS)).isTrue();
        assertThat(LivenessAuth.verify(p, "another secret of length".getBytes(), LivenessAuth.Role.CLIENT, 51, C, S,
                NC, NS)).as("wrong secret").isFalse();
        assertThat(LivenessAuth.verify(p, SECRET, LivenessAuth.Role.SERVER, 51, C, S, NC, NS))
                .as("reflected to the other role").isFalse();
        assertThat(LivenessAuth.verify(p, SECRET, LivenessAuth.Role.CLIENT, 52, C, S, NC, NS)).as("other vrid").isFalse();
        assertThat(LivenessAuth.verify(p, SECRET, LivenessAuth.Role.CLIENT, 51, S, C, NC, NS)).as("swapped").isFalse();
        assertThat(LivenessAuth.verify(p, SECRET, LivenessAuth.Role.CLIENT, 51, C, S, NC, NC))
                .as("replayed with a new server nonce").isFalse();
        assertThat(LivenessAuth.verify(new byte[32], SECRET, LivenessAuth.Role.CLIENT, 51, C, S, NC, NS))
                .as("forged").isFalse();
    }

    @Test
    void noncesAreFresh() {
        assertThat(LivenessAuth.newNonce()).hasSize(16).isNotEqualTo(LivenessAuth.newNonce());
    }

    @Test
    void configRefusesWeakSecretsAndHidesTheSecret() {
        assertThatThrownBy(() -> LivenessConfig.withSecret("short")).hasMessageStartingWith(
                "liveness secret must have at least 16 bytes (got 5); use a random string");
        LivenessConfig c = LivenessConfig.withSecret("0123456789abcdef-secret");
        assertThat(c.toString()).doesNotContain("0123456789").contains("secret 23 bytes");
        assertThat(c.portFor(51)).isEqualTo(11251);
        assertThat(c.withPort(7000).portFor(51)).isEqualTo(7000);
        assertThat(c.grace()).isEqualTo(Duration.ofMillis(2));
        assertThatThrownBy(() -> c.withPort(70000)).hasMessage("liveness port 70000 is outside 0-65535 (0 = 11200 + VRID)");
        assertThatThrownBy(() -> c.withGrace(Duration.ofSeconds(2))).hasMessageStartingWith(
                "liveness grace PT2S must be between 0 and PT1S");
        assertThatThrownBy(() -> c.withHeartbeatInterval(Duration.ofMillis(1)))
                .hasMessage("liveness heartbeatInterval PT0.001S must be at least 10 ms");
        byte[] s = c.secret();
        s[0] = 'X';
        assertThat(c.secret()[0]).isEqualTo((byte) '0');
        assertThat(c).isEqualTo(LivenessConfig.withSecret("0123456789abcdef-secret"));
    }
}
