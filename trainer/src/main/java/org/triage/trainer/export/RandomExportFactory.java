package org.triage.trainer.export;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.triage.model.bench.RandomModelFactory;
import org.triage.model.preprocess.PreprocessSpec;
import org.triage.trainer.model.ArchSpec;
import org.triage.trainer.model.TrainedModel;

/** {@code bench model --random-init}: a freshly initialised model of an architecture, exported (and parity-checked) to ONNX. */
public final class RandomExportFactory implements RandomModelFactory {
    /** Class-vector dimension of the BioBERT encoder the paper uses. */
    static final int CLASS_VECTOR_DIM = 768;

    @Override
    public Path export(String arch, int inputSize, long seed, Path dir) {
        ArchSpec spec = ArchSpec.byName(arch);
        int crop = inputSize > 0 ? inputSize : ("densenet121".equals(spec.name()) ? 224 : 64);
        int resize = (int) Math.round(crop * 256.0 / 224.0);
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            seen.add("seen" + i);
        }
        List<String> unseen = List.of("unseen0", "unseen1", "unseen2", "unseen3");
        RandomModelDir.create(dir, spec, PreprocessSpec.imagenet(resize, crop), seen, unseen, CLASS_VECTOR_DIM, seed, true);
        try (TrainedModel model = TrainedModel.load(dir)) {
            ModelExporter.export(model, dir, new ModelExporter.Options("random-" + arch, "random-" + seed,
                    DjlBlockExporter.BatchNormMode.FOLD, 0.95, null, 0, null));
        }
        return dir;
    }
}
