package org.triage.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.triage.ingest.image.Normaliser;
import org.triage.ingest.pipeline.Quarantine;

class QuarantineTest {
    @TempDir
    Path tmp;

    @Test
    void sameBytesSameFileNamedBySha256() throws Exception {
        Quarantine q = new Quarantine(tmp.resolve("q"), 1 << 20);
        byte[] a = "rejected original A".getBytes(StandardCharsets.US_ASCII);
        Quarantine.Entry e1 = q.store(a);
        Quarantine.Entry e2 = q.store(a.clone());
        assertTrue(e1.stored());
        assertEquals(e1, e2);
        String sha = Normaliser.sha256(a);
        assertEquals(sha, e1.sha256());
        Path f = Path.of(java.net.URI.create(e1.uri()));
        assertEquals(q.pathFor(sha), f);
        assertArrayEquals(a, Files.readAllBytes(f));
        assertEquals(a.length, q.usedBytes(), "a second copy takes no space");
        try (Stream<Path> s = Files.list(q.dir())) {
            assertEquals(1, s.count(), "one file, no temp files left behind");
        }
        Quarantine.Entry b = q.store("another".getBytes(StandardCharsets.US_ASCII));
        assertFalse(b.uri().equals(e1.uri()));
    }

    @Test
    void overTheBoundTheOriginalIsNotKeptAndThatIsReported() throws Exception {
        Quarantine q = new Quarantine(tmp.resolve("q"), 100);
        assertTrue(q.store(new byte[60]).stored());
        Quarantine.Entry over = q.store(new byte[50]);
        assertFalse(over.stored());
        assertNull(over.uri());
        assertEquals("over-capacity", over.dropped());
        assertEquals(50, over.sizeBytes());
        assertEquals(1, q.droppedCount());
        assertFalse(Files.exists(q.pathFor(over.sha256())));
        assertTrue(q.store(new byte[40]).stored(), "what still fits is kept");
        assertEquals(100, q.usedBytes());
        // A restart counts what is already there.
        Quarantine again = new Quarantine(tmp.resolve("q"), 100);
        assertEquals(100, again.usedBytes());
        assertFalse(again.store(new byte[1]).stored());
        assertTrue(again.store(new byte[60]).stored(), "already there: no new space needed");
    }

    @Test
    void folderAndFilesAreOwnerOnly() throws Exception {
        Assumptions.assumeTrue(Files.getFileStore(tmp).supportsFileAttributeView(PosixFileAttributeView.class), "no POSIX permissions here");
        Path loose = Files.createDirectories(tmp.resolve("loose"));
        Files.setPosixFilePermissions(loose, PosixFilePermissions.fromString("rwxr-xr-x"));
        Quarantine q = new Quarantine(loose, 1 << 20);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(q.dir())));
        Quarantine fresh = new Quarantine(tmp.resolve("a/b/fresh"), 1 << 20);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh.dir())));
        Path f = Path.of(java.net.URI.create(q.store(new byte[] {1, 2, 3}).uri()));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
    }
}
