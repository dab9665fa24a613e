package org.triage.ingest.deid;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The re-identification map, kept at the hospital edge and never on Kafka: replacement UIDs to the original UIDs,
 * accession number and patient. An append-only file, {@code reid-<key fingerprint>.log} in an owner-only folder
 * (0700, file 0600), of records {@code [length: 4 bytes][nonce: 12][AES-256-GCM ciphertext + tag]}, the AES key derived
 * from the site key. Only that key opens it; a different key opens its own file, so switching keys never mixes maps.
 * Each record is forced to disk before the event is published, so every event on Kafka can be re-identified.
 * The index (replacement UID to file offset) is in memory and rebuilt at open; the records themselves stay encrypted
 * on disk until looked up. Several processes may share one store (e.g. {@code ingest scp} and {@code ingest files}):
 * appends hold an exclusive file lock, and a lookup that misses first reads what others appended since.
 */
public final class ReidentificationStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReidentificationStore.class);
    /** Records are a few hundred bytes (values are bounded by their VRs before they get here); more means a corrupt file. */
    static final int MAX_RECORD_BYTES = 16 << 10;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final byte[] AAD = "triage-reidentification-v1".getBytes(StandardCharsets.US_ASCII);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One stored instance. Replacement UIDs are what events carry; the rest is what they replaced. Study and series
     * lookups return the entry of the latest instance stored for them.
     */
    public record Entry(String replacementSopInstanceUid, String replacementStudyInstanceUid, String replacementSeriesInstanceUid,
                        String sopInstanceUid, String studyInstanceUid, String seriesInstanceUid, String accessionNumber,
                        String patientId, String issuerOfPatientId, int dateOffsetDays, String sopClassUid) {
        /**
         * Without the SOP Class UID (as every record written before it was kept reads back: null), so a result can
         * name the film by its UIDs but not as a DICOM image reference.
         */
        public Entry(String replacementSopInstanceUid, String replacementStudyInstanceUid, String replacementSeriesInstanceUid,
                     String sopInstanceUid, String studyInstanceUid, String seriesInstanceUid, String accessionNumber,
                     String patientId, String issuerOfPatientId, int dateOffsetDays) {
            this(replacementSopInstanceUid, replacementStudyInstanceUid, replacementSeriesInstanceUid, sopInstanceUid, studyInstanceUid,
                    seriesInstanceUid, accessionNumber, patientId, issuerOfPatientId, dateOffsetDays, null);
        }
    }

    private final Path file;
    /** Non-null for a store {@link #openTemporary} made: removed with its folder on close. */
    private final Path temporaryDir;
    private final FileChannel channel;
    private final SecretKeySpec aesKey;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Long> index = new HashMap<>();
    /** File locks are per process; within one, stores on the same file take turns on this monitor first. */
    private static final Map<Path, Object> IN_PROCESS = new java.util.concurrent.ConcurrentHashMap<>();
    private final Object fileMonitor;
    private long indexedUpTo;

    private ReidentificationStore(Path file, Path temporaryDir, FileChannel channel, SecretKeySpec aesKey) {
        this.file = file;
        this.temporaryDir = temporaryDir;
        this.channel = channel;
        this.aesKey = aesKey;
        this.fileMonitor = IN_PROCESS.computeIfAbsent(file.toAbsolutePath().normalize(), f -> new Object());
    }

    /** The folder {@code options} names, else a temporary store (demos and tests). */
    public static ReidentificationStore open(DeidOptions options, SiteKey key) throws IOException {
        Path dir = options.reidentificationDir();
        return dir != null ? open(dir, key) : openTemporary(key);
    }

    /** Opens (creating, owner-only) the store of this key in {@code dir} and indexes what it holds. */
    public static ReidentificationStore open(Path dir, SiteKey key) throws IOException {
        return open(dir, key, null);
    }

    /** A store in a new temporary folder, deleted on close: for phantom data, whose way back nobody needs after the run. */
    public static ReidentificationStore openTemporary(SiteKey key) throws IOException {
        Path dir = Files.createTempDirectory("triage-reid-");
        return open(dir, key, dir);
    }

    private static ReidentificationStore open(Path dir, SiteKey key, Path temporaryDir) throws IOException {
        boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
        Files.createDirectories(dir);
        if (posix) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
        Path file = dir.resolve("reid-" + key.fingerprint() + ".log");
        if (!Files.exists(file)) {
            if (posix) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } else {
                Files.createFile(file);
            }
        }
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        ReidentificationStore s = new ReidentificationStore(file, temporaryDir, ch,
                new SecretKeySpec(key.derive(SiteKey.Purpose.REIDENTIFICATION_STORE), "AES"));
        try {
            s.catchUp(true);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        return s;
    }

    public Path file() {
        return file;
    }

    /** Adds an entry unless the same one is already there (a sender's retry); returns once it is on disk. */
    public synchronized void record(Entry e) throws IOException {
        byte[] sealed = seal(JSON.writeValueAsBytes(e));
        synchronized (fileMonitor) {
            try (java.nio.channels.FileLock ignored = channel.lock()) {
                catchUp(false);
                Long at = index.get(e.replacementSopInstanceUid());
                if (at != null && e.equals(read(at))) {
                    return;
                }
                long offset = channel.size();
                ByteBuffer buf = ByteBuffer.allocate(4 + sealed.length).putInt(sealed.length).put(sealed).flip();
                while (buf.hasRemaining()) {
                    channel.write(buf, offset + buf.position());
                }
                channel.force(false);
                put(e, offset);
                indexedUpTo = offset + buf.limit();
            }
        }
    }

    /** The entry for a replacement SOP Instance, Study or Series UID. */
    public synchronized Optional<Entry> lookup(String replacementUid) throws IOException {
        Long at = index.get(replacementUid);
        if (at == null) {
            catchUp(false);
            at = index.get(replacementUid);
        }
        return at == null ? Optional.empty() : Optional.of(read(at));
    }

    private void put(Entry e, long offset) {
        index.put(e.replacementSopInstanceUid(), offset);
        if (e.replacementStudyInstanceUid() != null) {
            index.put(e.replacementStudyInstanceUid(), offset);
        }
        if (e.replacementSeriesInstanceUid() != null) {
            index.put(e.replacementSeriesInstanceUid(), offset);
        }
    }

    /**
     * Indexes records appended since the last call. An incomplete record at the end is another process's append in
     * progress, or, at open ({@code atOpen}, under the lock), what a crash left: that one is cut off.
     */
    private void catchUp(boolean atOpen) throws IOException {
        if (atOpen) {
            synchronized (fileMonitor) {
                try (java.nio.channels.FileLock ignored = channel.lock()) {
                    index(true);
                }
            }
        } else {
            index(false);
        }
    }

    private void index(boolean cutTornTail) throws IOException {
        long size = channel.size();
        long offset = indexedUpTo;
        while (offset < size) {
            if (size - offset < 4) {
                if (cutTornTail) {
                    truncateTornTail(offset, size);
                }
                return;
            }
            int length = readLength(offset);
            if (length < NONCE_BYTES + TAG_BITS / 8 || length > MAX_RECORD_BYTES) {
                throw new IOException("re-identification store " + file + " is corrupt at offset " + offset);
            }
            if (size - offset - 4 < length) {
                if (cutTornTail) {
                    truncateTornTail(offset, size);
                }
                return;
            }
            put(read(offset), offset);
            offset += 4 + length;
            indexedUpTo = offset;
        }
    }

    /** A crash between write and force can leave half a record at the end; its event was never published. */
    private void truncateTornTail(long offset, long size) throws IOException {
        LOG.warn("re-identification store {}: dropping an incomplete last record ({} bytes)", file, size - offset);
        channel.truncate(offset);
        channel.force(false);
    }

    private int readLength(long offset) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4);
        readFully(b, offset);
        return b.flip().getInt();
    }

    private Entry read(long offset) throws IOException {
        int length = readLength(offset);
        if (length < NONCE_BYTES + TAG_BITS / 8 || length > MAX_RECORD_BYTES) {
            throw new IOException("re-identification store " + file + " is corrupt at offset " + offset);
        }
        ByteBuffer b = ByteBuffer.allocate(length);
        readFully(b, offset + 4);
        return JSON.readValue(open(b.array(), offset), Entry.class);
    }

    private void readFully(ByteBuffer b, long offset) throws IOException {
        while (b.hasRemaining()) {
            if (channel.read(b, offset + b.position()) < 0) {
                throw new IOException("re-identification store " + file + " ends inside a record at offset " + offset);
            }
        }
    }

    private byte[] seal(byte[] plain) throws IOException {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, aesKey, new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(AAD);
            byte[] ct = c.doFinal(plain);
            return ByteBuffer.allocate(NONCE_BYTES + ct.length).put(nonce).put(ct).array();
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot encrypt a re-identification record: " + e.getClass().getSimpleName(), e);
        }
    }

    private byte[] open(byte[] sealed, long offset) throws IOException {
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, aesKey, new GCMParameterSpec(TAG_BITS, sealed, 0, NONCE_BYTES));
            c.updateAAD(AAD);
            return c.doFinal(sealed, NONCE_BYTES, sealed.length - NONCE_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IOException("re-identification store " + file + ": record at offset " + offset
                    + " does not decrypt under this site key (tampered or corrupt)", e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            channel.close();
            if (temporaryDir != null) {
                Files.deleteIfExists(file);
                Files.deleteIfExists(temporaryDir);
            }
        } catch (IOException e) {
            LOG.warn("closing the re-identification store {}: {}", file, e.getMessage());
        }
    }
}
