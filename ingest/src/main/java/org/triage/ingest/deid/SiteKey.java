package org.triage.ingest.deid;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The site's secret: everything ingest replaces (patient pseudonyms, UIDs, date offsets) and the re-identification
 * store's encryption derive from it, so one file or variable is all an operator has to protect and back up.
 * Each use gets its own derived key, so knowing e.g. one UID mapping says nothing about another use.
 */
public final class SiteKey {
    /** A fixed, public key for demos and tests only; never for patient data. */
    public static final String DEMO_KEY = "triage-demo-key-not-for-patient-data";
    public static final String ENV_KEY = "TRIAGE_PSEUDONYM_KEY";
    public static final int MIN_KEY_BYTES = 16;

    /** What a derived key is for; the label is part of the derivation, so never rename one. */
    public enum Purpose {
        UID("uid-v1"), DATE_SHIFT("date-shift-v1"), REIDENTIFICATION_STORE("reid-store-aes-gcm-v1"), FINGERPRINT("fingerprint-v1");

        final String label;

        Purpose(String label) {
            this.label = label;
        }
    }

    private final byte[] key;

    public SiteKey(byte[] key) {
        if (key == null || key.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException("pseudonym key must be at least " + MIN_KEY_BYTES + " bytes");
        }
        this.key = key.clone();
    }

    /** A fresh random key, for tests that must not share state through a fixed key. */
    public static SiteKey generate() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return new SiteKey(HexFormat.of().formatHex(k).getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * Resolves the key from a file, else the environment, else the demo key when explicitly allowed.
     *
     * @throws IllegalArgumentException with an operator-facing message when no key is configured
     */
    public static SiteKey fromConfig(Path keyFile, String envValue, boolean allowDemoKey) {
        if (keyFile != null) {
            try {
                return new SiteKey(Files.readString(keyFile, StandardCharsets.UTF_8).strip().getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read pseudonym key file " + keyFile + ": " + e.getMessage());
            }
        }
        if (envValue != null && !envValue.isBlank()) {
            return new SiteKey(envValue.strip().getBytes(StandardCharsets.UTF_8));
        }
        if (allowDemoKey) {
            return new SiteKey(DEMO_KEY.getBytes(StandardCharsets.UTF_8));
        }
        throw new IllegalArgumentException("no pseudonymisation key: pass --pseudonym-key-file FILE or set " + ENV_KEY
                + " (at least " + MIN_KEY_BYTES + " bytes); --demo-key uses a public key for demos only");
    }

    /**
     * HMAC-SHA256 under the key itself: patient pseudonyms have always used it so, and changing that would split
     * every patient's history in the log into two pseudonyms.
     */
    public byte[] pseudonymMac(byte[] message) {
        return hmac(key, message);
    }

    /** HMAC-SHA256 under the key derived for {@code purpose}. */
    public byte[] mac(Purpose purpose, byte[] message) {
        return hmac(derive(purpose), message);
    }

    /** 32 bytes for {@code purpose}: HMAC(site key, "triage/" + label). */
    public byte[] derive(Purpose purpose) {
        return hmac(key, ("triage/" + purpose.label).getBytes(StandardCharsets.US_ASCII));
    }

    /** Names things that belong to this key (the store file) without revealing anything about it. */
    public String fingerprint() {
        return HexFormat.of().formatHex(derive(Purpose.FINGERPRINT), 0, 8);
    }

    private static byte[] hmac(byte[] k, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(k, "HmacSHA256"));
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
