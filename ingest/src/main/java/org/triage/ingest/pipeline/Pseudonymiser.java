package org.triage.ingest.pipeline;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Keyed HMAC-SHA256 pseudonyms of patient ids. Stable for one key, so a patient's studies link up,
 * and useless without the key, so the pseudonym does not identify anyone.
 */
public final class Pseudonymiser {
    /** A fixed, public key for demos and tests only; never for patient data. */
    public static final String DEMO_KEY = "triage-demo-key-not-for-patient-data";
    public static final String ENV_KEY = "TRIAGE_PSEUDONYM_KEY";
    private static final int MIN_KEY_BYTES = 16;

    private final byte[] key;

    public Pseudonymiser(byte[] key) {
        if (key == null || key.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException("pseudonym key must be at least " + MIN_KEY_BYTES + " bytes");
        }
        this.key = key.clone();
    }

    /**
     * Resolves the key from a file, else the environment, else the demo key when explicitly allowed.
     *
     * @throws IllegalArgumentException with an operator-facing message when no key is configured
     */
    public static Pseudonymiser fromConfig(Path keyFile, String envValue, boolean allowDemoKey) {
        if (keyFile != null) {
            try {
                String k = Files.readString(keyFile, StandardCharsets.UTF_8).strip();
                return new Pseudonymiser(k.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read pseudonym key file " + keyFile + ": " + e.getMessage());
            }
        }
        if (envValue != null && !envValue.isBlank()) {
            return new Pseudonymiser(envValue.strip().getBytes(StandardCharsets.UTF_8));
        }
        if (allowDemoKey) {
            return new Pseudonymiser(DEMO_KEY.getBytes(StandardCharsets.UTF_8));
        }
        throw new IllegalArgumentException("no pseudonymisation key: pass --pseudonym-key-file FILE or set " + ENV_KEY
                + " (at least " + MIN_KEY_BYTES + " bytes); --demo-key uses a public key for demos only");
    }

    /** Hex HMAC of the patient id; a missing id pseudonymises the empty string (all anonymous images link). */
    public String pseudonym(String patientId) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal((patientId == null ? "" : patientId).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
