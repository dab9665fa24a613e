package org.triage.trainer.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.triage.trainer.data.GzslDataset;

/**
 * Whether a horizontal flip preserves labels. A flip turns a left-sided finding into a right-sided
 * one, so where laterality is part of a class it changes the label and must be off. A dataset
 * says so in dataset.json / classes.json: an explicit {@code "horizontalFlipPreservesLabels"} (or
 * {@code "horizontalFlipSafe"}) {@code : true|false}
 * wins; otherwise any mention of "laterality" (an attribute of the phantom's classes) turns the
 * flip off; {@link GzslDataset#horizontalFlipPreservesLabels()} false also turns it off. ChestX-ray14 has neither file: its labels are side-free, so the flip stays on (paper).
 */
public final class FlipPolicy {
    private FlipPolicy() {}

    public static boolean flipPreservesLabels(GzslDataset data) {
        if (!data.horizontalFlipPreservesLabels()) {
            return false;
        }
        boolean mentionsLaterality = false;
        for (String f : new String[] {"dataset.json", "classes.json"}) {
            Path p = data.root().resolve(f);
            if (!Files.isRegularFile(p)) {
                continue;
            }
            String text;
            try {
                text = Files.readString(p);
            } catch (IOException e) {
                continue;
            }
            String lower = text.toLowerCase(Locale.ROOT).replace(" ", "");
            for (String key : new String[] {"\"horizontalflipsafe\":", "\"horizontalflippreserveslabels\":"}) {
                if (lower.contains(key + "false")) {
                    return false;
                }
                if (lower.contains(key + "true")) {
                    return true;
                }
            }
            mentionsLaterality |= lower.contains("laterality");
        }
        return !mentionsLaterality;
    }
}
