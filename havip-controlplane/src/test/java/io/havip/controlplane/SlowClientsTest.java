package io.havip.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Slowloris on the API: more clients than the server has request threads announce a body and
 * then send it a byte at a time, far slower than any real client. The server closes them after
 * {@link ControlPlaneServer#MAX_REQUEST_SECONDS} and serves an ordinary client; without the
 * limit the ordinary request waited for ever behind them.
 */
class SlowClientsTest {

    @Test
    void clientsThatNeverFinishTheirBodyDoNotStarveTheOthers() throws Exception {
        try (ControlPlaneServer server = ControlPlaneServer.start(ControlPlaneServer.Options.defaults()
                .withListen(new InetSocketAddress("127.0.0.1", 0)).withJdbcUrl(Databases.h2Memory("slow")))) {
            int port = server.address().getPort();
            List<Socket> slow = new ArrayList<>();
            try {
                for (int i = 0; i < ControlPlaneServer.DEFAULT_THREADS + 2; i++) {
                    Socket s = new Socket("127.0.0.1", port);
                    OutputStream out = s.getOutputStream();
                    out.write(("POST /DescribeHaVips HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n\r\n{")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    slow.add(s);
                }
                Thread.sleep(500); // every request thread is now waiting for a body
                long start = System.nanoTime();
                HttpRequest ordinary = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/DescribeHaVips"))
                        .timeout(Duration.ofSeconds(90)).POST(HttpRequest.BodyPublishers.ofString("{}")).build();
                HttpResponse<String> r;
                int resets = 0;
                try {
                    r = HttpClient.newHttpClient().send(ordinary, HttpResponse.BodyHandlers.ofString());
                } catch (java.io.IOException e) {
                    // The JDK server counts a request's time from its accept: one queued behind the
                    // slow clients for the whole limit can be cut with them (seen once in CI). A
                    // client's retry is then served by the threads the limit freed.
                    resets++;
                    r = HttpClient.newHttpClient().send(ordinary, HttpResponse.BodyHandlers.ofString());
                }
                long waited = (System.nanoTime() - start) / 1_000_000;
                System.out.printf("SlowClientsTest: an ordinary request behind %d slow clients answered after %d ms"
                        + " (%d reset)%n", slow.size(), waited, resets);
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(waited).isLessThan((ControlPlaneServer.MAX_REQUEST_SECONDS + 15) * 1000L);
            } finally {
                for (Socket s : slow) {
                    s.close();
                }
            }
        }
    }
}
