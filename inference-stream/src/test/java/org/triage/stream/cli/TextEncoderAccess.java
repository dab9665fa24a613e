package org.triage.stream.cli;

/** Test access to the package-private pooling of {@link TextEncoder}. */
public final class TextEncoderAccess {
    private TextEncoderAccess() {
    }

    public static float[] pool(float[][] tokens, long[] mask, boolean cls) {
        return TextEncoder.pool(tokens, mask, cls ? TextEncoder.Pooling.CLS : TextEncoder.Pooling.MEAN);
    }

    public static float[] l2(float[] v) {
        return TextEncoder.l2(v);
    }
}
