package io.havip.vrrp.config;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * One line of keepalived.conf as the person who pasted it sees it. Text copied from web pages,
 * wikis, chat and PDFs carries characters nobody sees or tells apart from ASCII; keepalived
 * 2.2.7 splits words on ASCII white space only, so to it {@code state BACKUP<U+00A0>} is the
 * unknown state "BACKUP\xC2\xA0" and {@code priority<U+00A0>100} an unknown keyword, ignored
 * with its value. havip reads the visible text instead, and says so once per line:
 * <ul>
 *   <li>Unicode space separators (U+00A0 no-break space, U+1680, U+2000-U+200A, U+202F,
 *       U+205F, U+3000) are blanks;</li>
 *   <li>zero-width characters (U+200B, U+200C, U+200D, U+2060, U+FEFF) are nothing;</li>
 *   <li>full-width ASCII (U+FF01-U+FF5E, as typed with an East Asian input method) is the ASCII
 *       character it looks like, braces, quotes and comment signs included;</li>
 *   <li>any other invisible formatting character (bidirectional overrides, soft hyphen, line
 *       and paragraph separators) is refused outside quotes: it can make text display as other
 *       than it is, and no reading of it is what a person meant;</li>
 *   <li>inside quotes nothing is changed: quotes ask for these exact bytes (a password must
 *       match the peer's byte for byte, a path names one file); the characters are warned
 *       about;</li>
 *   <li>comments are not looked at: nothing in them has meaning.</li>
 * </ul>
 * The cleaned line keeps its quoted parts and comment verbatim, so {@link ConfigSyntax} reads
 * it with its usual rules.
 */
final class PastedText {

    /** What happened to one kind of character on the line. */
    private enum Treatment {
        BLANK("taken as a blank"), DROPPED("dropped"), FOLDED("read as ASCII"), KEPT("inside quotes, kept as written");

        final String words;

        Treatment(String words) {
            this.words = words;
        }
    }

    /**
     * A cleaned line: {@code text} for the lexer, {@code raw} as written, {@code rawIndex[i]} the
     * index in {@code raw} of {@code text}'s character i ({@code rawIndex[text.length()]} is the
     * end), {@code changed[j]} whether raw character j was changed outside quotes.
     */
    record Line(String text, String raw, int[] rawIndex, boolean[] changed, ConfigWarning warning) {

        /**
         * keepalived's word (a run without ASCII white space) around {@code text[from, to)}, when an
         * invisible or full-width character in it was read differently from keepalived; else null.
         */
        String asWritten(int from, int to) {
            int l = wordStart(raw, rawIndex[from]);
            int r = wordEnd(raw, rawIndex[to]);
            for (int j = l; j < r; j++) {
                if (changed[j]) {
                    return raw.substring(l, r);
                }
            }
            return null;
        }
    }

    private PastedText() {
    }

    /** Where keepalived's word (a run without ASCII white space) that reaches {@code raw[i]} starts. */
    private static int wordStart(String raw, int i) {
        while (i > 0 && !ConfigSyntax.isBlank(raw.charAt(i - 1))) {
            i--;
        }
        return i;
    }

    /** Where keepalived's word that reaches back to {@code raw[i - 1]} ends. */
    private static int wordEnd(String raw, int i) {
        while (i < raw.length() && !ConfigSyntax.isBlank(raw.charAt(i))) {
            i++;
        }
        return i;
    }

    /** {@code raw} (one line, no line end) at {@code at}, cleaned; refuses what no one could have meant. */
    static Line clean(String raw, SourceLocation at) {
        int n = raw.length();
        StringBuilder text = new StringBuilder(n);
        int[] rawIndex = new int[n + 1];
        boolean[] changed = new boolean[n];
        Map<Integer, Note> notes = new LinkedHashMap<>();
        boolean tokenStart = true;
        char quote = 0;
        char quoteRaw = 0;
        int i = 0;
        while (i < n) {
            char c = raw.charAt(i);
            if (quote != 0) {
                rawIndex[text.length()] = i;
                if (c == quoteRaw && c != quote) {
                    // closes what a full-width quote opened
                    changed[i] = true;
                    note(notes, raw, i, Treatment.FOLDED);
                    text.append(quote);
                    quote = 0;
                    i++;
                    continue;
                }
                if (isNotable(c)) {
                    note(notes, raw, i, Treatment.KEPT);
                }
                text.append(c);
                if (c == '\\' && i + 1 < n) {
                    rawIndex[text.length()] = i + 1;
                    text.append(raw.charAt(++i));
                } else if (c == quote) {
                    quote = 0;
                }
                i++;
                continue;
            }
            char read = c;
            if (c >= '\uFF01' && c <= '\uFF5E') {
                read = (char) (c - 0xFEE0);
                note(notes, raw, i, Treatment.FOLDED);
            } else if (c != ' ' && Character.getType(c) == Character.SPACE_SEPARATOR) {
                read = ' ';
                note(notes, raw, i, Treatment.BLANK);
            } else if (isZeroWidth(c)) {
                changed[i] = true;
                note(notes, raw, i, Treatment.DROPPED);
                i++;
                continue;
            } else if (isInvisible(c)) {
                throw refused(raw, i, at);
            }
            changed[i] = read != c;
            if (tokenStart && (read == '#' || read == '!')) {
                // a comment: kept as written and not looked at, nothing in it has meaning
                rawIndex[text.length()] = i;
                text.append(read);
                for (int j = i + 1; j < n; j++) {
                    rawIndex[text.length()] = j;
                    text.append(raw.charAt(j));
                }
                i = n;
                break;
            }
            rawIndex[text.length()] = i;
            text.append(read);
            if (read == '"' || read == '\'') {
                quote = read;
                quoteRaw = c;
            }
            tokenStart = ConfigSyntax.isBlank(read) || read == '{' || read == '}';
            i++;
        }
        rawIndex[text.length()] = n;
        ConfigWarning warning = notes.isEmpty() ? null : warning(notes, at);
        return new Line(text.toString(), raw, rawIndex, changed, warning);
    }

    /** One kind of character on the line: how often, where first, what was done. */
    private static final class Note {
        final char c;
        final Treatment treatment;
        final int column;
        int count;

        Note(char c, Treatment treatment, int column) {
            this.c = c;
            this.treatment = treatment;
            this.column = column;
        }
    }

    private static void note(Map<Integer, Note> notes, String raw, int i, Treatment t) {
        char c = raw.charAt(i);
        notes.computeIfAbsent(t.ordinal() << 16 | c, k -> new Note(c, t, raw.codePointCount(0, i) + 1)).count++;
    }

    /** {@code FILE:LINE:COLUMN: ...}, the column of the first character noted. */
    private static ConfigWarning warning(Map<Integer, Note> notes, SourceLocation at) {
        int first = Integer.MAX_VALUE;
        StringJoiner what = new StringJoiner("; ");
        for (Note note : notes.values()) {
            first = Math.min(first, note.column);
            String done = note.treatment == Treatment.FOLDED ? "read as '" + (char) (note.c - 0xFEE0) + "'"
                    : note.treatment.words;
            what.add(name(note.c) + " at column " + note.column + (note.count > 1 ? " (" + note.count + " times)" : "")
                    + " " + done);
        }
        boolean onlyKept = notes.values().stream().allMatch(note -> note.treatment == Treatment.KEPT);
        return new ConfigWarning(at.atColumn(first), "characters that are invisible or look like ASCII: " + what
                + (onlyKept ? "" : "; the line is read as it looks (keepalived would read these characters as part of"
                + " the words), retype it to be sure"));
    }

    /** {@code U+00A0 no-break space}. */
    static String name(char c) {
        String name = c == ConfigText.BOM ? "byte order mark (zero width no-break space)" : Character.getName(c);
        return String.format("U+%04X", (int) c) + (name == null ? "" : " " + name.toLowerCase(Locale.ROOT));
    }

    /**
     * {@code s} with each invisible or look-alike character shown as {@code <U+00A0>}, so that no
     * message shows a value as if it were what it looks like (line ends stay).
     */
    static String escape(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean hide = c != '\n' && (isNotable(c) || Character.getType(c) == Character.CONTROL);
            if (hide && out == null) {
                out = new StringBuilder(s.length() + 8).append(s, 0, i);
            }
            if (out != null) {
                out.append(hide ? String.format("<U+%04X>", (int) c) : String.valueOf(c));
            }
        }
        return out == null ? s : out.toString();
    }

    /** A character this class treats or refuses: not plain visible text. */
    private static boolean isNotable(char c) {
        return (c >= '\uFF01' && c <= '\uFF5E') || (c != ' ' && Character.getType(c) == Character.SPACE_SEPARATOR)
                || isZeroWidth(c) || isInvisible(c);
    }

    private static boolean isZeroWidth(char c) {
        return c == '\u200B' || c == '\u200C' || c == '\u200D' || c == '\u2060' || c == ConfigText.BOM;
    }

    /** Formatting characters and line/paragraph separators (zero-width ones are tested first). */
    private static boolean isInvisible(char c) {
        int type = Character.getType(c);
        return type == Character.FORMAT || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR;
    }

    /**
     * An invisible character outside quotes that havip cannot read as a person would have: it
     * can make the text display as other than it is (a bidirectional override), or a person could
     * have meant it as a line break.
     */
    private static ConfigException refused(String raw, int i, SourceLocation at) {
        int from = wordStart(raw, i);
        int to = wordEnd(raw, i + 1);
        char c = raw.charAt(i);
        return new ConfigException(at.atColumn(raw.codePointCount(0, i) + 1), "an invisible character " + name(c)
                + " (bytes " + ConfigText.hex(String.valueOf(c).getBytes(StandardCharsets.UTF_8), 0, 3) + ") in \""
                + raw.substring(from, to) + "\": it can make the text display as other than it is, and havip will not"
                + " guess what was meant; delete it, or put the value in quotes to keep it exactly", null);
    }
}
