package org.triage.stream.model;

import java.nio.file.Path;
import org.triage.model.distance.DistanceFunction;
import org.triage.model.manifest.ModelManifest;
import org.triage.model.onnx.ExportedModel;
import org.triage.model.preprocess.ImagePreprocessor;
import org.triage.model.preprocess.PreprocessSpec;

/**
 * The production loader: an exported model through model-core, so the stream preprocesses and
 * measures distance with exactly the code the trainer used (no train/serve skew).
 */
public final class OnnxModelLoader implements ModelLoader {

    @Override
    public BatchEmbedder load(Path modelDir) {
        ExportedModel model = ExportedModel.load(modelDir);
        try {
            return new OnnxEmbedder(model);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    private static final class OnnxEmbedder implements BatchEmbedder {
        private final ExportedModel model;
        private final ModelInfo info;
        private final ThreadLocal<ImagePreprocessor> preprocessor;
        private final DistanceFunction distance;

        OnnxEmbedder(ExportedModel model) {
            this.model = model;
            ModelManifest m = model.manifest();
            this.distance = DistanceFunction.fromId(m.distance() == null ? "weighted-euclidean" : m.distance());
            this.info = new ModelInfo(m.name(), m.version(), m.embeddingDim(), m.classVectorDim(), distance.id(),
                    m.thresholds() == null ? java.util.Map.of() : m.thresholds(),
                    m.seenLabels() == null ? java.util.List.of() : m.seenLabels(), model.device());
            PreprocessSpec spec = new PreprocessSpec(m.resize(), m.inputSize(), m.channels(), m.mean(), m.std());
            // One preprocessor per thread: preprocessing runs on a small pool beside inference.
            this.preprocessor = ThreadLocal.withInitial(() -> new ImagePreprocessor(spec));
        }

        @Override
        public ModelInfo info() {
            return info;
        }

        @Override
        public float[] preprocess(byte[] encodedImage) {
            return preprocessor.get().preprocess(encodedImage);
        }

        @Override
        public float[][] embed(float[][] batch) {
            return model.embedImages(batch);
        }

        @Override
        public float[][] project(float[][] classVectors) {
            return model.projectClassVectors(classVectors);
        }

        @Override
        public float distance(float[] embedding, float[] prototype) {
            return distance.compute(embedding, prototype);
        }

        @Override
        public void close() {
            model.close();
        }
    }
}
