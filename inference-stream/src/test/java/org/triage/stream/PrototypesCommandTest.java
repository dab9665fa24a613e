package org.triage.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.triage.events.Artifact;
import org.triage.events.LabelPrototype;
import org.triage.events.ModelRelease;
import org.triage.events.PrototypeKind;
import org.triage.events.ReleaseStatus;
import org.triage.events.ThresholdMode;
import org.triage.model.manifest.ModelManifest;
import org.triage.model.onnx.ExportedModel;
import org.triage.model.onnx.Sha256;
import org.triage.platform.LocalStack;
import org.triage.schemas.PeerPolicy;
import org.triage.schemas.Topics;
import org.triage.stream.cli.PrototypeRepository;
import org.triage.stream.cli.PrototypesCommand;
import org.triage.stream.testing.CliRun;
import org.triage.stream.cli.TextEncoderAccess;
import org.triage.stream.testing.KafkaTestIo;
import org.triage.stream.testing.TinyModel;
import org.triage.stream.topology.PrototypeValidator;

/** The emerging-disease workflow through the CLI against a real broker: add, update, list, show, retire. */
@Timeout(120)
class PrototypesCommandTest {
    private static LocalStack stack;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        stack = LocalStack.start();
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    private CliRun run(String... args) {
        return CliRun.of(new PrototypesCommand(), stack.bootstrapServers(), stack.schemaRegistryUrl(), args);
    }

    @Test
    void addUpdateListShowRetire() throws Exception {
        Path vec = Files.writeString(tmp.resolve("v.json"), "[0.5, -1.25, 3]");
        CliRun add = run("add", "--id", "covid-19", "--name", "COVID-19", "--vector-file", vec.toString(), "--alert-quantile", "0.02",
                "--rare", "--severity", "HIGH", "--description", "viral pneumonia pattern");
        assertEquals(0, add.code(), add.err());
        assertTrue(add.out().contains("added covid-19 version 1"), add.out());

        CliRun update = run("add", "--id", "covid-19", "--name", "COVID-19", "--vector-file", vec.toString(), "--alert-distance", "0.7");
        assertEquals(0, update.code(), update.err());
        assertTrue(update.out().contains("updated covid-19 version 2"), update.out());

        PrototypeRepository repo = new PrototypeRepository(stack.bootstrapServers(), stack.schemaRegistryUrl());
        Map<String, LabelPrototype> current = repo.current(Duration.ofSeconds(20));
        LabelPrototype p = current.get("covid-19");
        assertEquals(2, p.getVersion());
        assertEquals(3, p.getDimension());
        assertEquals(-1.25f, p.getVector().get(1));
        assertEquals(PrototypeKind.UNSEEN, p.getKind());
        assertEquals(ThresholdMode.ABSOLUTE, p.getAlertPolicy().getMode());
        assertEquals(0.7, p.getAlertPolicy().getValue());

        CliRun list = run("list");
        assertEquals(0, list.code(), list.err());
        assertTrue(list.out().contains("covid-19") && list.out().contains("1 active prototype(s)"), list.out());

        CliRun show = run("show", "--id", "covid-19");
        assertEquals(0, show.code(), show.err());
        assertTrue(show.out().contains("\"labelId\": \"covid-19\""), show.out());

        CliRun retire = run("retire", "--id", "covid-19");
        assertEquals(0, retire.code(), retire.err());
        assertFalse(repo.current(Duration.ofSeconds(20)).containsKey("covid-19"));
        assertEquals(1, run("show", "--id", "covid-19").code());
        CliRun again = run("retire", "--id", "covid-19");
        assertEquals(2, again.code());
        assertTrue(again.err().contains("no active prototype 'covid-19'"), again.err());
    }

