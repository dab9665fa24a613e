package org.triage.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryDatasetTest {
    private static final String CLASSES = "{\"seen\":[\"A\",\"B\"],\"unseen\":[\"U\"],\"encoder\":\"toy\","
            + "\"vectors\":{\"A\":[1,0,0],\"B\":[0,1,0],\"U\":[0,0,1.5]}}";

    private static Path write(Path dir, String classes, String labels) throws IOException {
        Files.createDirectories(dir.resolve("images"));
        Files.writeString(dir.resolve("classes.json"), classes);
        Files.writeString(dir.resolve("labels.csv"), labels);
        return dir;
    }

    @Test
    void readsTheFormat(@TempDir Path dir) throws IOException {
        write(dir, CLASSES, "image,split,labels\na1,train,A\na2,train,A|B\nv1,val,B\nt1,test,U|A\nt2,test,B\n");
        GzslDataset ds = GzslDataset.open(dir);
        assertTrue(ds instanceof DirectoryDataset);
        assertEquals(List.of("A", "B"), ds.seenLabels());
        assertEquals(List.of("U"), ds.unseenLabels());
        assertEquals(List.of("A", "B", "U"), ds.allLabels());
        assertEquals(3, ds.classVectorDim());
        assertEquals("toy", ds.classVectorEncoder());
        assertArrayEquals(new float[] {0, 0, 1.5f}, ds.classVector("U"));
        assertEquals(2, ds.split("train").size());
        assertEquals(Set.of("A", "B"), ds.split("train").get(1).labels());
        assertEquals(dir.resolve("images/t1.png"), ds.split("test").get(0).imagePath());
        assertTrue(ds.horizontalFlipPreservesLabels(), "default when classes.json does not say otherwise");
        assertThrows(IllegalArgumentException.class, () -> ds.split("holdout"));
        assertThrows(IllegalArgumentException.class, () -> ds.classVector("Z"));
        // The returned vector is a copy: callers cannot corrupt the dataset.
        ds.classVector("A")[0] = 99;
        assertEquals(1f, ds.classVector("A")[0]);
    }

    @Test
    void missingImagesFailClearly(@TempDir Path dir) throws IOException {
        write(dir, CLASSES, "image,split,labels\na1,train,A\na2,train,B\nt1,test,U\n");
        Files.write(dir.resolve("images/a1.png"), new byte[] {1});
        GzslDataset ds = GzslDataset.open(dir);
        assertEquals(1, ds.missingImages(ds.split("train")).size());
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> ds.requireImages("train"));
        assertTrue(e.getMessage().contains("1 of 2 images"), e.getMessage());
    }

    @Test
    void rejectsUnseenLabelsOutsideTest(@TempDir Path dir) throws IOException {
        write(dir, CLASSES, "image,split,labels\na1,train,A|U\n");
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> GzslDataset.open(dir));
        assertTrue(e.getMessage().contains("unseen label 'U'") && e.getMessage().contains("labels.csv:2"), e.getMessage());
    }

    @Test
    void rejectsBadContentWithAClearMessage(@TempDir Path root) throws IOException {
        assertMessage(write(root.resolve("a"), CLASSES, "img,split,labels\n"), "header must be");
        assertMessage(write(root.resolve("b"), CLASSES, "image,split,labels\na1,train,Z\n"), "unknown label 'Z'");
        assertMessage(write(root.resolve("c"), CLASSES, "image,split,labels\na1,train,\n"), "no label");
        assertMessage(write(root.resolve("d"), CLASSES, "image,split,labels\na1,dev,A\n"), "unknown split 'dev'");
        assertMessage(write(root.resolve("e"), CLASSES, "image,split,labels\na1,train,A\na1,test,B\n"), "listed twice");
        assertMessage(write(root.resolve("f"), CLASSES, "image,split,labels\n../x,train,A\n"), "invalid image id");
        assertMessage(write(root.resolve("g"), "{\"seen\":[\"A\"],\"unseen\":[\"U\"],\"vectors\":{\"A\":[1,2],\"U\":[1]}}",
                "image,split,labels\n"), "dimensions");
        assertMessage(write(root.resolve("h"), "{\"seen\":[\"A\"],\"unseen\":[\"U\"],\"vectors\":{\"A\":[1]}}",
                "image,split,labels\n"), "no vector for label 'U'");
        assertMessage(write(root.resolve("i"), "{\"seen\":[\"A\"],\"unseen\":[\"A\"],\"vectors\":{\"A\":[1]}}",
                "image,split,labels\n"), "listed twice");
        assertMessage(write(root.resolve("j"), "not json", "image,split,labels\n"), "cannot parse");
        Path empty = Files.createDirectories(root.resolve("k"));
        assertMessage(empty, "cannot recognise the dataset");
        assertMessage(root.resolve("absent"), "does not exist");
    }

    private static void assertMessage(Path dir, String expected) {
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> GzslDataset.open(dir));
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
        assertFalse(e.getMessage().isBlank());
    }
}
