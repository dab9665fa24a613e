package org.triage.cli.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.triage.stream.calibration.ThresholdCalibrator;
import org.triage.stream.model.BatchEmbedder;
import org.triage.stream.model.OnnxModelLoader;
import org.triage.trainer.data.GzslDataset;
import org.triage.trainer.data.Sample;

/**
 * The exported model loaded in the demo's own process, to calibrate and measure the way
 * {@code prototypes add} does: the same projection, the same distance and the same
 * {@link ThresholdCalibrator} against the seen labels' release thresholds.
 */
final class InProcessCalibrator implements AutoCloseable {
    private static final int BATCH = 16;
    private final BatchEmbedder model;
    private final Map<String, float[]> seen = new HashMap<>();

    InProcessCalibrator(Path modelDir, GzslDataset dataset) {
        this.model = new OnnxModelLoader().load(modelDir);
        for (String label : model.info().seenLabels()) {
            seen.put(label, project(dataset.classVector(label)));
        }
    }

    String modelRef() {
        return model.info().ref();
    }

    float[] project(float[] classVector) {
        return model.project(new float[][] {classVector})[0];
    }

    float distance(float[] embedding, float[] projection) {
        return model.distance(embedding, projection);
    }

    /** Embeds films from their image files, as the stream would from their pixels. */
    List<float[]> embed(List<Sample> films) throws IOException {
        List<float[]> out = new ArrayList<>(films.size());
        for (int i = 0; i < films.size(); i += BATCH) {
            List<Sample> chunk = films.subList(i, Math.min(films.size(), i + BATCH));
            float[][] batch = new float[chunk.size()][];
            for (int j = 0; j < batch.length; j++) {
                batch[j] = model.preprocess(Files.readAllBytes(chunk.get(j).imagePath()));
            }
            out.addAll(List.of(model.embed(batch)));
        }
        return out;
    }

    ThresholdCalibrator.Result calibrate(float[] projection, List<float[]> reference) {
        return ThresholdCalibrator.calibrate(projection, reference, seen, model.info().thresholds(), model::distance, null);
    }

    @Override
    public void close() {
        model.close();
    }
}
