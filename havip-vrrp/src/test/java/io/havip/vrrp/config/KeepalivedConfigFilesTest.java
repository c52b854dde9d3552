package io.havip.vrrp.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.havip.vrrp.Havip;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files that read as something else, or not at all (issue #17 item 11), through the library's
 * entry points {@link KeepalivedConfigReader#read} and {@link Havip#fromKeepalivedConf}: a byte
 * order mark, bytes that are not UTF-8, a missing file, a directory, include targets that are
 * missing or directories. Each message names the file, the line and column where there is one,
 * the offending bytes, and what to do; never a Java exception name. (An unreadable file needs a
 * user other than root: HavipdConfigFilesIT.)
 */
class KeepalivedConfigFilesTest {

    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    private static final String INSTANCE = "vrrp_instance VI {\n interface eth0\n virtual_router_id 51\n"
            + " virtual_ipaddress {\n  198.51.100.50\n }\n}\n";

    @TempDir
    Path dir;

    private Path write(String name, byte[]... parts) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            all.write(p);
        }
        return Files.write(dir.resolve(name), all.toByteArray());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String error(Path file) {
        try {
            KeepalivedConfigReader.read(file);
        } catch (ConfigException e) {
            assertThat(e.getMessage()).doesNotContain("Exception", "java.");
            return e.getMessage();
        }
        throw new AssertionError("no ConfigException for " + file);
    }

    @Test
    void aByteOrderMarkAtTheStartIsNothing() throws IOException {
        Path f = write("keepalived.conf", BOM, utf8("global_defs {\n router_id r1\n}\n" + INSTANCE));
        KeepalivedConfig c = KeepalivedConfigReader.read(f);
        // before: "unknown keyword 'global_defs' ignored with its block" (the BOM was part of the word) and no router_id
        assertThat(c.warnings()).isEmpty();
        assertThat(c.globalDefs().routerId()).contains("r1");
        assertThat(c.instances()).hasSize(1);

        Path include = write("vi.conf", BOM, utf8(INSTANCE));
        Path main = write("main.conf", BOM, utf8("include vi.conf\n"));
        assertThat(KeepalivedConfigReader.read(main).instances()).extracting(VrrpInstanceConfig::location)
                .containsExactly(new SourceLocation(include.toString(), 1));
        assertThat(KeepalivedConfigReader.read(main).warnings()).isEmpty();
    }

    @Test
    void aByteOrderMarkInsideTheFileIsNothingWithAWarningOfLineAndColumn() throws IOException {
        // what `cat a.conf b.conf > keepalived.conf` makes of two files that each start with a BOM
        // before (#17): refused; keepalived: "unknown keyword '<U+FEFF>vrrp_instance'", the instance lost
        Path f = write("keepalived.conf", utf8("global_defs {\n router_id r1\n}\n"), BOM, utf8(INSTANCE));
        KeepalivedConfig joined = KeepalivedConfigReader.read(f);
        assertThat(joined.instances()).extracting(VrrpInstanceConfig::name).containsExactly("VI");
        assertThat(joined.warnings()).extracting(ConfigWarning::toString).containsExactly(f + ":4:1: characters that"
                + " are invisible or look like ASCII: U+FEFF byte order mark (zero width no-break space) at column 1"
                + " dropped; the line is read as it looks (keepalived would read these characters as part of the words),"
                + " retype it to be sure");

        Path value = write("value.conf", utf8(INSTANCE.replace(" interface eth0\n", " interface eth0\uFEFF\n")));
        KeepalivedConfig v = KeepalivedConfigReader.read(value);
        assertThat(v.instances().get(0).interfaceName()).contains("eth0");
        assertThat(v.warnings()).extracting(w -> w.location().toString()).containsExactly(value + ":2:16");

        // quotes keep what they hold, with a warning; the name is then shown escaped
        Path quoted = write("quoted.conf", utf8(INSTANCE.replace(" interface eth0\n", " interface \"et\uFEFFh0\"\n")));
        KeepalivedConfig q = KeepalivedConfigReader.read(quoted);
        assertThat(q.instances().get(0).interfaceName()).contains("et\uFEFFh0");
        assertThat(q.warnings()).extracting(ConfigWarning::toString).containsExactly(quoted + ":2:15: characters that"
                + " are invisible or look like ASCII: U+FEFF byte order mark (zero width no-break space) at column 15"
                + " inside quotes, kept as written");

        // in a comment it changes nothing, as in keepalived
        Path comment = write("comment.conf", utf8("# a note \uFEFF here\n" + INSTANCE));
        assertThat(KeepalivedConfigReader.read(comment).warnings()).isEmpty();
    }

    @Test
    void anIncludeLineIsReadAsItLooksToo() throws IOException {
        // keepalived 2.2.7: "include\u00A0vi.conf" is the unknown keyword 'include vi.conf', the instance not read
        Path include = write("vi.conf", utf8(INSTANCE));
        for (String line : List.of("include\u00A0vi.conf\n", "include vi.conf\u200B\n", "\uFF49nclude vi.conf\n")) {
            Path main = write("main.conf", utf8(line));
            KeepalivedConfig c = KeepalivedConfigReader.read(main);
            assertThat(c.instances()).extracting(VrrpInstanceConfig::location)
                    .containsExactly(new SourceLocation(include.toString(), 1));
            assertThat(c.warnings()).extracting(w -> w.location().line()).containsExactly(1);
        }
    }

    @Test
    void bytesThatAreNotUtf8AreNamedWithLineColumnAndOffset() throws IOException {
        // "café" saved as Latin-1 on line 3, after a line with UTF-8 characters
        Path f = write("keepalived.conf", utf8("# ünïcode\nglobal_defs {\n router_id caf"), new byte[] {(byte) 0xE9},
                utf8("\n}\n" + INSTANCE));
        int offset = utf8("# ünïcode\nglobal_defs {\n router_id caf").length;
        assertThat(error(f)).isEqualTo(f + ":3:15: the file is not valid UTF-8: byte 0xE9 (at byte offset " + offset + ")"
                + " is not part of any UTF-8 character; save the file as UTF-8 (if it was written as Latin-1 or"
                + " Windows-1252: iconv -f WINDOWS-1252 -t UTF-8)");

        Path cut = write("cut.conf", utf8(INSTANCE + "# price in €"), new byte[] {(byte) 0xE2, (byte) 0x82});
        assertThat(error(cut)).isEqualTo(cut + ":8:13: the file is not valid UTF-8: bytes 0xE2 0x82 (at byte offset "
                + utf8(INSTANCE + "# price in €").length + ") end the file in the middle of a character; save the file as"
                + " UTF-8 (if it was written as Latin-1 or Windows-1252: iconv -f WINDOWS-1252 -t UTF-8)");

        Path utf16 = write("utf16.conf", new byte[] {(byte) 0xFF, (byte) 0xFE}, INSTANCE.getBytes(StandardCharsets.UTF_16LE));
        assertThat(error(utf16)).isEqualTo(utf16 + ":1:1: the file is UTF-16, not UTF-8: it starts with bytes 0xFF 0xFE,"
                + " a UTF-16 byte order mark; save it as UTF-8 (e.g. iconv -f UTF-16 -t UTF-8)");

        Path included = write("latin1.conf", utf8("vrrp_script chk {\n script \"/bin/echo "), new byte[] {(byte) 0xE9},
                utf8("\"\n}\n"));
        Path main = write("main.conf", utf8("\ninclude latin1.conf\n" + INSTANCE));
        assertThat(error(main)).isEqualTo(included + ":2:20: the file is not valid UTF-8: byte 0xE9 (at byte offset 37)"
                + " is not part of any UTF-8 character (included from " + main + ":2); save the file as UTF-8 (if it was"
                + " written as Latin-1 or Windows-1252: iconv -f WINDOWS-1252 -t UTF-8)");
    }

    @Test
    void aMissingFileOrADirectoryIsNamedWithWhatToDo() throws IOException {
        Path missing = dir.resolve("absent.conf");
        assertThat(error(missing)).isEqualTo(missing + ":0: cannot read the configuration file: no such file; check the"
                + " name and the directory");
        assertThatThrownBy(() -> Havip.fromKeepalivedConf(missing, "VI")).isInstanceOf(ConfigException.class)
                .hasMessage(missing + ":0: cannot read the configuration file: no such file; check the name and the"
                        + " directory");

        Path d = Files.createDirectories(dir.resolve("keepalived"));
        assertThat(error(d)).isEqualTo(d + ":0: cannot read the configuration file: it is a directory, not a file; name"
                + " a file in it");
    }

    @Test
    void includeTargetsThatAreMissingOrDirectoriesNameTheIncludingLine() throws IOException {
        Files.createDirectories(dir.resolve("conf.d"));
        Path main = write("keepalived.conf", utf8(INSTANCE + "include missing.conf\ninclude conf.d\n"));
        assertThat(KeepalivedConfigReader.read(main).warnings()).extracting(ConfigWarning::toString).containsExactly(
                main + ":8: include 'missing.conf' matched no file (looked in " + dir + "); nothing included, as"
                        + " keepalived does; check the name, or remove the line",
                main + ":9: include 'conf.d': " + dir.resolve("conf.d") + " is a directory, not a file; nothing included"
                        + " from it, as keepalived does; to include the files in it write: include conf.d/*.conf");

        Path strict = write("strict.conf", utf8(INSTANCE + "includer conf.d\n"));
        assertThat(error(strict)).isEqualTo(strict + ":8: includer 'conf.d': " + dir.resolve("conf.d") + " is a directory,"
                + " not a file; to include the files in it write: includer conf.d/*.conf");
        Path strictMissing = write("strict2.conf", utf8(INSTANCE + "includer missing.conf\n"));
        assertThat(error(strictMissing)).isEqualTo(strictMissing + ":8: key 'includer': 'missing.conf' matched no file in "
                + dir + " (allowed: an existing file or a glob that matches one; plain 'include' tolerates none)");
    }
}