    @Test
    void badVectorsAreRefusedWithAClearMessage() throws Exception {
        Path zero = Files.writeString(tmp.resolve("zero.json"), "[0, 0, 0]");
        CliRun r = run("add", "--id", "x", "--name", "X", "--vector-file", zero.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("zero-norm"), r.err());
        Path text = Files.writeString(tmp.resolve("text.json"), "[1, \"a\"]");
        r = run("add", "--id", "x", "--name", "X", "--vector-file", text.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("element 1 is not a number"), r.err());
        r = run("add", "--id", "x", "--name", "X", "--vector-file", tmp.resolve("missing.json").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("does not exist"), r.err());
    }

    @Test
    void badPrototypesAreRefusedWithWhatToFix() throws Exception {
        Path nan = Files.writeString(tmp.resolve("nan.json"), "[1, NaN, 2]");
        CliRun r = run("add", "--id", "x", "--name", "X", "--vector-file", nan.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("a NaN value at element 1"), r.err());
        Path inf = Files.writeString(tmp.resolve("inf.json"), "[1, 1e40, 2]");
        r = run("add", "--id", "x", "--name", "X", "--vector-file", inf.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("an infinite value at element 1"), r.err());
        Path ok = Files.writeString(tmp.resolve("ok.json"), "[1, 2, 3]");
        r = run("add", "--id", "", "--name", "X", "--vector-file", ok.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--id is empty"), r.err());
        r = run("add", "--id", "x", "--name", " ", "--vector-file", ok.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--name is empty"), r.err());
        r = run("add", "--id", "x", "--name", "X");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--vector-file") && r.err().contains("--embeddings") && r.err().contains("--encoder-model"), r.err());
        r = run("add", "--id", "x", "--name", "X", "--vector-file", ok.toString(), "--embeddings", ok.toString(), "--entry", "A");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("mutually exclusive"), r.err());
        r = run("add", "--id", "x", "--name", "X", "--embeddings", ok.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--entry"), r.err());

        // against a model: its class-vector dimension (6) and encoder ("test")
        Path model = TinyModel.create(tmp.resolve("model"), "tiny", "1", 3);
        r = run("add", "--id", "x", "--name", "X", "--vector-file", ok.toString(), "--encoder", "test", "--model", model.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("has 3 values but model tiny:1") && r.err().contains("dimension 6") && r.err().contains("give a 6-value vector"),
                r.err());
        Path six = Files.writeString(tmp.resolve("six.json"), "[1, 2, 3, 4, 5, 6]");
        r = run("add", "--id", "x", "--name", "X", "--vector-file", six.toString(), "--model", model.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("does not say which text encoder") && r.err().contains("pass --encoder test"), r.err());
        r = run("add", "--id", "x", "--name", "X", "--vector-file", six.toString(), "--model", tmp.resolve("nomodel").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("model.json: missing"), r.err());

        // unreadable sources
        r = run("add", "--id", "x", "--name", "X", "--embeddings", tmp.resolve("none.json").toString(), "--entry", "A");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("embeddings file") && r.err().contains("does not exist"), r.err());
        r = run("add", "--id", "x", "--name", "X", "--embeddings", ok.toString(), "--entry", "A");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("must hold a JSON object of class name -> array of numbers"), r.err());
        r = run("add", "--id", "x", "--name", "X", "--encoder-model", tmp.resolve("noencoder").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("is not a directory"), r.err());
        r = run("add", "--id", "x", "--name", "X", "--encoder-model", model.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("has no model.onnx"), r.err());
        assertFalse(new PrototypeRepository(stack.bootstrapServers(), stack.schemaRegistryUrl()).current(Duration.ofSeconds(20)).containsKey("x"),
                "nothing was written");

        CliRun retire = run("retire", "--id", "never-added");
        assertEquals(2, retire.code());
        assertTrue(retire.err().contains("no active prototype 'never-added'"), retire.err());
    }

