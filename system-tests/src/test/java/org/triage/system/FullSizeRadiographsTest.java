package org.triage.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.triage.events.Finding;
import org.triage.ingest.IngestService;
import org.triage.ingest.dicom.DicomLimits;
import org.triage.ingest.files.FileIngest;
import org.triage.platform.LocalStack;
import org.triage.platform.LocalStackOptions;
import org.triage.schemas.Topics;
import org.triage.stream.InferenceStream;
import org.triage.stream.testing.KafkaTestIo;
import org.triage.stream.testing.TinyModel;

/**
 * Full-size radiographs through the whole pipeline: 12-16-bit DX films of 1024-1088 px through
 * C-STORE from dcmtk's storescu, and 16-bit PNG films through file ingest, into a real ONNX model
 * on a real broker and registry. Each becomes an event of 1.2-2.5 MB and gets exactly one
 * finding. One film larger than the configured maximum is refused to the DLQ with its size as
 * the reason, and the films sent after it are still scored.
 */
@Timeout(600)
class FullSizeRadiographsTest {
    private static final int DICOM = 14;
    private static final int PNG = 10;
    private static final long MAX_EVENT_BYTES = 3L << 20;

    @TempDir
    Path tmp;

    @Test
    void everyFullSizeFilmGetsOneFindingAndTheOversizedOneGoesToTheDlqWithItsReason() throws Exception {
        Path storescu = SystemTestSupport.tool("storescu", "dcmtk");
        Path films = SystemTestSupport.makeRadiographs(tmp, DICOM, PNG, 11);
        Path model = TinyModel.create(tmp.resolve("model"), "tiny", "1", 5);
        try (LocalStack stack = LocalStack.start(LocalStackOptions.defaults().partitions(2))) {
            String bootstrap = stack.bootstrapServers();
            String registry = stack.schemaRegistryUrl();
            IngestService.Options options = IngestService.Options.demo(bootstrap, registry)
                    .withLimits(DicomLimits.DEFAULT, 2048) // no downscaling: the films stay full size
                    .withQuarantine(Files.createDirectories(tmp.resolve("quarantine")), 1L << 30)
                    .withMaxEventBytes(MAX_EVENT_BYTES);
            try (InferenceStream stream = InferenceStream.builder().bootstrapServers(bootstrap).schemaRegistryUrl(registry)
                    .applicationId("full-size-test").stateDir(tmp.resolve("state")).modelDir(model).maxBatch(8).maxDelayMs(50)
                    .build();
                 IngestService ingest = IngestService.start(options)) {
                stream.start();
                stream.awaitRunning(Duration.ofSeconds(60));

                List<Path> dicom;
                try (Stream<Path> s = Files.list(films)) {
                    dicom = s.filter(p -> p.getFileName().toString().startsWith("dx")).sorted().toList();
                }
                // The oversized film goes in the middle of the association: what follows it must still be stored and scored.
                List<String> cmd = new ArrayList<>(List.of(storescu.toString(), "-xy", "--no-halt", "-aet", "MODALITY", "-aec", ingest.aet(),
                        "127.0.0.1", Integer.toString(ingest.scpPort())));
                dicom.subList(0, DICOM / 2).forEach(p -> cmd.add(p.toString()));
                cmd.add(films.resolve("oversized.dcm").toString());
                dicom.subList(DICOM / 2, DICOM).forEach(p -> cmd.add(p.toString()));
                long t0 = System.nanoTime();
                runStorescu(cmd);
                List<Path> pngs;
                try (Stream<Path> s = Files.list(films)) {
                    pngs = s.filter(p -> p.getFileName().toString().endsWith(".png")).sorted().toList();
                }
                FileIngest.Summary files = new FileIngest(ingest.pipeline(), null, null).run(pngs);
                assertEquals(PNG, files.stored(), "every PNG film stored: " + files);

                int expected = DICOM + PNG;
                List<ConsumerRecord<String, byte[]>> events = SystemTestSupport.readRaw(bootstrap, Topics.RADIOGRAPHS, expected,
                        Duration.ofSeconds(60));
                assertEquals(expected, events.size(), "one event per film, the oversized one excepted");
                for (ConsumerRecord<String, byte[]> e : events) {
                    double mb = e.value().length / 1e6;
                    assertTrue(mb >= 1.2 && mb <= 2.5, "event " + e.key() + " is " + mb + " MB, expected a full-size 1.2-2.5 MB");
                }
                List<ConsumerRecord<String, Finding>> findings = KafkaTestIo.readUntil(bootstrap, registry, Topics.FINDINGS, Finding.class,
                        Duration.ofSeconds(120), l -> l.size() >= expected);
                double seconds = (System.nanoTime() - t0) / 1e9;
                Map<String, Integer> perSop = new HashMap<>();
                findings.forEach(f -> perSop.merge(f.key(), 1, Integer::sum));
                for (ConsumerRecord<String, byte[]> e : events) {
                    assertEquals(1, perSop.getOrDefault(e.key(), 0), "exactly one finding for " + e.key());
                }
                assertEquals(expected, findings.size(), "no finding twice, none for the refused film");

                List<ConsumerRecord<String, byte[]>> dlq = SystemTestSupport.readRaw(bootstrap, Topics.RADIOGRAPHS_DLQ, 1,
                        Duration.ofSeconds(30));
                assertEquals(1, dlq.size(), "the oversized film, and only it, is in the DLQ");
                String reason = SystemTestSupport.header(dlq.get(0), Topics.DLQ_HEADER_ERROR);
                assertTrue(reason.contains("over the configured maximum"), reason);
                assertEquals(0, stream.metrics().dlq().values().stream().mapToLong(Long::longValue).sum(), "the stream DLQ'd nothing");
                long total = events.stream().mapToLong(e -> e.value().length).sum();
                System.out.printf("full-size: %d films (%.1f MB of events, %.2f-%.2f MB each) -> %d findings in %.1f s; oversized -> DLQ: %s%n",
                        expected, total / 1e6, events.stream().mapToInt(e -> e.value().length).min().orElse(0) / 1e6,
                        events.stream().mapToInt(e -> e.value().length).max().orElse(0) / 1e6, findings.size(), seconds, reason);
            }
        }
    }

    /** storescu (with --no-halt) goes on past the refused film and exits non-zero for it: the association must not fail. */
    private void runStorescu(List<String> cmd) throws Exception {
        Path out = Files.createTempFile(tmp, "storescu", ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertTrue(p.waitFor(300, java.util.concurrent.TimeUnit.SECONDS), "storescu did not finish");
        String log = Files.readString(out);
        assertTrue(!log.contains("Association Request Failed") && !log.contains("Association Rejected"), log);
        System.out.println("storescu exit " + p.exitValue());
    }
}
