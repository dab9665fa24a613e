package org.triage.trainer.retrain;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.triage.events.NormalisedImage;
import org.triage.model.onnx.Sha256;

/** The encoded bytes of an event's image, inline or behind a file: URI, checked against the event's SHA-256. */
final class ImageFetcher {
    /** The bytes, or why the film cannot be used. */
    record Fetched(byte[] bytes, String problem) {
        boolean ok() {
            return problem == null;
        }
    }

    private ImageFetcher() {
    }

    static Fetched fetch(NormalisedImage img) {
        byte[] bytes;
        if (img.getData() != null) {
            ByteBuffer b = img.getData().duplicate();
            bytes = new byte[b.remaining()];
            b.get(bytes);
        } else if (img.getUri() != null) {
            URI uri;
            try {
                uri = URI.create(img.getUri());
            } catch (IllegalArgumentException e) {
                return new Fetched(null, "bad image URI");
            }
            if (!"file".equalsIgnoreCase(uri.getScheme())) {
                return new Fetched(null, "image URI scheme '" + uri.getScheme() + "' cannot be read here");
            }
            try {
                bytes = Files.readAllBytes(Path.of(uri));
            } catch (IOException | RuntimeException e) {
                return new Fetched(null, "image unreadable at its URI");
            }
        } else {
            return new Fetched(null, "event has neither inline image data nor a URI");
        }
        String actual = Sha256.hex(bytes);
        if (!actual.equalsIgnoreCase(img.getSha256())) {
            return new Fetched(null, "image SHA-256 mismatch");
        }
        if (!img.getEncoding().toLowerCase(Locale.ROOT).startsWith("png")) {
            return new Fetched(null, "image encoding '" + img.getEncoding() + "' is not PNG");
        }
        return new Fetched(bytes, null);
    }
}
