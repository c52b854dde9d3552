package io.havip.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.havip.core.cloud.HavipLimits;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every action and every refusal through a real HTTP client against a real server (embedded H2). */
class HavipApiTest {

    private static final AtomicInteger N = new AtomicInteger();
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private ControlPlaneServer server;
    private URI base;

    @BeforeEach
    void start() throws Exception {
        server = ControlPlaneServer.start(ControlPlaneServer.Options.defaults()
                .withListen(new InetSocketAddress("127.0.0.1", 0))
                .withJdbcUrl(Databases.h2Memory("api" + N.incrementAndGet()))
                .withLimits(new HavipLimits(2, 5)));
        base = URI.create("http://127.0.0.1:" + server.address().getPort() + "/");
        ok("CreateVpc", "{\"VpcId\": \"vpc-a\", \"CidrBlock\": \"198.51.0.0/16\"}");
        ok("CreateSubnet", "{\"SubnetId\": \"subnet-a\", \"VpcId\": \"vpc-a\", \"CidrBlock\": \"198.51.100.0/24\","
                + " \"Ipv6CidrBlock\": \"2001:db8:64::/64\"}");
        ok("CreateSubnet", "{\"SubnetId\": \"subnet-b\", \"VpcId\": \"vpc-a\", \"CidrBlock\": \"198.51.101.0/24\"}");
        for (int i = 1; i <= 3; i++) {
            ok("RegisterInstance", "{\"InstanceId\": \"ins-" + i + "\", \"VpcId\": \"vpc-a\", \"SubnetId\": \"subnet-a\","
                    + " \"MacAddresses\": [\"02:00:00:00:00:0" + i + "\"]}");
        }
        ok("RegisterInstance", "{\"InstanceId\": \"ins-b\", \"VpcId\": \"vpc-a\", \"SubnetId\": \"subnet-b\","
                + " \"MacAddresses\": [\"02:00:00:00:00:0b\"]}");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> post(String path, String action, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (action != null) {
            b.header("X-TC-Action", action);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** The Response object of a successful {@code action}, posted to / with the X-TC-Action header. */
    private JsonNode ok(String action, String body) throws Exception {
        HttpResponse<String> r = post("/", action, body);
        JsonNode response = JSON.readTree(r.body()).get("Response");
        assertThat(response.has("Error")).as("%s %s answered %s", action, body, r.body()).isFalse();
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(response.get("RequestId").asText()).hasSize(36);
        return response;
    }

    /** Posts {@code action} to /{@code action} and expects a refusal with {@code status} and {@code code}; its message. */
    private String refused(String action, String body, int status, String code) throws Exception {
        HttpResponse<String> r = post("/" + action, null, body);
        JsonNode error = JSON.readTree(r.body()).get("Response").get("Error");
        assertThat(error).as("%s %s answered %s", action, body, r.body()).isNotNull();
        assertThat(error.get("Code").asText()).as(r.body()).isEqualTo(code);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(error.get("Message").asText()).doesNotContain("Exception");
        return error.get("Message").asText();
    }

    private String reason(String action, String body) throws Exception {
        return JSON.readTree(post("/" + action, null, body).body()).get("Response").get("Error").get("Reason").asText();
    }

    private String create(String name) throws Exception {
        return ok("CreateHaVip", "{\"VpcId\": \"vpc-a\", \"SubnetId\": \"subnet-a\", \"HaVipName\": \"" + name + "\"}")
                .get("HaVip").get("HaVipId").asText();
    }

    @Test
    void createBindAnnounceDescribe() throws Exception {
        JsonNode created = ok("CreateHaVip", "{\"VpcId\": \"vpc-a\", \"SubnetId\": \"subnet-a\", \"HaVipName\": \"web\","
                + " \"Remark\": \"nginx pair\"}").get("HaVip");
        String id = created.get("HaVipId").asText();
        assertThat(created.get("Vip").asText()).isEqualTo("198.51.100.2");
        assertThat(created.get("State").asText()).isEqualTo("AVAILABLE");
        ok("AssociateHaVipInstance", "{\"HaVipAssociationSet\": [{\"HaVipId\": \"" + id + "\", \"InstanceId\": \"ins-1\"},"
                + " {\"HaVipId\": \"" + id + "\", \"InstanceId\": \"ins-2\", \"InstanceType\": \"CVM\"}]}");
        JsonNode report = ok("ReportArpAnnouncements", "{\"Announcements\": [{\"Ip\": \"198.51.100.2\", \"Mac\": "
                + "\"02:00:00:00:00:02\", \"SubnetId\": \"subnet-a\", \"Time\": \"2026-12-07T14:00:00.5Z\"},"
                + " {\"Ip\": \"198.51.100.2\", \"Mac\": \"02:00:00:00:00:02\", \"SubnetId\": \"subnet-a\", \"Time\": "
                + "\"2026-12-07T14:00:00.5Z\"}, {\"Ip\": \"198.51.100.2\", \"Mac\": \"02:00:00:00:00:03\", \"SubnetId\": "
                + "\"subnet-a\"}]}").get("ResultSet");
        assertThat(report.get(0).get("Outcome").asText()).isEqualTo("Accepted");
        assertThat(report.get(0).get("HolderChanged").asBoolean()).isTrue();
        assertThat(report.get(1).get("HolderChanged").asBoolean()).as("the same report twice").isFalse();
        assertThat(report.get(2).get("Reason").asText()).isEqualTo("INSTANCE_NOT_BOUND");
        assertThat(report.get(2).get("Detail").asText()).isEqualTo(
                "ins-3 announced 198.51.100.2 but is not bound to " + id + " (bound: [ins-1, ins-2]); bind it first");
        ok("HaVipAssociateAddressIp", "{\"HaVipId\": \"" + id + "\", \"AddressIp\": \"203.0.113.7\"}");

        JsonNode described = ok("DescribeHaVips", "{\"HaVipIds\": [\"" + id + "\"]}");
        assertThat(described.get("TotalCount").asInt()).isEqualTo(1);
        JsonNode h = described.get("HaVipSet").get(0);
        assertThat(h.get("InstanceId").asText()).isEqualTo("ins-2");
        assertThat(h.get("HolderSince").asText()).isEqualTo("2026-12-07T14:00:00.500Z");
        assertThat(h.get("AddressIp").asText()).isEqualTo("203.0.113.7");
        assertThat(h.get("Remark").asText()).isEqualTo("nginx pair");
        assertThat(h.get("HaVipAssociationSet")).hasSize(2);
        assertThat(h.get("HaVipAssociationSet").get(0).get("InstanceId").asText()).isEqualTo("ins-1");
    }

    @Test
    void describeFiltersAndPages() throws Exception {
        for (int i = 0; i < 5; i++) {
            create(i % 2 == 0 ? "Web-" + i : "db-" + i);
        }
        String v6 = ok("CreateHaVip", "{\"VpcId\": \"vpc-a\", \"SubnetId\": \"subnet-a\", \"HaVipName\": \"six\", \"Type\": "
                + "\"extranet_ipv6\", \"Vip\": \"2001:db8:64::99\"}").get("HaVip").get("HaVipId").asText();
        JsonNode page = ok("DescribeHaVips", "{\"Offset\": 1, \"Limit\": 2}");
        assertThat(page.get("TotalCount").asInt()).isEqualTo(6);
        assertThat(page.get("HaVipSet")).hasSize(2);
        assertThat(ok("DescribeHaVips", "{\"Filters\": [{\"Name\": \"havip-name\", \"Values\": [\"web\"]}]}")
                .get("TotalCount").asInt()).isEqualTo(3);
        assertThat(ok("DescribeHaVips", "{\"Filters\": [{\"Name\": \"vip\", \"Values\": [\"2001:db8:64::99\"]},"
                + " {\"Name\": \"vpc-id\", \"Values\": [\"vpc-a\"]}, {\"Name\": \"subnet-id\", \"Values\": [\"subnet-a\"]},"
                + " {\"Name\": \"state\", \"Values\": [\"AVAILABLE\"]}]}").get("HaVipSet").get(0).get("HaVipId").asText())
                .isEqualTo(v6);
        assertThat(ok("DescribeHaVips", "{\"Filters\": [{\"Name\": \"havip-association.instance-id\", \"Values\": [\"ins-1\"]}]}")
                .get("TotalCount").asInt()).isZero();
        assertThat(ok("DescribeHaVips", "{\"Filters\": [{\"Name\": \"address-ip\", \"Values\": [\"203.0.113.1\"]}]}")
                .get("TotalCount").asInt()).isZero();
        refused("DescribeHaVips", "{\"Limit\": 101}", 400, "InvalidParameterValue");
        refused("DescribeHaVips", "{\"Offset\": -1}", 400, "InvalidParameterValue");
        refused("DescribeHaVips", "{\"Limit\": \"20\"}", 400, "InvalidParameter");
        refused("DescribeHaVips", "{\"Limit\": 2.5}", 400, "InvalidParameter");
        assertThat(refused("DescribeHaVips", "{\"Filters\": [{\"Name\": \"colour\", \"Values\": [\"red\"]}]}", 400,
                "InvalidParameterValue.Filter")).startsWith("unknown filter \"colour\"");
        refused("DescribeHaVips", "{\"Filters\": [{\"Name\": \"vip\", \"Values\": [\"not-an-ip\"]}]}", 400,
                "InvalidParameterValue");
        refused("DescribeHaVips", "{\"Filters\": [{\"Name\": \"state\", \"Values\": [\"GONE\"]}]}", 400, "InvalidParameterValue");
    }

    @Test
    void everyRefusalOfTheServiceHasItsCodeAndTheLibrarysMessage() throws Exception {
        String a = create("a");
        assertThat(refused("CreateHaVip", "{\"VpcId\": \"vpc-a\", \"SubnetId\": \"subnet-a\", \"HaVipName\": \"x\", "
                + "\"Vip\": \"198.51.100.2\"}", 409, "ResourceInUse.Vip")).isEqualTo("cannot apply for HAVIP \"x\": 198.51.100.2 is "
                        + "in use by " + a + "; release it first or choose another address");
        assertThat(refused("CreateHaVip", "{\"VpcId\": \"vpc-a\", \"SubnetId\": \"subnet-a\", \"HaVipName\": \"x\", "
                + "\"Vip\": \"198.51.100.1\"}", 400, "InvalidParameterValue.ReservedVip")).isEqualTo("cannot apply for HAVIP \"x\": "
                        + "198.51.100.1 is the gateway address reserved by tencent; choose another address in 198.51.100.0/24");
        refused("CreateHaVip", "{\"VpcId\": \"vpc-a\", \"SubnetId\": \"subnet-a\", \"HaVipName\": \"x\", \"Vip\": \"198.51.7.9\"}",
                400, "InvalidParameterValue.VipNotInSubnet");
        assertThat(refused("CreateHaVip", "{\"VpcId\": \"vpc-z\", \"SubnetId\": \"subnet-a\", \"HaVipName\": \"x\"}", 404,
                "ResourceNotFound")).isEqualTo("cannot apply for HAVIP \"x\": VPC vpc-z does not exist");
        assertThat(reason("CreateHaVip", "{\"VpcId\": \"vpc-z\", \"SubnetId\": \"subnet-a\", \"HaVipName\": \"x\"}"))
                .isEqualTo("NOT_FOUND");
        refused("CreateHaVip", "{\"VpcId\": \"vpc-a\", \"SubnetId\": \"subnet-b\", \"HaVipName\": \"x\", \"Type\": "
                + "\"EXTRANET_IPV6\"}", 400, "InvalidParameterValue");
        refused("CreateHaVip", "{\"VpcId\": \"vpc-a\", \"SubnetId\": \"subnet-a\"}", 400, "MissingParameter");
        refused("CreateHaVip", "{\"VpcId\": \"vpc-a\", \"SubnetId\": \"subnet-a\", \"HaVipName\": \"x\", \"Colour\": 1}", 400,
                "UnknownParameter");

        assertThat(refused("AssociateHaVipInstance", "{\"HaVipAssociationSet\": [{\"HaVipId\": \"" + a
                + "\", \"InstanceId\": \"ins-b\"}]}", 400, "InvalidParameterValue.WrongNetwork")).contains("ins-b is in subnet subnet-b");
        ok("AssociateHaVipInstance", "{\"HaVipAssociationSet\": [{\"HaVipId\": \"" + a + "\", \"InstanceId\": \"ins-1\"}]}");
        assertThat(refused("AssociateHaVipInstance", "{\"HaVipAssociationSet\": [{\"HaVipId\": \"" + a
                + "\", \"InstanceId\": \"ins-2\"}, {\"HaVipId\": \"" + a + "\", \"InstanceId\": \"ins-3\"}]}", 409,
                "LimitExceeded.InstancesPerHaVip")).isEqualTo("cannot bind ins-3 to " + a + ": " + a + " already has 2 bound "
                        + "instances [ins-1, ins-2], the limit per HAVIP (maxInstancesPerHavip = 2); unbind one first "
                        + "(done before this item: ins-2@" + a + ")");
        refused("AssociateHaVipInstance", "{\"HaVipAssociationSet\": [{\"HaVipId\": \"" + a
                + "\", \"InstanceId\": \"ins-1\", \"InstanceType\": \"ENI\"}]}", 400, "InvalidParameterValue");
        refused("AssociateHaVipInstance", "{\"HaVipAssociationSet\": []}", 400, "MissingParameter");
        refused("DisassociateHaVipInstance", "{\"HaVipAssociationSet\": [{\"HaVipId\": \"" + a
                + "\", \"InstanceId\": \"ins-3\"}]}", 409, "UnsupportedOperation.NotBound");
        ok("DisassociateHaVipInstance", "{\"HaVipAssociationSet\": [{\"HaVipId\": \"" + a + "\", \"InstanceId\": \"ins-2\"}]}");

        String b = create("b");
        ok("HaVipAssociateAddressIp", "{\"HaVipId\": \"" + a + "\", \"AddressIp\": \"203.0.113.7\"}");
        assertThat(refused("HaVipAssociateAddressIp", "{\"HaVipId\": \"" + b + "\", \"AddressIp\": \"203.0.113.7\"}", 409,
                "ResourceInUse.AddressIp")).isEqualTo("cannot associate EIP 203.0.113.7 with " + b + ": it is associated with " + a
                        + "; disassociate it there first");
        refused("HaVipDisassociateAddressIp", "{\"HaVipId\": \"" + b + "\"}", 409, "ResourceInUse.AddressIp");
        ok("HaVipDisassociateAddressIp", "{\"HaVipId\": \"" + a + "\"}");

        JsonNode modified = ok("ModifyHaVipAttribute", "{\"HaVipId\": \"" + b + "\", \"HaVipName\": \"renamed\", \"State\": "
                + "\"FAILED\"}").get("HaVip");
        assertThat(modified.get("HaVipName").asText()).isEqualTo("renamed");
        assertThat(modified.get("State").asText()).isEqualTo("FAILED");
        assertThat(refused("AssociateHaVipInstance", "{\"HaVipAssociationSet\": [{\"HaVipId\": \"" + b
                + "\", \"InstanceId\": \"ins-3\"}]}", 409, "UnsupportedOperation.InvalidState"))
                .isEqualTo("cannot bind ins-3 to " + b + ": " + b + " is FAILED; only an AVAILABLE HAVIP takes new instances");
        refused("ModifyHaVipAttribute", "{\"HaVipId\": \"" + b + "\", \"HaVipName\": \" \"}", 400, "InvalidParameterValue");
        refused("ModifyHaVipAttribute", "{\"HaVipId\": \"havip-none\"}", 404, "ResourceNotFound");

        JsonNode deleted = ok("DeleteHaVip", "{\"HaVipIds\": [\"" + a + "\", \"havip-none\", \"" + b + "\"]}")
                .get("DeleteResultSet");
        assertThat(deleted.get(0).get("Deleted").asBoolean()).isTrue();
        assertThat(deleted.get(1).get("Error").get("Code").asText()).isEqualTo("ResourceNotFound");
        assertThat(deleted.get(1).get("Error").get("Message").asText()).isEqualTo("HAVIP havip-none does not exist");
        assertThat(deleted.get(2).get("Deleted").asBoolean()).isTrue();
        refused("DeleteHaVip", "{\"HaVipId\": \"" + a + "\"}", 404, "ResourceNotFound");
        refused("DeleteHaVip", "{}", 400, "MissingParameter");
        assertThat(ok("DescribeHaVips", "{}").get("TotalCount").asInt()).isZero();
    }

    @Test
    void theSubnetRunsOutWithACodeNamingIt() throws Exception {
        ok("CreateSubnet", "{\"SubnetId\": \"subnet-s\", \"VpcId\": \"vpc-a\", \"CidrBlock\": \"198.51.102.0/30\"}");
        ok("CreateHaVip", "{\"VpcId\": \"vpc-a\", \"SubnetId\": \"subnet-s\", \"HaVipName\": \"one\"}");
        assertThat(refused("CreateHaVip", "{\"VpcId\": \"vpc-a\", \"SubnetId\": \"subnet-s\", \"HaVipName\": \"two\"}", 409,
                "ResourceInsufficient.SubnetExhausted")).contains("subnet 198.51.102.0/30 is exhausted");
    }

    @Test
    void hostileAndMistakenRequestsAreAnsweredAndCounted() throws Exception {
        refused("DescribeHaVips", "{\"Limit\": 5", 400, "InvalidParameter.MalformedJson");
        refused("DescribeHaVips", "{\"Limit\": 5, \"Limit\": 6}", 400, "InvalidParameter.MalformedJson");
        refused("DescribeHaVips", "[1, 2]", 400, "InvalidParameter.MalformedJson");
        refused("DescribeHaVips", "{} {}", 400, "InvalidParameter.MalformedJson");
        refused("DescribeHaVips", "[".repeat(5000), 400, "InvalidParameter.MalformedJson");
        assertThat(refused("DescribeHaVip", "{}", 400, "InvalidAction")).startsWith("unknown action \"DescribeHaVip\"; known:");
        refused("DescribeHaVips", "x".repeat(HavipApi.MAX_BODY + 10), 413, "RequestSizeLimitExceeded");
        HttpResponse<String> mismatch = post("/DeleteHaVip", "DescribeHaVips", "{}");
        assertThat(mismatch.statusCode()).isEqualTo(400);
        assertThat(mismatch.body()).contains("InvalidAction");
        HttpResponse<String> noAction = post("/", null, "{}");
        assertThat(noAction.body()).contains("MissingParameter");
        HttpResponse<String> get = http.send(HttpRequest.newBuilder(base.resolve("/DescribeHaVips")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(get.body()).contains("UnsupportedProtocol");
        refused("ReportArpAnnouncements", "{\"Announcements\": [{\"Ip\": \"198.51.100.2\", \"Mac\": \"zz\", \"SubnetId\": "
                + "\"subnet-a\"}]}", 400, "InvalidParameterValue");
        refused("ReportArpAnnouncements", "{\"Announcements\": [{\"Ip\": \"198.51.100.2\", \"Mac\": \"02:00:00:00:00:01\", "
                + "\"SubnetId\": \"subnet-a\", \"Time\": \"yesterday\"}]}", 400, "InvalidParameterValue");
        refused("ReportArpAnnouncements", "{\"Announcements\": [\"198.51.100.2\"]}", 400, "InvalidParameter");
        refused("DeleteHaVip", "{\"HaVipIds\": [" + "\"x\", ".repeat(HavipApi.MAX_ITEMS) + "\"x\"]}", 400,
                "InvalidParameterValue.LimitExceeded");
        assertThat(refused("CreateSubnet", "{\"SubnetId\": \"subnet-x\", \"VpcId\": \"vpc-a\", \"CidrBlock\": "
                + "\"198.51.100.0/25\"}", 409, "InvalidParameterValue.Inventory")).isEqualTo("subnet subnet-x overlaps subnet subnet-a "
                        + "of VPC vpc-a");
        refused("RegisterInstance", "{\"InstanceId\": \"ins-9\", \"VpcId\": \"vpc-a\", \"SubnetId\": \"subnet-a\", "
                + "\"MacAddresses\": [\"02:00:00:00:00:01\"]}", 409, "InvalidParameterValue.Inventory");
        assertThat(server.api().rejectedRequests()).containsEntry("InvalidParameter.MalformedJson", 5L)
                .containsEntry("RequestSizeLimitExceeded", 1L);
        assertThat(ok("DescribeHaVips", "").get("TotalCount").asInt()).as("still serving").isZero();
    }

    @Test
    void exportsCsvForExcel() throws Exception {
        create("=cmd|' /C calc'!A0");
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(base.resolve("/ExportHaVips"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).contains("text/csv; charset=utf-8");
        String csv = new String(r.body(), StandardCharsets.UTF_8);
        assertThat(csv).startsWith("\uFEFFName/Remark,ID,").contains("'=cmd|' /C calc'!A0");
    }
}
