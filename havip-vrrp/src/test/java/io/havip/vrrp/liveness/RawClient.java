package io.havip.vrrp.liveness;

import io.havip.core.net.IpAddress;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A liveness client speaking the protocol by hand, to send what a monitor never would (tests). */
final class RawClient implements AutoCloseable {
    final Socket socket;
    final InputStream in;
    final OutputStream out;
    final int vrid;
    byte[] nonce;
    LivenessMessage.Hello opening;

    RawClient(InetAddress host, int port, int vrid) throws IOException {
        this(host, port, vrid, null);
    }

    /** A client whose connection comes from {@code localAddress} (null: the kernel's choice). */
    RawClient(InetAddress host, int port, int vrid, InetAddress localAddress) throws IOException {
        this(host, port, vrid, localAddress, 0);
    }

    /**
     * A client with a receive buffer of {@code receiveBuffer} bytes (0: the kernel's), set before
     * the connect so that the window it advertises is that small from the start.
     */
    RawClient(InetAddress host, int port, int vrid, InetAddress localAddress, int receiveBuffer) throws IOException {
        this.vrid = vrid;
        socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        if (localAddress != null) {
            socket.bind(new java.net.InetSocketAddress(localAddress, 0));
        }
        socket.connect(new java.net.InetSocketAddress(host, port), 5_000);
        socket.setSoTimeout(5_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    void send(LivenessMessage m) throws IOException {
        out.write(LivenessCodec.encode(m));
        out.flush();
    }

    /** Sends the opening hello and returns the server's answer. */
    LivenessMessage.Hello hello(IpAddress client, IpAddress server, byte[] clientNonce) throws Exception {
        nonce = clientNonce;
        opening = new LivenessMessage.Hello(vrid, client, server, clientNonce, new byte[0]);
        send(opening);
        return (LivenessMessage.Hello) LivenessCodec.read(in);
    }

    /** Sends the client proof computed with {@code secret}; returns the hello sent. */
    LivenessMessage.Hello prove(String secret, LivenessMessage.Hello answer) throws IOException {
        byte[] proof = LivenessAuth.proof(secret.getBytes(StandardCharsets.UTF_8), LivenessAuth.Role.CLIENT, vrid,
                opening.client(), opening.server(), nonce, answer.nonce());
        LivenessMessage.Hello h = new LivenessMessage.Hello(vrid, opening.client(), opening.server(), nonce, proof);
        send(h);
        return h;
    }

    /**
     * Connects, sends {@code m} and says whether the server closed the connection instead of
     * answering, at any point: a listener that closes strangers at the accept resets the
     * connection, which may fail the connect or the send already.
     */
    static boolean refused(InetAddress host, int port, LivenessMessage m) {
        try (RawClient c = new RawClient(host, port, 0)) {
            c.send(m);
            return c.closedByPeer();
        } catch (java.net.SocketException e) {
            return e.getMessage() != null && e.getMessage().contains("reset");
        } catch (IOException e) {
            return false;
        }
    }

    /** True when the peer closes the connection (EOF or reset) rather than answering. */
    boolean closedByPeer() {
        try {
            return in.read() < 0;
        } catch (IOException e) {
            return e.getMessage() != null && e.getMessage().contains("reset");
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
