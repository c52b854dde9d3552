package io.havip.vrrp.config;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * keepalived.conf's lexical and block structure, as keepalived 2.2.7's parser.c reads it:
 * <ul>
 *   <li>a statement is a keyword and its values on one line; a block follows it, its {@code {}
 *       on the same line or on a later one, its {@code }} anywhere;</li>
 *   <li>{@code {} and {@code }} are tokens of their own even when attached to a word;</li>
 *   <li>{@code #} and {@code !} start a comment where a token could start (line start or after
 *       white space), so {@code pa!ss} is one word;</li>
 *   <li>{@code "} and {@code '} quote; quoted parts join the word around them, and inside quotes
 *       the shell-like escapes of keepalived.conf(5) apply;</li>
 *   <li>{@code include FILE} (and includer/m/w/b/a) splices in files, a glob relative to the
 *       including file's directory, in sorted order.</li>
 * </ul>
 * One difference, on purpose: each line is first read as the person who pasted it sees it
 * ({@link PastedText}: Unicode spaces are blanks, zero-width characters nothing, full-width
 * ASCII is ASCII, with one warning per line), where keepalived splits on ASCII white space only
 * and reads such characters as parts of words.
 */
final class ConfigSyntax {

    /**
     * One word; {@code quoted} tokens are never braces or keywords of structure. {@code asWritten}
     * is keepalived's word around it when an invisible or full-width character in that word was
     * read as a person sees it ({@link PastedText}), else null: keepalived, and a keepalived peer
     * given the same text, would read this word differently. {@code column} is where the word
     * starts in its line (1-based, 0 when not known), for errors about a value.
     */
    record Token(String text, boolean quoted, SourceLocation location, String asWritten, int column) {
        Token(String text, boolean quoted, SourceLocation location) {
            this(text, quoted, location, null, 0);
        }

        Token(String text, boolean quoted, SourceLocation location, String asWritten) {
            this(text, quoted, location, asWritten, 0);
        }

        /** This word's line and column. */
        SourceLocation at() {
            return column > 0 ? location.atColumn(column) : location;
        }

        boolean is(String s) {
            return !quoted && text.equals(s);
        }
    }

    /** A keyword, its values, and its block ({@code null} when it has none). */
    record Statement(Token key, List<Token> args, List<Statement> block) {
        String name() {
            return key.text();
        }

        SourceLocation location() {
            return key.location();
        }
    }

    /** Nested includes beyond this are a loop in all but name. */
    static final int MAX_INCLUDE_DEPTH = 32;
    /** Block nesting beyond this is no keepalived.conf (its deepest, virtual_server/real_server/HTTP_GET/url, is 5). */
    static final int MAX_BLOCK_DEPTH = 64;
    private static final Set<String> INCLUDES = Set.of("include", "includer", "includem", "includew", "includeb", "includea");
    private static final Token NEWLINE = new Token("\n", false, new SourceLocation("-", 0));

    private ConfigSyntax() {
    }

    /** Reads {@code file} and its includes into top-level statements. */
    static List<Statement> parse(Path file, Consumer<ConfigWarning> warnings) {
        List<Token> tokens = new ArrayList<>();
        Deque<Path> stack = new ArrayDeque<>();
        byte[] bytes;
        try {
            bytes = ConfigText.bytes(file);
        } catch (ConfigText.Unreadable e) {
            throw new ConfigException(new SourceLocation(file.toString(), 0), "cannot read the configuration file: "
                    + e.reason() + "; " + e.advice(), null);
        }
        lexFile(file, ConfigText.decode(bytes, file.toString(), null), tokens, stack, warnings);
        return new Parser(tokens).statements();
    }

    /** Parses {@code text} as if read from {@code origin} (includes resolve against its directory). */
    static List<Statement> parse(String text, Path origin, Consumer<ConfigWarning> warnings) {
        List<Token> tokens = new ArrayList<>();
        lexFile(origin, text, tokens, new ArrayDeque<>(), warnings);
        return new Parser(tokens).statements();
    }

    private static void lexFile(Path file, String text, List<Token> out, Deque<Path> stack, Consumer<ConfigWarning> warnings) {
        Path key = file.toAbsolutePath().normalize();
        if (stack.contains(key)) {
            throw new ConfigException(new SourceLocation(file.toString(), 0), "include loop: " + file + " includes itself"
                    + " through " + stack, null);
        }
        if (stack.size() >= MAX_INCLUDE_DEPTH) {
            throw new ConfigException(new SourceLocation(file.toString(), 0), "includes nested deeper than "
                    + MAX_INCLUDE_DEPTH + " files", null);
        }
        stack.push(key);
        if (!text.isEmpty() && text.charAt(0) == ConfigText.BOM) {
            text = text.substring(1); // a byte order mark starts the file: no part of its first keyword
        }
        String name = file.toString();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            SourceLocation at = new SourceLocation(name, i + 1);
            PastedText.Line line = PastedText.clean(lines[i], at);
            if (line.warning() != null) {
                warnings.accept(line.warning());
            }
            String[] inc = includeLine(line.text());
            if (inc != null) {
                // taken from the raw line, as keepalived does: a glob's braces are not block braces
                include(file, new Token(inc[0], false, at), inc[1], out, stack, warnings);
                continue;
            }
            out.addAll(lexLine(line, at));
            out.add(NEWLINE);
        }
        stack.pop();
    }

    /**
     * An include line's keyword and the rest up to a comment that starts after white space, or
     * null when the line is no include. A linear scan: the regular expression it replaces
     * backtracked cubically on long runs of blanks (800 took 46 s).
     */
    static String[] includeLine(String line) {
        int n = line.length();
        int start = 0;
        while (start < n && isBlank(line.charAt(start))) {
            start++;
        }
        int end = start;
        while (end < n && !isBlank(line.charAt(end))) {
            end++;
        }
        String keyword = line.substring(start, end);
        if (!INCLUDES.contains(keyword)) {
            return null;
        }
        int restEnd = n;
        for (int j = end; j + 1 < n; j++) {
            if (isBlank(line.charAt(j)) && (line.charAt(j + 1) == '#' || line.charAt(j + 1) == '!')) {
                restEnd = j;
                break;
            }
        }
        return new String[] {keyword, line.substring(end, restEnd).strip()};
    }

    /** White space as the regular expression {@code \s} has it (Character.isWhitespace would add Unicode spaces). */
    static boolean isBlank(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0b || c == '\f' || c == '\r';
    }

    private static void include(Path including, Token keyword, String rest, List<Token> out, Deque<Path> stack,
                                Consumer<ConfigWarning> warnings) {
        String pattern = rest.strip();
        if (pattern.length() >= 2 && (pattern.charAt(0) == '"' || pattern.charAt(0) == '\'')
                && pattern.charAt(pattern.length() - 1) == pattern.charAt(0)) {
            pattern = pattern.substring(1, pattern.length() - 1);
        }
        if (pattern.isEmpty() || pattern.chars().anyMatch(Character::isWhitespace)) {
            throw new ConfigException(keyword.location(), keyword.text(), "expected one file name or glob, got \""
                    + rest.strip() + "\"", "include FILE, where FILE may contain * ? [..] {a,b}");
        }
        Path dir = including.toAbsolutePath().getParent();
        List<Path> files;
        try {
            files = glob(dir, pattern);
        } catch (java.nio.file.InvalidPathException | java.util.regex.PatternSyntaxException e) {
            throw new ConfigException(keyword.location(), keyword.text(), "'" + pattern + "' is not a valid file name or"
                    + " glob: " + (e instanceof java.util.regex.PatternSyntaxException p ? p.getDescription()
                    : ((java.nio.file.InvalidPathException) e).getReason()), "include FILE, where FILE may contain * ? [..] {a,b}");
        }
        // keepalived.conf(5): plain include "does not produce config errors if files could not be opened";
        // includer/m/w/b/a do (parser.c INCLUDE_R: not readable, a directory)
        boolean tolerant = keyword.text().equals("include");
        if (files.isEmpty()) {
            if (tolerant) {
                warnings.accept(new ConfigWarning(keyword.location(), "include '" + pattern + "' matched no file"
                        + " (looked in " + dir + "); nothing included, as keepalived does"
                        + (hasGlob(pattern) ? "" : "; check the name, or remove the line")));
                return;
            }
            throw new ConfigException(keyword.location(), keyword.text(), "'" + pattern + "' matched no file in "
                    + dir, "an existing file or a glob that matches one; plain 'include' tolerates none");
        }
        for (Path f : files) {
            String problem;
            String advice;
            if (Files.isDirectory(f)) {
                problem = f + " is a directory, not a file";
                advice = "to include the files in it write: " + keyword.text() + " " + pattern + "/*.conf";
            } else {
                try {
                    lexFile(f, ConfigText.decode(ConfigText.bytes(f), f.toString(), keyword.location()), out, stack,
                            warnings);
                    continue;
                } catch (ConfigText.Unreadable e) {
                    problem = "cannot read " + f + ": " + e.reason();
                    advice = e.advice() + ", or remove the line";
                }
            }
            String what = keyword.text() + " '" + pattern + "': " + problem;
            if (!tolerant) {
                throw new ConfigException(keyword.location(), what + "; " + advice, null);
            }
            warnings.accept(new ConfigWarning(keyword.location(), what + "; nothing included from it, as keepalived does; "
                    + advice));
        }
    }

    /**
     * What matches {@code pattern} (absolute, or relative to {@code dir}), sorted as glob(3) does:
     * existing names, readable or not; a directory only when the pattern names it without a
     * wildcard in its last part (a wildcard matches files).
     */
    static List<Path> glob(Path dir, String pattern) {
        Path p = dir.getFileSystem().getPath(pattern);
        Path base = p.isAbsolute() ? p.getRoot() : dir;
        List<Path> current = List.of(base);
        for (Path segment : p) {
            String seg = segment.toString();
            List<Path> next = new ArrayList<>();
            for (Path c : current) {
                if (!hasGlob(seg)) {
                    Path child = c.resolve(seg);
                    if (Files.exists(child)) {
                        next.add(child);
                    }
                    continue;
                }
                PathMatcher m = c.getFileSystem().getPathMatcher("glob:" + seg);
                if (!Files.isDirectory(c)) {
                    continue;
                }
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(c)) {
                    for (Path child : ds) {
                        String n = child.getFileName().toString();
                        // glob(3) skips hidden files unless the pattern starts with a dot
                        if (m.matches(child.getFileName()) && (!n.startsWith(".") || seg.startsWith("."))) {
                            next.add(child);
                        }
                    }
                } catch (IOException e) {
                    // unreadable directory: no matches from it, like glob(3) without GLOB_ERR
                }
            }
            next.sort(null);
            current = next;
        }
        boolean wildLast = p.getFileName() != null && hasGlob(p.getFileName().toString());
        return current.stream().filter(f -> !wildLast || !Files.isDirectory(f)).toList();
    }

    private static boolean hasGlob(String s) {
        return s.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{');
    }

    /** Splits one cleaned line into tokens, dropping a trailing comment. */
    static List<Token> lexLine(PastedText.Line cleaned, SourceLocation at) {
        String line = cleaned.text();
        List<Token> out = new ArrayList<>();
        int i = 0;
        int n = line.length();
        while (i < n) {
            char c = line.charAt(i);
            if (isBlank(c)) {
                i++;
                continue;
            }
            if (c == '#' || c == '!') {
                break;
            }
            if (c == '{' || c == '}') {
                out.add(new Token(String.valueOf(c), false, at));
                i++;
                continue;
            }
            int start = i;
            StringBuilder word = new StringBuilder();
            boolean quoted = false;
            while (i < n) {
                c = line.charAt(i);
                if (c == '"' || c == '\'') {
                    quoted = true;
                    int close = i + 1;
                    while (close < n && line.charAt(close) != c) {
                        close += line.charAt(close) == '\\' && close + 1 < n ? 2 : 1;
                    }
                    if (close >= n) {
                        throw new ConfigException(at, "unterminated " + c + "-quoted string: " + line.substring(i).strip(), null);
                    }
                    unescape(line.substring(i + 1, close), word);
                    i = close + 1;
                    continue;
                }
                if (isBlank(c) || c == '{' || c == '}') {
                    break;
                }
                word.append(c);
                i++;
            }
            out.add(new Token(word.toString(), quoted, at, cleaned.asWritten(start, i), line.codePointCount(0, start) + 1));
        }
        return out;
    }

    /** keepalived.conf(5) escapes in quoted strings: \a \b \E \f \n \r \t \v \nnn \xXX \cC, and \C for any other C. */
    private static void unescape(String s, StringBuilder out) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 >= s.length()) {
                out.append(c);
                continue;
            }
            char e = s.charAt(++i);
            switch (e) {
                case 'a' -> out.append('\u0007');
                case 'b' -> out.append('\b');
                case 'E' -> out.append('\u001b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'v' -> out.append('\u000b');
                case 'c' -> {
                    if (i + 1 < s.length()) {
                        out.append((char) (Character.toUpperCase(s.charAt(++i)) ^ 0x40));
                    }
                }
                case 'x' -> {
                    int end = i + 1;
                    while (end < s.length() && Character.digit(s.charAt(end), 16) >= 0) {
                        end++;
                    }
                    if (end == i + 1) {
                        out.append('x');
                    } else {
                        out.append((char) (Integer.parseInt(s.substring(i + 1, end), 16) & 0xff));
                        i = end - 1;
                    }
                }
                default -> {
                    if (e >= '0' && e <= '7') {
                        int end = i;
                        while (end < s.length() && end < i + 3 && s.charAt(end) >= '0' && s.charAt(end) <= '7') {
                            end++;
                        }
                        out.append((char) (Integer.parseInt(s.substring(i, end), 8) & 0xff));
                        i = end - 1;
                    } else {
                        out.append(e);
                    }
                }
            }
        }
    }

    /** Builds the statement tree from the token stream (NEWLINE tokens mark line ends). */
    private static final class Parser {
        private final List<Token> tokens;
        private int pos;

        Parser(List<Token> tokens) {
            this.tokens = tokens;
        }

        List<Statement> statements() {
            return block(null, 0);
        }

        /** Statements up to the '}' closing {@code opener}'s block, or to the end when {@code opener} is null. */
        private List<Statement> block(Statement opener, int depth) {
            if (depth > MAX_BLOCK_DEPTH) {
                throw new ConfigException(opener.location(), "blocks nested deeper than " + MAX_BLOCK_DEPTH
                        + " (keepalived's deepest is 5): a '}' is missing or the file is not a keepalived.conf", null);
            }
            List<Statement> out = new ArrayList<>();
            while (true) {
                skipNewlines();
                if (pos >= tokens.size()) {
                    if (opener != null) {
                        throw new ConfigException(opener.location(), "block '" + opener.name() + "' opened here is never"
                                + " closed: a '}' is missing", null);
                    }
                    return out;
                }
                Token t = tokens.get(pos++);
                if (t.is("}")) {
                    if (opener == null) {
                        throw new ConfigException(t.location(), "'}' closes no block (one '}' too many, or a '{' missing"
                                + " above)", null);
                    }
                    return out;
                }
                if (t.is("{")) {
                    throw new ConfigException(t.location(), "'{' opens a block without a keyword before it", null);
                }
                List<Token> args = new ArrayList<>();
                while (pos < tokens.size() && tokens.get(pos) != NEWLINE && !tokens.get(pos).is("{")
                        && !tokens.get(pos).is("}")) {
                    args.add(tokens.get(pos++));
                }
                int afterArgs = pos;
                skipNewlines();
                if (pos < tokens.size() && tokens.get(pos).is("{")) {
                    pos++;
                    Statement open = new Statement(t, List.copyOf(args), List.of());
                    out.add(new Statement(t, List.copyOf(args), List.copyOf(block(open, depth + 1))));
                } else {
                    pos = afterArgs;
                    out.add(new Statement(t, List.copyOf(args), null));
                }
            }
        }

        private void skipNewlines() {
            while (pos < tokens.size() && tokens.get(pos) == NEWLINE) {
                pos++;
            }
        }
    }
}
