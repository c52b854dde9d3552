package io.havip.vrrp.config;

/**
 * Where a setting came from: the file as the reader opened it and a 1-based line number.
 * Printed as {@code FILE:LINE}, the form compilers use, so editors can jump to it.
 */
public record SourceLocation(String file, int line) {

    public SourceLocation {
        if (file == null || file.isEmpty()) {
            throw new IllegalArgumentException("file name is empty");
        }
        if (line < 0) {
            throw new IllegalArgumentException("line " + line + " is negative");
        }
    }

    @Override
    public String toString() {
        return file + ":" + line;
    }
}
