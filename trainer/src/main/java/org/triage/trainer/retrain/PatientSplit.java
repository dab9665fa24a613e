package org.triage.trainer.retrain;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Assigns a patient to train, val or test from a keyed hash of the pseudonym alone, so every film
 * of a patient lands in the same split (no patient leaks from train into test), the assignment
 * never depends on the order or the number of records read, and a patient keeps its split when
 * the data grows. The seed is the key: another seed gives an independent split.
 */
public record PatientSplit(long seed, double trainFraction, double valFraction) {
    public static final String METHOD = "patient-hmac-sha256";

    public PatientSplit {
        if (!(trainFraction > 0) || !(valFraction > 0) || !(trainFraction + valFraction < 1)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "split fractions must be > 0 with train + val < 1 (the rest is test); got train %s, val %s", trainFraction, valFraction));
        }
    }

    public double testFraction() {
        return 1 - trainFraction - valFraction;
    }

    /** "train", "val" or "test". */
    public String of(String patientPseudonym) {
        double u = unit(patientPseudonym);
        return u < trainFraction ? "train" : u < trainFraction + valFraction ? "val" : "test";
    }

    /** The pseudonym's point in [0, 1). */
    double unit(String patientPseudonym) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(("triage-split:" + seed).getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] h = mac.doFinal(patientPseudonym.getBytes(StandardCharsets.UTF_8));
            long top53 = ByteBuffer.wrap(h).getLong() >>> 11;
            return top53 / (double) (1L << 53);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable in this JVM", e);
        }
    }

    /** How a release names this split (DataSplit.method); {@link #parse} reads it back, so a release can be rebuilt. */
    public String describe() {
        return METHOD + "(train=" + trainFraction + ",val=" + valFraction + ")";
    }

    private static final java.util.regex.Pattern DESCRIBED = java.util.regex.Pattern.compile(
            java.util.regex.Pattern.quote(METHOD) + "\\(train=([0-9.eE-]+),val=([0-9.eE-]+)\\)");

    /** The split a release recorded as method and seed. */
    public static PatientSplit parse(String method, long seed) {
        java.util.regex.Matcher m = DESCRIBED.matcher(method == null ? "" : method);
        if (!m.matches()) {
            throw new IllegalArgumentException("split method '" + method + "' was not written by triage retrain; cannot rebuild it");
        }
        return new PatientSplit(seed, Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)));
    }
}
