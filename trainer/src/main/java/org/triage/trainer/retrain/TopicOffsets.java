package org.triage.trainer.retrain;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;

/**
 * Where a snapshot stopped reading: topic-partition (as {@code radiographs-0}) -> next offset not
 * read. The same map is a release's {@code dataOffsets}, so a release's file can rebuild its data.
 */
public record TopicOffsets(Map<String, Long> offsets) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public TopicOffsets {
        offsets = Map.copyOf(new TreeMap<>(offsets));
    }

    public static String key(TopicPartition tp) {
        return tp.topic() + "-" + tp.partition();
    }

    /** The recorded end of a partition; empty when the snapshot did not read it. */
    public java.util.OptionalLong end(TopicPartition tp) {
        Long v = offsets.get(key(tp));
        return v == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(v);
    }

    /** Offsets of one topic only. */
    public Map<String, Long> ofTopic(String topic) {
        Map<String, Long> out = new TreeMap<>();
        offsets.forEach((k, v) -> {
            if (k.startsWith(topic + "-") && k.substring(topic.length() + 1).chars().allMatch(Character::isDigit)) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** Reads {@code {"labels-0": 12, ...}}; also accepts a snapshot.json, whose "offsets" field it takes. */
    public static TopicOffsets read(Path file) {
        try {
            var root = JSON.readTree(file.toFile());
            var node = root.has("offsets") ? root.get("offsets") : root;
            Map<String, Long> m = JSON.convertValue(node, new TypeReference<Map<String, Long>>() {});
            if (m.isEmpty()) {
                throw new IllegalArgumentException(file + " holds no offsets");
            }
            return new TopicOffsets(m);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot read offsets from " + file + ": " + e.getMessage());
        }
    }

    public void write(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            JSON.writeValue(file.toFile(), new TreeMap<>(offsets));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
