package org.triage.model.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.triage.model.manifest.ModelManifest;

/** ExportedModel on {@link TinyModelFixture}. */
class ExportedModelTest {
    @TempDir
    Path tmp;

    @Test
    void loadsAndRunsOnTheChosenDevice() throws Exception {
        try (ExportedModel m = ExportedModel.load(TinyModelFixture.copyTo(tmp.resolve("m")))) {
            // No CUDA provider in the default (CPU) build: auto must fall back to CPU.
            assertEquals("cpu", m.device());
            ModelManifest man = m.manifest();
            float[][] emb = m.embedImages(new float[5][man.channels() * man.inputSize() * man.inputSize()]);
            assertEquals(5, emb.length);
            assertEquals(man.embeddingDim(), emb[0].length);
            float[][] cls = m.projectClassVectors(new float[][] {new float[man.classVectorDim()], new float[man.classVectorDim()]});
            assertEquals(man.embeddingDim(), cls[1].length);
            assertEquals(0, m.embedImages(new float[0][]).length);
        }
    }

    @Test
    void wrongInputLengthIsAClearError() throws Exception {
        try (ExportedModel m = ExportedModel.load(TinyModelFixture.copyTo(tmp.resolve("m")), ExportedModel.DevicePreference.CPU)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.embedImages(new float[][] {new float[7]}));
            assertTrue(e.getMessage().contains("image 0 has 7 values"), e.getMessage());
        }
    }

    @Test
    void cudaDemandedWithoutCudaIsRefused() throws Exception {
        Path dir = TinyModelFixture.copyTo(tmp.resolve("m"));
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> ExportedModel.load(dir, ExportedModel.DevicePreference.CUDA));
        assertTrue(e.getMessage().startsWith("CUDA requested"), e.getMessage());
    }

    @Test
    void tamperedGraphIsRefusedNamingTheFile() throws Exception {
        Path dir = TinyModelFixture.copyTo(tmp.resolve("m"));
        byte[] b = Files.readAllBytes(dir.resolve(ModelManifest.VISUAL));
        b[b.length / 2] ^= 0x40;
        Files.write(dir.resolve(ModelManifest.VISUAL), b);
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> ExportedModel.load(dir));
        assertTrue(e.getMessage().startsWith("visual.onnx: SHA-256 mismatch"), e.getMessage());
    }

    @Test
    void manifestWithoutArtifactsIsRefused() throws Exception {
        Path dir = TinyModelFixture.copyTo(tmp.resolve("m"));
        String json = Files.readString(dir.resolve(ModelManifest.FILE_NAME)).replace("\"visual.onnx\"", "\"other.onnx\"");
        Files.writeString(dir.resolve(ModelManifest.FILE_NAME), json);
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> ExportedModel.load(dir));
        assertTrue(e.getMessage().startsWith("model.json: invalid") && e.getMessage().contains("visual.onnx"), e.getMessage());
    }
}
