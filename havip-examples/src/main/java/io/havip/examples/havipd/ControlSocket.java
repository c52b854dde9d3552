package io.havip.examples.havipd;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * havipd's run directory ({@code /run/havipd} by default): a unix socket that answers every
 * connection with the state report and closes ({@code havipd --status} reads it), and the file
 * the SIGUSR1 dump writes ({@code havipd.json}, replaced atomically, so a reader never sees half
 * of one).
 *
 * <p>The socket is mode 0660 in a directory havipd creates mode 0755: only the daemon's user
 * and group may ask. The report holds no secret. A client that connects and reads nothing is
 * given one second, then dropped; the daemon is never held up by a reader (one thread, which
 * only writes a few kilobytes).
 */
final class ControlSocket implements AutoCloseable {

    static final String SOCKET = "havipd.sock";
    static final String DUMP = "havipd.json";
    /** How long one reader may take to receive the report. */
    private static final long WRITE_BUDGET_MS = 1000;
    /** How long {@code --status} waits for the whole report. */
    private static final long READ_BUDGET_MS = 5000;

    private static final Logger log = LoggerFactory.getLogger(ControlSocket.class);

    private final Path dir;
    private final Supplier<String> report;
    private final ServerSocketChannel server;
    private final Thread thread;
    private volatile boolean closed;

    private ControlSocket(Path dir, Supplier<String> report, ServerSocketChannel server) {
        this.dir = dir;
        this.report = report;
        this.server = server;
        this.thread = new Thread(this::serve, "havipd-control");
        this.thread.setDaemon(true);
    }

    /**
     * Binds {@code dir/havipd.sock} (creating {@code dir}) and starts answering.
     *
     * @throws IOException with a message naming the path and what to do, e.g. when another
     *                     havipd answers on it
     */
    static ControlSocket open(Path dir, Supplier<String> report) throws IOException {
        if (!Files.isDirectory(dir)) {
            try {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
            } catch (IOException e) {
                throw new IOException("cannot create the run directory " + dir + " (" + e.getMessage() + "); give a"
                        + " writable one with --run-dir", e);
            }
        }
        Path socket = dir.resolve(SOCKET);
        if (Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            if (Files.isSymbolicLink(socket) || !isSocket(socket)) {
                throw new IOException(socket + " exists and is not a socket; remove it or give another --run-dir");
            }
            try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                throw new IOException("another havipd answers on " + socket + "; give this one another --run-dir");
            } catch (IOException e) {
                if (e.getMessage() != null && e.getMessage().startsWith("another havipd")) {
                    throw e;
                }
                Files.delete(socket); // left by a daemon that did not exit cleanly
            }
        }
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(socket));
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw----"));
        } catch (IOException e) {
            server.close();
            throw new IOException("cannot listen on " + socket + " (" + e.getMessage() + "); give a writable --run-dir", e);
        }
        ControlSocket c = new ControlSocket(dir, report, server);
        c.thread.start();
        return c;
    }

    private static boolean isSocket(Path p) throws IOException {
        Object mode = Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        return mode instanceof Integer m && (m & 0170000) == 0140000;
    }

    Path dir() {
        return dir;
    }

    private void serve() {
        while (!closed) {
            try (SocketChannel client = server.accept()) {
                answer(client, report.get());
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException | RuntimeException e) {
                if (!closed) {
                    log.warn("status request failed: {}", e.toString());
                }
            }
        }
    }

    /** Writes {@code text} to {@code client} within {@link #WRITE_BUDGET_MS}, else drops the client. */
    private static void answer(SocketChannel client, String text) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        client.configureBlocking(false);
        long end = System.nanoTime() + WRITE_BUDGET_MS * 1_000_000;
        try (Selector selector = Selector.open()) {
            client.register(selector, SelectionKey.OP_WRITE);
            while (buf.hasRemaining()) {
                long left = (end - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    log.warn("a status reader took more than {} ms to read the report; dropped it", WRITE_BUDGET_MS);
                    return;
                }
                if (selector.select(left) > 0) {
                    selector.selectedKeys().clear();
                    client.write(buf);
                }
            }
        }
    }

    /** Writes the report to {@code dir/havipd.json}: a new file moved over the old one. */
    Path dump(String text) throws IOException {
        Path target = dir.resolve(DUMP);
        Path tmp = Files.createTempFile(dir, ".havipd-", ".json");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return target;
    }

    /**
     * {@code havipd --status}: the report of the havipd whose run directory is {@code dir}.
     *
     * @throws IOException naming the socket and what to do when no havipd answers
     */
    static String read(Path dir) throws IOException {
        Path socket = dir.resolve(SOCKET);
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            byte[] report = readAll(c, socket);
            if (report.length == 0) {
                // it accepted, then closed without a word: it is stopping or was killed meanwhile
                throw new IOException("the havipd on " + socket + " closed the connection without a report (stopping,"
                        + " or killed?); try again");
            }
            return new String(report, StandardCharsets.UTF_8);
        } catch (java.net.SocketException | java.nio.file.NoSuchFileException e) {
            throw new IOException("no havipd answers on " + socket + " (" + e.getMessage() + "); is havipd running, and"
                    + " with this --run-dir?", e);
        }
    }

    /** Everything until the daemon closes, within {@link #READ_BUDGET_MS}. */
    private static byte[] readAll(SocketChannel c, Path socket) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(8192);
        c.configureBlocking(false);
        long end = System.nanoTime() + READ_BUDGET_MS * 1_000_000;
        try (Selector selector = Selector.open()) {
            c.register(selector, SelectionKey.OP_READ);
            while (true) {
                long left = (end - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    throw new IOException("the havipd on " + socket + " did not finish its report within " + READ_BUDGET_MS
                            + " ms; try again, or send it SIGUSR1 and read " + DUMP);
                }
                selector.select(left);
                selector.selectedKeys().clear();
                int n = c.read(buf);
                if (n < 0) {
                    return out.toByteArray();
                }
                buf.flip();
                out.write(buf.array(), 0, buf.limit());
                buf.clear();
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            log.debug("closing the control socket: {}", e.toString());
        }
        try {
            Files.deleteIfExists(dir.resolve(SOCKET));
        } catch (IOException e) {
            log.debug("removing the control socket: {}", e.toString());
        }
    }
}
