package org.triage.stream.model;

/**
 * The model as the stream sees it: a visual encoder over preprocessed batches and a semantic
 * encoder over prototype vectors. Kept this small so the topology can be tested with a
 * deterministic fake and the ONNX model can be swapped without touching the topology.
 */
public interface BatchEmbedder extends AutoCloseable {

    ModelInfo info();

    /** Decodes and preprocesses one encoded image into the model's input tensor (CHW). */
    float[] preprocess(byte[] encodedImage);

    /** Embeds a batch of preprocessed images; returns [N][embeddingDim]. */
    float[][] embed(float[][] batch);

    /** Projects prototype class vectors into the shared space; returns [M][embeddingDim]. */
    float[][] project(float[][] classVectors);

    /** Distance between an image embedding and a projected prototype (smaller = more likely). */
    float distance(float[] embedding, float[] prototype);

    @Override
    void close();
}
