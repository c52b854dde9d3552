package io.havip.vrrp.config;

/**
 * Where a setting came from: the file as the reader opened it, a 1-based line number (0 for
 * the file as a whole) and, for problems inside a line, a 1-based column counted in characters
 * (0 when not given). Printed as {@code FILE:LINE} or {@code FILE:LINE:COLUMN}, the forms
 * compilers use, so editors can jump to it.
 */
public record SourceLocation(String file, int line, int column) {

    public SourceLocation {
        if (file == null || file.isEmpty()) {
            throw new IllegalArgumentException("file name is empty");
        }
        if (line < 0) {
            throw new IllegalArgumentException("line " + line + " is negative");
        }
        if (column < 0) {
            throw new IllegalArgumentException("column " + column + " is negative");
        }
    }

    /** A whole line (or, with line 0, the whole file). */
    public SourceLocation(String file, int line) {
        this(file, line, 0);
    }

    /** This line at {@code column} (1-based, in characters). */
    public SourceLocation atColumn(int column) {
        return new SourceLocation(file, line, column);
    }

    @Override
    public String toString() {
        return file + ":" + line + (column > 0 ? ":" + column : "");
    }
}
