package io.havip.zookeeper;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay on loopback between one node's ZooKeeper client and the server, which a test can
 * {@link #cut()}: from then on nothing passes either way and new connections are closed at once,
 * as when a firewall drops the node's traffic to the ensemble (the server hears nothing and
 * expires the session after its timeout; the client hears nothing). {@link #mend()} lets
 * traffic pass again on new connections.
 */
final class ZkProxy implements AutoCloseable {

    private final ServerSocket listener;
    private final int target;
    private volatile boolean cut;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    ZkProxy(int targetPort) throws IOException {
        this.target = targetPort;
        this.listener = new ServerSocket();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread t = new Thread(this::accept, "zk-proxy-accept");
        t.setDaemon(true);
        t.start();
    }

    String connectString() {
        return "127.0.0.1:" + listener.getLocalPort();
    }

    void cut() {
        cut = true;
    }

    void mend() {
        cut = false;
        for (Socket s : sockets) {
            closeQuietly(s); // the old connections carried garbage-free but lost traffic: start afresh
        }
        sockets.clear();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket in = listener.accept();
                if (cut) {
                    in.close();
                    continue;
                }
                Socket out = new Socket(InetAddress.getLoopbackAddress(), target);
                sockets.add(in);
                sockets.add(out);
                pump(in, out);
                pump(out, in);
            } catch (IOException e) {
                // closed, or the server is down: the client retries
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            try (InputStream i = from.getInputStream(); OutputStream o = to.getOutputStream()) {
                int n;
                while ((n = i.read(buf)) >= 0) {
                    if (!cut) {
                        o.write(buf, 0, n);
                        o.flush();
                    }
                }
            } catch (IOException e) {
                // one side closed
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "zk-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        sockets.forEach(ZkProxy::closeQuietly);
    }
}
