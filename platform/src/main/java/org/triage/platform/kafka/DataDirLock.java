package org.triage.platform.kafka;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** An exclusive OS-level lock on a data directory, so a second local stack cannot open the same storage. */
final class DataDirLock implements AutoCloseable {
    static final String FILE_NAME = ".local-stack.lock";
    private final FileChannel channel;
    private final FileLock lock;

    private DataDirLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    static DataDirLock acquire(Path dir) throws IOException {
        FileChannel channel = FileChannel.open(dir.resolve(FILE_NAME), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held by this JVM already
        }
        if (lock == null) {
            channel.close();
            throw new IllegalStateException("data directory " + dir + " is in use by another running local stack;"
                    + " stop it or choose another --data-dir");
        }
        return new DataDirLock(channel, lock);
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException ignored) {
            // the lock dies with the channel anyway
        }
    }
}
