package org.triage.trainer.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.triage.model.distance.DistanceFunction;
import org.triage.model.preprocess.PreprocessSpec;

/**
 * config.json of a model directory written by {@code triage train}: everything needed to rebuild
 * the network, preprocess exactly as in training and score labels.
 *
 * @param format             "cm-dml-gzsl/1"
 * @param arch               network shape
 * @param preprocess         resize / crop / channels / mean / std (the stream's ImagePreprocessor takes it as is)
 * @param classVectorDim     dimension D of class vectors the semantic MLP takes
 * @param classVectorEncoder name of the encoder of the class vectors
 * @param distance           distance id (DistanceFunction)
 * @param seenLabels         training classes
 * @param unseenLabels       zero-shot classes of the dataset
 * @param classVectors       label -> class vector, for all labels
 * @param hyper              hyper-parameters of the run (delta included)
 * @param paramsFile         file of the DJL parameters of the selected checkpoint, relative to the directory
 * @param selectedEpoch      0-based epoch of those parameters
 * @param selection          how the checkpoint was selected (see the trainer README)
 * @param validation         validation metric of the selected checkpoint
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelConfig(String format, ArchSpec arch, PreprocessSpec preprocess, int classVectorDim, String classVectorEncoder,
        String distance, List<String> seenLabels, List<String> unseenLabels, Map<String, float[]> classVectors,
        TrainHyper hyper, String paramsFile, int selectedEpoch, String selection, double validation) {

    public static final String FILE_NAME = "config.json";
    public static final String FORMAT = "cm-dml-gzsl/1";
    public static final String PARAMS_FILE = "model.params";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public DistanceFunction distanceFunction() {
        return DistanceFunction.fromId(distance);
    }

    public ModelConfig withSelection(String paramsFile, int epoch, String selection, double validation) {
        return new ModelConfig(format, arch, preprocess, classVectorDim, classVectorEncoder, distance, seenLabels, unseenLabels,
                classVectors, hyper, paramsFile, epoch, selection, validation);
    }

    public void write(Path dir) {
        try {
            Files.createDirectories(dir);
            Path tmp = dir.resolve(FILE_NAME + ".tmp");
            JSON.writeValue(tmp.toFile(), this);
            Files.move(tmp, dir.resolve(FILE_NAME), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(FILE_NAME), e);
        }
    }

    public static ModelConfig read(Path dir) {
        Path file = dir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("not a model directory: " + file + " is missing (write one with 'triage train')");
        }
        try {
            ModelConfig c = JSON.readValue(file.toFile(), ModelConfig.class);
            if (!FORMAT.equals(c.format())) {
                throw new IllegalArgumentException(file + " has format '" + c.format() + "', expected " + FORMAT);
            }
            return c;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
