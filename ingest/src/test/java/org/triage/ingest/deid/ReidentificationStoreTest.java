package org.triage.ingest.deid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReidentificationStoreTest {
    private static final SiteKey KEY = new SiteKey("store-test-key-0123456789".getBytes(StandardCharsets.UTF_8));

    @TempDir
    Path dir;

    static ReidentificationStore.Entry entry(int i) {
        return new ReidentificationStore.Entry("2.25." + i, "2.25.1" + i, "2.25.2" + i, "1.2.3." + i, "1.2.3", "1.2.3.9",
                "ZZACC" + i, "ZZPID" + i, "ZZISSUER", 17);
    }

    @Test
    void roundTripsAcrossReopenAndIsEncryptedOwnerOnly() throws Exception {
        try (ReidentificationStore s = ReidentificationStore.open(dir, KEY)) {
            s.record(entry(1));
            s.record(entry(2));
            long size = Files.size(s.file());
            s.record(entry(1));
            assertEquals(size, Files.size(s.file()), "a retry of the same instance adds nothing");
            assertEquals(Optional.of(entry(1)), s.lookup("2.25.1"));
            assertEquals(Optional.of(entry(2)), s.lookup("2.25.12"), "by replacement study UID");
            assertEquals(Optional.empty(), s.lookup("2.25.99"));
        }
        try (ReidentificationStore s = ReidentificationStore.open(dir, KEY)) {
            assertEquals(Optional.of(entry(2)), s.lookup("2.25.2"), "the index is rebuilt from the file");
            Path file = s.file();
            byte[] raw = Files.readAllBytes(file);
            for (String marker : new String[] {"ZZPID", "ZZACC", "ZZISSUER", "1.2.3.1"}) {
                assertFalse(new String(raw, StandardCharsets.ISO_8859_1).contains(marker), marker + " in clear in the store");
            }
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        }
    }

    @Test
    void anotherKeyOpensItsOwnFileAndATamperedRecordIsRefused() throws Exception {
        Path file;
        try (ReidentificationStore s = ReidentificationStore.open(dir, KEY)) {
            s.record(entry(1));
            file = s.file();
        }
        try (ReidentificationStore other = ReidentificationStore.open(dir, SiteKey.generate())) {
            assertEquals(Optional.empty(), other.lookup("2.25.1"));
            assertFalse(other.file().equals(file));
        }
        byte[] raw = Files.readAllBytes(file);
        raw[raw.length - 1] ^= 1;
        Files.write(file, raw);
        IOException e = assertThrows(IOException.class, () -> ReidentificationStore.open(dir, KEY));
        assertTrue(e.getMessage().contains("does not decrypt"), e.getMessage());
    }

    @Test
    void aTornLastRecordIsCutAndALyingLengthIsNotAllocated() throws Exception {
        Path file;
        try (ReidentificationStore s = ReidentificationStore.open(dir, KEY)) {
            s.record(entry(1));
            file = s.file();
        }
        long good = Files.size(file);
        Files.write(file, new byte[] {0, 0, 1, 0, 42, 42}, StandardOpenOption.APPEND);
        try (ReidentificationStore s = ReidentificationStore.open(dir, KEY)) {
            assertEquals(Optional.of(entry(1)), s.lookup("2.25.1"));
            assertEquals(good, Files.size(file), "the incomplete record is cut off");
            s.record(entry(2));
        }
        Files.write(file, new byte[] {(byte) 0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 1, 2, 3}, StandardOpenOption.APPEND);
        IOException e = assertThrows(IOException.class, () -> ReidentificationStore.open(dir, KEY));
        assertTrue(e.getMessage().contains("corrupt"), e.getMessage());
    }

    @Test
    void aTemporaryStoreIsGoneAfterClose() throws Exception {
        Path file;
        try (ReidentificationStore s = ReidentificationStore.openTemporary(KEY)) {
            s.record(entry(1));
            assertEquals(Optional.of(entry(1)), s.lookup("2.25.1"));
            file = s.file();
        }
        assertFalse(Files.exists(file.getParent()), "folder and file removed");
    }

    @Test
    void twoStoresOnOneFileSeeEachOthersRecords() throws Exception {
        try (ReidentificationStore a = ReidentificationStore.open(dir, KEY); ReidentificationStore b = ReidentificationStore.open(dir, KEY)) {
            a.record(entry(1));
            b.record(entry(2));
            assertEquals(Optional.of(entry(2)), a.lookup("2.25.2"));
            assertEquals(Optional.of(entry(1)), b.lookup("2.25.1"));
            long size = Files.size(a.file());
            b.record(entry(1));
            assertEquals(size, Files.size(a.file()), "b knows a's record: no second copy");
        }
    }
}
