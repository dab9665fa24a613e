package org.triage.ingest.pipeline;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import org.triage.ingest.deid.SiteKey;

/**
 * Keyed HMAC-SHA256 pseudonyms of patients (PS3.15 E.1: Patient ID and Issuer of Patient ID are replaced). Stable for
 * one key, so a patient's studies link up, and useless without the key, so the pseudonym does not identify anyone.
 */
public final class Pseudonymiser {
    private final SiteKey key;

    public Pseudonymiser(byte[] key) {
        this(new SiteKey(key));
    }

    public Pseudonymiser(SiteKey key) {
        this.key = key;
    }

    /** See {@link SiteKey#fromConfig}. */
    public static Pseudonymiser fromConfig(Path keyFile, String envValue, boolean allowDemoKey) {
        return new Pseudonymiser(SiteKey.fromConfig(keyFile, envValue, allowDemoKey));
    }

    /** The key everything else ingest replaces is derived from. */
    public SiteKey siteKey() {
        return key;
    }

    /**
     * Hex HMAC of the patient. The same id from two issuers is two patients. A film without a patient id is a patient
     * of its own, pseudonymised from {@code fallbackUid} (its Study Instance UID, else its SOP Instance UID or content
     * UID): linking every anonymous film to one "patient" would merge strangers' histories and date offsets.
     * The inputs cannot collide: without an issuer it is the id's bytes (as before issuers were read, so earlier
     * pseudonyms stay valid), with one it starts with NUL and without an id with SOH, neither of which an LO value holds.
     */
    public String pseudonym(String issuer, String patientId, String fallbackUid) {
        String id = patientId == null ? "" : patientId.strip();
        String iss = issuer == null ? "" : issuer.strip();
        String input;
        if (id.isEmpty()) {
            if (fallbackUid == null || fallbackUid.isBlank()) {
                throw new IllegalArgumentException("a film without a patient id needs a UID to pseudonymise");
            }
            input = "\u0001" + fallbackUid.replace("\0", "").strip();
        } else if (iss.isEmpty()) {
            input = id;
        } else {
            input = "\u0000" + iss + "\u0000" + id;
        }
        return HexFormat.of().formatHex(key.pseudonymMac(input.getBytes(StandardCharsets.UTF_8)));
    }
}
