package org.triage.schemas.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;

/**
 * Renders Avro values as plain JSON for people and {@code jq}: records as objects, unions as
 * their value (no {@code {"string": ...}} wrapper as in Avro's JSON encoding), enums as
 * strings, timestamps as epoch milliseconds, and bytes as
 * {@code {"length": N, "base64": "...", "truncated": true|false}} where only the first
 * {@code bytesPreview} bytes are shown, so a radiograph does not flood the terminal.
 */
public final class JsonRenderer {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final int bytesPreview;

    /** @param bytesPreview bytes shown of each bytes/fixed value; negative = all */
    public JsonRenderer(int bytesPreview) {
        this.bytesPreview = bytesPreview;
    }

    public JsonNode render(Object value) {
        if (value == null) {
            return NODES.nullNode();
        }
        if (value instanceof IndexedRecord record) {
            ObjectNode obj = NODES.objectNode();
            for (Schema.Field f : record.getSchema().getFields()) {
                obj.set(f.name(), render(record.get(f.pos())));
            }
            return obj;
        }
        if (value instanceof CharSequence || value instanceof GenericEnumSymbol<?> || value instanceof Enum<?>) {
            return NODES.textNode(value.toString());
        }
        if (value instanceof ByteBuffer buffer) {
            ByteBuffer b = buffer.duplicate();
            byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            return bytes(bytes);
        }
        if (value instanceof GenericFixed fixed) {
            return bytes(fixed.bytes());
        }
        if (value instanceof byte[] raw) {
            return bytes(raw);
        }
        if (value instanceof Map<?, ?> map) {
            ObjectNode obj = NODES.objectNode();
            map.forEach((k, v) -> obj.set(String.valueOf(k), render(v)));
            return obj;
        }
        if (value instanceof Collection<?> items) {
            ArrayNode arr = NODES.arrayNode();
            items.forEach(i -> arr.add(render(i)));
            return arr;
        }
        if (value instanceof Float f) {
            return f.isNaN() || f.isInfinite() ? NODES.textNode(f.toString()) : NODES.numberNode(f);
        }
        if (value instanceof Double d) {
            return d.isNaN() || d.isInfinite() ? NODES.textNode(d.toString()) : NODES.numberNode(d);
        }
        if (value instanceof Integer i) {
            return NODES.numberNode(i);
        }
        if (value instanceof Long l) {
            return NODES.numberNode(l);
        }
        if (value instanceof Boolean b) {
            return NODES.booleanNode(b);
        }
        if (value instanceof java.time.Instant instant) {
            return NODES.numberNode(instant.toEpochMilli());
        }
        return NODES.textNode(value.toString());
    }

    /** {@code {"length": N, "base64": first bytesPreview bytes, "truncated": bool}}. */
    public ObjectNode bytes(byte[] bytes) {
        boolean truncated = bytesPreview >= 0 && bytes.length > bytesPreview;
        int shown = truncated ? bytesPreview : bytes.length;
        ObjectNode obj = NODES.objectNode();
        obj.put("length", bytes.length);
        obj.put("base64", Base64.getEncoder().encodeToString(shown == bytes.length ? bytes : java.util.Arrays.copyOf(bytes, shown)));
        obj.put("truncated", truncated);
        return obj;
    }

    /** A header or key: its UTF-8 text when it is valid UTF-8, else rendered as bytes. */
    public JsonNode text(byte[] bytes) {
        if (bytes == null) {
            return NODES.nullNode();
        }
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            return NODES.textNode(chars.toString());
        } catch (CharacterCodingException e) {
            return bytes(bytes);
        }
    }
}
