package io.havip.examples.havipd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * {@code havipd --check --json}: one JSON object (parsed back here by Jackson) with the keys
 * of keepalived.conf, each value with the FILE:LINE it came from, on files carrying each kind of
 * character that text pasted from web pages, chat or PDFs brings, and the same keys as the
 * text form.
 */
class HavipdCheckJsonTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static HavipdCheckTest.Result havipd(String... args) {
        return HavipdCheckTest.havipd(args);
    }

    /** The plain file every case is a pasted copy of; line numbers as in the comments. */
    private static final String PLAIN = "global_defs {\n"               // 1
            + "  router_id r1\n"                                           // 2
            + "}\n"                                                        // 3
            + "vrrp_instance VI_1 {\n"                                     // 4
            + "  state BACKUP\n"                                           // 5
            + "  interface eth0\n"                                         // 6
            + "  virtual_router_id 51\n"                                   // 7
            + "  priority 150\n"                                           // 8
            + "  advert_int 1\n"                                           // 9
            + "  unicast_src_ip 198.51.100.1\n"                            // 10
            + "  unicast_peer {\n"                                         // 11
            + "    198.51.100.2\n"                                         // 12
            + "  }\n"                                                      // 13
            + "  authentication {\n"                                       // 14
            + "    auth_type PASS\n"                                       // 15
            + "    auth_pass \"s3cr3t\"\n"                                 // 16
            + "  }\n"                                                      // 17
            + "  virtual_ipaddress {\n"                                    // 18
            + "    198.51.100.50/24\n"                                     // 19
            + "  }\n"                                                      // 20
            + "}\n";                                                       // 21

    /**
     * Each kind of invisible or look-alike character, where a person pastes it: the line it is
     * on and the column and code point the warning must name.
     */
    static Stream<Arguments> pasted() {
        return Stream.of(
                Arguments.of("no-break space after a value", PLAIN.replace("  state BACKUP\n", "  state BACKUP\u00A0\n"),
                        5, 15, "U+00A0"),
                Arguments.of("narrow no-break space between key and value", PLAIN.replace("  priority 150",
                        "  priority\u202F150"), 8, 11, "U+202F"),
                Arguments.of("en space as indent", PLAIN.replace("  advert_int 1", "\u2002advert_int 1"), 9, 1, "U+2002"),
                Arguments.of("ideographic space after an address", PLAIN.replace("    198.51.100.50/24\n",
                        "    198.51.100.50/24\u3000\n"), 19, 21, "U+3000"),
                Arguments.of("zero-width space inside a keyword", PLAIN.replace("  interface eth0", "  inter\u200Bface eth0"),
                        6, 8, "U+200B"),
                Arguments.of("zero-width joiner in a value", PLAIN.replace("virtual_router_id 51", "virtual_router_id 5\u200D1"),
                        7, 22, "U+200D"),
                Arguments.of("word joiner before a brace", PLAIN.replace("  unicast_peer {", "  unicast_peer\u2060 {"), 11, 15,
                        "U+2060"),
                Arguments.of("byte order mark inside (files joined)", PLAIN.replace("vrrp_instance VI_1 {",
                        "\uFEFFvrrp_instance VI_1 {"), 4, 1, "U+FEFF"),
                Arguments.of("full-width digits", PLAIN.replace("priority 150", "priority \uFF11\uFF15\uFF10"), 8, 12, "U+FF11"),
                Arguments.of("full-width letters and brace", PLAIN.replace("  authentication {", "  \uFF41uthentication \uFF5B"),
                        14, 3, "U+FF41"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pasted")
    void pastedTextReadsAsItLooksWithTheWarningInTheJson(String kind, String text, int line, int column, String codePoint,
                                                         @TempDir Path dir) throws IOException {
        Path f = Files.write(dir.resolve("keepalived.conf"), text.getBytes(StandardCharsets.UTF_8));
        HavipdCheckTest.Result r = havipd("--check", "--json", "-f", f.toString());
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).as("ASCII only: invisible characters escaped").matches("[\\x20-\\x7E\\n]*");
        JsonNode j = JSON.readTree(r.out());
        assertThat(r.status()).as(r.out()).isZero();
        assertThat(j.get("usable").asBoolean()).isTrue();
        assertThat(j.get("warnings")).as(kind).hasSize(1);
        JsonNode w = j.get("warnings").get(0);
        assertThat(w.get("at").asText()).isEqualTo(f + ":" + line + ":" + column);
        assertThat(w.get("line").asInt()).isEqualTo(line);
        assertThat(w.get("column").asInt()).isEqualTo(column);
        assertThat(w.get("message").asText()).contains(codePoint);
        assertSameAsPlain(j, f);
    }

    /** The settings are those of the plain file, each where the plain file has it. */
    private static void assertSameAsPlain(JsonNode j, Path f) {
        JsonNode vi = j.get("vrrp_instances").get(0);
        assertThat(vi.get("vrrp_instance").asText()).isEqualTo("VI_1");
        assertThat(vi.get("at").asText()).isEqualTo(f + ":4");
        assertValue(vi, "state", "BACKUP", f + ":5");
        assertValue(vi, "interface", "eth0", f + ":6");
        assertValue(vi, "virtual_router_id", "51", f + ":7");
        assertValue(vi, "priority", "150", f + ":8");
        assertValue(vi, "advert_int", "1", f + ":9");
        assertValue(vi, "unicast_src_ip", "198.51.100.1", f + ":10");
        assertValue(vi, "version", "2", null);
        assertValue(vi.get("unicast_peer").get("value").get(0), null, "198.51.100.2", f + ":12");
        assertValue(vi.get("virtual_ipaddress").get("value").get(0), null, "198.51.100.50/24", f + ":19");
        JsonNode auth = vi.get("authentication").get("value");
        assertValue(auth, "auth_type", "PASS", f + ":15");
        assertValue(auth, "auth_pass", "********", f + ":16");
        assertThat(j.toString()).doesNotContain("s3cr3t");
        assertValue(j.get("global_defs"), "router_id", "r1", f + ":2");
    }

    private static void assertValue(JsonNode parent, String key, String value, String at) {
        JsonNode n = key == null ? parent : parent.get(key);
        assertThat(n).as(key).isNotNull();
        assertThat(n.get("value").asText()).as(key).isEqualTo(value);
        if (at == null) {
            assertThat(n.get("at").isNull()).as(key + " is a default").isTrue();
        } else {
            assertThat(n.get("at").asText()).as(key).isEqualTo(at);
        }
    }

    @Test
    void crlfLineEndsAndALeadingByteOrderMarkChangeNothing(@TempDir Path dir) throws IOException {
        Path f = Files.write(dir.resolve("windows.conf"), ("\uFEFF" + PLAIN.replace("\n", "\r\n"))
                .getBytes(StandardCharsets.UTF_8));
        HavipdCheckTest.Result r = havipd("--check", "--json", "-f", f.toString());
        JsonNode j = JSON.readTree(r.out());
        assertThat(r.status()).as(r.out()).isZero();
        assertThat(j.get("warnings")).isEmpty();
        assertSameAsPlain(j, f);
    }

    @Test
    void aQuotedInvisibleCharacterIsKeptAndShownEscaped(@TempDir Path dir) throws IOException {
        Path f = Files.write(dir.resolve("quoted.conf"), PLAIN.replace("  interface eth0", "  interface \"eth0\u00A0\"")
                .getBytes(StandardCharsets.UTF_8));
        HavipdCheckTest.Result r = havipd("--check", "--json", "-f", f.toString());
        assertThat(r.out()).contains("\"value\": \"eth0\\u00a0\"");
        JsonNode j = JSON.readTree(r.out());
        assertThat(j.get("vrrp_instances").get(0).get("interface").get("value").asText()).isEqualTo("eth0\u00A0");
        assertThat(j.get("warnings").get(0).get("message").asText()).contains("U+00A0", "inside quotes, kept as written");
        HavipdCheckTest.Result text = havipd("--check", "-f", f.toString());
        assertThat(text.out()).contains("    interface eth0<U+00A0> ").doesNotContain("\u00A0");
    }

    @Test
    void aCharacterNobodyCouldHaveMeantIsAnErrorInTheJson(@TempDir Path dir) throws IOException {
        Path f = Files.write(dir.resolve("override.conf"), PLAIN.replace("  interface eth0", "  interface eth\u202E0")
                .getBytes(StandardCharsets.UTF_8));
        HavipdCheckTest.Result r = havipd("--check", "--json", "-f", f.toString());
        assertThat(r.status()).isEqualTo(Havipd.CONFIG_ERROR);
        assertThat(r.err()).isEmpty();
        JsonNode j = JSON.readTree(r.out());
        assertThat(j.get("usable").asBoolean()).isFalse();
        assertThat(j.has("vrrp_instances")).isFalse();
        JsonNode e = j.get("errors").get(0);
        assertThat(e.get("at").asText()).isEqualTo(f + ":6:16");
        assertThat(e.get("line").asInt()).isEqualTo(6);
        assertThat(e.get("message").asText()).contains("U+202E right-to-left override", "\"eth<U+202E>0\"");
    }

    @Test
    void aBadValueIsAnErrorWithItsKey(@TempDir Path dir) throws IOException {
        Path f = Files.writeString(dir.resolve("bad.conf"), PLAIN.replace("advert_int 1", "advert_int abc"));
        HavipdCheckTest.Result r = havipd("--check", "--json", "-f", f.toString());
        assertThat(r.status()).isEqualTo(Havipd.CONFIG_ERROR);
        JsonNode e = JSON.readTree(r.out()).get("errors").get(0);
        assertThat(e.get("key").asText()).isEqualTo("advert_int");
        assertThat(e.get("at").asText()).isEqualTo(f + ":9");
    }

    /** Every key of the text form is a key of the JSON form, in the same order, with the same location. */
    @Test
    void theTextAndTheJsonHaveTheSameKeysAndLocations(@TempDir Path dir) throws IOException {
        Path f = Files.writeString(dir.resolve("k.conf"), PLAIN.replace("  advert_int 1\n", "  advert_int 1\n"
                + "  notify_master \"/usr/local/bin/on master\"\n  track_interface {\n    eth1 weight -20\n  }\n"));
        HavipdCheckTest.Result text = havipd("--check", "-f", f.toString());
        JsonNode vi = JSON.readTree(havipd("--check", "--json", "-f", f.toString()).out()).get("vrrp_instances").get(0);
        List<String> jsonKeys = new ArrayList<>();
        vi.fieldNames().forEachRemaining(k -> {
            if (!List.of("vrrp_instance", "at", "havip_notes").contains(k)) {
                jsonKeys.add(k + " # " + (vi.get(k).get("at").isNull() ? "default" : vi.get(k).get("at").asText()));
            }
        });
        List<String> textKeys = new ArrayList<>();
        boolean in = false;
        int depth = 0;
        for (String l : text.out().split("\\R")) {
            if (l.startsWith("vrrp_instance VI_1 {")) {
                in = true;
                continue;
            }
            if (!in || l.startsWith("    #")) {
                continue;
            }
            if (l.equals("}")) {
                break;
            }
            if (depth == 0) {
                String key = l.strip().split("\\s+")[0];
                key = switch (key) {
                    case "preempt" -> "nopreempt";
                    case "no_accept" -> "accept";
                    default -> key;
                };
                textKeys.add(key + " # " + l.substring(l.lastIndexOf("# ") + 2));
            }
            depth += l.endsWith("{") || l.contains("{ ") ? 1 : 0;
            depth -= l.strip().equals("}") ? 1 : 0;
        }
        assertThat(textKeys).isEqualTo(jsonKeys).contains("notify_master # " + f + ":10",
                "track_interface # " + f + ":11", "priority # " + f + ":8", "preempt_delay # default");
    }
}
