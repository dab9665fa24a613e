package org.triage.stream.thumbnail;

import org.triage.events.NormalisedImage;

/** Where the stream hands a film for its preview; must not block the stream thread. */
public interface ThumbnailSink extends AutoCloseable {
    void offer(String sopInstanceUid, NormalisedImage image);

    @Override
    default void close() {
    }
}