    /** ChestX-ray14's BioBERT class embeddings, one entry, against the PROMOTED release (1024-d, encoder biobert). */
    @Test
    void addsAnEntryOfAClassEmbeddingsFile() throws Exception {
        String prop = System.getProperty("triage.shared.dir");
        Path file = (prop != null && !prop.isBlank() ? Path.of(prop) : Path.of("..", "..", "shared")).resolve("data/biobert/nih14_biobert_1024.json");
        String absent = "reference data absent: " + file.toAbsolutePath() + " (set -Dtriage.shared.dir); skipping the BioBERT embeddings test";
        assumeTrue(Files.isRegularFile(file) || PeerPolicy.skipAllowed(absent), absent);
        JsonNode all = new ObjectMapper().readTree(file.toFile());

        Path dir = Files.createDirectories(tmp.resolve("biobert-model"));
        new ModelManifest("gzsl", "7", "densenet121", 17, 256, 224, 3, new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.25f, 0.25f, 0.25f}, 100,
                1024, "biobert", "weighted-euclidean", List.of("Atelectasis"), List.of("Edema"), Map.of(), Map.of(), 0.9,
                Map.of(ModelManifest.VISUAL, "0".repeat(64), ModelManifest.SEMANTIC, "0".repeat(64))).write(dir);
        Path manifest = dir.resolve(ModelManifest.FILE_NAME);
        ModelRelease release = ModelRelease.newBuilder().setName("gzsl").setVersion("7").setStatus(ReleaseStatus.PROMOTED)
                .setArtifacts(List.of(Artifact.newBuilder().setName(ModelManifest.FILE_NAME).setUri(manifest.toUri().toString())
                        .setSha256(Sha256.hex(manifest)).setSizeBytes(Files.size(manifest)).build()))
                .setInputSize(224).setInputChannels(3).setEmbeddingDim(100).setClassVectorDim(1024).setDistance("weighted-euclidean")
                .setSeenLabels(List.of("Atelectasis")).setCreatedAt(Instant.now()).build();
        try (KafkaProducer<String, ModelRelease> p = KafkaTestIo.producer(stack.bootstrapServers(), stack.schemaRegistryUrl(), ModelRelease.class)) {
            p.send(new ProducerRecord<>(Topics.MODEL_RELEASES, "gzsl", release)).get();
        }
        try {
            CliRun add = run("add", "--id", "Edema", "--name", "Edema", "--embeddings", file.toString(), "--entry", "Edema", "--severity", "HIGH");
            assertEquals(0, add.code(), add.err());
            assertTrue(add.out().contains("added Edema version 1 (dimension 1024, encoder biobert") && add.out().contains("fits gzsl:7"), add.out());
            LabelPrototype p = new PrototypeRepository(stack.bootstrapServers(), stack.schemaRegistryUrl()).current(Duration.ofSeconds(20)).get("Edema");
            JsonNode expected = all.get("Edema");
            assertEquals(1024, p.getVector().size());
            assertEquals(1024, p.getDimension());
            for (int i = 0; i < 1024; i++) {
                assertEquals(expected.get(i).floatValue(), p.getVector().get(i), "element " + i);
            }
            assertEquals("biobert", p.getVectorEncoder());
            assertTrue(PrototypeValidator.problem(p, 1024).isEmpty());

            CliRun missing = run("add", "--id", "covid-19", "--name", "COVID-19", "--embeddings", file.toString(), "--entry", "COVID-19");
            assertEquals(2, missing.code());
            assertTrue(missing.err().contains("has no entry 'COVID-19'") && missing.err().contains("available: Atelectasis, Cardiomegaly"), missing.err());
            CliRun cased = run("add", "--id", "edema", "--name", "Edema", "--embeddings", file.toString(), "--entry", "edema");
            assertEquals(2, cased.code());
            assertTrue(cased.err().contains("did you mean 'Edema'?"), cased.err());
            CliRun otherEncoder = run("add", "--id", "Edema", "--name", "Edema", "--embeddings", file.toString(), "--entry", "Edema",
                    "--encoder", "clinicalbert");
            assertEquals(2, otherEncoder.code());
            assertTrue(otherEncoder.err().contains("encoder mismatch") && otherEncoder.err().contains("model gzsl:7 (the PROMOTED release on model-releases)")
                    && otherEncoder.err().contains("encoder 'biobert'"), otherEncoder.err());
            Path small = Files.writeString(tmp.resolve("small.json"), "[1, 2, 3]");
            CliRun dim = run("add", "--id", "x", "--name", "X", "--vector-file", small.toString(), "--encoder", "biobert");
            assertEquals(2, dim.code());
            assertTrue(dim.err().contains("takes class vectors of dimension 1024"), dim.err());
        } finally {
            try (KafkaProducer<String, ModelRelease> p = KafkaTestIo.producer(stack.bootstrapServers(), stack.schemaRegistryUrl(), ModelRelease.class)) {
                p.send(new ProducerRecord<>(Topics.MODEL_RELEASES, "gzsl", null)).get();
            }
            run("retire", "--id", "Edema");
        }
    }

    /** A sentence encoder the user supplies (ONNX + tokenizer.json), here a tiny one built by the test; the stream takes its vector. */
    @Test
    void addsAVectorFromATextEncoder() throws Exception {
        Path model = TinyModel.create(tmp.resolve("model"), "tiny", "1", 5);
        List<String> vocab = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", ".", ",", "-", "lung", "flare", "diffuse", "ground", "glass",
                "opac", "##ities", "##ity", "bilateral", "nodule", "pattern", "viral", "pneumonia", "effusion", "pleural", "right", "left",
                "upper", "lower", "lobe", "with", "and", "of", "the", "a", "in", "chest", "mass", "small", "large", "new", "disease", "##s",
                "cardiac", "edema", "covid", "##19", "acute", "chronic", "sign", "halo", "reversed");
        Path enc = Files.createDirectories(tmp.resolve("encoder"));
        writeTokenizer(enc.resolve("tokenizer.json"), vocab);
        Files.writeString(enc.resolve("encoder.json"),
                "{\"name\": \"test\", \"maxLength\": 12, \"padToMaxLength\": true, \"pooling\": \"mean\", \"output\": \"last_hidden_state\"}");
        buildTextEncoder(enc, vocab.size(), TinyModel.CLASS_DIM, 11);
        JsonNode table = new ObjectMapper().readTree(enc.resolve("table.json").toFile());

        CliRun add = run("add", "--id", "lung-flare", "--name", "Lung Flare", "--description", "diffuse opacities", "--encoder-model", enc.toString(),
                "--model", model.toString());
        assertEquals(0, add.code(), add.err());
        assertTrue(add.out().contains("added lung-flare version 1 (dimension 6, encoder test") && add.out().contains("fits tiny:1"), add.out());

        // "Lung Flare. diffuse opacities", lower-cased, WordPiece: [CLS] lung flare . diffuse opac ##ities [SEP], then 4 x [PAD] (mask 0)
        List<String> tokens = List.of("[CLS]", "lung", "flare", ".", "diffuse", "opac", "##ities", "[SEP]");
        float[] expected = new float[TinyModel.CLASS_DIM];
        for (String t : tokens) {
            JsonNode row = table.get(vocab.indexOf(t));
            for (int d = 0; d < expected.length; d++) {
                expected[d] += (float) (row.get(d).doubleValue() / tokens.size());
            }
        }
        LabelPrototype p = new PrototypeRepository(stack.bootstrapServers(), stack.schemaRegistryUrl()).current(Duration.ofSeconds(20)).get("lung-flare");
        assertEquals("test", p.getVectorEncoder());
        assertEquals(TinyModel.CLASS_DIM, p.getDimension());
        for (int d = 0; d < expected.length; d++) {
            assertEquals(expected[d], p.getVector().get(d), 1e-5, "element " + d);
        }
        // the stream takes it: the validator passes and the model's semantic graph projects it
        assertTrue(PrototypeValidator.problem(p, TinyModel.CLASS_DIM).isEmpty());
        try (ExportedModel m = ExportedModel.load(model, ExportedModel.DevicePreference.CPU)) {
            float[] projected = m.projectClassVectors(new float[][] {PrototypeValidator.vector(p)})[0];
            assertEquals(TinyModel.EMBEDDING, projected.length);
            for (float f : projected) {
                assertTrue(Float.isFinite(f));
            }
        }

        // an encoder other than the model's is refused
        Files.writeString(enc.resolve("encoder.json"), "{\"name\": \"minilm\", \"maxLength\": 12}");
        CliRun mismatch = run("add", "--id", "lung-flare", "--name", "Lung Flare", "--encoder-model", enc.toString(), "--model", model.toString());
        assertEquals(2, mismatch.code());
        assertTrue(mismatch.err().contains("encoder mismatch: the vector is from encoder 'minilm' but model tiny:1")
                && mismatch.err().contains("give a vector made by 'test'"), mismatch.err());
        // a broken encoder.json says which key
        Files.writeString(enc.resolve("encoder.json"), "{\"name\": \"test\", \"pool\": \"mean\"}");
        CliRun typo = run("add", "--id", "lung-flare", "--name", "Lung Flare", "--encoder-model", enc.toString(), "--model", model.toString());
        assertEquals(2, typo.code());
        assertTrue(typo.err().contains("unknown key 'pool'"), typo.err());
        assertEquals(1, new PrototypeRepository(stack.bootstrapServers(), stack.schemaRegistryUrl()).current(Duration.ofSeconds(20))
                .get("lung-flare").getVersion());
        run("retire", "--id", "lung-flare");
    }

    @Test
    void poolingAndNormalisation() {
        float[][] tokens = {{1, 2}, {3, 4}, {100, 100}};
        long[] mask = {1, 1, 0};
        org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {2, 3}, TextEncoderAccess.pool(tokens, mask, false));
        org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {1, 2}, TextEncoderAccess.pool(tokens, mask, true));
        org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {0.6f, 0.8f}, TextEncoderAccess.l2(new float[] {3, 4}), 1e-6f);
    }

    private static void writeTokenizer(Path file, List<String> vocab) throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (int i = 0; i < 5; i++) {
            added.addObject().put("id", i).put("content", vocab.get(i)).put("single_word", false).put("lstrip", false).put("rstrip", false)
                    .put("normalized", false).put("special", true);
        }
        root.putObject("normalizer").put("type", "BertNormalizer").put("clean_text", true).put("handle_chinese_chars", true)
                .putNull("strip_accents").put("lowercase", true);
        root.putObject("pre_tokenizer").put("type", "BertPreTokenizer");
        ObjectNode post = root.putObject("post_processor").put("type", "BertProcessing");
        post.putArray("sep").add("[SEP]").add(3);
        post.putArray("cls").add("[CLS]").add(2);
        root.putObject("decoder").put("type", "WordPiece").put("prefix", "##").put("cleanup", true);
        ObjectNode model = root.putObject("model").put("type", "WordPiece").put("unk_token", "[UNK]").put("continuing_subword_prefix", "##")
                .put("max_input_chars_per_word", 100);
        ObjectNode v = model.putObject("vocab");
        for (int i = 0; i < vocab.size(); i++) {
            v.put(vocab.get(i), i);
        }
        json.writeValue(file.toFile(), root);
    }

    private static void buildTextEncoder(Path dir, int vocab, int dim, long seed) throws Exception {
        Path script = dir.resolve("tiny_text_encoder.py");
        try (InputStream in = PrototypesCommandTest.class.getResourceAsStream("tiny_text_encoder.py")) {
            Files.copy(in, script);
        }
        Process p = new ProcessBuilder(TinyModel.PYTHON, script.toString(), dir.toString(), "" + vocab, "" + dim, "" + seed)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "tiny_text_encoder.py did not finish in 60 s");
        assertEquals(0, p.exitValue(), "tiny_text_encoder.py failed: " + out);
    }
}
