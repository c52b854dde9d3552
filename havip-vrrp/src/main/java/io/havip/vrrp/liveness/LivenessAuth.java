package io.havip.vrrp.liveness;

import io.havip.core.net.IpAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The handshake's proofs. Both sides contribute a fresh random nonce, and each proves
 * knowledge of the shared secret with
 * {@code HMAC-SHA256(secret, "havip-liveness/1" | role | vrid | client | server | clientNonce | serverNonce)},
 * role {@code 'S'} for the server's proof and {@code 'C'} for the client's:
 * <ul>
 *   <li>a recorded handshake is useless later: the other side's nonce is new each time;</li>
 *   <li>a proof cannot be reflected: the two roles sign different strings;</li>
 *   <li>a proof is bound to the router and both addresses, so it cannot be moved to another.</li>
 * </ul>
 * Proofs are compared in constant time ({@link MessageDigest#isEqual}).
 */
public final class LivenessAuth {

    /** 128-bit nonces: a repeat across connections is not a practical concern. */
    public static final int NONCE_BYTES = 16;
    /** The length of an HMAC-SHA256. */
    public static final int PROOF_BYTES = 32;
    private static final byte[] LABEL = "havip-liveness/1".getBytes(StandardCharsets.US_ASCII);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Which end of the connection a proof is from. */
    public enum Role {
        CLIENT('C'), SERVER('S');

        private final byte tag;

        Role(char tag) {
            this.tag = (byte) tag;
        }
    }

    private LivenessAuth() {
    }

    public static byte[] newNonce() {
        byte[] n = new byte[NONCE_BYTES];
        RANDOM.nextBytes(n);
        return n;
    }

    /** The proof {@code role} sends for this handshake. */
    public static byte[] proof(byte[] secret, Role role, int vrid, IpAddress client, IpAddress server,
                               byte[] clientNonce, byte[] serverNonce) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update(LABEL);
            mac.update(role.tag);
            mac.update((byte) vrid);
            mac.update(client.toBytes());
            mac.update(server.toBytes());
            mac.update(clientNonce);
            mac.update(serverNonce);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            // Every Java SE runtime must provide HmacSHA256 (javax.crypto.Mac Javadoc).
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    /** Whether {@code proof} is the one {@code role} must send; constant time. */
    public static boolean verify(byte[] proof, byte[] secret, Role role, int vrid, IpAddress client, IpAddress server,
                                 byte[] clientNonce, byte[] serverNonce) {
        return MessageDigest.isEqual(proof, proof(secret, role, vrid, client, server, clientNonce, serverNonce));
    }
}
