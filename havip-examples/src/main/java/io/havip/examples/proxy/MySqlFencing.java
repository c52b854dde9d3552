package io.havip.examples.proxy;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Hands the VIP holder's fencing token to MySQL / MariaDB in every session the proxy opens: the
 * proxy relays the connection's handshake (greeting, login, any authentication switch) and, once
 * the server has accepted the login and before the client sees that, runs
 * {@code SET @havip_fencing_token = N} in the session itself, where N is the token of the lease
 * under which the proxy accepted the connection ({@link io.havip.core.StateChange#fencingToken()}).
 * The client never sees that exchange; everything after it is piped byte for byte.
 *
 * <h2>What the database does with it</h2>
 * The token only fences if every write checks it, atomically, against the highest token the
 * database has seen: a procedure called by a trigger on each protected table. A write under a
 * newer token raises the fence; a write under an older one (the session of a paused or
 * partitioned old master, or bytes it had buffered and forwards late) is refused:
 * <pre>
 * CREATE TABLE havip_fence (id TINYINT PRIMARY KEY, token BIGINT NOT NULL);
 * INSERT INTO havip_fence VALUES (1, -1);
 * CREATE PROCEDURE havip_fence_check()
 * BEGIN
 *   DECLARE seen BIGINT;
 *   SELECT token INTO seen FROM havip_fence WHERE id = 1 FOR UPDATE;
 *   IF @havip_fencing_token IS NULL OR @havip_fencing_token &lt; seen THEN
 *     SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'havip fence: a newer VIP holder has written; write refused';
 *   ELSEIF @havip_fencing_token &gt; seen THEN
 *     UPDATE havip_fence SET token = @havip_fencing_token WHERE id = 1;
 *   END IF;
 * END;
 * CREATE TRIGGER orders_fenced BEFORE INSERT ON orders FOR EACH ROW CALL havip_fence_check();
 * -- and BEFORE UPDATE / BEFORE DELETE, on every table the application writes
 * </pre>
 * The {@code FOR UPDATE} serialises the check with a concurrent raise; the fence row is part of
 * the write's transaction, so a refused write leaves nothing behind. A session that set no token
 * (a client connecting to the database directly) is refused by the check too: fence only tables
 * that are written through the proxy.
 *
 * <h2>Limits</h2>
 * The client must not ask for TLS or compression on the proxied connection (the proxy cannot
 * take part in either); such a connection is closed, never piped unfenced. Authentication
 * plugins that exchange several packets (authentication switch, caching_sha2_password's fast
 * and full paths without TLS) are relayed packet by packet.
 */
final class MySqlFencing {

    /** Client capability flags (protocol::CapabilityFlags) the proxy cannot relay. */
    private static final int CLIENT_COMPRESS = 0x20;
    private static final int CLIENT_SSL = 0x800;
    private static final int OK = 0x00;
    private static final int ERR = 0xFF;
    private static final int AUTH_SWITCH = 0xFE;
    private static final int AUTH_MORE_DATA = 0x01;
    private static final int FAST_AUTH_SUCCESS = 0x03;
    private static final int COM_QUERY = 0x03;
    /** How long the handshake may take before the connection is given up. */
    static final int HANDSHAKE_MILLIS = 10_000;

    private MySqlFencing() {
    }

    /** Why a connection was not fenced (and was closed). */
    static final class RefusedException extends IOException {
        RefusedException(String message) {
            super(message);
        }
    }

    /**
     * Relays the handshake between {@code client} and {@code server} and sets the session's
     * fencing token to {@code token} once the login succeeded. Returns normally when the
     * connection may be piped; throws when it must be closed (the reason in the message).
     * A login the server refused is relayed to the client and reported as refused as well.
     */
    static void handshake(Socket client, Socket server, long token) throws IOException {
        int clientTimeout = client.getSoTimeout();
        int serverTimeout = server.getSoTimeout();
        client.setSoTimeout(HANDSHAKE_MILLIS);
        server.setSoTimeout(HANDSHAKE_MILLIS);
        InputStream fromClient = client.getInputStream();
        OutputStream toClient = client.getOutputStream();
        InputStream fromServer = server.getInputStream();
        OutputStream toServer = server.getOutputStream();

        byte[] greeting = read(fromServer, "the server's greeting");
        write(toClient, greeting);
        if (payloadByte(greeting, 0) == ERR) {
            throw new RefusedException("the server refused the connection in its greeting: " + errorMessage(greeting));
        }
        byte[] login = read(fromClient, "the client's login");
        int capabilities = payloadLength(login) >= 4 ? (payloadByte(login, 0) | payloadByte(login, 1) << 8
                | payloadByte(login, 2) << 16 | payloadByte(login, 3) << 24) : 0;
        if ((capabilities & CLIENT_SSL) != 0) {
            throw new RefusedException("the client asked for TLS, which a fencing proxy cannot relay; connect with "
                    + "TLS off (e.g. sslMode=disable) to the proxy, or turn fencing off");
        }
        if ((capabilities & CLIENT_COMPRESS) != 0) {
            throw new RefusedException("the client asked for protocol compression, which a fencing proxy cannot relay; "
                    + "connect without compression");
        }
        write(toServer, login);
        while (true) {
            byte[] answer = read(fromServer, "the server's answer to the login");
            int kind = payloadByte(answer, 0);
            if (kind == OK) {
                setToken(fromServer, toServer, token);
                write(toClient, answer); // the client learns of the login only once its session is fenced
                client.setSoTimeout(clientTimeout);
                server.setSoTimeout(serverTimeout);
                return;
            }
            write(toClient, answer);
            if (kind == ERR) {
                throw new RefusedException("the server refused the login: " + errorMessage(answer));
            }
            boolean serverGoesOn = kind == AUTH_MORE_DATA && payloadLength(answer) >= 2
                    && payloadByte(answer, 1) == FAST_AUTH_SUCCESS; // an OK follows at once
            if (!serverGoesOn && (kind == AUTH_SWITCH || kind == AUTH_MORE_DATA)) {
                write(toServer, read(fromClient, "the client's authentication data"));
            } else if (!serverGoesOn) {
                throw new RefusedException(String.format("unexpected packet 0x%02x from the server during the login", kind));
            }
        }
    }

    /** Runs {@code SET @havip_fencing_token = token} as a fresh command (sequence 0) and reads its OK. */
    private static void setToken(InputStream fromServer, OutputStream toServer, long token) throws IOException {
        byte[] sql = ("SET @havip_fencing_token = " + token).getBytes(StandardCharsets.US_ASCII);
        byte[] packet = new byte[4 + 1 + sql.length];
        int length = 1 + sql.length;
        packet[0] = (byte) length;
        packet[1] = (byte) (length >>> 8);
        packet[2] = (byte) (length >>> 16);
        packet[3] = 0;
        packet[4] = COM_QUERY;
        System.arraycopy(sql, 0, packet, 5, sql.length);
        write(toServer, packet);
        byte[] answer = read(fromServer, "the server's answer to SET @havip_fencing_token");
        if (payloadByte(answer, 0) != OK) {
            throw new RefusedException("the server refused SET @havip_fencing_token = " + token + ": " + errorMessage(answer));
        }
    }

    /** One whole packet (4-byte header and payload). */
    private static byte[] read(InputStream in, String what) throws IOException {
        byte[] header = in.readNBytes(4);
        if (header.length < 4) {
            throw new EOFException("the connection ended before " + what);
        }
        int length = (header[0] & 0xFF) | (header[1] & 0xFF) << 8 | (header[2] & 0xFF) << 16;
        byte[] packet = new byte[4 + length];
        System.arraycopy(header, 0, packet, 0, 4);
        if (in.readNBytes(packet, 4, length) < length) {
            throw new EOFException("the connection ended in the middle of " + what);
        }
        return packet;
    }

    private static void write(OutputStream out, byte[] packet) throws IOException {
        out.write(packet);
        out.flush();
    }

    private static int payloadLength(byte[] packet) {
        return packet.length - 4;
    }

    private static int payloadByte(byte[] packet, int index) {
        return index < payloadLength(packet) ? packet[4 + index] & 0xFF : -1;
    }

    /** The message of an ERR packet (after the code and the SQL state marker), or a hex dump. */
    private static String errorMessage(byte[] packet) {
        if (payloadByte(packet, 0) != ERR || payloadLength(packet) < 3) {
            return String.format("packet 0x%02x of %d bytes", payloadByte(packet, 0), payloadLength(packet));
        }
        int from = 4 + 3;
        if (payloadLength(packet) >= 9 && packet[from] == '#') {
            from += 6;
        }
        return new String(packet, from, packet.length - from, StandardCharsets.UTF_8);
    }
}
