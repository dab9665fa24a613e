package org.triage.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChestXray14DatasetTest {
    private static Path nih;
    private static ChestXray14Dataset ds;

    @BeforeAll
    static void open() {
        nih = SharedData.requireNih();
        ds = ChestXray14Dataset.open(nih);
    }

    @Test
    void reproducesThePapersSplitCounts() {
        assertEquals(30_758, ds.split("train").size());
        assertEquals(4_474, ds.split("val").size());
        assertEquals(10_510, ds.split("test").size());
    }

    @Test
    void reproducesUnseenPositivesInTest() {
        Map<String, Integer> positives = new HashMap<>();
        for (Sample s : ds.split("test")) {
            s.labels().forEach(l -> positives.merge(l, 1, Integer::sum));
        }
        assertEquals(413, positives.get("Edema"));
        assertEquals(260, positives.get("Pneumonia"));
        assertEquals(509, positives.get("Emphysema"));
        assertEquals(362, positives.get("Fibrosis"));
    }

    @Test
    void appliesThePapersRules() {
        Set<String> unseen = Set.copyOf(ds.unseenLabels());
        assertEquals(List.of("Edema", "Pneumonia", "Emphysema", "Fibrosis"), ds.unseenLabels());
        assertEquals(10, ds.seenLabels().size());
        assertEquals(14, ds.allLabels().size());
        for (String split : List.of("train", "val")) {
            for (Sample s : ds.split(split)) {
                assertFalse(s.labels().stream().anyMatch(unseen::contains), s.imageId() + " in " + split + " carries an unseen label");
            }
        }
        for (String split : List.of("train", "val", "test")) {
            for (Sample s : ds.split(split)) {
                assertFalse(s.labels().isEmpty(), "an image without a finding survived");
                assertFalse(s.labels().contains(ChestXray14Dataset.NO_FINDING));
            }
        }
    }

    @Test
    void loadsBiobertVectors() {
        assertEquals(1024, ds.classVectorDim());
        assertEquals("biobert", ds.classVectorEncoder());
        for (String l : ds.allLabels()) {
            assertEquals(1024, ds.classVector(l).length);
        }
        // The README's sanity value: cos(Pneumonia, Consolidation) = 0.935.
        assertEquals(0.935, cosine(ds.classVector("Pneumonia"), ds.classVector("Consolidation")), 5e-4);
    }

    @Test
    void countsPresentImagesAndFailsClearlyOnMissingOnes() {
        // Of the nine real images two are "No Finding" and one (00000013_004) carries the unseen
        // Emphysema in the train list, so the rules drop it: six remain, all in train.
        assertEquals(6, ds.presentImageCount("train"));
        assertEquals(0, ds.presentImageCount("val"));
        assertEquals(0, ds.presentImageCount("test"));
        List<Sample> missing = ds.missingImages(ds.split("train"));
        assertEquals(ds.split("train").size() - ds.presentImageCount("train"), missing.size());
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> ds.requireImages("train"));
        assertTrue(e.getMessage().contains("missing on disk"), e.getMessage());
        assertTrue(GzslDataset.open(nih) instanceof ChestXray14Dataset, "layout detection");
    }

    @Test
    void readsTheOfficialListsAndCarvesValByPatient(@TempDir Path dir) throws IOException {
        StringBuilder entries = new StringBuilder("Image Index,Finding Labels,Follow-up #,Patient ID,Patient Age,Patient Gender,View Position,"
                + "OriginalImage[Width,Height],OriginalImagePixelSpacing[x,y]\n");
        StringBuilder trainVal = new StringBuilder();
        String[] labels = {"Atelectasis", "Edema", "No Finding", "Mass|Fibrosis", "Effusion|Hernia"};
        for (int p = 0; p < 200; p++) {
            String img = String.format("%08d_000.png", p);
            entries.append(img).append(',').append(labels[p % labels.length]).append(",0,").append(p).append(",50,M,PA,1024,1024,0.1,0.1\n");
            if (p < 150) {
                trainVal.append(img).append('\n');
            }
        }
        StringBuilder test = new StringBuilder();
        for (int p = 150; p < 200; p++) {
            test.append(String.format("%08d_000.png", p)).append('\n');
        }
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(dir.resolve("Data_Entry_2017.csv.gz")))) {
            out.write(entries.toString().getBytes(StandardCharsets.UTF_8));
        }
        Files.writeString(dir.resolve("train_val_list.txt"), trainVal);
        Files.writeString(dir.resolve("test_list.txt"), test);
        Files.copy(SharedData.dataDir().resolve("biobert/nih14_biobert_1024.json"), dir.resolve("class_vectors.json"));
        ChestXray14Dataset lists = ChestXray14Dataset.open(dir);
        int trainVal2 = lists.split("train").size() + lists.split("val").size();
        // 150 train_val images: 30 each of the 5 label strings; Edema and Mass|Fibrosis are dropped, No Finding too.
        assertEquals(60, trainVal2);
        assertTrue(lists.split("val").size() > 0 && lists.split("val").size() < 20, "val: " + lists.split("val").size());
        assertEquals(40, lists.split("test").size()); // 50 minus the 10 No Finding
        assertEquals(0, lists.presentImageCount("test"));
    }

    private static double cosine(float[] a, float[] b) {
        double ab = 0;
        double aa = 0;
        double bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += a[i] * b[i];
            aa += a[i] * a[i];
            bb += b[i] * b[i];
        }
        return ab / Math.sqrt(aa * bb);
    }
}
