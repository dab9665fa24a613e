package org.triage.ingest.pipeline;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triage.ingest.image.Normaliser;

/**
 * Keeps rejected originals on ingest's own disk so that the DLQ can carry a pointer instead of the bytes:
 * a rejected DICOM file holds PHI, and no PHI may leave ingest. Files are content-addressed
 * ({@code <sha256>.bin}, so a resend of the same bytes costs nothing) and the folder is owner-only.
 * The total size is bounded; an original that does not fit is refused loudly (WARN, counter, and the
 * caller says so on the DLQ record), never silently.
 */
public final class Quarantine {
    private static final Logger LOG = LoggerFactory.getLogger(Quarantine.class);
    public static final String ENV_DIR = "TRIAGE_QUARANTINE_DIR";
    public static final long DEFAULT_MAX_BYTES = 2L << 30;
    private static final String SUFFIX = ".bin";
    private static final Set<PosixFilePermission> DIR_PERMS = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE_PERMS = PosixFilePermissions.fromString("rw-------");

    /** Where an original went: {@code uri} null when it was not kept, {@code dropped} then says why. */
    public record Entry(String uri, String sha256, long sizeBytes, String dropped) {
        public boolean stored() {
            return uri != null;
        }
    }

    private final Path dir;
    private final long maxBytes;
    private final boolean posix;
    private final Object lock = new Object();
    private long usedBytes;
    private final AtomicLong droppedCount = new AtomicLong();

    public Quarantine(Path dir, long maxBytes) throws IOException {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("quarantine size bound must not be negative");
        }
        Path abs = dir.toAbsolutePath().normalize();
        this.posix = Files.getFileStore(existingAncestor(abs)).supportsFileAttributeView(PosixFileAttributeView.class);
        if (!Files.isDirectory(abs)) {
            if (abs.getParent() != null) {
                Files.createDirectories(abs.getParent());
            }
            try {
                if (posix) {
                    Files.createDirectory(abs, PosixFilePermissions.asFileAttribute(DIR_PERMS));
                } else {
                    Files.createDirectory(abs);
                }
            } catch (FileAlreadyExistsException raced) {
                // another ingest process created it first
            }
        }
        if (posix) {
            // The umask may have widened a fresh folder and an existing one may be loose: ingest owns it, so tighten it.
            Files.setPosixFilePermissions(abs, DIR_PERMS);
        }
        this.dir = abs;
        this.maxBytes = maxBytes;
        this.usedBytes = currentSize(abs);
    }

    /** {@code $TRIAGE_QUARANTINE_DIR}, else {@code ~/.triage/quarantine}. */
    public static Path defaultDir() {
        String env = System.getenv(ENV_DIR);
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), ".triage", "quarantine");
    }

    public Path dir() {
        return dir;
    }

    public long maxBytes() {
        return maxBytes;
    }

    /** Bytes held now (files found at start plus those stored since). */
    public long usedBytes() {
        synchronized (lock) {
            return usedBytes;
        }
    }

    /** Originals refused since start (over capacity or write failure). */
    public long droppedCount() {
        return droppedCount.get();
    }

    public Path pathFor(String sha256) {
        return dir.resolve(sha256 + SUFFIX);
    }

    /**
     * Stores {@code original} unless it is already there or does not fit. Never throws: a failure to keep
     * the original is reported in the entry (and logged) so the DLQ record still gets written.
     */
    public Entry store(byte[] original) {
        String sha = Normaliser.sha256(original);
        long n = original.length;
        Path target = pathFor(sha);
        String uri = target.toUri().toString();
        if (Files.exists(target)) {
            return new Entry(uri, sha, n, null);
        }
        synchronized (lock) {
            if (usedBytes + n > maxBytes) {
                long dropped = droppedCount.incrementAndGet();
                LOG.warn("quarantine {} is full ({} of {} bytes used): rejected original {} of {} bytes NOT kept ({} dropped so far)",
                        dir, usedBytes, maxBytes, sha, n, dropped);
                return new Entry(null, sha, n, "over-capacity");
            }
            usedBytes += n; // reserved now, written outside the lock
        }
        boolean keep = false;
        Path tmp = null;
        try {
            tmp = posix ? Files.createTempFile(dir, ".incoming-", SUFFIX, PosixFilePermissions.asFileAttribute(FILE_PERMS))
                    : Files.createTempFile(dir, ".incoming-", SUFFIX);
            Files.write(tmp, original);
            // The same bytes may have been rejected twice at once: then the other copy is the one counted.
            if (!Files.exists(target)) {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                keep = true;
            }
            return new Entry(uri, sha, n, null);
        } catch (IOException | RuntimeException e) {
            long dropped = droppedCount.incrementAndGet();
            LOG.warn("could not write rejected original {} of {} bytes to quarantine {}: {} ({} dropped so far)", sha, n, dir,
                    e.getMessage(), dropped);
            return new Entry(null, sha, n, "write-failed");
        } finally {
            if (!keep) {
                synchronized (lock) {
                    usedBytes -= n;
                }
            }
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a stray .incoming- file is harmless and not counted
                }
            }
        }
    }

    private static long currentSize(Path dir) throws IOException {
        long total = 0;
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path p : s) {
                if (!p.getFileName().toString().startsWith(".") && Files.isRegularFile(p)) {
                    total += Files.size(p);
                }
            }
        }
        return total;
    }

    private static Path existingAncestor(Path p) {
        Path q = p;
        while (q != null && !Files.exists(q)) {
            q = q.getParent();
        }
        return q == null ? p.getRoot() : q;
    }
}
