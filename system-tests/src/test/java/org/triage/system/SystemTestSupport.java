package org.triage.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Assumptions;
import org.triage.schemas.PeerPolicy;
import org.triage.schemas.RecordSizes;

/** Peers, generated inputs and raw topic reads shared by the system tests. */
final class SystemTestSupport {
    static final String PYTHON = "/usr/bin/python3";

    private SystemTestSupport() {
    }

    /** The shared reference films, or skip (fail where peers are required). */
    static Path nihImages() {
        Path shared = Path.of(System.getProperty("triage.shared.dir", "../../shared"));
        Path images = shared.resolve("data/nih/images").toAbsolutePath().normalize();
        String why = "reference films absent at " + images + " (set -Dtriage.shared.dir)";
        Assumptions.assumeTrue(Files.isDirectory(images) || PeerPolicy.skipAllowed(why), why);
        return images;
    }

    static Path tool(String name, String debianPackage) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        String why = "'" + name + "' not found (apt-get install " + debianPackage + ")";
        Assumptions.assumeTrue(PeerPolicy.skipAllowed(why), why);
        return null;
    }

    /** Runs a command with its output in a file (a chatty child cannot block), killed after the timeout. */
    static String run(List<String> cmd, Path dir, int timeoutSeconds) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "run", ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(cmd.get(0) + " did not finish in " + timeoutSeconds + " s: " + Files.readString(out));
        }
        String text = Files.readString(out);
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + " failed: " + text);
        return text;
    }

    /** Writes full-size DICOM films (dx*.dcm), 16-bit PNGs (film*.png) and oversized.dcm into dir via pydicom. */
    static Path makeRadiographs(Path dir, int dicom, int png, long seed) throws IOException, InterruptedException {
        Path images = nihImages();
        tool("python3", "python3");
        String why = PYTHON + " cannot import pydicom, numpy and PIL (apt-get install python3-pydicom python3-numpy python3-pil)";
        Process check = new ProcessBuilder(PYTHON, "-c", "import pydicom, numpy, PIL").redirectErrorStream(true).start();
        boolean ok = check.waitFor(60, TimeUnit.SECONDS) && check.exitValue() == 0;
        Assumptions.assumeTrue(ok || PeerPolicy.skipAllowed(why), why);
        Path script = dir.resolve("make_radiographs.py");
        try (InputStream in = SystemTestSupport.class.getResourceAsStream("/make_radiographs.py")) {
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
        Path out = dir.resolve("films");
        String listing = run(List.of(PYTHON, script.toString(), images.toString(), out.toString(), Integer.toString(dicom),
                Integer.toString(png), Long.toString(seed)), dir, 600);
        System.out.print(listing);
        return out;
    }

    /** Every committed record of a topic, as raw bytes, read until {@code expected} arrived or the timeout passed. */
    static List<ConsumerRecord<String, byte[]>> readRaw(String bootstrap, String topic, int expected, Duration timeout) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, RecordSizes.IMAGE_FETCH_BYTES);
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(pi -> new TopicPartition(topic, pi.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline && out.size() < expected) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            c.poll(Duration.ofMillis(500)).forEach(out::add); // anything past the expected count (a duplicate) shows up too
        }
        return out;
    }

    static String header(ConsumerRecord<?, ?> r, String name) {
        Header h = r.headers().lastHeader(name);
        assertTrue(h != null, "header " + name + " on " + r.topic() + "@" + r.offset());
        return new String(h.value(), StandardCharsets.UTF_8);
    }
}
