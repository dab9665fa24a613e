package org.triage.ingest;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.triage.events.RadiographEvent;
import org.triage.ingest.pipeline.EventSink;
import org.triage.ingest.pipeline.PublishException;

/** An in-memory sink for tests that do not need a broker; can be told to fail like a broker that is down. */
public final class RecordingSink implements EventSink {
    public record Dead(String key, byte[] value, String error, String stage, String source) {
    }

    public final List<RadiographEvent> events = Collections.synchronizedList(new ArrayList<>());
    public final List<Dead> dead = Collections.synchronizedList(new ArrayList<>());
    public volatile boolean failPublish;

    @Override
    public int publish(String key, RadiographEvent event) throws PublishException {
        if (failPublish) {
            throw new PublishException("broker unavailable (test)", null);
        }
        if (!key.equals(event.getSopInstanceUid())) {
            throw new AssertionError("key must be the SOP Instance UID");
        }
        events.add(event);
        return event.getImage().getData() == null ? 0 : event.getImage().getData().remaining();
    }

    @Override
    public boolean deadLetter(String key, byte[] original, String error, String stage, String source) {
        dead.add(new Dead(key, original, error, stage, source));
        return true;
    }

    @Override
    public void close() {
    }
}
