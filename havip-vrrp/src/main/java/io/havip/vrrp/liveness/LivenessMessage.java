package io.havip.vrrp.liveness;

import io.havip.core.net.IpAddress;
import java.util.Arrays;

/**
 * The only three messages the liveness channel carries. Anything else on the wire ends the
 * connection (see {@link LivenessCodec}).
 */
public sealed interface LivenessMessage permits LivenessMessage.Hello, LivenessMessage.Heartbeat,
        LivenessMessage.Goodbye {

    /**
     * One step of the three-way handshake (see {@link LivenessAuth}): the client's opening
     * hello (its nonce, no proof), the server's answer (its nonce and proof), the client's
     * proof (its nonce again and its proof).
     *
     * @param vrid   the virtual router both ends serve
     * @param client the connecting node's VRRP address
     * @param server the address the client dialled (the server's VRRP address)
     * @param nonce  the sender's per-connection nonce ({@value LivenessAuth#NONCE_BYTES} bytes)
     * @param proof  empty, or the sender's HMAC-SHA256 proof ({@value LivenessAuth#PROOF_BYTES} bytes)
     */
    record Hello(int vrid, IpAddress client, IpAddress server, byte[] nonce, byte[] proof) implements LivenessMessage {
        public Hello {
            if (vrid < 1 || vrid > 255) {
                throw new IllegalArgumentException("hello: vrid " + vrid + " is outside 1-255");
            }
            if (client == null || server == null || client.family() != server.family()) {
                throw new IllegalArgumentException("hello: client " + client + " and server " + server
                        + " must be addresses of one family");
            }
            if (nonce == null || nonce.length != LivenessAuth.NONCE_BYTES) {
                throw new IllegalArgumentException("hello: nonce must have " + LivenessAuth.NONCE_BYTES + " bytes");
            }
            if (proof == null || proof.length != 0 && proof.length != LivenessAuth.PROOF_BYTES) {
                throw new IllegalArgumentException("hello: proof must be empty or " + LivenessAuth.PROOF_BYTES
                        + " bytes");
            }
            nonce = nonce.clone();
            proof = proof.clone();
        }

        @Override
        public byte[] nonce() {
            return nonce.clone();
        }

        @Override
        public byte[] proof() {
            return proof.clone();
        }

        public boolean hasProof() {
            return proof.length > 0;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Hello h && vrid == h.vrid && client.equals(h.client) && server.equals(h.server)
                    && Arrays.equals(nonce, h.nonce) && Arrays.equals(proof, h.proof);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(nonce);
        }

        @Override
        public String toString() {
            return "Hello[vrid " + vrid + ", " + client + " -> " + server + (hasProof() ? ", with proof" : "") + "]";
        }
    }

    /** Sent by each side every heartbeat interval; its only use is to find half-open connections. */
    record Heartbeat(long sequence) implements LivenessMessage {
        public Heartbeat {
            if (sequence < 0 || sequence > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("heartbeat sequence " + sequence + " is outside 0-2^32-1");
            }
        }
    }

    /** The sender is closing on purpose: the end of the connection that follows is no death. */
    record Goodbye() implements LivenessMessage {
    }
}
