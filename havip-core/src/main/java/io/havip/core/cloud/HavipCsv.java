package io.havip.core.cloud;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The HAVIP list as CSV that Excel opens correctly: UTF-8 with a byte order mark (without
 * it Excel reads the file in the legacy code page and mangles non-ASCII names), CRLF line
 * ends and quoting as in RFC 4180 section 2, and cells that would start with {@code = + - @}
 * (or a tab or carriage return) prefixed with {@code '} so that a spreadsheet shows them as
 * text instead of evaluating a formula (OWASP "CSV Injection").
 */
public final class HavipCsv {

    static final List<String> HEADER = List.of("Name/Remark", "ID", "Status", "VPC/Subnet", "Address", "Bound instances",
            "Holder", "EIP", "Created");
    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    private HavipCsv() {
    }

    /** The file's bytes: BOM, header row, one row per HAVIP in the given order. */
    public static byte[] export(List<HavipResource> havips) {
        StringBuilder sb = new StringBuilder();
        row(sb, HEADER);
        for (HavipResource h : havips) {
            row(sb, List.of(
                    h.remark().isEmpty() ? h.name() : h.name() + "\n" + h.remark(),
                    h.id(),
                    h.status().name(),
                    h.vpcId() + "/" + h.subnetId(),
                    h.address().toString(),
                    String.join("; ", h.boundInstanceIds()),
                    h.holder().orElse(""),
                    h.eip().map(Object::toString).orElse(""),
                    h.createdAt().toString()));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(BOM);
        out.writeBytes(sb.toString().getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    private static void row(StringBuilder sb, List<String> cells) {
        sb.append(cells.stream().map(HavipCsv::cell).collect(Collectors.joining(","))).append("\r\n");
    }

    /** One field: neutralised if it could be read as a formula, quoted when it holds a comma, quote or line break. */
    static String cell(String value) {
        String s = value;
        if (!s.isEmpty() && "=+-@\t\r".indexOf(s.charAt(0)) >= 0) {
            s = "'" + s;
        }
        if (s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
            return "\"" + s.replace("\"", "\"\"") + "\"";
        }
        return s;
    }
}
