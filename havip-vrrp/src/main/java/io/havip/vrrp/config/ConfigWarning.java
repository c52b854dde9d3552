package io.havip.vrrp.config;

/**
 * Something keepalived would also have accepted with a complaint: an unknown keyword, a
 * reference to an undefined vrrp_script, a setting that conflicts with another and was
 * cleared. The configuration was read regardless; the message says what was done instead.
 * Invisible and look-alike characters in it are shown escaped ({@code <U+00A0>}).
 */
public record ConfigWarning(SourceLocation location, String message) {

    public ConfigWarning {
        if (location == null || message == null) {
            throw new IllegalArgumentException("location and message are required");
        }
        message = PastedText.escape(message);
    }

    /** {@code FILE:LINE: message}. */
    @Override
    public String toString() {
        return location + ": " + message;
    }
}
