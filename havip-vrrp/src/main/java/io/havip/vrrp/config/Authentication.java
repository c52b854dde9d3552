package io.havip.vrrp.config;

import java.util.Objects;

/**
 * A VRRPv2 {@code authentication} block (RFC 2338 section 5.3.6; dropped by RFC 3768 but
 * still sent by keepalived, and common in cloud guides that use unicast).
 *
 * @param type     PASS (simple text password, Auth Type 1) or AH (IPsec AH, Auth Type 2)
 * @param password the password, at most 8 bytes (keepalived truncates longer ones, with a warning)
 */
public record Authentication(Type type, String password) {

    /** keepalived's {@code auth_type} values. */
    public enum Type { PASS, AH }

    public Authentication {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(password, "password");
        if (password.isEmpty() || password.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 8) {
            throw new IllegalArgumentException("a VRRPv2 password has 1-8 bytes, got " + password.length() + " characters");
        }
    }

    /** Never prints the password. */
    @Override
    public String toString() {
        return "Authentication[" + type + ", password=<" + password.length() + " chars>]";
    }
}
