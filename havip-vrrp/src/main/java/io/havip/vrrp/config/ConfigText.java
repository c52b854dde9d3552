package io.havip.vrrp.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A configuration file's bytes as text: UTF-8, with a leading byte order mark dropped (it is
 * no character of the file, as in keepalived it would be the start of the first keyword), and
 * each way that can go wrong (no such file, a directory, no permission, not UTF-8) told in
 * words that name the file, where, and what to do; never an exception class name.
 */
final class ConfigText {

    /** U+FEFF: a byte order mark at the start of a file, an invisible "zero width no-break space" anywhere else. */
    static final char BOM = '\uFEFF';

    private ConfigText() {
    }

    /** Why a file could not be read: {@code reason} says what is wrong, {@code advice} what to do. */
    static final class Unreadable extends Exception {
        private static final long serialVersionUID = 1L;
        private final String reason;
        private final String advice;

        Unreadable(String reason, String advice) {
            super(reason, null, false, false);
            this.reason = reason;
            this.advice = advice;
        }

        String reason() {
            return reason;
        }

        String advice() {
            return advice;
        }
    }

    /** The bytes of {@code file}, or why they cannot be had. */
    static byte[] bytes(Path file) throws Unreadable {
        if (Files.isDirectory(file)) {
            throw new Unreadable("it is a directory, not a file", "name a file in it");
        }
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw unreadable(e, file);
        }
    }

    /** {@code e}, from reading {@code file}, in words. */
    static Unreadable unreadable(IOException e, Path file) {
        if (e instanceof NoSuchFileException) {
            return new Unreadable("no such file" + (file.isAbsolute() ? "" : " (looked for " + file.toAbsolutePath() + ")"),
                    "check the name and the directory");
        }
        if (e instanceof AccessDeniedException) {
            String user = System.getProperty("user.name", "?");
            return new Unreadable("permission denied to user " + user, "make the file (and the directories above it)"
                    + " readable by " + user + ", e.g. with chmod or chgrp, or run as a user who can read it");
        }
        String why = e instanceof FileSystemException f ? f.getReason() : e.getMessage();
        return new Unreadable(why == null ? "an input/output error" : why.toLowerCase(Locale.ROOT), "check the file");
    }

    /**
     * {@code bytes} decoded as UTF-8 (a leading byte order mark is kept: {@link ConfigSyntax} drops it).
     *
     * @param name         the file's name as messages give it
     * @param includedFrom the include line that read it, named in messages; null for the main file
     * @throws ConfigException naming line, column and the offending bytes when they are not UTF-8
     */
    static String decode(byte[] bytes, String name, SourceLocation includedFrom) {
        String from = includedFrom == null ? "" : " (included from " + includedFrom + ")";
        if (bytes.length >= 2 && ((bytes[0] == (byte) 0xFF && bytes[1] == (byte) 0xFE)
                || (bytes[0] == (byte) 0xFE && bytes[1] == (byte) 0xFF))) {
            throw new ConfigException(new SourceLocation(name, 1, 1), "the file is UTF-16, not UTF-8: it starts with bytes "
                    + hex(bytes, 0, 2) + ", a UTF-16 byte order mark" + from + "; save it as UTF-8 (e.g. iconv -f UTF-16"
                    + " -t UTF-8)", null);
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult r = decoder.decode(in, out, true);
        if (r.isUnderflow()) {
            r = decoder.flush(out);
        }
        if (r.isError() || in.hasRemaining()) {
            int at = in.position();
            int length = r.isError() ? r.length() : in.remaining();
            int lineStart = at;
            int line = 1;
            while (lineStart > 0 && bytes[lineStart - 1] != '\n') {
                lineStart--;
            }
            for (int i = 0; i < lineStart; i++) {
                line += bytes[i] == '\n' ? 1 : 0;
            }
            String before = new String(bytes, lineStart, at - lineStart, StandardCharsets.UTF_8);
            SourceLocation where = new SourceLocation(name, line, before.codePointCount(0, before.length()) + 1);
            boolean truncated = at + length >= bytes.length && (bytes[at] & 0xff) >= 0xC2 && (bytes[at] & 0xff) <= 0xF4;
            throw new ConfigException(where, "the file is not valid UTF-8: " + (length == 1 ? "byte " : "bytes ")
                    + hex(bytes, at, length) + " (at byte offset " + at + ")" + (truncated
                    ? " end the file in the middle of a character" : length == 1 ? " is not part of any UTF-8 character"
                    : " do not form a UTF-8 character") + from + "; save the file as UTF-8 (if it was written as Latin-1"
                    + " or Windows-1252: iconv -f WINDOWS-1252 -t UTF-8)", null);
        }
        return out.flip().toString();
    }

    /** {@code 0xEF 0xBB 0xBF}. */
    static String hex(byte[] bytes, int from, int length) {
        StringBuilder s = new StringBuilder();
        for (int i = from; i < from + length && i < bytes.length; i++) {
            s.append(s.length() == 0 ? "" : " ").append(String.format("0x%02X", bytes[i] & 0xff));
        }
        return s.toString();
    }
}
