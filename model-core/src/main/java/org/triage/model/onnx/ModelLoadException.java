package org.triage.model.onnx;

/** A model artifact is missing, corrupt, tampered with, or disagrees with its manifest. */
public class ModelLoadException extends RuntimeException {
    public ModelLoadException(String message) {
        super(message);
    }

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
