package io.havip.vrrp.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * keepalived.conf text as people paste it (issue #15 item 3): each kind of invisible or
 * full-width character in keyword, value and comment position is read as the visible text,
 * with one warning per line naming line, column and code point; what no reading could make
 * safe is refused with the characters escaped. keepalived 2.2.7 ({@code keepalived -t -f}) on
 * the same text: "unknown state 'BACKUP ', defaulting to BACKUP", "Unknown keyword 'priority
 * 100'" (the priority lost), and a zero-width space kept inside the password.
 */
class PastedTextTest {

    private static final Path FILE = Path.of("/etc/keepalived/keepalived.conf");
    /** Line 2 is the state, line 5 the priority. */
    private static final String CONF = "vrrp_instance VI {\n state BACKUP\n interface eth0\n virtual_router_id 51\n"
            + " priority 100\n virtual_ipaddress {\n  198.51.100.50\n }\n}\n";
    private static final String SPACES = "\u00A0\u2000\u2003\u2007\u200A\u202F\u205F\u3000";
    private static final String ZERO_WIDTH = "\u200B\u200C\u200D\u2060\uFEFF";

    /** One row: the line that replaces {@code original}, the column warned at and how the character was taken. */
    record Row(String kind, String original, String pasted, int line, int column, String code, String taken) {
        @Override
        public String toString() {
            return code + " in " + kind + ": " + PastedText.escape(pasted.strip());
        }
    }

    static Stream<Row> rows() {
        List<Row> rows = new ArrayList<>();
        for (char c : SPACES.toCharArray()) {
            String code = PastedText.name(c);
            rows.add(new Row("indentation", " priority 100", c + "priority 100", 5, 1, code, "taken as a blank"));
            rows.add(new Row("keyword", " priority 100", " priority" + c + "100", 5, 10, code, "taken as a blank"));
            rows.add(new Row("value", " state BACKUP", " state BACKUP" + c, 2, 14, code, "taken as a blank"));
            rows.add(new Row("comment", " priority 100", " priority 100 # was" + c + "90", 5, 0, code, null));
        }
        for (char c : ZERO_WIDTH.toCharArray()) {
            String code = PastedText.name(c);
            rows.add(new Row("keyword", " priority 100", " prio" + c + "rity 100", 5, 6, code, "dropped"));
            rows.add(new Row("keyword start", " priority 100", " " + c + "priority 100", 5, 2, code, "dropped"));
            rows.add(new Row("value", " priority 100", " priority 1" + c + "00", 5, 12, code, "dropped"));
            rows.add(new Row("value end", " state BACKUP", " state BACKUP" + c, 2, 14, code, "dropped"));
            rows.add(new Row("comment", " priority 100", " priority 100 # was" + c + "90", 5, 0, code, null));
        }
        String code = PastedText.name('\uFF50');
        rows.add(new Row("keyword", " priority 100", " \uFF50\uFF52\uFF49\uFF4F\uFF52\uFF49\uFF54\uFF59 100", 5, 2, code,
                "read as 'p'"));
        rows.add(new Row("value", " priority 100", " priority \uFF11\uFF10\uFF10", 5, 11, PastedText.name('\uFF11'),
                "read as '1'"));
        rows.add(new Row("value", " state BACKUP", " state \uFF22ACKUP", 2, 8, PastedText.name('\uFF22'), "read as 'B'"));
        rows.add(new Row("comment sign", " priority 100", " priority 100 \uFF03 was 90", 5, 15,
                PastedText.name('\uFF03'), "read as '#'"));
        rows.add(new Row("comment", " priority 100", " priority 100 # \uFF57\uFF41\uFF53 90", 5, 0, code, null));
        return rows.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void readAsAPersonSeesItWithOneWarningPerLine(Row row) {
        String text = CONF.replace(row.original + "\n", row.pasted + "\n");
        assertThat(text).isNotEqualTo(CONF);
        KeepalivedConfig c = KeepalivedConfigReader.parse(text, FILE);
        VrrpInstanceConfig vi = c.instance("VI").orElseThrow();
        assertThat(vi.priority()).isEqualTo(100);
        assertThat(vi.initialState()).isEqualTo(InitialState.BACKUP);
        if (row.taken == null) {
            assertThat(c.warnings()).as("nothing in a comment has meaning").isEmpty();
            return;
        }
        assertThat(c.warnings()).hasSize(1);
        ConfigWarning w = c.warnings().get(0);
        assertThat(w.location()).isEqualTo(new SourceLocation(FILE.toString(), row.line, row.column));
        assertThat(w.message()).startsWith("characters that are invisible or look like ASCII: " + row.code + " at column "
                + row.column).contains(row.taken)
                .endsWith("; the line is read as it looks (keepalived would read these characters as part of the words),"
                        + " retype it to be sure");
        assertThat(w.toString()).doesNotContainPattern("[\\u00A0\\u2000-\\u200D\\u202F\\u205F\\u2060\\u3000\\uFEFF"
                + "\\uFF01-\\uFF5E]");
    }

    @Test
    void severalCharactersOnOneLineAreOneWarning() {
        KeepalivedConfig c = KeepalivedConfigReader.parse(CONF.replace(" priority 100\n",
                "\u00A0priority\u00A0\u00A0\uFF11\u200B00\n"), FILE);
        assertThat(c.instance("VI").orElseThrow().priority()).isEqualTo(100);
        assertThat(c.warnings()).extracting(ConfigWarning::toString).containsExactly(FILE + ":5:1: characters that are"
                + " invisible or look like ASCII: U+00A0 no-break space at column 1 (3 times) taken as a blank; U+FF11"
                + " fullwidth digit one at column 12 read as '1'; U+200B zero width space at column 13 dropped; the line is"
                + " read as it looks (keepalived would read these characters as part of the words), retype it to be sure");
    }

    @Test
    void fullWidthBracesAndQuotesAreStructure() {
        KeepalivedConfig c = KeepalivedConfigReader.parse(CONF.replace(" virtual_ipaddress {\n", " virtual_ipaddress \uFF5B\n")
                .replace(" }\n}\n", " \uFF5D\n}\n").replace(" interface eth0\n", " interface \uFF02eth0\uFF02\n"), FILE);
        VrrpInstanceConfig vi = c.instance("VI").orElseThrow();
        assertThat(vi.virtualAddresses()).hasSize(1);
        assertThat(vi.interfaceName()).contains("eth0");
        assertThat(c.warnings()).extracting(w -> w.location().line()).containsExactly(3, 6, 8);
    }

    @Test
    void crlfAndTabsAreBlankWithoutWarnings() {
        KeepalivedConfig c = KeepalivedConfigReader.parse(CONF.replace(" ", "\t").replace("\n", "\r\n"), FILE);
        assertThat(c.instance("VI").orElseThrow().priority()).isEqualTo(100);
        assertThat(c.warnings()).isEmpty();
    }

    @Test
    void aQuotedValueIsKeptAsWrittenAndRefusedWithTheCharacterEscaped() {
        // before: "key 'state': "BACKUP " is not recognised", the no-break space shown as if it were valid
        assertThatThrownBy(() -> KeepalivedConfigReader.parse(CONF.replace(" state BACKUP\n", " state \"BACKUP\u00A0\"\n"),
                FILE)).isInstanceOf(ConfigException.class).hasMessage(FILE + ":2: key 'state': \"BACKUP<U+00A0>\" is not"
                        + " recognised (allowed: MASTER|BACKUP (upper case, as keepalived reads it))");
    }

    @Test
    void aPasswordIsTakenByteExactOrRefused() {
        String auth = " authentication {\n  auth_type PASS\n  auth_pass %s\n }\n";
        // quoted: these exact characters, as keepalived takes them; warned
        KeepalivedConfig quoted = KeepalivedConfigReader.parse(CONF.replace(" priority 100\n", " priority 100\n"
                + auth.formatted("\"se\u200Bcret\"")), FILE);
        assertThat(quoted.instance("VI").orElseThrow().authentication().orElseThrow().password()).isEqualTo("se\u200Bcre");
        assertThat(quoted.warnings()).extracting(ConfigWarning::toString).contains(FILE + ":8:16: characters that are"
                + " invisible or look like ASCII: U+200B zero width space at column 16 inside quotes, kept as written");
        // unquoted: keepalived (a peer given the same text) keeps them, a person did not mean them: refused
        for (String pasted : List.of("se\u200Bcret", "secret\u00A0", "\uFF53ecret", "se\u00A0cret")) {
            assertThatThrownBy(() -> KeepalivedConfigReader.parse(CONF.replace(" priority 100\n", " priority 100\n"
                    + auth.formatted(pasted)), FILE)).as(PastedText.escape(pasted)).isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith(FILE + ":8: key 'auth_pass': the password is written \""
                            + PastedText.escape(pasted) + "\", with characters that are invisible or look like ASCII;")
                    .hasMessageEndingWith(" (allowed: retype the password on every node, or put it in quotes to keep these"
                            + " exact characters)");
        }
    }

    @Test
    void aCharacterThatMakesTextDisplayAsOtherThanItIsIsRefused() {
        // a right-to-left override, a soft hyphen, a line separator: no reading of them is what a person meant
        for (char c : new char[] {'\u202E', '\u00AD', '\u2028', '\u2066'}) {
            assertThatThrownBy(() -> KeepalivedConfigReader.parse(CONF.replace(" priority 100\n", " prio" + c + "rity 100\n"),
                    FILE)).isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith(FILE + ":5:6: an invisible character " + PastedText.name(c) + " (bytes ")
                    .hasMessageContaining(" in \"prio" + String.format("<U+%04X>", (int) c) + "rity\": it can make the text"
                            + " display as other than it is")
                    .hasMessageNotContaining(String.valueOf(c));
        }
        // inside quotes it is kept as written, and warned
        KeepalivedConfig c = KeepalivedConfigReader.parse(CONF.replace(" interface eth0\n", " interface \"eth\u202E0\"\n"),
                FILE);
        assertThat(c.warnings()).extracting(w -> w.location().toString()).containsExactly(FILE + ":3:16");
    }

    @Test
    void theZooKeeperBlockIsReadAsItLooks() {
        // a guide's block pasted with a no-break space after a key, a zero-width space inside one,
        // and a full-width letter in a value: the same settings as the typed block, one warning per line
        String typed = CONF + "havip {\n zookeeper {\n  connect 198.51.100.21:2181\n  mode lease\n  path /havip/db\n }\n}\n";
        String pasted = typed.replace("  connect 198", "  connect\u00A0198").replace("  mode lease", "  mo\u200Bde lease")
                .replace("/havip/db", "/havip/\uFF44b");
        ZooKeeperSettings want = KeepalivedConfigReader.parse(typed, FILE).havip().zookeeper().orElseThrow();
        KeepalivedConfig c = KeepalivedConfigReader.parse(pasted, FILE);
        ZooKeeperSettings got = c.havip().zookeeper().orElseThrow();
        assertThat(List.of(got.connect(), got.mode(), got.path())).isEqualTo(List.of(want.connect(), want.mode(), want.path()));
        assertThat(c.warnings()).extracting(w -> w.location().line()).containsExactly(12, 13, 14);
        // a character that displays the text as other than it is stays refused, escaped, with its line
        assertThatThrownBy(() -> KeepalivedConfigReader.parse(typed.replace("  connect 198", "  connect 1\u202E98"), FILE))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith(FILE + ":12:")
                .hasMessageContaining("<U+202E>").hasMessageNotContaining("\u202E");
        // in quotes the characters are kept as written: the address is then refused by name, not used
        assertThatThrownBy(() -> KeepalivedConfigReader.parse(typed.replace("  connect 198.51.100.21:2181",
                "  connect \"198.51.100.21:2181\u200B\""), FILE)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(FILE + ":12").hasMessageContaining("connect").hasMessageContaining("<U+200B>");
    }

    @Test
    void aVirtualMacNameIsReadAsItLooksOrRefused() {
        String typed = CONF.replace(" priority 100\n", " priority 100\n use_vmac vrrp.51\n");
        KeepalivedConfig c = KeepalivedConfigReader.parse(typed.replace("vrrp.51", "vrrp\u200B.51"), FILE);
        assertThat(c.instance("VI").orElseThrow().virtualMac().orElseThrow().interfaceName()).contains("vrrp.51");
        assertThat(c.warnings()).extracting(ConfigWarning::toString).singleElement().asString()
                .startsWith(FILE + ":6:15: characters that are invisible or look like ASCII: U+200B");
        // quoted, kept as written (the interface then has the name keepalived would give it), and warned
        KeepalivedConfig quoted = KeepalivedConfigReader.parse(typed.replace("vrrp.51", "\"vrrp\u200B.51\""), FILE);
        assertThat(quoted.instance("VI").orElseThrow().virtualMac().orElseThrow().interfaceName()).contains("vrrp\u200B.51");
        assertThat(quoted.warnings()).extracting(ConfigWarning::toString).singleElement().asString()
                .startsWith(FILE + ":6:16: characters that are invisible or look like ASCII: U+200B")
                .contains("inside quotes, kept as written").doesNotContain("\u200B");
    }

    @Test
    void unknownKeywordsAreShownEscaped() {
        KeepalivedConfig c = KeepalivedConfigReader.parse(CONF.replace(" priority 100\n", " priority 100\n \"x\u00A0y\" 1\n"),
                FILE);
        assertThat(c.warnings()).extracting(ConfigWarning::message).anySatisfy(m -> assertThat(m).contains("x<U+00A0>y"));
    }
}
