package io.havip.controlplane;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.havip.core.Clock;
import io.havip.core.cloud.AnnouncementOutcome;
import io.havip.core.cloud.ApplyRequest;
import io.havip.core.cloud.ArpAnnouncement;
import io.havip.core.cloud.DeleteResult;
import io.havip.core.cloud.HavipResource;
import io.havip.core.cloud.HavipPage;
import io.havip.core.cloud.HavipQuery;
import io.havip.core.cloud.HavipRefusedException;
import io.havip.core.cloud.HavipService;
import io.havip.core.cloud.HavipStatus;
import io.havip.core.cloud.HavipType;
import io.havip.core.cloud.Instance;
import io.havip.core.cloud.Subnet;
import io.havip.core.cloud.Vpc;
import io.havip.core.net.Cidr;
import io.havip.core.net.IpAddress;
import io.havip.core.net.MacAddress;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API of the control plane, named after Tencent Cloud's HAVIP actions so that who
 * knows that API knows this one. A request is a POST of a JSON object to {@code /} with the
 * action in the {@code X-TC-Action} header, or to {@code /<Action>}; the answer is
 * {@code {"Response": {..., "RequestId": "..."}}}, and a refusal
 * {@code {"Response": {"Error": {"Code", "Reason", "Message"}, "RequestId"}}} with an HTTP
 * status of its class (400 bad request, 404 not found, 409 state or limit, 413 too large,
 * 500 the database). See {@link ApiError} for the codes.
 *
 * <p>Actions: CreateHaVip, DescribeHaVips, ModifyHaVipAttribute, DeleteHaVip (one or a
 * batch), AssociateHaVipInstance, DisassociateHaVipInstance, HaVipAssociateAddressIp,
 * HaVipDisassociateAddressIp, ExportHaVips (CSV), ReportArpAnnouncements (the fabric), and,
 * when the inventory is the database's, CreateVpc, CreateSubnet, RegisterInstance.
 *
 * <p>Hostile input is answered, counted ({@link #rejectedRequests()}) and dropped: bodies over
 * {@value #MAX_BODY} bytes, arrays of more than {@value #MAX_ITEMS} items, malformed or duplicate-key JSON, unknown actions and parameters,
 * values of the wrong type, text with control, lone-surrogate or invisible formatting characters
 * or longer than its column; no message names a Java exception or quotes the database.
 */
public final class HavipApi implements HttpHandler {

    private static final Logger LOG = LoggerFactory.getLogger(HavipApi.class);
    static final int MAX_BODY = 1 << 20;
    /** Items of one array parameter (announcements, ids, associations), each its own transaction. */
    static final int MAX_ITEMS = 1000;
    /** The longest text of a parameter, as its column holds it; any other ...Id(s) parameter: 64. */
    private static final Map<String, Integer> MAX_LENGTH = Map.of("HaVipName", 255, "Remark", 1024);

    private final HavipService service;
    private final Optional<JdbcInventory> inventory;
    private final Clock clock;
    private final ObjectMapper json = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private final Map<String, Action> actions = new TreeMap<>();
    private final Map<String, AtomicLong> rejected = new ConcurrentHashMap<>();

    @FunctionalInterface
    private interface Action {
        void run(Params in, ObjectNode out);
    }

    /**
     * @param inventory the database inventory, to offer CreateVpc, CreateSubnet and RegisterInstance; empty: not offered
     * @param clock     the time of an announcement reported without one
     */
    public HavipApi(HavipService service, Optional<JdbcInventory> inventory, Clock clock) {
        this.service = service;
        this.inventory = inventory;
        this.clock = clock;
        actions.put("CreateHaVip", this::createHaVip);
        actions.put("DescribeHaVips", this::describeHaVips);
        actions.put("ModifyHaVipAttribute", this::modifyHaVipAttribute);
        actions.put("DeleteHaVip", this::deleteHaVip);
        actions.put("AssociateHaVipInstance", (in, out) -> associations(in, out, true));
        actions.put("DisassociateHaVipInstance", (in, out) -> associations(in, out, false));
        actions.put("HaVipAssociateAddressIp", this::associateAddressIp);
        actions.put("HaVipDisassociateAddressIp", this::disassociateAddressIp);
        actions.put("ReportArpAnnouncements", this::reportArpAnnouncements);
        if (inventory.isPresent()) {
            actions.put("CreateVpc", this::createVpc);
            actions.put("CreateSubnet", this::createSubnet);
            actions.put("RegisterInstance", this::registerInstance);
        }
    }

    /** Requests refused before they reached the service, by error code. */
    public Map<String, Long> rejectedRequests() {
        Map<String, Long> out = new TreeMap<>();
        rejected.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    // ---------------------------------------------------------------- HTTP

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String requestId = UUID.randomUUID().toString();
        try (exchange) {
            String action = "";
            try {
                action = actionOf(exchange);
                if (!"POST".equals(exchange.getRequestMethod())) {
                    throw new ApiError(405, "UnsupportedProtocol", null, exchange.getRequestMethod() + " is not supported: "
                            + "POST a JSON object, e.g. curl -d '{}' http://HOST:PORT/DescribeHaVips");
                }
                byte[] body = readBody(exchange.getRequestBody());
                if (action.equals("ExportHaVips")) {
                    Params in = new Params(action, parse(body));
                    String query = in.optString("Query").orElse("");
                    in.done();
                    byte[] csv = service.exportCsv(query);
                    exchange.getResponseHeaders().set("Content-Type", "text/csv; charset=utf-8");
                    exchange.getResponseHeaders().set("Content-Disposition", "attachment; filename=\"havips.csv\"");
                    exchange.getResponseHeaders().set("X-TC-RequestId", requestId);
                    exchange.sendResponseHeaders(200, csv.length);
                    exchange.getResponseBody().write(csv);
                    return;
                }
                Action handler = actions.get(action);
                if (handler == null) {
                    throw ApiError.request("InvalidAction", "unknown action \"" + action + "\"; known: ExportHaVips, "
                            + String.join(", ", actions.keySet()));
                }
                Params in = new Params(action, parse(body));
                ObjectNode out = json.createObjectNode();
                handler.run(in, out);
                out.put("RequestId", requestId);
                send(exchange, 200, out);
            } catch (ApiError e) {
                if (e.reason == null) {
                    rejected.computeIfAbsent(e.code, k -> new AtomicLong()).incrementAndGet();
                }
                send(exchange, e.httpStatus, error(e.code, e.reason, e.getMessage(), requestId));
            } catch (HavipRefusedException e) {
                ApiError a = ApiError.of(e);
                send(exchange, a.httpStatus, error(a.code, a.reason, a.getMessage(), requestId));
            } catch (HavipStoreException e) {
                LOG.error("{} (request {}) failed in the database", action, requestId, e);
                send(exchange, 500, error("InternalError.Database", null, action + " failed: " + e.getMessage(), requestId));
            } catch (RuntimeException e) {
                LOG.error("{} (request {}) failed", action, requestId, e);
                send(exchange, 500, error("InternalError", null, action + " failed unexpectedly; the server log has request "
                        + requestId, requestId));
            }
        }
    }

    private static String actionOf(HttpExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst("X-TC-Action");
        String path = exchange.getRequestURI().getPath();
        String fromPath = path.length() > 1 ? path.substring(1) : "";
        if (header != null && !header.isBlank()) {
            if (!fromPath.isEmpty() && !fromPath.equals(header.trim())) {
                throw ApiError.request("InvalidAction", "the X-TC-Action header says \"" + header.trim() + "\" but the path says \""
                        + fromPath + "\"; give the action once");
            }
            return header.trim();
        }
        if (fromPath.isEmpty()) {
            throw ApiError.request("MissingParameter", "no action: POST to /<Action> (e.g. /DescribeHaVips) or set the "
                    + "X-TC-Action header");
        }
        return fromPath;
    }

    private static byte[] readBody(InputStream in) throws IOException {
        byte[] body = in.readNBytes(MAX_BODY + 1);
        if (body.length > MAX_BODY) {
            throw new ApiError(413, "RequestSizeLimitExceeded", null, "the request body is larger than " + MAX_BODY
                    + " bytes; send fewer items per request");
        }
        return body;
    }

    private ObjectNode parse(byte[] body) {
        if (body.length == 0 || new String(body, StandardCharsets.UTF_8).isBlank()) {
            return json.createObjectNode();
        }
        JsonNode node;
        try {
            node = json.readTree(body);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw ApiError.request("InvalidParameter.MalformedJson", "the body is not valid JSON: " + e.getOriginalMessage()
                    + where);
        } catch (IOException e) {
            throw ApiError.request("InvalidParameter.MalformedJson", "the body could not be read as JSON: " + e.getMessage());
        }
        if (!(node instanceof ObjectNode o)) {
            throw ApiError.request("InvalidParameter.MalformedJson", "the body must be a JSON object such as {\"HaVipIds\": []}, "
                    + "got " + kind(node));
        }
        return o;
    }

    private void send(HttpExchange exchange, int status, ObjectNode response) throws IOException {
        ObjectNode root = json.createObjectNode();
        root.set("Response", response);
        byte[] bytes = json.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
            out.write('\n');
        }
    }

    private ObjectNode error(String code, String reason, String message, String requestId) {
        ObjectNode out = json.createObjectNode();
        ObjectNode error = out.putObject("Error");
        error.put("Code", code);
        if (reason != null) {
            error.put("Reason", reason);
        }
        error.put("Message", message);
        out.put("RequestId", requestId);
        return out;
    }

    // ---------------------------------------------------------------- actions

    private void createHaVip(Params in, ObjectNode out) {
        String vpcId = in.string("VpcId");
        String subnetId = in.string("SubnetId");
        String name = in.string("HaVipName");
        Optional<IpAddress> ip = in.optString("Vip").or(() -> in.optString("Ip")).map(v -> address("Vip", v));
        HavipType type = in.optString("Type").map(t -> enumValue("Type", HavipType.class, t)).orElse(HavipType.INTRANET_IPV4);
        String remark = in.optString("Remark").orElse("");
        in.done();
        HavipResource h = service.apply(new ApplyRequest(name, vpcId, subnetId, type, ip, remark));
        havip(out.putObject("HaVip"), h);
    }

    private void describeHaVips(Params in, ObjectNode out) {
        HavipQuery q = HavipQuery.ALL.withIds(in.strings("HaVipIds"))
                .withPage(in.integer("Offset", 0), in.integer("Limit", HavipQuery.DEFAULT_LIMIT));
        for (JsonNode f : in.objects("Filters")) {
            Params filter = new Params(in.action + " Filters", (ObjectNode) f);
            String name = filter.string("Name");
            List<String> values = filter.strings("Values");
            filter.done();
            if (values.size() != 1 && !name.equals("havip-id")) {
                throw ApiError.request("InvalidParameterValue", "filter " + name + " takes exactly one value, got " + values.size());
            }
            String v = values.isEmpty() ? "" : values.get(0);
            q = switch (name) {
                case "havip-id" -> q.withIds(merge(q.ids(), values));
                case "havip-name" -> q.withNameContains(v);
                case "vpc-id" -> q.withVpcId(v);
                case "subnet-id" -> q.withSubnetId(v);
                case "vip" -> q.withAddress(address("vip", v));
                case "address-ip" -> q.withEip(address("address-ip", v));
                case "state" -> q.withStatus(enumValue("state", HavipStatus.class, v));
                case "havip-association.instance-id" -> q.withInstanceId(v);
                default -> throw ApiError.request("InvalidParameterValue.Filter", "unknown filter \"" + name + "\"; known: havip-id, "
                        + "havip-name, vpc-id, subnet-id, vip, address-ip, state, havip-association.instance-id");
            };
        }
        in.done();
        HavipPage page = service.describe(q);
        out.put("TotalCount", page.totalCount());
        ArrayNode set = out.putArray("HaVipSet");
        page.havips().forEach(h -> havip(set.addObject(), h));
    }

    private static List<String> merge(List<String> a, List<String> b) {
        Set<String> out = new LinkedHashSet<>(a);
        out.addAll(b);
        return List.copyOf(out);
    }

    private void modifyHaVipAttribute(Params in, ObjectNode out) {
        String id = in.string("HaVipId");
        Optional<String> name = in.optString("HaVipName");
        Optional<String> remark = in.optString("Remark");
        Optional<HavipStatus> state = in.optString("State").map(s -> enumValue("State", HavipStatus.class, s));
        in.done();
        HavipResource current = service.get(id).orElseThrow(() -> new ApiError(404, "ResourceNotFound", "NOT_FOUND",
                "HAVIP " + id + " does not exist"));
        HavipResource h = service.update(id, name.orElse(current.name()), remark.orElse(current.remark()));
        if (state.isPresent()) {
            h = switch (state.get()) {
                case FAILED -> service.markFailed(id);
                case AVAILABLE -> service.markAvailable(id);
                case DELETING -> throw ApiError.request("InvalidParameterValue", "State may be AVAILABLE or FAILED; "
                        + "DeleteHaVip deletes");
            };
        }
        havip(out.putObject("HaVip"), h);
    }

    private void deleteHaVip(Params in, ObjectNode out) {
        Optional<String> one = in.optString("HaVipId");
        List<String> many = in.strings("HaVipIds");
        in.done();
        if (one.isPresent() == !many.isEmpty()) {
            throw ApiError.request("MissingParameter", "give HaVipId (one HAVIP) or HaVipIds (a batch), not both and not neither");
        }
        if (one.isPresent()) {
            service.delete(one.get());
            return;
        }
        ArrayNode set = out.putArray("DeleteResultSet");
        for (DeleteResult r : service.deleteAll(many)) {
            ObjectNode item = set.addObject();
            item.put("HaVipId", r.havipId());
            item.put("Deleted", r.deleted());
            r.refusal().ifPresent(e -> {
                ApiError a = ApiError.of(e);
                ObjectNode error = item.putObject("Error");
                error.put("Code", a.code);
                error.put("Reason", a.reason);
                error.put("Message", a.getMessage());
            });
        }
    }

    /** Each item in turn; a refusal stops there and says which items were already done. */
    private void associations(Params in, ObjectNode out, boolean associate) {
        List<JsonNode> items = in.objects("HaVipAssociationSet");
        in.done();
        if (items.isEmpty()) {
            throw ApiError.request("MissingParameter", "HaVipAssociationSet is empty: give [{\"HaVipId\": ..., \"InstanceId\": ...}]");
        }
        List<String[]> pairs = new ArrayList<>();
        for (JsonNode item : items) {
            Params p = new Params(in.action + " HaVipAssociationSet", (ObjectNode) item);
            String havipId = p.string("HaVipId");
            String instanceId = p.string("InstanceId");
            p.optString("InstanceType").filter(t -> !t.equals("CVM")).ifPresent(t -> {
                throw ApiError.request("InvalidParameterValue", "InstanceType " + t + " is not supported; only CVM");
            });
            p.done();
            pairs.add(new String[] {havipId, instanceId});
        }
        List<String> done = new ArrayList<>();
        for (String[] pair : pairs) {
            try {
                HavipResource h = associate ? service.bind(pair[0], pair[1]) : service.unbind(pair[0], pair[1]);
                done.add(pair[1] + "@" + h.id());
            } catch (HavipRefusedException e) {
                if (done.isEmpty()) {
                    throw e;
                }
                ApiError a = ApiError.of(e);
                throw new ApiError(a.httpStatus, a.code, a.reason, a.getMessage() + " (done before this item: "
                        + String.join(", ", done) + ")");
            }
        }
    }

    private void associateAddressIp(Params in, ObjectNode out) {
        String id = in.string("HaVipId");
        IpAddress eip = address("AddressIp", in.string("AddressIp"));
        in.done();
        havip(out.putObject("HaVip"), service.associateEip(id, eip));
    }

    private void disassociateAddressIp(Params in, ObjectNode out) {
        String id = in.string("HaVipId");
        in.done();
        havip(out.putObject("HaVip"), service.disassociateEip(id));
    }

    private void reportArpAnnouncements(Params in, ObjectNode out) {
        List<JsonNode> items = in.objects("Announcements");
        in.done();
        List<ArpAnnouncement> announcements = new ArrayList<>();
        for (JsonNode item : items) {
            Params p = new Params(in.action + " Announcements", (ObjectNode) item);
            IpAddress ip = address("Ip", p.string("Ip"));
            MacAddress mac = mac("Mac", p.string("Mac"));
            String subnetId = p.string("SubnetId");
            Instant at = p.optString("Time").map(t -> {
                try {
                    return Instant.parse(t);
                } catch (DateTimeParseException e) {
                    throw ApiError.request("InvalidParameterValue", "Time \"" + t + "\" is not an ISO-8601 instant such as "
                            + "2026-12-07T14:00:00.123Z");
                }
            }).orElseGet(clock::instant);
            p.done();
            announcements.add(new ArpAnnouncement(ip, mac, subnetId, at));
        }
        ArrayNode set = out.putArray("ResultSet");
        for (ArpAnnouncement a : announcements) {
            ObjectNode r = set.addObject();
            r.put("Ip", a.senderAddress().toString());
            r.put("Mac", a.senderMac().toString());
            AnnouncementOutcome outcome = service.onAnnouncement(a);
            if (outcome instanceof AnnouncementOutcome.Accepted acc) {
                r.put("Outcome", "Accepted");
                r.put("HaVipId", acc.havipId());
                r.put("InstanceId", acc.instanceId());
                r.put("HolderChanged", acc.holderChanged());
            } else if (outcome instanceof AnnouncementOutcome.Ignored ign) {
                r.put("Outcome", "Ignored");
                r.put("Reason", ign.reason().name());
                r.put("Detail", ign.detail());
            }
        }
    }

    private void createVpc(Params in, ObjectNode out) {
        String id = in.string("VpcId");
        Cidr cidr = cidr("CidrBlock", in.string("CidrBlock"));
        in.done();
        inventoryChange(() -> inventory.orElseThrow().add(new Vpc(id, cidr)));
        out.put("VpcId", id);
    }

    private void createSubnet(Params in, ObjectNode out) {
        String id = in.string("SubnetId");
        String vpcId = in.string("VpcId");
        Cidr v4 = cidr("CidrBlock", in.string("CidrBlock"));
        Optional<Cidr> v6 = in.optString("Ipv6CidrBlock").map(c -> cidr("Ipv6CidrBlock", c));
        in.done();
        inventoryChange(() -> inventory.orElseThrow().add(new Subnet(id, vpcId, v4, v6)));
        out.put("SubnetId", id);
    }

    private void registerInstance(Params in, ObjectNode out) {
        String id = in.string("InstanceId");
        String vpcId = in.string("VpcId");
        String subnetId = in.string("SubnetId");
        Set<MacAddress> macs = new HashSet<>();
        for (String m : in.strings("MacAddresses")) {
            macs.add(mac("MacAddresses", m));
        }
        in.done();
        inventoryChange(() -> inventory.orElseThrow().add(new Instance(id, vpcId, subnetId, macs)));
        out.put("InstanceId", id);
    }

    private static void inventoryChange(Runnable change) {
        try {
            change.run();
        } catch (IllegalArgumentException e) {
            throw new ApiError(409, "InvalidParameterValue.Inventory", null, e.getMessage());
        }
    }

    // ---------------------------------------------------------------- JSON out

    private static void havip(ObjectNode o, HavipResource h) {
        o.put("HaVipId", h.id());
        o.put("HaVipName", h.name());
        o.put("Remark", h.remark());
        o.put("Type", h.type().name());
        o.put("Vip", h.address().toString());
        o.put("VpcId", h.vpcId());
        o.put("SubnetId", h.subnetId());
        o.put("State", h.status().name());
        o.put("InstanceId", h.holder().orElse(""));
        o.put("HolderSince", h.holderSince().map(Instant::toString).orElse(""));
        o.put("AddressIp", h.eip().map(Object::toString).orElse(""));
        o.put("CreatedTime", h.createdAt().toString());
        ArrayNode set = o.putArray("HaVipAssociationSet");
        for (String instanceId : h.boundInstanceIds()) {
            ObjectNode a = set.addObject();
            a.put("HaVipId", h.id());
            a.put("InstanceId", instanceId);
            a.put("InstanceType", "CVM");
        }
    }

    // ---------------------------------------------------------------- JSON in

    private static IpAddress address(String param, String value) {
        try {
            return IpAddress.parse(value);
        } catch (IllegalArgumentException e) {
            throw ApiError.request("InvalidParameterValue", param + " \"" + value + "\" is not an IP address: " + e.getMessage());
        }
    }

    private static MacAddress mac(String param, String value) {
        try {
            return MacAddress.parse(value);
        } catch (IllegalArgumentException e) {
            throw ApiError.request("InvalidParameterValue", param + " " + e.getMessage());
        }
    }

    private static Cidr cidr(String param, String value) {
        try {
            return Cidr.parse(value);
        } catch (IllegalArgumentException e) {
            throw ApiError.request("InvalidParameterValue", param + " \"" + value + "\" is not a CIDR block: " + e.getMessage());
        }
    }

    private static <E extends Enum<E>> E enumValue(String param, Class<E> type, String value) {
        try {
            return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiError.request("InvalidParameterValue", param + " \"" + value + "\" is not one of "
                    + Arrays.toString(type.getEnumConstants()));
        }
    }

    private static String kind(JsonNode n) {
        return n.isArray() ? "an array" : n.isTextual() ? "a string" : n.isNumber() ? "a number" : n.isBoolean() ? "a boolean"
                : n.isNull() ? "null" : "an object";
    }

    /** The parameters of one request (or one item of a set): typed reads, and unknown names refused at {@link #done}. */
    private static final class Params {
        final String action;
        final ObjectNode node;
        final Set<String> read = new HashSet<>();

        Params(String action, ObjectNode node) {
            this.action = action;
            this.node = node;
        }

        Optional<String> optString(String name) {
            read.add(name);
            JsonNode v = node.get(name);
            if (v == null || v.isNull()) {
                return Optional.empty();
            }
            if (!v.isTextual()) {
                throw ApiError.request("InvalidParameter", action + ": " + name + " must be a string, got " + kind(v));
            }
            return Optional.of(plainText(name, v.textValue()));
        }

        /**
         * {@code value} if the database can store it as sent and a reader sees what it holds:
         * no control character (PostgreSQL refuses a NUL), no lone surrogate (stored as '?'),
         * no invisible formatting character (a right-to-left override or a zero-width space
         * makes two names that look alike, or one that reads backwards), and no longer than
         * its column ({@link #MAX_LENGTH}).
         */
        private String plainText(String name, String value) {
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                boolean pair = Character.isHighSurrogate(c) && i + 1 < value.length()
                        && Character.isLowSurrogate(value.charAt(i + 1));
                // a zero-width joiner inside an emoji sequence (after one outside the BMP) is part of it
                boolean emojiJoiner = c == '\u200D' && i > 0 && Character.isLowSurrogate(value.charAt(i - 1));
                if (pair || emojiJoiner) {
                    i += pair ? 1 : 0;
                    continue;
                }
                String what = Character.isSurrogate(c) ? "half of a surrogate pair"
                        : Character.isISOControl(c) ? "a control character"
                        : Character.getType(c) == Character.FORMAT || c == '\uFFFE' || c == '\uFFFF'
                                ? String.valueOf(Character.getName(c)).toLowerCase(Locale.ROOT) : null;
                if (what != null) {
                    throw ApiError.request("InvalidParameterValue", action + ": " + name + " holds "
                            + String.format("U+%04X", (int) c) + " (" + what + ") at position " + (i + 1) + "; send plain text");
                }
            }
            int max = MAX_LENGTH.getOrDefault(name, name.endsWith("Id") || name.endsWith("Ids") ? 64 : Integer.MAX_VALUE);
            if (value.length() > max) {
                throw ApiError.request("InvalidParameterValue.TooLong", action + ": " + name + " is " + value.length()
                        + " characters long; at most " + max);
            }
            return value;
        }

        String string(String name) {
            return optString(name).filter(s -> !s.isBlank()).orElseThrow(() -> ApiError.request("MissingParameter",
                    action + " needs the parameter " + name));
        }

        List<String> strings(String name) {
            read.add(name);
            JsonNode v = node.get(name);
            if (v == null || v.isNull()) {
                return List.of();
            }
            if (!v.isArray()) {
                throw ApiError.request("InvalidParameter", action + ": " + name + " must be an array of strings, got " + kind(v));
            }
            tooMany(name, v);
            List<String> out = new ArrayList<>();
            for (JsonNode e : v) {
                if (!e.isTextual()) {
                    throw ApiError.request("InvalidParameter", action + ": " + name + " must hold strings only, got " + kind(e));
                }
                out.add(plainText(name, e.textValue()));
            }
            return out;
        }

        List<JsonNode> objects(String name) {
            read.add(name);
            JsonNode v = node.get(name);
            if (v == null || v.isNull()) {
                return List.of();
            }
            if (!v.isArray()) {
                throw ApiError.request("InvalidParameter", action + ": " + name + " must be an array of objects, got " + kind(v));
            }
            tooMany(name, v);
            List<JsonNode> out = new ArrayList<>();
            for (JsonNode e : v) {
                if (!e.isObject()) {
                    throw ApiError.request("InvalidParameter", action + ": " + name + " must hold objects only, got " + kind(e));
                }
                out.add(e);
            }
            return out;
        }

        private void tooMany(String name, JsonNode array) {
            if (array.size() > MAX_ITEMS) {
                throw ApiError.request("InvalidParameterValue.LimitExceeded", action + ": " + name + " has " + array.size()
                        + " items, more than " + MAX_ITEMS + " per request; send them in several requests");
            }
        }

        int integer(String name, int defaultValue) {
            read.add(name);
            JsonNode v = node.get(name);
            if (v == null || v.isNull()) {
                return defaultValue;
            }
            if (!v.canConvertToInt() || !v.isIntegralNumber()) {
                throw ApiError.request("InvalidParameter", action + ": " + name + " must be a whole number, got " + v);
            }
            return v.intValue();
        }

        void done() {
            List<String> unknown = new ArrayList<>();
            node.fieldNames().forEachRemaining(f -> {
                if (!read.contains(f)) {
                    unknown.add(f);
                }
            });
            if (!unknown.isEmpty()) {
                throw ApiError.request("UnknownParameter", action + " has no parameter " + String.join(", ", unknown)
                        + "; it takes " + String.join(", ", new java.util.TreeSet<>(read)));
            }
        }
    }
}
