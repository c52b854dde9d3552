package io.havip.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An attacker's and a careless client's bodies, through a real HTTP client, on the embedded
 * database and on a real PostgreSQL that the test starts: text the database cannot store
 * (a NUL, a lone surrogate, more characters than its column) or that misleads a reader (a
 * right-to-left override, a zero-width space in a name or id), nesting and numbers past the
 * parser's limits, duplicate keys inside a filter. Each is a 400 naming the parameter, counted,
 * never a 500 with the database's wording; the server serves on.
 */
class HostileRequestsTest {

    private static final AtomicInteger N = new AtomicInteger();
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private URI base;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"h2", "postgresql"})
    void hostileTextAndStructureAre400sNamingTheParameter(String database) throws Exception {
        String url = database.equals("h2") ? Databases.h2Memory("hostile" + N.incrementAndGet())
                : PostgresServer.get().newDatabase();
        try (ControlPlaneServer server = ControlPlaneServer.start(ControlPlaneServer.Options.defaults()
                .withListen(new InetSocketAddress("127.0.0.1", 0)).withJdbcUrl(url))) {
            base = URI.create("http://127.0.0.1:" + server.address().getPort() + "/");
            ok("CreateVpc", "{\"VpcId\": \"vpc-a\", \"CidrBlock\": \"198.51.0.0/16\"}");
            ok("CreateSubnet", "{\"SubnetId\": \"subnet-a\", \"VpcId\": \"vpc-a\", \"CidrBlock\": \"198.51.100.0/24\"}");
            String create = "{\"VpcId\": \"vpc-a\", \"SubnetId\": \"subnet-a\", \"HaVipName\": ";

            assertThat(refused("CreateHaVip", create + "\"a\\u0000b\"}", "InvalidParameterValue"))
                    .isEqualTo("CreateHaVip: HaVipName holds U+0000 (a control character) at position 2; send plain text");
            assertThat(refused("DescribeHaVips", "{\"HaVipIds\": [\"havip-\\u0000\"]}", "InvalidParameterValue"))
                    .startsWith("DescribeHaVips: HaVipIds holds U+0000");
            assertThat(refused("DescribeHaVips", "{\"Filters\": [{\"Name\": \"vpc-id\", \"Values\": [\"x\\u0000\"]}]}",
                    "InvalidParameterValue")).startsWith("DescribeHaVips Filters: Values holds U+0000");
            assertThat(refused("RegisterInstance", "{\"InstanceId\": \"i\\u0001\", \"VpcId\": \"vpc-a\", \"SubnetId\": "
                    + "\"subnet-a\", \"MacAddresses\": [\"02:00:00:00:00:01\"]}", "InvalidParameterValue"))
                    .startsWith("RegisterInstance: InstanceId holds U+0001");
            assertThat(refused("CreateHaVip", create + "\"web\\u202Egnp.exe\"}", "InvalidParameterValue"))
                    .isEqualTo("CreateHaVip: HaVipName holds U+202E (right-to-left override) at position 4; send plain text");
            assertThat(refused("CreateHaVip", create + "\"w\\u200Beb\"}", "InvalidParameterValue"))
                    .startsWith("CreateHaVip: HaVipName holds U+200B (zero width space) at position 2");
            assertThat(refused("CreateHaVip", create + "\"\\ud800\"}", "InvalidParameterValue"))
                    .startsWith("CreateHaVip: HaVipName holds U+D800 (half of a surrogate pair) at position 1");
            assertThat(refused("CreateHaVip", create + "\"" + "n".repeat(256) + "\"}", "InvalidParameterValue.TooLong"))
                    .isEqualTo("CreateHaVip: HaVipName is 256 characters long; at most 255");
            assertThat(refused("CreateHaVip", create + "\"x\", \"Remark\": \"" + "r".repeat(1025) + "\"}",
                    "InvalidParameterValue.TooLong")).isEqualTo("CreateHaVip: Remark is 1025 characters long; at most 1024");
            assertThat(refused("CreateVpc", "{\"VpcId\": \"" + "v".repeat(65) + "\", \"CidrBlock\": \"203.0.113.0/24\"}",
                    "InvalidParameterValue.TooLong")).isEqualTo("CreateVpc: VpcId is 65 characters long; at most 64");
            refused("DescribeHaVips", "{\"Filters\": " + "[".repeat(1500) + "]".repeat(1500) + "}",
                    "InvalidParameter.MalformedJson");
            refused("DescribeHaVips", "{\"Filters\": [{\"Name\": \"vpc-id\", \"Name\": \"subnet-id\", \"Values\": [\"x\"]}]}",
                    "InvalidParameter.MalformedJson");
            refused("DescribeHaVips", "{\"Limit\": " + "9".repeat(5000) + "}", "InvalidParameter.MalformedJson");
            assertThat(server.api().rejectedRequests()).containsEntry("InvalidParameterValue", 7L)
                    .containsEntry("InvalidParameterValue.TooLong", 3L).containsEntry("InvalidParameter.MalformedJson", 3L)
                    .doesNotContainKey("InternalError.Database");

            // what is plain text still goes through: a name with spaces, accents and an emoji, an id of 64 characters
            JsonNode h = ok("CreateHaVip", create + "\"café web 🚀\", \"Remark\": \"👩\u200D💻 " + "r".repeat(1000) + "\"}")
                    .get("HaVip");
            assertThat(h.get("HaVipName").asText()).isEqualTo("café web 🚀");
            ok("CreateVpc", "{\"VpcId\": \"" + "v".repeat(64) + "\", \"CidrBlock\": \"203.0.113.0/24\"}");
            assertThat(ok("DescribeHaVips", "{\"Filters\": [{\"Name\": \"havip-name\", \"Values\": [\"café\"]}]}")
                    .get("TotalCount").asInt()).isEqualTo(1);
        }
    }

    private HttpResponse<String> post(String action, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve("/" + action)).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private JsonNode ok(String action, String body) throws Exception {
        HttpResponse<String> r = post(action, body);
        assertThat(r.statusCode()).as("%s answered %s", action, r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).get("Response");
    }

    /** The message of a 400 refusal with {@code code}; it names no exception and none of the database's words. */
    private String refused(String action, String body, String code) throws Exception {
        HttpResponse<String> r = post(action, body);
        JsonNode error = JSON.readTree(r.body()).get("Response").get("Error");
        assertThat(error).as("%s answered %s", action, r.body()).isNotNull();
        assertThat(error.get("Code").asText()).as(r.body()).isEqualTo(code);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(error.get("Message").asText()).doesNotContain("Exception").doesNotContain("SQL")
                .doesNotContain("portal").doesNotContain("varying");
        return error.get("Message").asText();
    }
}
