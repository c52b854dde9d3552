package io.havip.vrrp.config;

/**
 * A keepalived.conf value that cannot be used, or a file that cannot be read or parsed. The
 * message has the form {@code FILE:LINE: key 'advert_int': "abc" is not a number (allowed: ...)}:
 * where, which key, what was wrong, and what would be accepted. Invisible and look-alike
 * characters in it are shown escaped ({@code "BACKUP<U+00A0>"}), never as if they were valid.
 */
public final class ConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient SourceLocation location;
    private final String key;

    /** A bad value of {@code key}; {@code problem} says what is wrong and {@code allowed} what would do. */
    public ConfigException(SourceLocation location, String key, String problem, String allowed) {
        super(PastedText.escape(location + ": key '" + key + "': " + problem + (allowed == null ? "" : " (allowed: "
                + allowed + ")")));
        this.location = location;
        this.key = key;
    }

    /** A problem not tied to one key (syntax, include files). */
    public ConfigException(SourceLocation location, String problem, Throwable cause) {
        super(PastedText.escape(location + ": " + problem), cause);
        this.location = location;
        this.key = null;
    }

    public SourceLocation location() {
        return location;
    }

    /** The keyword whose value was refused, or null for syntax and file errors. */
    public String key() {
        return key;
    }
}
