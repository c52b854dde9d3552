package io.havip.examples.havipd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code havipd --check} and {@code --check --json} show use_vmac (its effective name) and vmac_xmit_base. */
class HavipdCheckVirtualMacTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static String conf(String vmacLines, String extra) {
        return "vrrp_instance VI_1 {\n"          // 1
                + "  interface eth0\n"            // 2
                + "  virtual_router_id 51\n"      // 3
                + vmacLines                       // 4 (and 5)
                + extra
                + "  virtual_ipaddress {\n    198.51.100.50/24\n  }\n}\n";
    }

    @Test
    void theDefaultNameIsSpelledOut(@TempDir Path dir) throws IOException {
        Path f = Files.writeString(dir.resolve("vmac.conf"), conf("  use_vmac\n", ""));
        HavipdCheckTest.Result text = HavipdCheckTest.havipd("--check", "-f", f.toString());
        assertThat(text.status()).as(text.out() + text.err()).isZero();
        assertThat(text.out()).contains("use_vmac vrrp.51").contains(f + ":4").doesNotContain("vmac_xmit_base");
        JsonNode vi = JSON.readTree(HavipdCheckTest.havipd("--check", "--json", "-f", f.toString()).out())
                .get("vrrp_instances").get(0);
        assertThat(vi.get("use_vmac").get("value").asText()).isEqualTo("vrrp.51");
        assertThat(vi.get("use_vmac").get("at").asText()).isEqualTo(f + ":4");
        assertThat(vi.has("vmac_xmit_base")).isFalse();
    }

    @Test
    void aNamedVmacAndXmitBase(@TempDir Path dir) throws IOException {
        Path f = Files.writeString(dir.resolve("vmac.conf"), conf("  use_vmac vmac51\n  vmac_xmit_base\n", ""));
        JsonNode vi = JSON.readTree(HavipdCheckTest.havipd("--check", "--json", "-f", f.toString()).out())
                .get("vrrp_instances").get(0);
        assertThat(vi.get("use_vmac").get("value").asText()).isEqualTo("vmac51");
        assertThat(vi.get("vmac_xmit_base").get("value").asBoolean()).isTrue();
        assertThat(vi.get("vmac_xmit_base").get("at").asText()).isEqualTo(f + ":5");
    }

    @Test
    void unicastPeersSendFromTheBaseAndSaySo(@TempDir Path dir) throws IOException {
        Path f = Files.writeString(dir.resolve("vmac.conf"), conf("  use_vmac\n",
                "  unicast_peer {\n    198.51.100.12\n  }\n"));
        JsonNode j = JSON.readTree(HavipdCheckTest.havipd("--check", "--json", "-f", f.toString()).out());
        assertThat(j.get("vrrp_instances").get(0).get("vmac_xmit_base").get("value").asBoolean()).isTrue();
        assertThat(j.get("warnings").toString()).contains("use_vmac with unicast_peer needs vmac_xmit_base");
    }

    @Test
    void aNameTooLongIsAnErrorWithItsColumn(@TempDir Path dir) throws IOException {
        Path f = Files.writeString(dir.resolve("vmac.conf"), conf("  use_vmac vrrp-sixteen-chr\n", ""));
        HavipdCheckTest.Result r = HavipdCheckTest.havipd("--check", "--json", "-f", f.toString());
        assertThat(r.status()).isEqualTo(Havipd.CONFIG_ERROR);
        JsonNode e = JSON.readTree(r.out()).get("errors").get(0);
        assertThat(e.get("key").asText()).isEqualTo("use_vmac");
        assertThat(e.get("at").asText()).isEqualTo(f + ":4:12");
        assertThat(e.get("message").asText()).contains("\"vrrp-sixteen-chr\" is 16 bytes long; interface names are at"
                + " most 15 (IFNAMSIZ - 1)");
    }
}
