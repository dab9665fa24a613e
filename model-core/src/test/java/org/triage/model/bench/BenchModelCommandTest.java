package org.triage.model.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.triage.model.onnx.TinyModelFixture;
import picocli.CommandLine;

class BenchModelCommandTest {
    @TempDir
    Path tmp;

    @Test
    void reportsThroughputAndLatencyPerBatch() throws Exception {
        Path model = TinyModelFixture.copyTo(tmp.resolve("m"));
        Path report = tmp.resolve("r/bench.json");
        int rc = new CommandLine(new BenchModelCommand()).execute("--report", report.toString(), "--model", model.toString(),
                "--batch", "1,4", "--iterations", "5", "--warmup", "1");
        assertEquals(0, rc);
        JsonNode root = new ObjectMapper().readTree(report.toFile());
        assertEquals("cpu", root.get("device").asText());
        JsonNode results = root.get("configurations").get(0).get("results");
        assertEquals(2, results.size());
        for (JsonNode r : results) {
            assertTrue(r.get("imagesPerSecond").asDouble() > 0);
            assertTrue(r.get("p99Ms").asDouble() >= r.get("p50Ms").asDouble());
            assertEquals(5, r.get("iterations").asInt());
        }
    }

    @Test
    void percentileIsNearestRank() {
        double[] v = {5, 1, 4, 2, 3};
        assertEquals(3, BenchModelCommand.percentile(v, 50));
        assertEquals(5, BenchModelCommand.percentile(v, 99));
        assertEquals(1, BenchModelCommand.percentile(v, 1));
    }

    @Test
    void conflictingFlagsAreRefused() {
        int rc = new CommandLine(new BenchModelCommand()).execute("--report", tmp.resolve("x.json").toString(), "--model", tmp.toString(),
                "--arch", "densenet121", "--random-init");
        assertEquals(1, rc);
    }
}
