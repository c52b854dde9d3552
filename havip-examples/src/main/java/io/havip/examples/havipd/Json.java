package io.havip.examples.havipd;

import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The JSON havipd writes ({@code --check --json}, {@code --status}, the SIGUSR1 dump): maps in
 * insertion order, lists, strings, numbers, booleans and null, indented by two spaces. Output is
 * ASCII: every other character, and every invisible one, is written as {@code \\uXXXX}, so a
 * no-break space in a value shows as {@code \\u00a0} and never as a blank.
 */
final class Json {

    private Json() {
    }

    /** {@code value} as indented JSON, with a final newline. */
    static String write(Object value) {
        StringBuilder b = new StringBuilder();
        write(b, value, "");
        return b.append('\n').toString();
    }

    /**
     * A record as a map of its components with snake_case names ({@code advertisementsReceived}
     * becomes {@code advertisements_received}), nested records likewise.
     */
    static Map<String, Object> ofRecord(Record r) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (RecordComponent c : r.getClass().getRecordComponents()) {
            Object v;
            try {
                v = c.getAccessor().invoke(r);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot read " + c.getName() + " of " + r.getClass().getSimpleName(), e);
            }
            out.put(snake(c.getName()), v instanceof Record nested ? ofRecord(nested) : v);
        }
        return out;
    }

    static String snake(String camel) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < camel.length(); i++) {
            char c = camel.charAt(i);
            if (Character.isUpperCase(c)) {
                b.append('_').append(Character.toLowerCase(c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static void write(StringBuilder b, Object v, String indent) {
        if (v instanceof Optional<?> o) {
            v = o.orElse(null);
        }
        if (v == null) {
            b.append("null");
        } else if (v instanceof Boolean || v instanceof Integer || v instanceof Long) {
            b.append(v);
        } else if (v instanceof Number n) {
            b.append(new java.math.BigDecimal(n.toString()).stripTrailingZeros().toPlainString());
        } else if (v instanceof Duration d) {
            // seconds, as keepalived.conf writes durations
            b.append(java.math.BigDecimal.valueOf(d.toNanos(), 9).stripTrailingZeros().toPlainString());
        } else if (v instanceof Map<?, ?> m) {
            if (m.isEmpty()) {
                b.append("{}");
                return;
            }
            b.append("{\n");
            String inner = indent + "  ";
            int i = 0;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                b.append(inner);
                string(b, String.valueOf(e.getKey()));
                b.append(": ");
                write(b, e.getValue(), inner);
                b.append(++i < m.size() ? ",\n" : "\n");
            }
            b.append(indent).append('}');
        } else if (v instanceof Collection<?> c) {
            if (c.isEmpty()) {
                b.append("[]");
                return;
            }
            List<?> l = new ArrayList<>(c);
            boolean flat = l.stream().noneMatch(x -> x instanceof Map || x instanceof Collection);
            if (flat) {
                b.append('[');
                for (int i = 0; i < l.size(); i++) {
                    write(b, l.get(i), indent);
                    b.append(i + 1 < l.size() ? ", " : "");
                }
                b.append(']');
                return;
            }
            b.append("[\n");
            String inner = indent + "  ";
            for (int i = 0; i < l.size(); i++) {
                b.append(inner);
                write(b, l.get(i), inner);
                b.append(i + 1 < l.size() ? ",\n" : "\n");
            }
            b.append(indent).append(']');
        } else if (v instanceof Record r) {
            write(b, ofRecord(r), indent);
        } else {
            string(b, v.toString());
        }
    }

    private static void string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c > 0x7E) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
