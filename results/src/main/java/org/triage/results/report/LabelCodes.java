package org.triage.results.report;

import java.util.Locale;
import java.util.Map;

/**
 * Codes for label ids. Every label gets a code in the local system {@link #LOCAL_SYSTEM} (its id, so a label added
 * at run time as a new prototype is still coded); the ChestX-ray14 findings whose SNOMED CT concept is unambiguous
 * also get that. Findings where the dataset's word covers several concepts (Infiltration, Mass, Nodule,
 * Consolidation, Pleural_Thickening, Hernia) stay local only rather than be coded wrongly.
 */
public final class LabelCodes {
    public static final String LOCAL_SYSTEM = "urn:triage:label";
    public static final String SNOMED_SYSTEM = "http://snomed.info/sct";

    /** A label's codes; {@code snomedCode} is null where there is none we are sure of. */
    public record Code(String localCode, String display, String snomedCode, String snomedDisplay) {
    }

    private static final Map<String, Code> KNOWN = Map.ofEntries(
            snomed("Atelectasis", "Atelectasis", "46621007", "Atelectasis"),
            snomed("Cardiomegaly", "Cardiomegaly", "8186001", "Cardiomegaly"),
            snomed("Effusion", "Pleural effusion", "60046008", "Pleural effusion"),
            snomed("Pneumonia", "Pneumonia", "233604007", "Pneumonia"),
            snomed("Pneumothorax", "Pneumothorax", "36118008", "Pneumothorax"),
            snomed("Edema", "Pulmonary edema", "19242006", "Pulmonary edema"),
            snomed("Emphysema", "Pulmonary emphysema", "87433001", "Pulmonary emphysema"),
            snomed("Fibrosis", "Pulmonary fibrosis", "51615001", "Fibrosis of lung"));

    private LabelCodes() {
    }

    private static Map.Entry<String, Code> snomed(String id, String display, String code, String snomedDisplay) {
        return Map.entry(key(id), new Code(id, display, code, snomedDisplay));
    }

    public static Code of(String labelId) {
        Code known = KNOWN.get(key(labelId));
        return known != null ? new Code(labelId, known.display(), known.snomedCode(), known.snomedDisplay())
                : new Code(labelId, labelId.replace('_', ' '), null, null);
    }

    /** Label ids come as {@code Pleural_Thickening}, {@code pleural thickening} or {@code pleural-thickening}. */
    private static String key(String labelId) {
        return labelId.toLowerCase(Locale.ROOT).replaceAll("[ _-]+", "_");
    }
}
